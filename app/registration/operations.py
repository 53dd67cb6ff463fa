"""Writes on registrations: entry (three ways in, one service), review, withdrawal.

Checks at entry, in order: the registration window, the people's details, the team's shape,
duplicates (one person once per event; several events only if the competition allows), the
event's eligibility rules, and the event's capacity. A refusal names every rule that refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..audit.operations import record
from ..competitions.models import Competition, Event
from ..domain.eligibility import Refusal, check_eligibility
from ..domain.errors import N_, Collector, DomainError, Forbidden, ValidationFailed
from ..domain.names import InvalidName, clean_title
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Organization, Person
from ..people.operations import find_person, parse_person
from .models import ACTIVE_STATUSES, Registration, RegistrationMember

REGISTRATION_FIELDS = {"person", "organization_id", "team_name", "members"}


class RegistrationClosed(DomainError):
    code = "registration_closed"


class RegistrationRefused(DomainError):
    """One or more entry rules refused; `refusals` names each (rule, message)."""

    code = "registration_refused"

    def __init__(self, refusals: list[Refusal]):
        super().__init__(N_("The registration was refused: %(reasons)s"),
                         reasons="; ".join(r.message % r.params if r.params else r.message for r in refusals))
        self.refusals = refusals

    def extra(self, translate) -> dict:
        return {"rules": [{"rule": r.rule, "message": translate(r.message, r.params)} for r in self.refusals]}


class WrongRegistrationState(DomainError):
    code = "wrong_state"


def window_open(comp: Competition, now=None) -> bool:
    now = now or utcnow()
    return comp.status == "registration_open" and comp.registration_opens_at <= now < comp.registration_closes_at


def check_window(comp: Competition) -> None:
    if not window_open(comp):
        raise RegistrationClosed(N_("Registration for this competition is not open now."))


def check_route(comp: Competition, source: str) -> None:
    """A title selection (称号评选) takes nominations by organizations, each with a dossier
    (app/nominations); every other kind takes registrations."""
    if comp.kind == "title_selection" and source != "nomination":
        raise WrongRegistrationState(N_("This title selection takes nominations by organizations only, each with a dossier."))
    if comp.kind != "title_selection" and source == "nomination":
        raise WrongRegistrationState(N_("Only title selections take nominations."))


def competition_day(comp: Competition) -> date:
    """The day ages are computed on: the competition's first day, else the registration deadline."""
    return comp.starts_on or comp.registration_closes_at.date()


@dataclass
class Entrant:
    """A validated person of a registration: the stored Person (if any) and the clean fields."""
    fields: dict
    person: Person | None
    path: str


def _parse_entry(event: Event, data: dict, errors: Collector) -> tuple[list[Entrant], str | None]:
    for key in data:
        if key not in REGISTRATION_FIELDS:
            errors.add(key, N_("This field cannot be set."))
    entrants = [Entrant(parse_person(data.get("person"), errors, "person."), None, "person")]
    members = data.get("members") or []
    if not isinstance(members, list):
        errors.add("members", N_("The team members must be a list."))
        members = []
    for i, member in enumerate(members):
        entrants.append(Entrant(parse_person(member, errors, f"members[{i}]."), None, f"members[{i}]"))
    team_name = None
    if event.team_size > 1:
        if len(entrants) != event.team_size:
            errors.add("members", N_("A team in this event has %(n)d members (the captain and %(others)d others)."),
                       n=event.team_size, others=event.team_size - 1)
        try:
            team_name = clean_title(data.get("team_name"), 100)
        except InvalidName as exc:
            errors.add("team_name", exc.message, **exc.params)
    elif members:
        errors.add("members", N_("This is an individual event: do not list team members."))
    seen: dict[tuple, str] = {}
    for e in entrants:
        key = (e.fields.get("id_type"), e.fields.get("id_number"))
        if key[1] and key in seen:
            errors.add(f"{e.path}.id_number", N_("The same person is listed twice in this team."))
        seen[key] = e.path
    return entrants, team_name


