"""Entering people invited from another organizer's results (跨主办方晋级, app/selection/invitations.py)
into an event: the same rules as any entry — the registration window, the competition's route, one
registration per person and event (and one event per person unless the competition allows more),
the event's eligibility rules, the team's size and the event's capacity. All or nothing: a refusal
names every invited entry that a rule refuses, and nothing is registered."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from ..audit.operations import record
from ..competitions.models import Event
from ..domain.eligibility import Refusal
from ..domain.errors import N_, DomainError
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Organization, Person
from .models import Registration, RegistrationMember
from .operations import Entrant, active_person_ids, check_route, check_window, eligibility_refusals, take_places

SOURCE = "advancement"


class InvitedRefused(DomainError):
    """The target event's rules refuse some invited entries: `refusals` lists (name, Refusal)."""

    code = "registration_refused"

    def __init__(self, refusals: list[tuple[str, Refusal]]):
        super().__init__(N_("The invited people cannot be registered: the event's rules refuse %(n)d of the entries."),
                         n=len({name for name, _r in refusals}))
        self.refusals = refusals

    def extra(self, translate) -> dict:
        return {"rules": [{"person": name, "rule": r.rule, "message": translate(r.message, r.params)}
                          for name, r in self.refusals]}


def _entry_refusals(event: Event, people: list[Person], org: Organization | None) -> list[Refusal]:
    comp = event.competition
    ids = [p.id for p in people]
    out: list[Refusal] = []
    if len(people) != event.team_size:
        out.append(Refusal("team_size", N_("The event takes entries of %(n)d people; this entry has %(m)d."),
                           {"n": event.team_size, "m": len(people)}))
    if active_person_ids([event.id], ids):
        out.append(Refusal("duplicate", N_("This person is already registered for this event."), {}))
    if not comp.allow_multiple_events:
        others = [e.id for e in comp.events if e.id != event.id]
        if active_person_ids(others, ids):
            out.append(Refusal("one_event", N_("This competition allows each person to enter one event only."), {}))
    entrants = [Entrant({"birth_date": p.birth_date, "skill_grade": p.skill_grade}, p, "person") for p in people]
    out.extend(eligibility_refusals(event, entrants, org))
    return out


def enter_invited(event: Event, groups: list[dict], actor) -> list[Registration]:
    """groups: [{"people": [Person, …] (captain first), "organization": Organization | None,
    "team_name": str | None}]. Each becomes an approved registration (source "advancement"): the
    target's organizer accepted the invitation, which is its review."""
    comp = event.competition
    check_window(comp)
    check_route(comp, SOURCE)
    refusals: list[tuple[str, Refusal]] = []
    seen: set[int] = set()
    for g in groups:
        name = "、".join(p.name for p in g["people"])
        for r in _entry_refusals(event, g["people"], g["organization"]):
            refusals.append((name, r))
        if seen & {p.id for p in g["people"]}:
            refusals.append((name, Refusal("duplicate", N_("The same person is listed twice in this invitation."), {})))
        seen |= {p.id for p in g["people"]}
    if refusals:
        raise InvitedRefused(refusals)
    if not take_places(event, len(groups)):
        free = None if event.max_entrants is None else max(event.max_entrants - event.entrant_count, 0)
        raise InvitedRefused([("", Refusal("capacity", N_("The event has %(free)d places left for %(n)d invited entries."),
                                           {"free": free or 0, "n": len(groups)}))])
    now = utcnow()
    created = []
    try:
        for g in groups:
            people, org = g["people"], g["organization"]
            reg = Registration(event_id=event.id, competition_id=comp.id, person_id=people[0].id,
                               organization_id=org.id if org else None, team_name=g.get("team_name"),
                               status="approved", source=SOURCE, submitted_by_id=actor.id,
                               reviewed_by_id=actor.id, reviewed_at=now)
            reg.members = [RegistrationMember(event_id=event.id, competition_id=comp.id, person_id=p.id, position=i,
                                              person=p) for i, p in enumerate(people)]
            db.session.add(reg)
            created.append(reg)
        db.session.flush()
    except IntegrityError:
        # Lost a race with a simultaneous registration of the same person: the unique indexes held.
        db.session.rollback()
        raise InvitedRefused([("", Refusal("duplicate", N_("This person is already registered for this event."), {}))]) from None
    for reg in created:
        record("registration.create", reg, actor=actor, competition_id=comp.id, event_id=event.id,
               after={"status": reg.status, "source": SOURCE, "person_id": reg.person_id,
                      "members": [m.person_id for m in reg.members], "organization_id": reg.organization_id,
                      "team_name": reg.team_name})
    return created
