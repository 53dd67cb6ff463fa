"""API of the person's electronic record (电子档案): the candidate's own record (JSON and PDF), a
person's record for the organizers of their tenancy, and the writes that add grades per occupation,
titles, training records and 破格/越级 applications with their decision."""
from __future__ import annotations

from flask import abort, jsonify
from flask_login import current_user
from pydantic import Field

from .. import timeutil
from ..domain import person_file as rules
from ..domain.awards import AWARDS
from ..domain.refdata import ENTITLEMENT_KINDS, LEVELS
from ..domain.masking import mask_id_number
from ..records import access, operations
from ..records.exports import PUBLISHED, pdf_response
from ..security import roles
from ..selection.models import STATUSES as ENTITLEMENT_STATUSES
from ..selection.operations import talent_record
from . import bp
from .contract import Date, DateTime, Id, Int, Model, Out, body, choice, doc

class FileGradeOut(Out):
    id: int
    occupation: str
    grade: int
    grade_from: int | None
    source: choice(rules.GRADE_SOURCES)
    awarded_on: Date
    certificate_number: str | None
    note: str | None
    status: choice(("valid", "revoked"))
    entitlement_id: int | None
    application_id: int | None


class FileOccupationOut(Out):
    occupation: str
    current_grade: int | None
    history: list[FileGradeOut]


class GradeApplicationOut(Out):
    id: int
    person_id: int
    occupation: str
    kind: choice(rules.APPLICATION_KINDS)
    grade_from: int | None
    grade_to: int
    reason: str
    entitlement_id: int | None
    status: choice(rules.APPLICATION_STATUSES)
    decision_note: str | None
    decided_at: DateTime | None
    created_at: DateTime | None


class GradeApplicationDecidedOut(GradeApplicationOut):
    grade: FileGradeOut | None


class FileTitleOut(Out):
    title: str
    conferred_by: str
    conferred_on: str
    source: choice(("recorded", "entitlement"))
    certificate_number: str | None


class FileStudioOut(Out):
    titles: list[str]
    citation: str
    quote: str


class FileTrainingOut(Out):
    id: int
    program: str
    provider: str
    occupation: str | None
    kind: choice(rules.TRAINING_KINDS)
    started_on: Date
    ended_on: Date | None
    hours: str | None
    certificate_number: str | None


class FileCompetitionLine(Out):
    year: int
    competition: str
    event: str | None
    external: bool
    level: choice(LEVELS) | None
    rank: int | None
    award: choice(AWARDS) | None


class FileEntitlementLine(Out):
    id: int
    kind: choice(ENTITLEMENT_KINDS)
    title: str | None
    competition: str
    citation: str | None
    status: choice(ENTITLEMENT_STATUSES)


class FilePersonOut(Out):
    id: int
    name: str
    name_bo: str | None
    id_number_masked: str | None
    organization: str | None


class PersonFileOut(Out):
    person: FilePersonOut
    occupations: list[FileOccupationOut]
    applications: list[GradeApplicationOut]
    titles: list[FileTitleOut]
    studio: FileStudioOut | None
    trainings: list[FileTrainingOut]
    competitions: list[FileCompetitionLine]
    entitlements: list[FileEntitlementLine]


class FileGradeIn(Model):
    occupation: str = Field(max_length=200)
    grade: Int = Field(ge=1, le=5)
    awarded_on: Date
    certificate_number: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=500)


class FileTitleIn(Model):
    title: str = Field(max_length=64)
    conferred_by: str = Field(max_length=200)
    conferred_on: Date
    certificate_number: str | None = Field(None, max_length=64)


class FileTrainingIn(Model):
    program: str = Field(max_length=200)
    provider: str = Field(max_length=200)
    occupation: str | None = Field(None, max_length=200)
    kind: choice(rules.TRAINING_KINDS) = "other"
    started_on: Date
    ended_on: Date | None = None
    hours: str | None = Field(None, max_length=12, description="Hours as a decimal string, e.g. \"40\" or \"12.5\".")
    certificate_number: str | None = Field(None, max_length=64)


