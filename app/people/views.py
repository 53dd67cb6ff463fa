"""Organization and person management pages (organizers and administrators), within the
caller's tenancy (app/people/access.py)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..domain.masking import mask_id_number
from ..domain.refdata import EDUCATION, GENDERS, ID_TYPES, ORG_KINDS, SKILL_GRADES, regions
from ..extensions import db
from ..forms_util import submit_form
from ..i18n import label, names
from ..security import roles
from . import bp, operations
from .access import can_edit_organization, editable_organization, people_query, visible_person
from .forms import OrganizationForm, PersonForm
from .models import Organization, Person

PER_PAGE = 50


@bp.route("/manage/organizations")
@roles("admin", "organizer")
def organizations():
    q = request.args.get("q", "").strip()
    stmt = select(Organization).order_by(Organization.name)
    if q:
        stmt = stmt.where(Organization.name.contains(q))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("people/organizations.html", page=page, q=q, regions=regions(),
                           can_edit=lambda org: can_edit_organization(org, current_user))


def _org_choices(form: OrganizationForm) -> None:
    form.kind.choices = [("", _("— choose —"))] + [(k, label(ORG_KINDS, k)) for k in ORG_KINDS]


def _org_data(form: OrganizationForm) -> dict:
    return {"name": form.name.data, "kind": form.kind.data, "region_code": form.region_code.data}


@bp.route("/manage/organizations/new", methods=["GET", "POST"])
@roles("admin", "organizer")
def organization_new():
    form = OrganizationForm()
    _org_choices(form)
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.create_organization(_org_data(form), actor=current_user), _("Organization saved.")):
        return redirect(url_for("people.organizations"))
    return render_template("people/organization_form.html", form=form, org=None, regions=regions())


@bp.route("/manage/organizations/<int:org_id>/edit", methods=["GET", "POST"])
@roles("admin", "organizer")
def organization_edit(org_id: int):
    org = editable_organization(org_id)
    form = OrganizationForm(obj=org)
    _org_choices(form)
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.update_organization(org, _org_data(form), actor=current_user),
            _("Organization saved.")):
        return redirect(url_for("people.organizations"))
    return render_template("people/organization_form.html", form=form, org=org, regions=regions())


def _person_choices(form: PersonForm) -> None:
    none = [("", _("— not given —"))]
    form.id_type.choices = [(k, label(ID_TYPES, k)) for k in ID_TYPES]
    form.gender.choices = none + [(k, label(GENDERS, k)) for k in GENDERS]
    form.ethnicity.choices = none + list(names("ethnic_group").items())
    form.education.choices = none + [(k, label(EDUCATION, k)) for k in EDUCATION]
    form.skill_grade.choices = none + [(str(k), label(SKILL_GRADES, k)) for k in SKILL_GRADES]
    orgs = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    form.organization_id.choices = none + [(str(o.id), o.name) for o in orgs]


def _person_data(form: PersonForm) -> dict:
    return {"name": form.name.data, "name_bo": form.name_bo.data or None, "id_type": form.id_type.data,
            "id_number": form.id_number.data or "", "gender": form.gender.data or None, "birth_date": form.birth_date.data or None,
            "ethnicity": form.ethnicity.data or None, "phone": form.phone.data or None,
            "education": form.education.data or None, "skill_grade": form.skill_grade.data or None,
            "organization_id": form.organization_id.data or None,
            "is_frontline_worker": form.is_frontline_worker.data}


@bp.route("/manage/people")
@roles("admin", "organizer")
def people():
    q = request.args.get("q", "").strip()
    visible = people_query(current_user)
    stmt = people_query(current_user, q).options(selectinload(Person.organization)).order_by(Person.id.desc())
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
    return render_template("people/people.html", page=page, q=q, total=total, mask_id_number=mask_id_number)


@bp.route("/manage/people/new", methods=["GET", "POST"])
@roles("admin", "organizer")
def person_new():
    form = PersonForm()
    _person_choices(form)
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.create_person(_person_data(form), actor=current_user), _("Person saved.")):
        return redirect(url_for("people.people"))
    return render_template("people/person_form.html", form=form, person=None)


@bp.route("/manage/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles("admin", "organizer")
def person_edit(person_id: int):
    person = visible_person(person_id)
    form = PersonForm(obj=person)
    _person_choices(form)
    if request.method == "GET":
        form.skill_grade.data = str(person.skill_grade or "")
        form.organization_id.data = str(person.organization_id or "")
        form.birth_date.data = person.birth_date.isoformat() if person.birth_date else ""
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.update_person(person, _person_data(form), actor=current_user), _("Person saved.")):
        return redirect(url_for("people.people"))
    return render_template("people/person_form.html", form=form, person=person)
