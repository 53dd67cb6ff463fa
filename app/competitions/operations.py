"""Writes on competitions and events: set-up, edits with version checks, life-cycle moves."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import signals
from ..audit.operations import diff, record
from ..domain import lifecycle
from ..domain.errors import N_, Collector, DomainError, Forbidden
from ..domain.tenancy import jurisdiction_problems
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Organization
from .models import Competition, CompetitionSupervisor, Event
from .schemas import parse_competition, parse_event

EDITABLE_EVENT_STATES = ("draft", "registration_open", "registration_closed")

class StaleVersion(DomainError):
    code = "stale_version"

    def __init__(self):
        super().__init__(N_("Someone else changed this record after you opened it. Reload it and apply your change again."))


class WrongState(DomainError):
    code = "wrong_state"


def competition_snapshot(c: Competition) -> dict:
    return {k: getattr(c, k) for k in (
        "name", "year", "level", "kind", "jurisdiction", "host_organization_id",
        "registration_opens_at", "registration_closes_at", "starts_on", "ends_on",
        "publicity_days", "appeal_window_hours", "allow_multiple_events", "description", "award_title", "stage")}


def event_snapshot(e: Event) -> dict:
    return {k: getattr(e, k) for k in (
        "name", "occupation", "track", "team_size", "max_entrants", "starts_at", "ends_at", "venue",
        "eligibility", "scheme", "awards", "tiebreak", "no_shared_ranks", "two_layer")}


def _as_input(snapshot: dict) -> dict:
    """Stored naive-UTC datetimes → aware, so re-parsing them is not read as local time."""
    return {k: (v.replace(tzinfo=timezone.utc) if isinstance(v, datetime) else v)
            for k, v in snapshot.items()}


def _check_version(obj, version) -> None:
    if version in (None, ""):
        return
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise StaleVersion() from None
    if version != obj.version:
        raise StaleVersion()


def _bump_version(model, obj) -> None:
    """Conditional UPDATE: exactly one row must change, or someone else won the race."""
    result = db.session.execute(
        update(model).where(model.id == obj.id, model.version == obj.version)
        .values(version=model.version + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleVersion()
    obj.version += 1


def _check_tenancy(clean: dict) -> None:
    """The jurisdiction agrees with the level and lies within the host organization's region."""
    host = db.session.get(Organization, clean["host_organization_id"]) if clean.get("host_organization_id") else None
    errors = Collector()
    for field, message, params in jurisdiction_problems(clean.get("level"), clean.get("jurisdiction"),
                                                        host.jurisdiction if host else None):
        errors.add(field, message, **params)
    if host is not None and host.jurisdiction is None:
        errors.add("host_organization_id", N_("The host organization's region code names no province."))
    errors.raise_if_any()


def create_competition(data: dict, actor) -> Competition:
    """An organizer's competition is hosted by their own organization (an organizer without one
    cannot create competitions); an admin may name any host, or none (then admins manage it)."""
    clean = parse_competition(data)
    if actor is not None and not actor.has_role("admin"):
        if actor.organization_id is None:
            raise Forbidden(N_("Your account is not linked to an organization; an administrator links it "
                               "before you can create competitions."))
        if clean.get("host_organization_id") not in (None, actor.organization_id):
            errors = Collector()
            errors.add("host_organization_id", N_("Organizers create competitions hosted by their own organization."))
            errors.raise_if_any()
        clean["host_organization_id"] = actor.organization_id
    _check_tenancy(clean)
    comp = Competition(**clean, created_by_id=getattr(actor, "id", None))
    db.session.add(comp)
    db.session.flush()
    record("competition.create", comp, actor=actor, after=competition_snapshot(comp), competition_id=comp.id)
    return comp


def running_periods(comp: Competition) -> dict[str, str]:
    """The periods that have started and so may only be lengthened now (field → why).

    In publicity both the publicity days and the appeal window run (appeals of scoring stay open
    for the window's hours after an event ends, appeals of results until publicity ends). During
    judging the appeal window runs as soon as one event has ended: shortening it would cut short
    the window of contestants who may still be writing their appeal."""
    if comp.status == "publicity":
        return {"publicity_days": "publicity", "appeal_window_hours": "publicity"}
    if comp.status == "judging":
        now = utcnow()
        if any(e.ends_at is not None and e.ends_at <= now for e in comp.events):
            return {"appeal_window_hours": "event_ended"}
    return {}


_SHORTENING_REFUSED = {
    ("publicity_days", "publicity"): N_(
        "The publicity period cannot be shortened once publicity has started (now %(current)s days); "
        "it may only be lengthened, with a reason."),
    ("appeal_window_hours", "publicity"): N_(
        "The appeal window cannot be shortened once publicity has started (now %(current)s hours); "
        "it may only be lengthened, with a reason."),
    ("appeal_window_hours", "event_ended"): N_(
        "The appeal window cannot be shortened once an event has ended: appeals of its scoring are "
        "open (now %(current)s hours after the event). It may only be lengthened, with a reason."),
}


def _guard_running_periods(comp: Competition, clean: dict, reason: str | None) -> None:
    """A running period may grow (with a reason) but never shrink."""
    errors = Collector()
    lengthened = False
    for name, why in running_periods(comp).items():
        current, wanted = getattr(comp, name), clean.get(name)
        if wanted is None or wanted == current:
            continue
        if wanted < current:
            errors.add(name, _SHORTENING_REFUSED[(name, why)], current=current)
        else:
            lengthened = True
    if lengthened and not reason:
        errors.add("reason", N_("Give the reason for lengthening a period that has already started."))
    errors.raise_if_any()