class GradeApplicationIn(Model):
    occupation: str = Field(max_length=200)
    kind: choice(rules.APPLICATION_KINDS)
    grade_to: Int = Field(ge=1, le=5)
    reason: str = Field(max_length=4000)
    entitlement_id: Id | None = None


class GradeApplicationDecisionIn(Model):
    decision: choice(rules.DECISIONS)
    note: str = Field(max_length=2000)


def grade_json(g) -> dict:
    return {"id": g.id, "occupation": g.occupation, "grade": g.grade, "grade_from": g.grade_from, "source": g.source,
            "awarded_on": g.awarded_on.isoformat(), "certificate_number": g.certificate_number, "note": g.note,
            "status": g.status, "entitlement_id": g.entitlement_id, "application_id": g.application_id}


def application_json(a) -> dict:
    return {"id": a.id, "person_id": a.person_id, "occupation": a.occupation, "kind": a.kind,
            "grade_from": a.grade_from, "grade_to": a.grade_to, "reason": a.reason, "entitlement_id": a.entitlement_id,
            "status": a.status, "decision_note": a.decision_note, "decided_at": timeutil.iso(a.decided_at),
            "created_at": timeutil.iso(a.created_at)}


def training_json(t) -> dict:
    return {"id": t.id, "program": t.program, "provider": t.provider, "occupation": t.occupation, "kind": t.kind,
            "started_on": t.started_on.isoformat(), "ended_on": t.ended_on.isoformat() if t.ended_on else None,
            "hours": str(t.hours) if t.hours is not None else None, "certificate_number": t.certificate_number}


def file_json(person, viewer) -> dict:
    f = operations.person_file(person, viewer, talent_record(person, viewer))
    own = viewer is None
    return {
        "person": {"id": person.id, "name": person.name, "name_bo": person.name_bo,
                   "id_number_masked": mask_id_number(person.id_number),
                   "organization": person.organization.name if person.organization else None},
        "occupations": [{"occupation": o["occupation"], "current_grade": o["current"].grade if o["current"] else None,
                         "history": [grade_json(g) for g in o["history"]]} for o in f["occupations"]],
        "applications": [application_json(a) for a in f["applications"]],
        "titles": [{"title": t.title, "conferred_by": t.conferred_by, "conferred_on": t.conferred_on.isoformat(),
                    "source": "recorded", "certificate_number": t.certificate_number} for t in f["titles"]]
        + [{"title": e.title, "conferred_by": e.competition_name, "conferred_on": str(e.year), "source": "entitlement",
            "certificate_number": None} for e in f["title_entitlements"]],
        "studio": f["studio"],
        "trainings": [training_json(t) for t in f["trainings"]],
        "competitions": [{"year": comp.year, "competition": comp.name, "event": ev.name, "external": False,
                          "level": comp.level,
                          "rank": res.rank if res and (not own or comp.status in PUBLISHED) else None,
                          "award": res.award if res and (not own or comp.status in PUBLISHED) else None}
                         for reg, ev, comp, res in f["entries"]]
        + [{"year": x.year, "competition": x.competition_name, "event": x.occupation, "external": True,
            "level": x.level, "rank": x.rank, "award": x.award} for x in f["external"]],
        "entitlements": [{"id": e.id, "kind": e.kind, "title": e.title, "competition": e.competition_name,
                          "citation": e.citation, "status": e.status} for e in f["entitlements"]],
    }


def _own():
    person = access.own_person(current_user)
    if person is None:  # an account not linked to a record yet: there is no record to show
        abort(404)
    return person


@bp.route("/me/record", methods=["GET"])
@roles("candidate")
@doc(ok=PersonFileOut)
def my_record():
    """The candidate's own electronic record: grades per occupation, titles, training, results."""
    return jsonify(file_json(_own(), None))


@bp.route("/me/record.pdf", methods=["GET"])
@roles("candidate")
@doc(ok="application/pdf")
def my_record_pdf():
    """The candidate's own electronic record as a PDF."""
    person = _own()
    return pdf_response(person, None, talent_record(person, None))


