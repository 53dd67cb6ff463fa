"""Writes and reads of the person's electronic record (电子档案). Every write flushes and is audited;
the request commits once (app/uow.py)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import timeutil
from ..audit.operations import record
from ..domain import person_file as rules
from ..domain.errors import N_, DomainError, Forbidden
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Person
from . import access
from .models import GradeApplication, OccupationGrade, PersonTitle, TrainingRecord


class RecordStateError(DomainError):
    code = "wrong_state"


class OwnDecision(DomainError):
    code = "own_record"


def _today() -> date:
    return timeutil.to_local(utcnow()).date()


def _require_writer(actor) -> None:
    if not access.can_write(actor):
        raise RecordStateError(N_("Only an organizer who belongs to an organization can write to a person's record."))


def grades_of(person: Person, occupation: str | None = None) -> list[OccupationGrade]:
    stmt = select(OccupationGrade).where(OccupationGrade.person_id == person.id)
    if occupation is not None:
        stmt = stmt.where(OccupationGrade.occupation == occupation)
    return list(db.session.scalars(stmt.order_by(OccupationGrade.awarded_on, OccupationGrade.id)))


def grades_by_person(person_ids) -> dict[int, list[OccupationGrade]]:
    """Every recorded grade of these people (all occupations), in reads of 1,000 people: for a run
    over many results (the entitlements of a final), instead of one read per person."""
    ids = sorted(set(person_ids))
    out: dict[int, list[OccupationGrade]] = {pid: [] for pid in ids}
    for start in range(0, len(ids), 1000):
        for row in db.session.scalars(select(OccupationGrade).where(OccupationGrade.person_id.in_(ids[start:start + 1000]))
                                      .order_by(OccupationGrade.awarded_on, OccupationGrade.id)):
            out[row.person_id].append(row)
    return out


def grade_in(person: Person, occupation: str | None, known: list[OccupationGrade] | None = None) -> int | None:
    """The person's current grade in this occupation (all sources, all tenants: a rule needs the
    fact, not the viewer's share of it); without a grade recorded in it, the person's skill grade.
    `known`: the person's grades read already (grades_by_person)."""
    if occupation:
        rows = grades_of(person, occupation) if known is None else [g for g in known if g.occupation == occupation]
        current = rules.current_grades(rows).get(occupation)
        if current is not None:
            return current.grade
    return person.skill_grade


def _add_grade(person: Person, *, occupation: str, grade: int, source: str, awarded_on: date, actor,
               owner_id: int | None, entitlement_id=None, application_id=None, certificate_number=None,
               note=None) -> OccupationGrade:
    before = grade_in(person, occupation) if grades_of(person, occupation) else None
    row = OccupationGrade(person_id=person.id, occupation=occupation, grade=grade, grade_from=before, source=source,
                          awarded_on=awarded_on, entitlement_id=entitlement_id, application_id=application_id,
                          certificate_number=certificate_number, note=note,
                          recorded_by_id=getattr(actor, "id", None), recorded_by_organization_id=owner_id)
    db.session.add(row)
    db.session.flush()
    record("person.occupation_grade", row, actor=actor, before={"grade": before},
           after={"person_id": person.id, "occupation": occupation, "grade": grade, "source": source,
                  "entitlement_id": entitlement_id, "application_id": application_id})
    return row


def add_grade(person: Person, data: dict, actor) -> OccupationGrade:
    """A grade from an assessment (职业技能等级认定), recorded by an organizer."""
    _require_writer(actor)
    clean = rules.parse_grade(data, _today())
    return _add_grade(person, source="assessment", actor=actor, owner_id=actor.organization_id, **clean)


def grade_from_entitlement(ent, person: Person, actor) -> OccupationGrade | None:
    """Hook of the entitlement engine: a grade_promotion adds a grade in the occupation of the
    event (or of the outside result), owned by the entitlement's source organization."""
    if ent.kind != "grade_promotion" or ent.grade_to is None:
        return None
    from ..competitions.models import Competition, Event
    from ..selection.models import ExternalResult
    occupation, owner, day = None, None, _today()
    if ent.external_result_id is not None:
        ext = db.session.get(ExternalResult, ent.external_result_id)
        occupation, owner, day = ext.occupation or ext.competition_name, ext.recorded_by_organization_id, ext.result_date
    else:
        event = db.session.get(Event, ent.event_id) if ent.event_id else None
        comp = db.session.get(Competition, ent.competition_id) if ent.competition_id else None
        occupation = (event.occupation or event.name) if event else None
        owner = comp.host_organization_id if comp else None
        if comp is not None and comp.finalized_at is not None:
            day = timeutil.to_local(comp.finalized_at).date()
    if not occupation:
        return None
    return _add_grade(person, occupation=occupation[:200], grade=ent.grade_to, source="promotion", awarded_on=day,
                      actor=actor, owner_id=owner, entitlement_id=ent.id, note=f"{ent.rule_id} · {ent.citation}"[:500])


