"""API for users, organizations and people (admin, organizer), within the caller's tenancy."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from ..accounts import operations as accounts
from ..accounts.access import editable_user, users_query
from ..accounts.models import UserRole
from ..domain.masking import mask_id_number, mask_phone
from ..domain.refdata import ROLES
from ..people import operations as people
from ..people.access import editable_organization, people_query, sees_full_identity, visible_person
from ..people.models import Organization, Person
from ..security import requires_recent_auth, roles
from . import bp
from .util import json_body, organization_json, paginate, user_json


@bp.route("/users", methods=["POST"])
@roles("admin", "organizer")
@requires_recent_auth()  # granting roles
def users_create():
    user = accounts.create_user(json_body(), actor=current_user)
    return jsonify(user_json(user)), 201


@bp.route("/users", methods=["GET"])
@roles("admin", "organizer")
def users_list():
    stmt = users_query(current_user)
    role = request.args.get("role")
    if role in ROLES:
        stmt = stmt.where(UserRole.query_user_ids(role))
    return jsonify(paginate(stmt, user_json))


@bp.route("/users/<int:user_id>", methods=["PATCH"])
@roles("admin", "organizer")
@requires_recent_auth()  # granting or removing roles
def users_update(user_id: int):
    user = editable_user(user_id)
    accounts.update_user(user, json_body(), actor=current_user)
    return jsonify(user_json(user))


@bp.route("/organizations", methods=["POST"])
@roles("admin", "organizer")
def organizations_create():
    org = people.create_organization(json_body(), actor=current_user)
    return jsonify(organization_json(org)), 201


@bp.route("/organizations", methods=["GET"])
@roles("admin", "organizer", "org_contact", "judge", "chief_judge", "supervisor")
def organizations_list():
    stmt = select(Organization).order_by(Organization.id)
    return jsonify(paginate(stmt, organization_json))


@bp.route("/organizations/<int:org_id>", methods=["PATCH"])
@roles("admin", "organizer")
def organizations_update(org_id: int):
    org = editable_organization(org_id)
    people.update_organization(org, json_body(), actor=current_user)
    return jsonify(organization_json(org))


def person_json(p: Person, full: bool) -> dict:
    return {
        "id": p.id, "name": p.name, "name_bo": p.name_bo, "id_type": p.id_type,
        "id_number": p.id_number if full else None, "id_number_masked": mask_id_number(p.id_number),
        "gender": p.gender, "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "ethnicity": p.ethnicity, "phone": p.phone if full else mask_phone(p.phone),
        "education": p.education, "skill_grade": p.skill_grade, "organization_id": p.organization_id,
        "is_frontline_worker": p.is_frontline_worker,
    }


@bp.route("/people", methods=["POST"])
@roles("admin", "organizer")
def people_create():
    person = people.create_person(json_body(), actor=current_user)
    return jsonify(person_json(person, full=True)), 201


@bp.route("/people", methods=["GET"])
@roles("admin", "organizer")
def people_list():
    # Every person listed is one the caller may see, which for admins and organizers is in full.
    stmt = people_query(current_user).order_by(Person.id)
    return jsonify(paginate(stmt, lambda p: person_json(p, full=True)))


@bp.route("/people/<int:person_id>", methods=["GET"])
@roles("admin", "organizer")
def people_get(person_id: int):
    person = visible_person(person_id)
    return jsonify(person_json(person, full=sees_full_identity(person, current_user)))


@bp.route("/people/<int:person_id>", methods=["PATCH"])
@roles("admin", "organizer")
def people_update(person_id: int):
    person = visible_person(person_id)
    people.update_person(person, json_body(), actor=current_user)
    return jsonify(person_json(person, full=sees_full_identity(person, current_user)))