MERGED_FIELDS = ("gender", "birth_date", "ethnicity", "phone", "education", "skill_grade")


def _resolve_people(entrants: list[Entrant], errors: Collector, actor=None, source: str = "") -> None:
    """Attach stored people by ID number; a known number under another name is refused.
    Stored details are authoritative (a recorded grade promotion, say); empty ones are filled in.
    An organization contact registers only people of their own organization: a record kept for
    another organization is refused with the same answer as a wrong name."""
    for e in entrants:
        f = e.fields
        if not f.get("id_number"):
            continue
        existing = find_person(f["id_type"], f["id_number"])
        if existing is None:
            continue
        foreign = (source == "org_contact" and existing.organization_id is not None
                   and existing.organization_id != getattr(actor, "organization_id", None))
        if existing.name != f.get("name") or foreign:
            errors.add(f"{e.path}.name", N_("This ID number is on record under another name; check the name or the number."))
            continue
        for key in MERGED_FIELDS:
            stored = getattr(existing, key)
            if stored is None and f.get(key) is not None:
                setattr(existing, key, f[key])
            elif stored is not None:
                f[key] = stored
        e.person = existing


def _organization(data: dict, actor, errors: Collector, source: str) -> Organization | None:
    raw = data.get("organization_id")
    if source == "org_contact":
        if raw not in (None, "") and str(raw) != str(actor.organization_id):
            raise Forbidden(N_("Organization contacts register people of their own organization only."))
        raw = actor.organization_id
        if raw is None:
            raise Forbidden(N_("Your account is not linked to an organization."))
    if raw in (None, ""):
        return None
    try:
        org = db.session.get(Organization, int(raw))
    except (TypeError, ValueError):
        org = None
    if org is None:
        errors.add("organization_id", N_("Unknown organization."))
    return org


def active_person_ids(event_ids: list[int], person_ids: list[int]) -> dict[int, int]:
    """person id → event id of their active registrations among these events."""
    if not person_ids or not event_ids:
        return {}
    rows = db.session.execute(select(RegistrationMember.person_id, RegistrationMember.event_id).where(
        RegistrationMember.is_active, RegistrationMember.event_id.in_(event_ids),
        RegistrationMember.person_id.in_(person_ids)))
    return {pid: eid for pid, eid in rows}


def duplicate_refusals(event: Event, person_ids: list[int]) -> list[Refusal]:
    comp = event.competition
    refusals = []
    in_event = active_person_ids([event.id], person_ids)
    if in_event:
        refusals.append(Refusal("duplicate", N_("This person is already registered for this event."), {}))
    if not comp.allow_multiple_events:
        others = [e.id for e in comp.events if e.id != event.id]
        elsewhere = active_person_ids(others, person_ids)
        if elsewhere:
            refusals.append(Refusal("one_event", N_("This competition allows each person to enter one event only."), {}))
    return refusals


def eligibility_refusals(event: Event, entrants: list[Entrant], org: Organization | None) -> list[Refusal]:
    comp = event.competition
    refusals: list[Refusal] = []
    for e in entrants:
        f = e.fields
        for r in check_eligibility(eligibility=event.eligibility or {}, track=event.track,
                                   birth_date=f.get("birth_date"), skill_grade=f.get("skill_grade"),
                                   organization_kind=org.kind if org else None, on=competition_day(comp)):
            if r not in refusals:
                refusals.append(r)
    return refusals


def take_places(event: Event, n: int) -> bool:
    """Atomically reserve n places; False when the event is full."""
    result = db.session.execute(
        update(Event).where(Event.id == event.id, or_(Event.max_entrants.is_(None),
                                                       Event.entrant_count + n <= Event.max_entrants))
        .values(entrant_count=Event.entrant_count + n).execution_options(synchronize_session=False))
    return result.rowcount == 1


