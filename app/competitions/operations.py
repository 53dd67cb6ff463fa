"""Writes on competitions and events: set-up, edits with version checks, life-cycle moves."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import update

from ..audit.operations import diff, record
from ..domain import lifecycle
from ..domain.errors import N_, Collector, DomainError
from ..extensions import db
from ..models_base import utcnow
from .models import Competition, Event
from .schemas import parse_competition, parse_event

EDITABLE_EVENT_STATES = ("draft", "registration_open", "registration_closed")

# target status → checks returning unmet requirements (translated text). Later areas
# (judging, results) register theirs with @precondition("judging") etc.
PRECONDITIONS: dict[str, list[Callable[[Competition], list[str]]]] = {}


# target status → actions run after the move, in the same transaction (snapshots, certificates …).
ON_ENTER: dict[str, list[Callable[[Competition, object], None]]] = {}


def on_enter(target: str):
    def wrap(fn):
        ON_ENTER.setdefault(target, []).append(fn)
        return fn
    return wrap


def precondition(target: str):
    def wrap(fn):
        PRECONDITIONS.setdefault(target, []).append(fn)
        return fn
    return wrap


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


def create_competition(data: dict, actor) -> Competition:
    clean = parse_competition(data)
    if actor is not None and not actor.has_role("admin") and clean.get("host_organization_id") is None:
        clean["host_organization_id"] = actor.organization_id
    comp = Competition(**clean, created_by_id=getattr(actor, "id", None))
    db.session.add(comp)
    db.session.flush()
    record("competition.create", comp, actor=actor, after=competition_snapshot(comp), competition_id=comp.id)
    return comp


def update_competition(comp: Competition, data: dict, actor) -> Competition:
    if comp.status in ("final", "archived"):
        raise WrongState(N_("A competition that is final or archived cannot be edited."))
    _check_version(comp, data.get("version"))
    before = competition_snapshot(comp)
    merged = {**_as_input(before), **{k: v for k, v in data.items() if k != "version"}}
    clean = parse_competition(merged)
    if not actor.has_role("admin"):
        clean["host_organization_id"] = comp.host_organization_id  # organizers cannot hand it over
    for k, v in clean.items():
        setattr(comp, k, v)
    b, a = diff(before, competition_snapshot(comp))
    if a:
        _bump_version(Competition, comp)
        record("competition.update", comp, actor=actor, before=b, after=a, competition_id=comp.id)
    return comp


def unmet_requirements(comp: Competition, target: str) -> list[str]:
    unmet: list[str] = []
    for check in PRECONDITIONS.get(target, []):
        unmet.extend(check(comp))
    return unmet


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
    record("competition.status", comp, actor=actor, before={"status": before}, after={"status": target},
           reason=reason, competition_id=comp.id)
    for action in ON_ENTER.get(target, []):
        action(comp, actor)
    return comp


@precondition("registration_open")
def _has_events(comp: Competition) -> list[str]:
    return [] if comp.events else [_("add at least one event")]


@precondition("final")
def _publicity_over(comp: Competition) -> list[str]:
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
        from ..judging.operations import is_drawn
        if is_drawn(event):
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