def revoke_for_entitlement(ent, actor, reason: str | None) -> None:
    """Hook of the entitlement engine: a superseded promotion's grade row is revoked (kept in the history)."""
    for row in db.session.scalars(select(OccupationGrade).where(OccupationGrade.entitlement_id == ent.id,
                                                                 OccupationGrade.status == "valid")):
        row.status = "revoked"
        record("person.occupation_grade_revoked", row, actor=actor, before={"status": "valid"},
               after={"status": "revoked"}, reason=reason)


def add_title(person: Person, data: dict, actor) -> PersonTitle:
    _require_writer(actor)
    clean = rules.parse_title(data, _today())
    row = PersonTitle(person_id=person.id, recorded_by_id=actor.id, recorded_by_organization_id=actor.organization_id,
                      **clean)
    db.session.add(row)
    db.session.flush()
    record("person.title", row, actor=actor, after={"person_id": person.id, **clean})
    return row


def add_training(person: Person, data: dict, actor) -> TrainingRecord:
    _require_writer(actor)
    clean = rules.parse_training(data, _today())
    row = TrainingRecord(person_id=person.id, recorded_by_id=actor.id,
                         recorded_by_organization_id=actor.organization_id, **clean)
    db.session.add(row)
    db.session.flush()
    record("person.training", row, actor=actor, after={"person_id": person.id, **clean})
    return row


def apply_exception(person: Person, data: dict, actor) -> GradeApplication:
    """File an application for exceptional (破格) or skip-level (越级) assessment in one occupation."""
    _require_writer(actor)
    occupation = data.get("occupation") if isinstance(data.get("occupation"), str) else None
    current = grade_in(person, " ".join(occupation.split())) if occupation else person.skill_grade
    clean = rules.parse_application(data, current)
    if clean["entitlement_id"] is not None:
        from ..selection.models import Entitlement
        ent = db.session.get(Entitlement, clean["entitlement_id"])
        if ent is None or ent.person_id != person.id:
            from ..domain.errors import Collector
            errors = Collector()
            errors.add("entitlement_id", N_("Choose an entitlement of this person."))
            errors.raise_if_any()
    pending = db.session.scalar(select(GradeApplication.id).where(
        GradeApplication.person_id == person.id, GradeApplication.occupation == clean["occupation"],
        GradeApplication.status == "submitted"))
    if pending is not None:
        raise RecordStateError(N_("An application for this occupation is waiting for its decision."))
    row = GradeApplication(person_id=person.id, grade_from=current, submitted_by_id=actor.id,
                           organization_id=actor.organization_id, status="submitted", **clean)
    db.session.add(row)
    db.session.flush()
    record("grade_application.create", row, actor=actor,
           after={"person_id": person.id, "grade_from": current, **clean})
    return row


def decide_application(row: GradeApplication, data: dict, actor) -> OccupationGrade | None:
    """Approve (the grade is awarded, source 'exception') or reject. Never by the one who filed it."""
    if not access.can_view_application(row, actor):
        raise Forbidden(N_("This application belongs to another organization."))
    decision, note = rules.parse_decision(data)
    if not access.can_decide_application(row, actor):
        raise OwnDecision(N_("You filed this application: another organizer of your organization decides it."))
    if row.status != "submitted":
        raise RecordStateError(N_("This application has been decided already."))
    row.status = "approved" if decision == "approve" else "rejected"
    row.decided_by_id, row.decided_at, row.decision_note = actor.id, utcnow(), note
    grade = None
    if row.status == "approved":
        grade = _add_grade(row.person, occupation=row.occupation, grade=row.grade_to, source="exception",
                           awarded_on=_today(), actor=actor, owner_id=row.organization_id, application_id=row.id,
                           note=f"{rules.KIND_ZH[row.kind]} · {rules.EXCEPTION_CITATION}"[:500])
    record("grade_application.decision", row, actor=actor, before={"status": "submitted"},
           after={"status": row.status, "grade_id": grade.id if grade else None}, reason=note)
    return grade


# ---- reads ------------------------------------------------------------------------------------

def _scoped(stmt, column, viewer):
    if viewer is None:  # the person themself
        return stmt
    cond = access.owner_filter(column, viewer)
    return stmt if cond is None else stmt.where(cond)