def release_places(event_id: int, n: int) -> None:
    db.session.execute(update(Event).where(Event.id == event_id)
                       .values(entrant_count=Event.entrant_count - n).execution_options(synchronize_session=False))


def register(event: Event, data: dict, actor, source: str) -> Registration:
    """Enter a person (or a team) into an event. source: self | org_contact | organizer | api |
    nomination (title selections only, through app/nominations/operations.nominate)."""
    comp = event.competition
    check_window(comp)
    check_route(comp, source)
    if not isinstance(data, dict):
        errors = Collector()
        errors.add("person", N_("The person's details are required."))
        errors.raise_if_any()
    errors = Collector()
    entrants, team_name = _parse_entry(event, data, errors)
    org = _organization(data, actor, errors, source)
    own = None
    if source == "self":
        # A candidate enters only their own person record.
        own = db.session.scalar(select(Person).where(Person.user_id == actor.id))
        captain = entrants[0].fields
        if own is not None and (own.id_type, own.id_number) != (captain.get("id_type"), captain.get("id_number")):
            raise Forbidden(N_("A candidate registers themselves only; your profile has another ID number."))
    if not errors.errors:
        _resolve_people(entrants, errors, actor, source)
    errors.raise_if_any()
    if source == "self" and own is None and entrants[0].person is not None:
        # An account not linked to a record (e.g. a sign-up awaiting its claim) never takes over
        # one that is on file: that needs the claim code or an approval.
        raise Forbidden(N_("Your account is not linked to your person record yet: enter the claim code "
                           "on your page, or ask your organization's contact to approve it."))

    known_ids = [e.person.id for e in entrants if e.person is not None]
    refusals = duplicate_refusals(event, known_ids) + eligibility_refusals(event, entrants, org)
    if refusals:
        raise RegistrationRefused(refusals)
    if not take_places(event, 1):
        raise RegistrationRefused([Refusal("capacity", N_("The event is full."), {})])

    try:
        reg = _create(event, comp, entrants, org, team_name, actor, source)
    except IntegrityError:
        # Lost a race with a simultaneous registration of the same person: the unique indexes held.
        db.session.rollback()
        raise RegistrationRefused([Refusal("duplicate", N_("This person is already registered for this event."), {})]) from None
    people = [m.person for m in reg.members]
    record("registration.create", reg, actor=actor, competition_id=comp.id, event_id=event.id,
           after={"status": reg.status, "source": source, "person_id": reg.person_id,
                  "members": [p.id for p in people], "organization_id": reg.organization_id,
                  "team_name": team_name})
    return reg


def _create(event, comp, entrants, org, team_name, actor, source) -> Registration:
    people = []
    for e in entrants:
        if e.person is None:
            e.person = Person(**{k: v for k, v in e.fields.items() if k != "organization_id"},
                              organization_id=org.id if org else None,
                              created_by_organization_id=getattr(actor, "organization_id", None))
            db.session.add(e.person)
        elif e.person.organization_id is None and org is not None:
            e.person.organization_id = org.id
        people.append(e.person)
    if source == "self" and people[0].user_id is None:
        people[0].user_id = actor.id  # a new record, made by its own person
    db.session.flush()
    reg = Registration(event_id=event.id, competition_id=comp.id, person_id=people[0].id,
                       organization_id=org.id if org else None, team_name=team_name, source=source,
                       submitted_by_id=getattr(actor, "id", None))
    reg.members = [RegistrationMember(event_id=event.id, competition_id=comp.id, person_id=p.id, position=i,
                                      person=p) for i, p in enumerate(people)]
    db.session.add(reg)
    db.session.flush()
    return reg


def _deactivate(reg: Registration) -> None:
    for m in reg.members:
        m.is_active = False
    release_places(reg.event_id, 1)


REVIEWABLE = ("registration_open", "registration_closed")


