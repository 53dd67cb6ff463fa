"""The sponsors page of a competition: the list with totals per kind, the form that records a
sponsorship (with its agreement file), removal, and the agreement download."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..competitions.access import managed_competition
from ..domain import sponsorship as rules
from ..domain.dossier import EXTENSIONS
from ..forms_util import perform
from ..security import roles
from .exports import agreement_response
from . import bp, operations
from .access import managed_sponsorship
from .models import Sponsorship


@bp.route("/manage/competitions/<int:competition_id>/sponsors")
@roles("admin", "organizer")
def index(competition_id: int):
    comp = managed_competition(competition_id)
    rows = operations.for_competition(comp.id)
    return render_template("sponsors/index.html", comp=comp, rows=rows, totals=rules.totals(rows), kinds=rules.KINDS)


@bp.route("/manage/competitions/<int:competition_id>/sponsors", methods=["POST"])
@roles("admin", "organizer")
def add(competition_id: int):
    comp = managed_competition(competition_id)
    upload = request.files.get("agreement")
    content = (upload.filename, upload.read()) if upload and upload.filename else None
    perform(lambda: operations.add(comp, request.form.to_dict(), content, current_user), _("Sponsorship recorded."))
    return redirect(url_for("sponsors.index", competition_id=comp.id))


@bp.route("/manage/sponsorships/<int:sponsorship_id>/delete", methods=["POST"])
@roles("admin", "organizer")
def delete(sponsorship_id: int):
    row = managed_sponsorship(sponsorship_id)
    comp_id = row.competition_id
    perform(lambda: operations.remove(row, current_user), _("Sponsorship removed."))
    return redirect(url_for("sponsors.index", competition_id=comp_id))


@bp.route("/manage/sponsorships/<int:sponsorship_id>/agreement")
@roles("admin", "organizer")
def agreement(sponsorship_id: int):
    return agreement_response(managed_sponsorship(sponsorship_id))