def person_file(person: Person, viewer, talent: dict) -> dict:
    """The electronic record as `viewer` may see it (viewer None: the person themself, everything):
    grades per occupation with history, applications, titles (recorded and from title
    entitlements) and the 技能大师工作室 eligibility they open, training records, competitions,
    outside results, entitlements and certificates. `talent`: the selection area's talent record
    of the person as the viewer may see it (selection.operations.talent_record; the faces read it,
    since selection sits above this area and promotes grades through it)."""
    from ..selection.models import ExternalResult

    grades = list(db.session.scalars(_scoped(select(OccupationGrade).where(OccupationGrade.person_id == person.id),
                                             OccupationGrade.recorded_by_organization_id, viewer)
                                     .order_by(OccupationGrade.occupation, OccupationGrade.awarded_on,
                                               OccupationGrade.id)))
    current = rules.current_grades(grades)
    occupations = [{"occupation": occ, "current": current.get(occ),
                    "history": [g for g in grades if g.occupation == occ]}
                   for occ in sorted({g.occupation for g in grades})]
    applications = list(db.session.scalars(_scoped(
        select(GradeApplication).where(GradeApplication.person_id == person.id),
        GradeApplication.organization_id, viewer).order_by(GradeApplication.created_at.desc(), GradeApplication.id.desc())))
    titles = list(db.session.scalars(_scoped(select(PersonTitle).where(PersonTitle.person_id == person.id),
                                             PersonTitle.recorded_by_organization_id, viewer)
                                     .order_by(PersonTitle.conferred_on, PersonTitle.id)))
    trainings = list(db.session.scalars(_scoped(select(TrainingRecord).where(TrainingRecord.person_id == person.id),
                                                TrainingRecord.recorded_by_organization_id, viewer)
                                        .order_by(TrainingRecord.started_on.desc(), TrainingRecord.id.desc())))
    talent = dict(talent)
    if viewer is None:
        talent["external_approved"] = list(db.session.scalars(select(ExternalResult).where(
            ExternalResult.person_id == person.id, ExternalResult.status == "approved")
            .order_by(ExternalResult.result_date.desc())))
    entitlements = [e for e in talent["entitlements"] if e.status != "superseded"]
    title_entitlements = [e for e in entitlements if e.kind == "title" and e.title]
    studio = rules.studio_eligibility([t.title for t in titles] + [e.title for e in title_entitlements])
    exception_marks = [e for e in entitlements if e.rule_id == "gx-grade-exception"]
    return {"person": person, "occupations": occupations, "applications": applications, "titles": titles,
            "title_entitlements": title_entitlements, "studio": studio, "trainings": trainings,
            "entries": talent["entries"], "external": talent["external_approved"], "entitlements": entitlements,
            "certificates": talent["certificates"], "exception_marks": exception_marks}


def record_pdf(person: Person, viewer, talent: dict) -> bytes:
    """The record as a PDF (A4, the project's fonts: Chinese and Tibetan names print)."""
    from .. import pdf
    from ..domain.masking import mask_id_number
    from ..domain.refdata import AWARD_ZH, ENTITLEMENT_KIND_ZH, LEVEL_ZH
    f = person_file(person, viewer, talent)
    ctx = {"name": person.name, "name_bo": person.name_bo, "id_number": mask_id_number(person.id_number),
           "organization": person.organization.name if person.organization else "",
           "occupations": [{"occupation": o["occupation"],
                            "current": rules.GRADE_ZH.get(o["current"].grade, "") if o["current"] else "",
                            "history": [{"grade": rules.GRADE_ZH.get(g.grade, str(g.grade)),
                                         "source": rules.SOURCE_ZH.get(g.source, g.source), "awarded_on": g.awarded_on.isoformat(),
                                         "certificate_number": g.certificate_number or "", "note": g.note or "",
                                         "revoked": g.status == "revoked"} for g in o["history"]]}
                           for o in f["occupations"]],
           "titles": [{"title": t.title, "by": t.conferred_by, "on": t.conferred_on.isoformat()} for t in f["titles"]]
           + [{"title": e.title, "by": e.competition_name, "on": str(e.year)} for e in f["title_entitlements"]],
           "studio": f["studio"],
           "trainings": [{"program": t.program, "provider": t.provider, "kind": rules.TRAINING_KIND_ZH.get(t.kind, t.kind),
                          "period": t.started_on.isoformat() + ("～" + t.ended_on.isoformat() if t.ended_on else ""),
                          "hours": str(t.hours) if t.hours is not None else "", "certificate_number": t.certificate_number or ""}
                         for t in f["trainings"]],
           "competitions": [{"year": comp.year, "competition": comp.name, "event": ev.name,
                             "rank": res.rank if res and comp.status in ("final", "archived") else "",
                             "award": AWARD_ZH.get(res.award, "") if res and comp.status in ("final", "archived") else ""}
                            for reg, ev, comp, res in f["entries"]]
           + [{"year": x.year, "competition": f"{x.competition_name}（{LEVEL_ZH.get(x.level, x.level)}，外部）",
               "event": x.occupation or "", "rank": x.rank, "award": AWARD_ZH.get(x.award, x.award or "")}
              for x in f["external"]],
           "entitlements": [{"kind": ENTITLEMENT_KIND_ZH.get(e.kind, e.kind), "title": e.title or "",
                             "competition": e.competition_name, "citation": e.citation} for e in f["entitlements"]],
           "printed_on": _today()}
    return pdf.render("person_record.html", r=ctx)
