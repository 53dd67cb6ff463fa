"""Entitlements from final results: the engine runs when a competition becomes final (with the
policy sets in force on its final date); HR officers confirm, use or expire them with a note;
grade promotions update the person's skill grade. Results of competitions held outside the system
are recorded by an organizer, reviewed by another, and then count like any other."""
from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import timeutil
from ..audit.operations import record
from ..competitions.models import Competition, Event
from ..domain import dossier as files
from ..domain import external_results as external_rules
from ..domain.errors import N_, Collector, DomainError, Forbidden, NotFound
from ..domain.policy import (NATIONAL_LEVELS, Applied, Facts, Grant, applicable, grants, load_all,
                             regional_jurisdiction, select as select_set)
from ..extensions import db
from ..nominations.models import Dossier
from ..models_base import utcnow
from ..people.models import Organization, Person
from ..registration.models import Registration, RegistrationMember
from ..results.models import Result
from . import access
from .models import Entitlement, ExternalResult


def grade_in(person: Person, occupation: str | None, known=None) -> int | None:
    """The person's grade in this occupation (电子档案), else their skill grade."""
    from ..records.operations import grade_in as in_occupation
    return in_occupation(person, occupation, known)

TRANSITIONS = {"eligible": ("confirmed", "expired"), "confirmed": ("used", "expired"), "used": (), "expired": (),
               "superseded": ()}


class EntitlementStateError(DomainError):
    code = "wrong_state"


class ExternalResultStateError(DomainError):
    code = "wrong_state"


class OwnReview(DomainError):
    code = "own_record"


@lru_cache
def policy_sets():
    """Every policy set, loaded and validated once per process (the app refuses to start on a bad
    file); a list of versions, see app/domain/policy.py."""
    return load_all()


def policy_day(comp: Competition) -> date:
    """The day whose sets apply: the competition's final date (local time); today before final."""
    return timeutil.to_local(comp.finalized_at or utcnow()).date()


def _region(org: Organization | None) -> str | None:
    return org.region_code if org is not None else None


def contestant_jurisdiction(comp: Competition, reg: Registration, person: Person) -> str | None:
    """Whose regional set applies to this person's result (see domain.policy.regional_jurisdiction)."""
    return regional_jurisdiction(comp.level, comp.jurisdiction, _region(reg.organization), _region(person.organization))


def _grant_entitlement(g: Grant, person: Person, *, rank: int, award: str | None, year: int,
                       organization_id: int | None, actor, reason: str | None = None, registration_id=None,
                       competition_id=None, event_id=None, external_result_id=None) -> Entitlement:
    ent = Entitlement(person_id=person.id, registration_id=registration_id, competition_id=competition_id,
                      event_id=event_id, external_result_id=external_result_id, organization_id=organization_id,
                      rule_id=g.rule_id, jurisdiction=g.jurisdiction, policy_version=g.policy_version, kind=g.kind,
                      title=g.title, grade_from=g.grade_from, grade_to=g.grade_to, citation=g.citation,
                      quote=g.quote, policy_note=g.note, rank=rank, award=award, year=year)
    db.session.add(ent)
    if g.kind == "grade_promotion" and g.grade_to is not None:
        before = person.skill_grade
        person.skill_grade = g.grade_to
        record("person.grade_promotion", person, actor=actor, before={"skill_grade": before},
               after={"skill_grade": g.grade_to}, reason=reason or f"{g.rule_id} · {g.citation}",
               competition_id=competition_id, event_id=event_id)
        db.session.flush()
        from ..records.operations import grade_from_entitlement
        grade_from_entitlement(ent, person, actor)  # the grade in the event's occupation (电子档案)
    return ent


def _set_label(chosen: Applied) -> str:
    label = f"{chosen.policy.jurisdiction}@{chosen.policy.version}"
    return label + " (continued)" if chosen.continued else label