def update_competition(comp: Competition, data: dict, actor) -> Competition:
    """Edit a competition. `reason` (optional, required to lengthen a running period) goes to the
    audit record."""
    if comp.status in ("final", "archived"):
        raise WrongState(N_("A competition that is final or archived cannot be edited."))
    _check_version(comp, data.get("version"))
    reason = data.get("reason")
    reason = (reason.strip()[:500] or None) if isinstance(reason, str) else None
    before = competition_snapshot(comp)
    merged = {**_as_input(before), **{k: v for k, v in data.items() if k not in ("version", "reason")}}
    clean = parse_competition(merged)
    _guard_running_periods(comp, clean, reason)
    if not actor.has_role("admin"):
        clean["host_organization_id"] = comp.host_organization_id  # organizers cannot hand it over
    _check_tenancy(clean)
    for k, v in clean.items():
        setattr(comp, k, v)
    b, a = diff(before, competition_snapshot(comp))
    if a:
        _bump_version(Competition, comp)
        record("competition.update", comp, actor=actor, before=b, after=a, reason=reason,
               competition_id=comp.id)
    return comp


def unmet_requirements(comp: Competition, target: str) -> list[str]:
    """What the move still needs: the checks of every area (app/wiring.py), in order."""
    return [reason for reasons in signals.competition_may_enter.send(comp, key=target) for reason in reasons]


def change_status(comp: Competition, target: str, actor, reason: str | None = None,
                  version=None) -> Competition:
    """Move a competition along its life cycle; the move and its reason are audited."""
    _check_version(comp, version)
    lifecycle.check_transition(comp.status, target)  # the graph first: cheap and clear
    lifecycle.check_transition(comp.status, target, unmet_requirements(comp, target))
    before = comp.status
    _bump_version(Competition, comp)
    comp.status = target
    comp.status_changed_at = utcnow()
    if target == "final":
        comp.finalized_at = comp.status_changed_at
    record("competition.status", comp, actor=actor, before={"status": before}, after={"status": target},
           reason=reason, competition_id=comp.id)
    signals.competition_entered.send(comp, actor, key=target)  # the reactions, in app/wiring.py's order
    return comp


def has_events(comp: Competition) -> list[str]:
    return [] if comp.events else [_("add at least one event")]


def publicity_over(comp: Competition) -> list[str]:
    ends = publicity_ends_at(comp)
    if ends is not None and utcnow() < ends:
        return [_("the publicity period has not ended")]
    return []


def publicity_ends_at(comp: Competition):
    if comp.status != "publicity":
        return None
    return comp.status_changed_at + timedelta(days=comp.publicity_days)


def _check_event_editable(comp: Competition) -> None:
    if comp.status not in EDITABLE_EVENT_STATES:
        raise WrongState(N_("Events can only be added or changed before judging starts."))


def create_event(comp: Competition, data: dict, actor) -> Event:
    _check_event_editable(comp)
    clean = parse_event(data)
    event = Event(competition=comp, **clean)
    db.session.add(event)
    db.session.flush()
    record("event.create", event, actor=actor, after=event_snapshot(event),
           competition_id=comp.id, event_id=event.id)
    return event


def update_event(event: Event, data: dict, actor) -> Event:
    _check_event_editable(event.competition)
    _check_version(event, data.get("version"))
    before = event_snapshot(event)
    merged = {**_as_input(before), **{k: v for k, v in data.items() if k != "version"}}
    clean = parse_event(merged)
    if clean["two_layer"] != event.two_layer:
        from ..judging.models import Draw  # the mapped models are one graph; judging's logic sits above
        if Draw.codes_drawn(event.id):
            errors = Collector()
            errors.add("two_layer", N_("The codes have been drawn: two-layer encryption can no longer be switched."))
            errors.raise_if_any()
    for k, v in clean.items():
        setattr(event, k, v)
    b, a = diff(before, event_snapshot(event))
    if a:
        _bump_version(Event, event)
        record("event.update", event, actor=actor, before=b, after=a,
               competition_id=event.competition_id, event_id=event.id)
    return event


# ---- supervisors ----------------------------------------------------------------------------

def assign_supervisor(comp: Competition, user, actor) -> CompetitionSupervisor:
    """An admin assigns any supervisor; the host's organizer one of their own organization."""
    errors = Collector()
    if user is None or not user.is_enabled or not user.has_role("supervisor"):
        errors.add("user_id", N_("Choose an account with the supervisor role."))
    elif not actor.has_role("admin") and user.organization_id != comp.host_organization_id:
        errors.add("user_id", N_("Organizers assign supervisors of their own organization; an administrator assigns others."))
    errors.raise_if_any()
    if db.session.scalar(select(CompetitionSupervisor.id).where(
            CompetitionSupervisor.competition_id == comp.id, CompetitionSupervisor.user_id == user.id)):
        raise WrongState(N_("This supervisor is assigned already."))
    row = CompetitionSupervisor(competition_id=comp.id, user_id=user.id, assigned_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("competition.supervisor_assign", row, actor=actor, after={"user_id": user.id}, competition_id=comp.id)
    return row


def unassign_supervisor(row: CompetitionSupervisor, actor) -> None:
    record("competition.supervisor_unassign", row, actor=actor, before={"user_id": row.user_id},
           competition_id=row.competition_id)
    db.session.delete(row)
    db.session.flush()
