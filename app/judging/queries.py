"""Reads and serializers for judging pages and the API."""
from __future__ import annotations

from sqlalchemy import select

from ..audit.models import AuditEvent
from ..competitions.access import manages, supervises
from ..competitions.models import Event
from ..domain.anonymity import PANEL_ACTIONS, PANEL_PREFIXES, panel_visible
from ..domain.scoring import plain
from ..extensions import db
from ..registration.models import Registration
from .models import PanelMember, Recheck, Sheet
from .operations import code_map, names_visible_to_panel


def sees_code_map(event: Event, user) -> bool:
    """Organizers of the competition and its supervisors always; anyone else (the chief judge)
    only once the event is decrypted."""
    comp = event.competition
    return manages(comp, user) or supervises(comp, user) or event.decrypted_at is not None


def audit_item(ev: AuditEvent) -> dict:
    return {"seq": ev.seq, "created_at": ev.created_at, "actor_id": ev.actor_id, "actor_name": ev.actor_name,
            "action": ev.action, "object_type": ev.object_type, "object_id": ev.object_id,
            "competition_id": ev.competition_id, "event_id": ev.event_id,
            "before": ev.before, "after": ev.after, "reason": ev.reason, "hash": ev.hash}


def panel_audit_filter():
    """SQL prefilter matching domain.anonymity.is_panel_action (so that pages stay full)."""
    from sqlalchemy import or_
    return or_(AuditEvent.action.in_(sorted(PANEL_ACTIONS)),
               *(AuditEvent.action.like(prefix + "%") for prefix in PANEL_PREFIXES))


def sealed_audit(event: Event, items: list[dict]) -> list[dict]:
    """The panel-visible audit (domain.anonymity.panel_visible) of these items."""
    codes = code_map(event)
    return [shown for item in items if (shown := panel_visible(item, codes)) is not None]


def sheet_json(sheet: Sheet, event: Event, with_judge: bool = False, with_names: bool = False) -> dict:
    reg = sheet.registration
    out = {"code": reg.code, "station": reg.station, "status": sheet.status, "version": sheet.version,
           "scores": {s.criterion_key: plain(s.value) for s in sheet.scores}}
    if with_judge:
        out["judge_id"] = sheet.judge_id
        out["judge"] = sheet.judge.name
    if with_names and names_visible_to_panel(event):
        out["name"] = reg.person.name
        out["organization"] = reg.organization.name if reg.organization else None
    return out


def my_sheets(event: Event, user) -> list[Sheet]:
    return list(db.session.scalars(select(Sheet).join(Registration).where(
        Sheet.event_id == event.id, Sheet.judge_id == user.id).order_by(Registration.code)))


def all_sheets(event: Event) -> list[Sheet]:
    return list(db.session.scalars(select(Sheet).join(Registration).where(Sheet.event_id == event.id)
                                   .order_by(Registration.code, Sheet.judge_id)))


def sheet_by_code(event: Event, code: str, judge_id: int) -> Sheet | None:
    return db.session.scalar(select(Sheet).join(Registration).where(
        Sheet.event_id == event.id, Registration.code == code, Sheet.judge_id == judge_id))


def my_panels(user) -> list[tuple[PanelMember, Event]]:
    rows = db.session.execute(select(PanelMember, Event).join(Event, Event.id == PanelMember.event_id)
                              .where(PanelMember.user_id == user.id).order_by(Event.id)).all()
    return [(pm, ev) for pm, ev in rows]


def judge_pool(event: Event, role: str):
    """Enabled accounts with this role (judge or chief_judge) that may sit on the event's panel:
    they belong to an organization (recusal needs it) within the competition's jurisdiction (a
    national competition draws on every province). Admins may add others by id."""
    from ..accounts.models import User, UserRole
    from ..domain.tenancy import PROVINCE_ISO
    from ..people.models import Organization

    stmt = (select(User).join(UserRole, UserRole.user_id == User.id).join(Organization, Organization.id == User.organization_id)
            .where(UserRole.role == role, User.is_enabled).order_by(User.username))
    jurisdiction = event.competition.jurisdiction
    if jurisdiction != "CN":
        prefixes = [p for p, iso in PROVINCE_ISO.items() if iso == jurisdiction]
        stmt = stmt.where(Organization.region_code.startswith(prefixes[0]) if prefixes else False)
    on_panel = select(PanelMember.user_id).where(PanelMember.event_id == event.id)
    return stmt.where(User.id.not_in(on_panel))


def recheck_of(event: Event) -> Recheck | None:
    return db.session.scalar(select(Recheck).where(Recheck.event_id == event.id))
