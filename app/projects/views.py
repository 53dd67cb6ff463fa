"""The projects page of an entrepreneurship or trainer contest: every entry's project (team, files,
score and award), with forms to enter the project, upload its files and record a winner's support."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.access import managed_competition
from ..domain import project as rules
from ..domain.dossier import EXTENSIONS
from ..extensions import db
from ..forms_util import perform
from ..registration.access import managed_registration
from ..registration.models import Registration
from ..results.models import Result
from ..security import roles
from .exports import file_response
from . import bp, operations
from .access import managed_file


@bp.route("/manage/competitions/<int:competition_id>/projects")
@roles("admin", "organizer")
def manage(competition_id: int):
    comp = managed_competition(competition_id)
    regs = db.session.scalars(select(Registration).where(Registration.competition_id == comp.id)
                              .order_by(Registration.event_id, Registration.id)).all()
    results = {r.registration_id: r for r in db.session.scalars(select(Result).where(Result.competition_id == comp.id))}
    projects = {p.registration_id: p for p in operations.projects_of(comp.id)}
    return render_template("projects/manage.html", comp=comp, regs=regs, results=results, projects=projects,
                           rules=rules, is_project_contest=comp.kind in rules.PROJECT_KINDS)


def _back(reg):
    return redirect(url_for("projects.manage", competition_id=reg.competition_id) + f"#reg-{reg.id}")


@bp.route("/manage/registrations/<int:registration_id>/project", methods=["POST"])
@roles("admin", "organizer")
def save(registration_id: int):
    reg = managed_registration(registration_id)
    perform(lambda: operations.save_project(reg, request.form.to_dict(), current_user), _("Project saved."))
    return _back(reg)


@bp.route("/manage/registrations/<int:registration_id>/project/files", methods=["POST"])
@roles("admin", "organizer")
def file_upload(registration_id: int):
    reg = managed_registration(registration_id)
    upload = request.files.get("file")
    content = (upload.filename, upload.read()) if upload and upload.filename else None
    perform(lambda: operations.add_file(reg, request.form.get("kind"), content, current_user), _("File uploaded."))
    return _back(reg)


@bp.route("/manage/registrations/<int:registration_id>/project/support", methods=["POST"])
@roles("admin", "organizer")
def support_add(registration_id: int):
    reg = managed_registration(registration_id)
    perform(lambda: operations.add_support(reg, request.form.to_dict(), current_user), _("Support recorded."))
    return _back(reg)


@bp.route("/manage/project-files/<int:file_id>")
@roles("admin", "organizer")
def file_download(file_id: int):
    return file_response(managed_file(file_id))


# ---- the entry's own side: its members and its organization's contacts --------------------------

@bp.route("/registrations/<int:registration_id>/project")
@roles("candidate", "org_contact")
def mine(registration_id: int):
    from .access import project_registration
    reg = project_registration(registration_id)
    comp = reg.event.competition
    return render_template("projects/mine.html", reg=reg, comp=comp, p=operations.project_of(reg), rules=rules,
                           is_project_contest=comp.kind in rules.PROJECT_KINDS,
                           open=operations.submission_open(reg))


@bp.route("/registrations/<int:registration_id>/project", methods=["POST"])
@roles("candidate", "org_contact")
def mine_save(registration_id: int):
    from .access import project_registration
    reg = project_registration(registration_id)
    perform(lambda: operations.save_project(reg, request.form.to_dict(), current_user), _("Project saved."))
    return redirect(url_for("projects.mine", registration_id=reg.id))


@bp.route("/registrations/<int:registration_id>/project/files", methods=["POST"])
@roles("candidate", "org_contact")
def mine_file_upload(registration_id: int):
    from .access import project_registration
    reg = project_registration(registration_id)
    upload = request.files.get("file")
    content = (upload.filename, upload.read()) if upload and upload.filename else None
    perform(lambda: operations.add_file(reg, request.form.get("kind"), content, current_user), _("File uploaded."))
    return redirect(url_for("projects.mine", registration_id=reg.id))


@bp.route("/project-files/<int:file_id>")
@roles("candidate", "org_contact")
def mine_file(file_id: int):
    from .access import visible_file
    return file_response(visible_file(file_id))