@bp.route("/people/<int:person_id>/file", methods=["GET"])
@roles("admin", "organizer", "org_contact")
@doc(ok=PersonFileOut)
def people_file(person_id: int):
    """A person's electronic record: for an organizer, as far as their organization recorded or owns
    it; for a contact of the person's own organization, the whole record (read only)."""
    person, viewer = access.file_reader(person_id)
    return jsonify(file_json(person, viewer))


@bp.route("/people/<int:person_id>/file.pdf", methods=["GET"])
@roles("admin", "organizer", "org_contact")
@doc(ok="application/pdf")
def people_file_pdf(person_id: int):
    """The same record as a PDF."""
    person, viewer = access.file_reader(person_id)
    return pdf_response(person, viewer, talent_record(person, viewer))


@bp.route("/people/<int:person_id>/grades", methods=["POST"])
@roles("admin", "organizer")
@doc(body=FileGradeIn, ok=(201, FileGradeOut), errors=(409,),
     example={"occupation": "电工", "grade": 3, "awarded_on": "2025-06-30", "certificate_number": "S000054000123"})
def people_grades_create(person_id: int):
    """Record a grade in one occupation from an assessment (职业技能等级认定)."""
    person = access.managed_person(person_id)
    return jsonify(grade_json(operations.add_grade(person, body(), current_user))), 201


@bp.route("/people/<int:person_id>/titles", methods=["POST"])
@roles("admin", "organizer")
@doc(body=FileTitleIn, ok=(201, FileTitleOut), errors=(409,),
     example={"title": "西藏技术能手", "conferred_by": "西藏自治区人力资源和社会保障厅", "conferred_on": "2024-12-01"})
def people_titles_create(person_id: int):
    """Record a title the person holds (it may open the 技能大师工作室 application, 004 四(五))."""
    person = access.managed_person(person_id)
    t = operations.add_title(person, body(), current_user)
    return jsonify({"title": t.title, "conferred_by": t.conferred_by, "conferred_on": t.conferred_on.isoformat(),
                    "source": "recorded", "certificate_number": t.certificate_number}), 201


@bp.route("/people/<int:person_id>/trainings", methods=["POST"])
@roles("admin", "organizer")
@doc(body=FileTrainingIn, ok=(201, FileTrainingOut), errors=(409,),
     example={"program": "电工高级工培训", "provider": "拉萨职业技术学院", "kind": "upskilling",
              "started_on": "2025-03-01", "ended_on": "2025-04-30", "hours": "120"})
def people_trainings_create(person_id: int):
    """Record a training the person took (培训记录)."""
    person = access.managed_person(person_id)
    return jsonify(training_json(operations.add_training(person, body(), current_user))), 201


@bp.route("/people/<int:person_id>/grade-applications", methods=["POST"])
@roles("admin", "organizer")
@doc(body=GradeApplicationIn, ok=(201, GradeApplicationOut), errors=(409,),
     example={"occupation": "汽车维修工", "kind": "skip_level", "grade_to": 2, "reason": "一线工作十二年，获省级一类竞赛一等奖。"})
def people_grade_applications_create(person_id: int):
    """File an application for exceptional (破格) or skip-level (越级) assessment in one occupation."""
    person = access.managed_person(person_id)
    return jsonify(application_json(operations.apply_exception(person, body(), current_user))), 201


@bp.route("/grade-applications/<int:application_id>/decision", methods=["POST"])
@roles("admin", "organizer")
@doc(body=GradeApplicationDecisionIn, ok=GradeApplicationDecidedOut, errors=(409,), example={"decision": "approve", "note": "材料属实"})
def grade_applications_decision(application_id: int):
    """Approve (the grade is awarded, source `exception`) or reject; never by the one who filed it."""
    row = access.visible_application(application_id)
    grade = operations.decide_application(row, body(), current_user)
    return jsonify({**application_json(row), "grade": grade_json(grade) if grade else None})
