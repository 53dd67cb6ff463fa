"""Entitlements from final results: the engine runs when a competition becomes final; HR officers
confirm, use or expire them with a note; grade promotions update the person's skill grade."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import select

from ..audit.operations import record
from ..competitions.models import Competition, Event
from ..competitions.operations import on_enter
from ..domain.errors import N_, Collector, DomainError
from ..domain.policy import Facts, applicable, grants, load_all
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Person
from ..registration.models import Registration
from ..results.models import Result
from .models import Entitlement

TRANSITIONS = {"eligible": ("confirmed", "expired"), "confirmed": ("used", "expired"), "used": (), "expired": (),
               "superseded": ()}


class EntitlementStateError(DomainError):
    code = "wrong_state"


@lru_cache
def policy_sets():
    """Loaded and validated once per process (the app refuses to start on a bad file)."""
    return load_all()


def issue_for_competition(comp: Competition, actor) -> list[Entitlement]:
    """Run the engine over the competition's final results; earlier grants are superseded."""
    day = utcnow().date()
    sets = applicable(policy_sets(), comp.jurisdiction, day)
    now = utcnow()
    old = db.session.scalars(select(Entitlement).where(Entitlement.competition_id == comp.id,
                                                       Entitlement.status != "superseded")).all()
    for ent in old:
        ent.status, ent.status_changed_at = "superseded", now
    created: list[Entitlement] = []
    rows = db.session.execute(select(Result, Registration, Event).join(
        Registration, Registration.id == Result.registration_id).join(Event, Event.id == Result.event_id)
        .where(Result.competition_id == comp.id).order_by(Result.event_id, Result.rank)).all()
    for result, reg, event in rows:
        for member in reg.members:  # team results entitle every member
            person = member.person
            facts = Facts(level=comp.level, kind=comp.kind, track=event.track, rank=result.rank, award=result.award,
                          frontline_worker=person.is_frontline_worker, skill_grade=person.skill_grade,
                          competition_title=comp.award_title)
            for g in grants(facts, sets):
                ent = Entitlement(person_id=person.id, registration_id=reg.id, competition_id=comp.id,
                                  event_id=event.id, organization_id=reg.organization_id, rule_id=g.rule_id,
                                  jurisdiction=g.jurisdiction, policy_version=g.policy_version, kind=g.kind,
                                  title=g.title, grade_from=g.grade_from, grade_to=g.grade_to, citation=g.citation,
                                  quote=g.quote, rank=result.rank, award=result.award, year=comp.year)
                db.session.add(ent)
                created.append(ent)
                if g.kind == "grade_promotion" and g.grade_to is not None:
                    before = person.skill_grade
                    person.skill_grade = g.grade_to
                    record("person.grade_promotion", person, actor=actor, before={"skill_grade": before},
                           after={"skill_grade": g.grade_to}, reason=f"{g.rule_id} · {g.citation}",
                           competition_id=comp.id, event_id=event.id)
    db.session.flush()
    record("entitlements.issue", comp, actor=actor, competition_id=comp.id,
           after={"issued": len(created), "superseded": len(old),
                  "policy_sets": [f"{s.jurisdiction}@{s.version}" for s in sets]})
    return created


@on_enter("final")
def _on_final(comp: Competition, actor) -> None:
    if comp.stage != "preliminary":  # a preliminary's ranks only select who advances
        issue_for_competition(comp, actor)


def update_status(ent: Entitlement, status: str, note: str | None, actor) -> Entitlement:
    errors = Collector()
    note = (note or "").strip()
    if status not in TRANSITIONS:
        errors.add("status", N_("Unknown status."))
    if not note:
        errors.add("note", N_("Add a note (e.g. the recruiting school, the document number)."))
    errors.raise_if_any()
    if status not in TRANSITIONS[ent.status]:
        raise EntitlementStateError(N_("An entitlement cannot go from %(current)s to %(target)s."),
                                    current=ent.status, target=status)
    before = ent.status
    ent.status, ent.note, ent.status_changed_at = status, note[:2000], utcnow()
    record("entitlement.status", ent, actor=actor, before={"status": before}, after={"status": status},
           reason=ent.note, competition_id=ent.competition_id, event_id=ent.event_id)
    return ent


def registry_query(*, kind=None, jurisdiction=None, competition_id=None, year=None, organization_id=None,
                   status=None, include_superseded=False):
    stmt = select(Entitlement).order_by(Entitlement.year.desc(), Entitlement.competition_id, Entitlement.event_id,
                                        Entitlement.rank, Entitlement.id)
    if kind:
        stmt = stmt.where(Entitlement.kind == kind)
    if jurisdiction:
        stmt = stmt.where(Entitlement.jurisdiction == jurisdiction)
    if competition_id:
        stmt = stmt.where(Entitlement.competition_id == competition_id)
    if year:
        stmt = stmt.where(Entitlement.year == year)
    if organization_id:
        stmt = stmt.where(Entitlement.organization_id == organization_id)
    if status:
        stmt = stmt.where(Entitlement.status == status)
    elif not include_superseded:
        stmt = stmt.where(Entitlement.status != "superseded")
    return stmt


def talent_record(person: Person) -> dict:
    """Every registration, result, award and entitlement of a person across competitions."""
    from ..registration.models import RegistrationMember

    regs = db.session.execute(select(Registration, Event, Competition).join(
        RegistrationMember, RegistrationMember.registration_id == Registration.id).join(
        Event, Event.id == Registration.event_id).join(Competition, Competition.id == Registration.competition_id)
        .where(RegistrationMember.person_id == person.id).order_by(Competition.year.desc(), Registration.id)).all()
    results = {r.registration_id: r for r in db.session.scalars(select(Result).where(
        Result.registration_id.in_([reg.id for reg, _e, _c in regs])))}
    ents = db.session.scalars(select(Entitlement).where(Entitlement.person_id == person.id)
                              .order_by(Entitlement.granted_at.desc())).all()
    return {"person": person, "entries": [(reg, ev, comp, results.get(reg.id)) for reg, ev, comp in regs],
            "entitlements": ents}