def policy_outlook(comp: Competition, day: date | None = None) -> dict:
    """Which sets grant this competition's entitlements on `day` (its final date; today before
    final), and, where no regional set applies, why. For world and national competitions the
    regional sets are the contestants' provinces' (counted over the ranked results); otherwise
    the competition's jurisdiction's."""
    day = day or policy_day(comp)
    sets = policy_sets()
    counts: Counter = Counter()
    if comp.level in NATIONAL_LEVELS:
        rows = db.session.execute(select(Registration).join(Result, Result.registration_id == Registration.id)
                                  .where(Result.competition_id == comp.id)).scalars().all()
        for reg in rows:
            for member in reg.members:
                counts[contestant_jurisdiction(comp, reg, member.person)] += 1
    else:
        counts[regional_jurisdiction(comp.level, comp.jurisdiction, None)] = 0
    national = select_set(sets, "CN", day)
    regional = [(select_set(sets, j, day), n) for j, n in sorted(counts.items(), key=lambda kv: kv[0] or "")]
    return {"day": day, "level": comp.level, "jurisdiction": comp.jurisdiction, "national": national,
            "regional": [(sel, n) for sel, n in regional if sel.applied is not None],
            "missing": [(sel, n) for sel, n in regional if sel.applied is None]}


def outlook_summary(outlook: dict) -> dict:
    """The outlook as plain data for the audit trail."""
    applied = [s.applied for s, _n in outlook["regional"]]
    if outlook["national"].applied is not None:
        applied.insert(0, outlook["national"].applied)
    return {"day": outlook["day"].isoformat(), "policy_sets": [_set_label(a) for a in applied],
            "no_regional_set": [{"jurisdiction": s.jurisdiction, "reason": s.reason, "contestants": n,
                                 "policy": f"{s.policy.jurisdiction}@{s.policy.version}" if s.policy else None}
                                for s, n in outlook["missing"]]}


def issue_for_competition(comp: Competition, actor, event_id: int | None = None, reason: str | None = None
                          ) -> list[Entitlement]:
    """Run the engine over the competition's final results (or one event's, after a post-final
    correction), with the sets of its final date: the national set and, per contestant, the
    regional set (the contestant's province for world and national competitions, else the
    competition's jurisdiction). A grant that still holds keeps its record and status; a grant
    that no longer holds is superseded (never deleted) and a promotion it made is undone; new
    grants are added. Every change is audited, and the audit says which sets applied and why
    none did for a region."""
    day = policy_day(comp)
    sets = policy_sets()
    by_region: dict[str | None, list[Applied]] = {}
    now = utcnow()
    stmt = select(Entitlement).where(Entitlement.competition_id == comp.id, Entitlement.status != "superseded")
    if event_id is not None:
        stmt = stmt.where(Entitlement.event_id == event_id)
    current = {(e.person_id, e.registration_id, e.rule_id): e for e in db.session.scalars(stmt)}
    # Every result of the competition: the members, their people and their recorded grades are
    # read in batches with them (three reads per result before: 300,000 for a year's 100,000).
    rows_stmt = (select(Result, Registration, Event).join(Registration, Registration.id == Result.registration_id)
                 .join(Event, Event.id == Result.event_id).where(Result.competition_id == comp.id)
                 .options(selectinload(Registration.members).selectinload(RegistrationMember.person))
                 .order_by(Result.event_id, Result.rank))
    if event_id is not None:
        rows_stmt = rows_stmt.where(Result.event_id == event_id)
    # An award to a unit (a nomination whose nominee is an organization) entitles no person: its
    # registration's person is only the nomination's contact. The unit's award stands in its result
    # and its certificate.
    units = set(db.session.scalars(
        select(Dossier.registration_id).join(Registration, Registration.id == Dossier.registration_id)
        .where(Registration.competition_id == comp.id, Dossier.nominee_organization_id.is_not(None))))
    created: list[Entitlement] = []
    kept = 0
    results = db.session.execute(rows_stmt).all()
    from ..records.operations import grades_by_person
    grades = grades_by_person(m.person_id for _r, reg, _e in results for m in reg.members)
    for result, reg, event in results:
        if reg.id in units:
            continue
        for member in reg.members:  # team results entitle every member, each by their own province
            person = member.person
            region = contestant_jurisdiction(comp, reg, person)
            if region not in by_region:
                by_region[region] = applicable(sets, region, day)
            facts = Facts(level=comp.level, kind=comp.kind, track=event.track, rank=result.rank, award=result.award,
                          frontline_worker=person.is_frontline_worker,
                          skill_grade=grade_in(person, event.occupation or event.name, grades[person.id]),
                          competition_title=comp.award_title)
            for g in grants(facts, by_region[region]):
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
                created.append(_grant_entitlement(
                    g, person, rank=result.rank, award=result.award, year=comp.year,
                    organization_id=reg.organization_id, actor=actor, registration_id=reg.id,
                    competition_id=comp.id, event_id=event.id))
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
        if ent.kind == "grade_promotion":
            from ..records.operations import revoke_for_entitlement
            revoke_for_entitlement(ent, actor, reason)
    db.session.flush()
    record("entitlements.issue", comp, actor=actor, competition_id=comp.id, event_id=event_id, reason=reason,
           after={"issued": len(created), "kept": kept, "superseded": [e.id for e in superseded],
                  **outlook_summary(policy_outlook(comp, day))})
    return created


