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


def issue_for_competition(comp: Competition, actor, event_id: int | None = None, reason: str | None = None
                          ) -> list[Entitlement]:
    """Run the engine over the competition's final results (or one event's, after a post-final
    correction). A grant that still holds keeps its record and status; a grant that no longer
    holds is superseded (never deleted) and a promotion it made is undone; new grants are added.
    Every change is audited."""
    day = utcnow().date()
    sets = applicable(policy_sets(), comp.jurisdiction, day)
    now = utcnow()
    stmt = select(Entitlement).where(Entitlement.competition_id == comp.id, Entitlement.status != "superseded")
    if event_id is not None:
        stmt = stmt.where(Entitlement.event_id == event_id)
    current = {(e.person_id, e.registration_id, e.rule_id): e for e in db.session.scalars(stmt)}
    rows_stmt = (select(Result, Registration, Event).join(Registration, Registration.id == Result.registration_id)
                 .join(Event, Event.id == Result.event_id).where(Result.competition_id == comp.id)
                 .order_by(Result.event_id, Result.rank))
    if event_id is not None:
        rows_stmt = rows_stmt.where(Result.event_id == event_id)
    created: list[Entitlement] = []
    kept = 0
    for result, reg, event in db.session.execute(rows_stmt).all():
        for member in reg.members:  # team results entitle every member
            person = member.person
            facts = Facts(level=comp.level, kind=comp.kind, track=event.track, rank=result.rank, award=result.award,
                          frontline_worker=person.is_frontline_worker, skill_grade=person.skill_grade,
                          competition_title=comp.award_title)
            for g in grants(facts, sets):
                key = (person.id, reg.id, g.rule_id)
                if key in current:  # still granted: the record and its HR status stay
                    ent = current.pop(key)
                    kept += 1
                    if (ent.rank, ent.award) != (result.rank, result.award):
                        record("entitlement.facts", ent, actor=actor, before={"rank": ent.rank, "award": ent.award},
                               after={"rank": result.rank, "award": result.award}, reason=reason,
                               competition_id=comp.id, event_id=event.id)
                        ent.rank, ent.award = result.rank, result.award
                    continue
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
    superseded = list(current.values())
    for ent in superseded:
        ent.status, ent.status_changed_at = "superseded", now
        ent.note = ((ent.note + " · ") if ent.note else "") + (reason or "superseded")[:500]
        person = ent.person
        if ent.kind == "grade_promotion" and ent.grade_to is not None and person.skill_grade == ent.grade_to:
            person.skill_grade = ent.grade_from
            record("person.grade_promotion_undone", person, actor=actor, before={"skill_grade": ent.grade_to},
                   after={"skill_grade": ent.grade_from}, reason=reason, competition_id=comp.id,
                   event_id=ent.event_id)
    db.session.flush()
    record("entitlements.issue", comp, actor=actor, competition_id=comp.id, event_id=event_id, reason=reason,
           after={"issued": len(created), "kept": kept, "superseded": [e.id for e in superseded],
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


def talent_record(person: Person, viewer=None) -> dict:
    """Every registration, result, award and entitlement of a person across competitions — for a
    viewer who is not an admin, only what comes from the competitions the viewer's organization
    hosts, and the entries filed under the viewer's organization (each tenant sees its own)."""
    from ..certificates.models import Certificate
    from ..registration.models import RegistrationMember

    own = None
    if viewer is not None and not viewer.has_role("admin"):
        hosted = select(Competition.id).where(Competition.host_organization_id == viewer.organization_id)
        own = (Registration.competition_id.in_(hosted) | (Registration.organization_id == viewer.organization_id)
               if viewer.organization_id is not None else False)
    stmt = (select(Registration, Event, Competition).join(
        RegistrationMember, RegistrationMember.registration_id == Registration.id).join(
        Event, Event.id == Registration.event_id).join(Competition, Competition.id == Registration.competition_id)
        .where(RegistrationMember.person_id == person.id).order_by(Competition.year.desc(), Registration.id))
    regs = db.session.execute(stmt if own is None else stmt.where(own)).all()
    reg_ids = [reg.id for reg, _e, _c in regs]
    results = {r.registration_id: r for r in db.session.scalars(select(Result).where(
        Result.registration_id.in_(reg_ids)))}
    ent_stmt = select(Entitlement).where(Entitlement.person_id == person.id).order_by(Entitlement.granted_at.desc())
    cert_stmt = (select(Certificate).where(Certificate.person_id == person.id)
                 .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if own is not None:
        ent_stmt = ent_stmt.where(Entitlement.registration_id.in_(reg_ids))
        cert_stmt = cert_stmt.where(Certificate.registration_id.in_(reg_ids))
    ents = db.session.scalars(ent_stmt).all()
    certs = db.session.scalars(cert_stmt).all()
    return {"person": person, "entries": [(reg, ev, comp, results.get(reg.id)) for reg, ev, comp in regs],
            "entitlements": ents, "certificates": certs}
