"""Pages of the electronic record: the candidate's own (and its PDF), and the organizer's view of a
person in their tenancy with the forms that add grades, titles, training and 破格/越级 applications."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..domain import person_file as rules
from ..i18n import names
from ..forms_util import perform
from ..registration.exports import attachment
from ..security import roles
from ..selection.operations import talent_record
from . import access, bp, operations

from .exports import PUBLISHED, pdf_response


def _page(person, viewer, *, own: bool, org_view: bool = False):
    return render_template("records/file.html", f=operations.person_file(person, viewer, talent_record(person, viewer)), own=own, rules=rules,
                           org_view=org_view,
                           published=PUBLISHED, award_names=names("award"), kinds=names("entitlement_kind"),
                           status_names=names("entitlement_status"), can_write=not own and access.can_write(current_user),
                           can_decide=lambda a: access.can_decide_application(a, current_user))


@bp.route("/me/record")
@roles("candidate")
def me():
    person = access.own_person(current_user)
    if person is None:
        return redirect(url_for("registration.me"))
    return _page(person, None, own=True)


@bp.route("/me/record.pdf")
@roles("candidate")
def me_pdf():
    person = access.own_person(current_user)
    if person is None:
        abort(404)
    return pdf_response(person, None, talent_record(person, None))


@bp.route("/manage/people/<int:person_id>/file")
@roles("admin", "organizer")
def person_file(person_id: int):
    return _page(access.managed_person(person_id), current_user, own=False)


@bp.route("/manage/people/<int:person_id>/file.pdf")
@roles("admin", "organizer")
def person_file_pdf(person_id: int):
    person = access.managed_person(person_id)
    return pdf_response(person, current_user, talent_record(person, current_user))


@bp.route("/org/people/<int:person_id>/record")
@roles("org_contact")
def org_person_file(person_id: int):
    """A person of the contact's own organization: their whole record, read only."""
    return _page(access.organization_person(person_id), None, own=True, org_view=True)


@bp.route("/org/people/<int:person_id>/record.pdf")
@roles("org_contact")
def org_person_file_pdf(person_id: int):
    person = access.organization_person(person_id)
    return pdf_response(person, None, talent_record(person, None))


def _back(person_id: int, anchor: str):
    return redirect(url_for("records.person_file", person_id=person_id) + anchor)


@bp.route("/manage/people/<int:person_id>/grades", methods=["POST"])
@roles("admin", "organizer")
def grade_add(person_id: int):
    person = access.managed_person(person_id)
    perform(lambda: operations.add_grade(person, request.form.to_dict(), current_user), _("Grade recorded."))
    return _back(person.id, "#grades")


@bp.route("/manage/people/<int:person_id>/titles", methods=["POST"])
@roles("admin", "organizer")
def title_add(person_id: int):
    person = access.managed_person(person_id)
    perform(lambda: operations.add_title(person, request.form.to_dict(), current_user), _("Title recorded."))
    return _back(person.id, "#titles")


@bp.route("/manage/people/<int:person_id>/trainings", methods=["POST"])
@roles("admin", "organizer")
def training_add(person_id: int):
    person = access.managed_person(person_id)
    perform(lambda: operations.add_training(person, request.form.to_dict(), current_user), _("Training recorded."))
    return _back(person.id, "#training")


@bp.route("/manage/people/<int:person_id>/grade-applications", methods=["POST"])
@roles("admin", "organizer")
def application_add(person_id: int):
    person = access.managed_person(person_id)
    perform(lambda: operations.apply_exception(person, request.form.to_dict(), current_user),
            _("Application filed. Another organizer of your organization decides it."))
    return _back(person.id, "#applications")


@bp.route("/manage/grade-applications/<int:application_id>/decision", methods=["POST"])
@roles("admin", "organizer")
def application_decide(application_id: int):
    row = access.visible_application(application_id)
    perform(lambda: operations.decide_application(row, request.form.to_dict(), current_user), _("Decision saved."))
    return _back(row.person_id, "#applications")
