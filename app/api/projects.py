"""API of contests of projects (entrepreneurship, trainer): the projects of a competition with team,
files, result and support; enter or edit a registration's project; upload its business plan or
pitch deck; record a winner's follow-up support; download a file."""
from __future__ import annotations

from flask import abort, jsonify, request
from flask_login import current_user
from pydantic import Field

from .. import timeutil
from ..competitions.access import managed_competition
from ..domain import project as rules
from ..domain.awards import AWARDS
from ..extensions import db
from ..projects import operations
from ..projects.access import project_registration, visible_file
from ..projects.exports import file_response
from ..registration.access import managed_registration
from ..results.models import Result
from ..security import roles
from . import bp
from .contract import Date, DateTime, Decimal, DecimalIn, Model, Out, body, choice, doc, form, page_of


class ProjectFileOut(Out):
    id: int
    kind: choice(rules.FILE_KINDS)
    filename: str
    content_type: str
    size: int
    sha256: str


class ProjectSupportOut(Out):
    id: int
    kind: choice(rules.SUPPORT_KINDS)
    provider: str
    amount: Decimal | None
    granted_on: Date
    note: str | None


class ProjectMemberOut(Out):
    person_id: int
    name: str
    leads: bool


class ProjectOut(Out):
    id: int
    registration_id: int
    competition_id: int
    name: str
    sector: str
    summary: str | None
    team: list[ProjectMemberOut]
    total: Decimal | None
    rank: int | None
    award: choice(AWARDS) | None
    files: list[ProjectFileOut]
    support: list[ProjectSupportOut]
    updated_at: DateTime | None


class ProjectIn(Model):
    name: str = Field(max_length=200)
    sector: str = Field(max_length=100)
    summary: str | None = Field(None, max_length=4000)


class ProjectFileForm(Model):
    kind: choice(rules.FILE_KINDS)
    file: bytes = Field(description="PDF, JPEG or PNG (checked by content), at most the upload limit.")


class ProjectSupportIn(Model):
    kind: choice(rules.SUPPORT_KINDS)
    provider: str = Field(max_length=200)
    amount: DecimalIn | None = None
    granted_on: Date
    note: str | None = Field(None, max_length=500)


def project_json(p) -> dict:
    res = db.session.query(Result).filter(Result.registration_id == p.registration_id).first()
    reg = p.registration
    return {"id": p.id, "registration_id": p.registration_id, "competition_id": p.competition_id, "name": p.name,
            "sector": p.sector, "summary": p.summary,
            "team": [{"person_id": m.person_id, "name": m.person.name, "leads": m.position == 0} for m in reg.members],
            "total": f"{res.total:.2f}" if res else None, "rank": res.rank if res else None,
            "award": res.award if res else None,
            "files": [file_json(f) for f in p.files], "support": [support_json(s) for s in p.support],
            "updated_at": timeutil.iso(p.updated_at)}


def file_json(f) -> dict:
    return {"id": f.id, "kind": f.kind, "filename": f.filename, "content_type": f.content_type, "size": f.size,
            "sha256": f.sha256}


def support_json(s) -> dict:
    return {"id": s.id, "kind": s.kind, "provider": s.provider, "amount": f"{s.amount:.2f}" if s.amount else None,
            "granted_on": s.granted_on.isoformat(), "note": s.note}


@bp.route("/competitions/<int:competition_id>/projects", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=page_of(ProjectOut))
def projects_list(competition_id: int):
    """The projects entered in an entrepreneurship or trainer contest, with team, result, files and support."""
    comp = managed_competition(competition_id)
    items = [project_json(p) for p in operations.projects_of(comp.id)]
    return jsonify({"items": items, "page": 1, "per_page": len(items), "total": len(items)})


ENTRY_SIDE = ("admin", "organizer", "org_contact", "candidate")


@bp.route("/registrations/<int:registration_id>/project", methods=["GET"])
@roles(*ENTRY_SIDE)
@doc(ok=ProjectOut)
def projects_get(registration_id: int):
    """The project of an entry: for its competition's organizers, its members and its organization's contacts."""
    reg = project_registration(registration_id)
    p = operations.project_of(reg)
    if p is None:
        abort(404)
    return jsonify(project_json(p))


@bp.route("/registrations/<int:registration_id>/project", methods=["PUT"])
@roles(*ENTRY_SIDE)
@doc(body=ProjectIn, ok=ProjectOut, errors=(409,),
     example={"name": "藏香非遗工坊", "sector": "文化创意", "summary": "以合作社带动农牧民就业的藏香制作工坊。"})
def projects_save(registration_id: int):
    """Enter or edit the project of an entry (the team is the entry's members; the first leads). The
    entry's members and its organization's contacts until the registration deadline; the organizers always."""
    reg = project_registration(registration_id)
    return jsonify(project_json(operations.save_project(reg, body(), current_user)))


@bp.route("/registrations/<int:registration_id>/project/files", methods=["POST"])
@roles(*ENTRY_SIDE)
@doc(form=ProjectFileForm, ok=(201, ProjectFileOut), errors=(409,))
def projects_file_create(registration_id: int):
    """Upload the business plan or the pitch deck (multipart/form-data: kind, file). The entry's
    members and its organization's contacts until the registration deadline; the organizers always."""
    reg = project_registration(registration_id)
    data = form()
    upload = request.files.get("file")
    content = (upload.filename, upload.read()) if upload else None
    return jsonify(file_json(operations.add_file(reg, data.get("kind"), content, current_user))), 201


@bp.route("/registrations/<int:registration_id>/project/support", methods=["POST"])
@roles("admin", "organizer")
@doc(body=ProjectSupportIn, ok=(201, ProjectSupportOut), errors=(409,),
     example={"kind": "funding", "provider": "自治区就业创业扶持资金", "amount": "100000", "granted_on": "2026-10-01"})
def projects_support_create(registration_id: int):
    """Record follow-up support (funding, an incubator place, a loan …) of a winning project."""
    reg = managed_registration(registration_id)
    return jsonify(support_json(operations.add_support(reg, body(), current_user))), 201


@bp.route("/project-files/<int:file_id>", methods=["GET"])
@roles(*ENTRY_SIDE)
@doc(ok={200: ("application/pdf", "image/jpeg", "image/png")})
def projects_file_get(file_id: int):
    """A project's file, as stored (organizers; the entry's own members and contacts)."""
    return file_response(visible_file(file_id))
