"""Saving an event's scoring scheme as the organization's own template (app/rubrics)."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..forms_util import perform
from ..rubrics import operations as rubric_ops
from ..security import roles
from . import bp
from .access import managed_event


@bp.route("/manage/events/<int:event_id>/save-template", methods=["POST"])
@roles("admin", "organizer")
def save_template(event_id: int):
    event = managed_event(event_id)
    perform(lambda: rubric_ops.save_template(event, request.form.get("name"), current_user),
            _("The scheme of %(event)s is saved as a template of your organization.", event=event.name))
    return redirect(url_for("competitions.manage", competition_id=event.competition_id))