def review(reg: Registration, decision: str, reason: str | None, actor) -> Registration:
    """Approve or reject a submitted registration; an approval can be withdrawn by a rejection
    until judging starts. A rejection needs a reason, which the candidate sees."""
    errors = Collector()
    reason = (reason or "").strip()[:1000] or None
    if decision not in ("approve", "reject"):
        errors.add("decision", N_("The decision must be approve or reject."))
    elif decision == "reject" and not reason:
        errors.add("reason", N_("Give the reason for the rejection; the candidate will see it."))
    errors.raise_if_any()
    comp = db.session.get(Competition, reg.competition_id)
    if comp.status not in REVIEWABLE:
        raise WrongRegistrationState(N_("Registrations can only be reviewed before judging starts."))
    allowed_from = ("submitted",) if decision == "approve" else ("submitted", "approved")
    if reg.status not in allowed_from:
        raise WrongRegistrationState(N_("This registration is %(status)s and cannot be decided again."),
                                     status=reg.status)
    before = reg.status
    reg.status = "approved" if decision == "approve" else "rejected"
    reg.reviewed_by_id, reg.reviewed_at, reg.review_reason = actor.id, utcnow(), reason
    reg.version += 1
    if reg.status == "rejected":
        _deactivate(reg)
    record("registration.review", reg, actor=actor, before={"status": before}, after={"status": reg.status},
           reason=reason, competition_id=reg.competition_id, event_id=reg.event_id)
    return reg


def withdraw(reg: Registration, actor) -> Registration:
    comp = db.session.get(Competition, reg.competition_id)
    if not window_open(comp):
        raise WrongRegistrationState(N_("Withdrawals are possible only while registration is open."))
    if reg.status not in ACTIVE_STATUSES:
        raise WrongRegistrationState(N_("This registration is %(status)s and cannot be withdrawn."),
                                     status=reg.status)
    before = reg.status
    reg.status = "withdrawn"
    reg.withdrawn_at = utcnow()
    reg.version += 1
    _deactivate(reg)
    record("registration.withdraw", reg, actor=actor, before={"status": before}, after={"status": "withdrawn"},
           competition_id=reg.competition_id, event_id=reg.event_id)
    return reg


def signup_candidate(data: dict):
    """Create a candidate account. With a name and ID number not on file, the account gets its
    new person record at once. With an ID number already on file (e.g. entered by an
    organization contact), the account is created but NOT attached: a pending claim waits for
    proof (the person's claim code, or the approval of their contact or organizer), and nothing of
    the stored record changes. The answer is the same either way (no existence oracle)."""
    from ..accounts.models import User, UserRole
    from ..accounts.operations import parse_user
    from ..accounts.passwords import hash_password
    from ..people.models import PersonClaim

    person_data = {k: v for k, v in data.items() if k not in ("username", "password")}
    errors = Collector()
    person_fields = parse_person(person_data, errors)
    try:
        user_fields = parse_user({"username": data.get("username"), "password": data.get("password"),
                                  "name": data.get("name"), "roles": ["candidate"]})
    except ValidationFailed as exc:  # merge its errors with the person's
        errors.errors.extend(err for err in exc.errors if err.field != "name")
        user_fields = None
    errors.raise_if_any()
    user = User(username=user_fields["username"], name=person_fields["name"],
                password_hash=hash_password(user_fields["password"]))
    user.role_rows = [UserRole(role="candidate")]
    db.session.add(user)
    db.session.flush()
    existing = find_person(person_fields["id_type"], person_fields["id_number"])
    if existing is None:
        person = Person(**person_fields, user_id=user.id)
        db.session.add(person)
        db.session.flush()
        record("user.signup", user, actor=user, after={"username": user.username, "person_id": person.id})
    else:
        claim = PersonClaim(user_id=user.id, person_id=existing.id, name=person_fields["name"])
        db.session.add(claim)
        db.session.flush()
        record("user.signup", user, actor=user, after={"username": user.username, "claim_id": claim.id})
    return user
