"""Who may see which analytics (DESIGN §8; both faces, web and API, call these).

Statistics across competitions
- admins: every competition (any jurisdiction, or one they choose);
- a jurisdiction's HR department: the competitions of the area it covers. An HR department is
  an organization of kind `government` (人力资源和社会保障厅/局); its region code says what it
  covers: 000000 the whole country (a national body), a province's code (540000) the
  competitions filed under that province, a prefecture's or county's code (540100) the
  competitions filed under its province *and* hosted by organizations of that prefecture or
  county. Its staff are the users of that organization with the organizer role;
- other organizers: the competitions their own organization hosts;
- everyone else: nothing. Fail closed: an organizer without an organization sees nothing.

Judge consistency of one event
- admins, the host's organizers, the HR department covering it, the competition's assigned
  supervisors, and the event's chief judge (who already oversees every sheet of it);
- never a judge of that event's panel before the event is locked, whatever other role they
  hold (seeing how their scores compare would tell them the others' scores);
- a judge sees their own figures (their judge page), from locked events only.

The judge pool (裁判库): the judges of the events the viewer may see, each with the history and
figures of those events only.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, exists, false, or_, select, true

from ..accounts.models import User
from ..competitions.access import manages, supervises
from ..competitions.models import Competition, CompetitionSupervisor, Event
from ..domain.errors import N_
from ..domain.tenancy import NATIONAL_REGION, region_jurisdiction
from ..extensions import db
from ..judging.models import PanelMember
from ..people.models import Organization


@dataclass(frozen=True)
class Scope:
    """The competitions a viewer's statistics cover."""
    kind: str                       # all | jurisdiction | organization
    jurisdiction: str | None = None  # CN-XZ … (kind jurisdiction)
    host_prefix: str | None = None   # host organizations' region prefix (a prefecture's HR department)
    organization_id: int | None = None
    label: str = ""                  # who covers it: the HR department's or the organization's name

    def covers(self, comp: Competition) -> bool:
        if self.kind == "all":
            return True
        if self.kind == "organization":
            return comp.host_organization_id is not None and comp.host_organization_id == self.organization_id
        if comp.jurisdiction != self.jurisdiction:
            return False
        if self.host_prefix is None:
            return True
        host = comp.host_organization
        return host is not None and host.region_code.startswith(self.host_prefix)

    def clause(self):
        """A SQL condition on Competition."""
        if self.kind == "all":
            return true()
        if self.kind == "organization":
            return Competition.host_organization_id == self.organization_id
        cond = Competition.jurisdiction == self.jurisdiction
        if self.host_prefix is not None:
            cond = and_(cond, Competition.host_organization_id.in_(
                select(Organization.id).where(Organization.region_code.startswith(self.host_prefix))))
        return cond

    def narrowed(self, jurisdiction: str | None) -> "Scope":
        """An admin's choice of one jurisdiction ('CN' or none: everything)."""
        if self.kind != "all" or not jurisdiction or jurisdiction == "CN":
            return self
        return Scope(kind="jurisdiction", jurisdiction=jurisdiction, label=self.label)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def region_prefix(region_code: str) -> str:
    """540000 → 54, 540100 → 5401, 540102 → 540102: the part of the code that names the area."""
    code = region_code
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def hr_department(user) -> Organization | None:
    """The user's organization when it is an HR department (kind government) they act for."""
    if not _signed_in(user) or not user.has_role("organizer") or user.organization_id is None:
        return None
    org = db.session.get(Organization, user.organization_id)
    return org if org is not None and org.kind == "government" else None


def statistics_scope(user) -> Scope | None:
    if not _signed_in(user):
        return None
    if user.has_role("admin"):
        return Scope(kind="all", label="")
    hr = hr_department(user)
    if hr is not None:
        if hr.region_code == NATIONAL_REGION:
            return Scope(kind="all", label=hr.name)
        jurisdiction = region_jurisdiction(hr.region_code)
        if jurisdiction is None:
            return None
        prefix = region_prefix(hr.region_code)
        return Scope(kind="jurisdiction", jurisdiction=jurisdiction, host_prefix=prefix if len(prefix) > 2 else None,
                     label=hr.name)
    if user.has_role("organizer") and user.organization_id is not None:
        org = db.session.get(Organization, user.organization_id)
        return Scope(kind="organization", organization_id=user.organization_id, label=org.name if org else "")
    return None


def require_statistics_scope() -> Scope:
    scope = statistics_scope(current_user)
    if scope is None:
        abort(403)
    return scope


# ---- events ------------------------------------------------------------------------------------

def _panel_role(event: Event, user) -> str | None:
    return db.session.scalar(select(PanelMember.role).where(PanelMember.event_id == event.id,
                                                             PanelMember.user_id == user.id))


def may_see_event(event: Event, user) -> bool:
    if not _signed_in(user):
        return False
    role = _panel_role(event, user)
    if role == "judge" and event.locked_at is None:
        return False  # never a judge of the panel before lock, whatever else they are
    comp = event.competition
    if manages(comp, user) or supervises(comp, user) or role == "chief_judge":
        return True
    scope = statistics_scope(user)
    return scope is not None and scope.covers(comp)


def visible_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not may_see_event(event, current_user):
        abort(403)
    return event


def visible_events_clause(user):
    """A SQL condition on Event: the events whose judge figures this user may see in the pool."""
    if not _signed_in(user):
        return false()
    conditions = []
    scope = statistics_scope(user)
    if scope is not None:
        conditions.append(Event.competition_id.in_(select(Competition.id).where(scope.clause())))
    if user.has_role("supervisor"):
        conditions.append(Event.competition_id.in_(
            select(CompetitionSupervisor.competition_id).where(CompetitionSupervisor.user_id == user.id)))
    if not conditions:
        return false()
    on_panel_unlocked = exists().where(PanelMember.event_id == Event.id, PanelMember.user_id == user.id,
                                       PanelMember.role == "judge")
    return and_(or_(*conditions), or_(Event.locked_at.is_not(None), ~on_panel_unlocked))


def may_see_pool(user) -> bool:
    return _signed_in(user) and (statistics_scope(user) is not None or user.has_role("supervisor"))


def own_events_clause(user):
    """A judge's own locked events (their own page)."""
    return and_(Event.locked_at.is_not(None), exists().where(
        PanelMember.event_id == Event.id, PanelMember.user_id == user.id, PanelMember.role == "judge"))


def judge_page_events(judge: User, user):
    """The SQL condition on Event for the judge page of `judge` as `user` sees it, or None (404)."""
    if not _signed_in(user):
        return None
    if judge.id == user.id and user.has_role("judge"):
        return own_events_clause(user)
    if may_see_pool(user):
        return visible_events_clause(user)
    return None


SCOPE_KIND_LABELS = {"all": N_("All competitions"), "jurisdiction": N_("The jurisdiction's competitions"),
                     "organization": N_("Your organization's competitions")}