def final_outlook_texts(comp: Competition) -> tuple[str, list[str]]:
    """Which policy sets will grant (or granted) the entitlements at final, and why none for a region."""
    from . import texts
    outlook = policy_outlook(comp)
    return texts.outlook_applied(outlook), texts.outlook_warnings(outlook)


def revise_event(event: Event, actor, reason: str | None) -> None:
    """A correction after final revised this event's results: the engine runs again for it."""
    if event.competition.stage != "preliminary":
        issue_for_competition(event.competition, actor, event_id=event.id, reason=reason)


def issue_on_final(comp: Competition, actor) -> None:
    if comp.stage != "preliminary":  # a preliminary's ranks only select who advances
        issue_for_competition(comp, actor)


# ---- results of competitions held outside the system ------------------------------------------

def record_external(person: Person, data: dict, evidence: tuple[str | None, bytes] | None, actor) -> ExternalResult:
    """An organizer records a person's result from a competition held outside the system, with its
    evidence (PDF, JPEG or PNG, typed by its bytes). It counts once another organizer of the same
    organization (or an admin) approves it."""
    from ..forms_util import max_upload_bytes

    if not access.can_record_external(actor):
        # The record belongs to the recorder's organization: an account without one cannot own it.
        raise ExternalResultStateError(N_("Only an organizer who belongs to an organization can record external results."))
    clean = external_rules.parse(data, timeutil.to_local(utcnow()).date())
    errors = Collector()
    org_id = clean.pop("organization_id") or person.organization_id
    if org_id is not None and db.session.get(Organization, org_id) is None:
        errors.add("organization_id", N_("Choose the contestant's organization."))
    fields = {}
    if evidence is not None and evidence[1]:
        name, content = evidence
        kind = files.sniff_type(content)
        limit = max_upload_bytes()
        if len(content) > limit:
            errors.add("evidence", N_("The file is too large: at most %(mb)d MB."), mb=max(limit // (1024 * 1024), 1))
        elif kind is None:
            errors.add("evidence", N_("Only PDF, JPEG and PNG files are accepted (checked by their content, not their name)."))
        elif not files.looks_complete(content, kind):
            errors.add("evidence", N_("The file is damaged or incomplete."))
        else:
            fields = {"evidence_filename": files.clean_filename(name, kind), "evidence_content_type": kind,
                      "evidence_size": len(content), "evidence_sha256": hashlib.sha256(content).hexdigest(),
                      "evidence": content}
    errors.raise_if_any()
    result = ExternalResult(person_id=person.id, organization_id=org_id, recorded_by_id=actor.id,
                            recorded_by_organization_id=actor.organization_id, status="submitted",
                            **clean, **fields)
    db.session.add(result)
    db.session.flush()
    record("external_result.create", result, actor=actor,
           after={**{k: v for k, v in clean.items()}, "person_id": person.id, "organization_id": org_id,
                  "evidence": {k: fields[k] for k in ("evidence_filename", "evidence_content_type", "evidence_size",
                                                      "evidence_sha256")} if fields else None})
    return result


def decide_external(result: ExternalResult, data: dict, actor) -> list[Entitlement]:
    """Approve (the engine runs for this one result: the national set and the contestant's
    province's set for world and national levels, else the set where it was held, as of the
    result's date) or reject (nothing is granted). The recorder never reviews their own record."""
    if not access.can_view_external(result, actor):
        raise Forbidden(N_("This external result belongs to another organization."))
    decision, note = external_rules.parse_decision(data)
    if not access.can_review_external(result, actor):
        raise OwnReview(N_("You recorded this result: another organizer of your organization reviews it."))
    if result.status != "submitted":
        raise ExternalResultStateError(N_("This external result has been reviewed already."))
    result.status = "approved" if decision == "approve" else "rejected"
    result.reviewed_by_id, result.reviewed_at, result.review_note = actor.id, utcnow(), note
    created: list[Entitlement] = []
    outlook = None
    if result.status == "approved":
        person = result.person
        region = regional_jurisdiction(result.level, result.jurisdiction, _region(result.organization),
                                       _region(person.organization))
        sets = policy_sets()
        applied = applicable(sets, region, result.result_date)
        facts = Facts(level=result.level, kind=result.kind, track=result.track, rank=result.rank, award=result.award,
                      frontline_worker=person.is_frontline_worker,
                      skill_grade=grade_in(person, result.occupation or result.competition_name))
        for g in grants(facts, applied):
            created.append(_grant_entitlement(
                g, person, rank=result.rank, award=result.award, year=result.year,
                organization_id=result.organization_id, actor=actor, external_result_id=result.id,
                reason=f"{g.rule_id} · {g.citation} · external result {result.id}"))
        regional = select_set(sets, region, result.result_date) if region else None
        outlook = {"policy_sets": [_set_label(a) for a in applied],
                   "no_regional_set": None if regional is None or regional.applied else
                   {"jurisdiction": regional.jurisdiction, "reason": regional.reason}}
    db.session.flush()
    record("external_result.decision", result, actor=actor, before={"status": "submitted"},
           after={"status": result.status, "entitlements": [e.id for e in created], **(outlook or {})},
           reason=note)
    return created


def external_evidence(result: ExternalResult) -> bytes | None:
    return db.session.scalar(select(ExternalResult.evidence).where(ExternalResult.id == result.id))


def external_results_for(person: Person, user) -> list[ExternalResult]:
    """A person's external results that `user` may see, newest first."""
    rows = db.session.scalars(select(ExternalResult).where(ExternalResult.person_id == person.id)
                              .order_by(ExternalResult.result_date.desc(), ExternalResult.id.desc())).all()
    return [r for r in rows if access.can_view_external(r, user)]


def get_external(result_id: int, user) -> ExternalResult:
    result = db.session.get(ExternalResult, result_id)
    if result is None:
        raise NotFound(N_("No such external result."))
    if not access.can_view_external(result, user):
        raise Forbidden(N_("This external result belongs to another organization."))
    return result


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
    # The registry and the rosters show each row's person, competition and event (or the external
    # result they come from): read for a page of rows at a time, not one query per row.
    stmt = select(Entitlement).options(
        selectinload(Entitlement.person), selectinload(Entitlement.competition), selectinload(Entitlement.event),
        selectinload(Entitlement.external_result),
    ).order_by(Entitlement.year.desc(), Entitlement.competition_id, Entitlement.event_id, Entitlement.rank, Entitlement.id)
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
    """Every registration, result, award and entitlement of a person across competitions, and the
    external results `viewer` may see (approved ones count beside the in-system entries) — for a
    viewer who is not an admin, only what comes from the competitions the viewer's organization
    hosts, the entries filed under the viewer's organization and the external results it recorded
    (each tenant sees its own)."""
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
    external = external_results_for(person, viewer) if viewer is not None else []
    ent_stmt = select(Entitlement).where(Entitlement.person_id == person.id).order_by(Entitlement.granted_at.desc())
    cert_stmt = (select(Certificate).where(Certificate.person_id == person.id)
                 .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if own is not None:
        ent_stmt = ent_stmt.where(Entitlement.registration_id.in_(reg_ids)
                                  | Entitlement.external_result_id.in_([r.id for r in external]))
        cert_stmt = cert_stmt.where(Certificate.registration_id.in_(reg_ids))
    ents = db.session.scalars(ent_stmt).all()
    certs = db.session.scalars(cert_stmt).all()
    return {"person": person, "entries": [(reg, ev, comp, results.get(reg.id)) for reg, ev, comp in regs],
            "entitlements": ents, "certificates": certs, "external": external,
            "external_approved": [r for r in external if r.status == "approved"]}
