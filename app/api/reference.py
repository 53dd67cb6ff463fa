"""API for users, organizations and people (admin, organizer), within the caller's tenancy."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from sqlalchemy import select

from ..accounts import operations as accounts
from ..accounts.access import editable_user, search_users, users_query
from ..domain.masking import mask_id_number, mask_phone
from ..domain.refdata import ROLES
from ..people import operations as people
from ..people.access import editable_organization, people_query, sees_full_identity, visible_person
from ..people.models import Organization, Person
from ..security import requires_recent_auth, roles
from typing import Literal

from pydantic import Field

from ..domain.refdata import EDUCATION, GENDERS, ID_TYPES, ORG_KINDS, SKILL_GRADES
from . import bp
from .contract import Date, Id, Model, Out, PageQuery, body, choice, doc, page_of, query
from .util import OrganizationOut, UserOut, organization_json, paginate, user_json

SkillGrade = Literal[tuple(sorted(SKILL_GRADES))]


class UserPatch(Model):
    username: str | None = Field(None, max_length=64)
    password: str | None = Field(None, max_length=1000, description="At least 10 characters, not a common one.")
    name: str | None = Field(None, max_length=64)
    roles: list[choice(ROLES)] | None = None
    organization_id: Id | None = None
    is_enabled: bool | None = None


class UserIn(UserPatch):
    username: str = Field(max_length=64)
    password: str = Field(max_length=1000, description="At least 10 characters, not a common one.")
    name: str = Field(max_length=64)
    roles: list[choice(ROLES)]


class UsersQuery(PageQuery):
    role: choice(ROLES) | None = None
    q: str | None = Field(None, max_length=64, description="Part of the user name or the full name.")


class PeopleQuery(PageQuery):
    q: str | None = Field(None, max_length=64, description="Part of the name, or a whole ID number.")


class OrganizationPatch(Model):
    name: str | None = Field(None, max_length=200)
    kind: choice(ORG_KINDS) | None = None
    region_code: str | None = Field(None, description="GB/T 2260 six-digit code (e.g. 540100 Lhasa).")


class OrganizationIn(OrganizationPatch):
    name: str = Field(max_length=200)
    kind: choice(ORG_KINDS)
    region_code: str = Field(description="GB/T 2260 six-digit code (e.g. 540100 Lhasa).")


class PersonPatch(Model):
    name: str | None = Field(None, max_length=64)
    id_type: choice(ID_TYPES) | None = None
    id_number: str | None = Field(None, max_length=32, description="A resident ID is checked (GB 11643).")
    gender: choice(GENDERS) | None = None
    birth_date: Date | None = None
    ethnicity: str | None = None
    phone: str | None = None
    education: choice(EDUCATION) | None = None
    skill_grade: SkillGrade | None = None
    organization_id: Id | None = None
    is_frontline_worker: bool | None = None


class PersonIn(PersonPatch):
    name: str = Field(max_length=64)
    id_number: str = Field(max_length=32, description="A resident ID is checked (GB 11643).")


class PersonOut(Out):
    id: int
    name: str
    id_type: choice(ID_TYPES)
    id_number: str | None = Field(description="In full for those who may see it, else null.")
    id_number_masked: str | None
    gender: choice(GENDERS) | None
    birth_date: Date | None
    ethnicity: str | None
    phone: str | None
    education: choice(EDUCATION) | None
    skill_grade: SkillGrade | None
    organization_id: int | None
    is_frontline_worker: bool


PERSON_EXAMPLE = {"name": "卓嘎", "id_type": "resident_id", "id_number": "11010519491231002X", "phone": "13900000000",
                  "organization_id": 3}


@bp.route("/users", methods=["POST"])
@roles("admin", "organizer")
@requires_recent_auth()  # granting roles
# The example's password is a placeholder shown in the documentation, not a credential (bandit B105).
@doc(body=UserIn, ok=(201, UserOut), errors=(409,),
     example={"username": "judge7", "password": "<a long passphrase>", "name": "次仁",  # nosec B105
              "roles": ["judge"], "organization_id": 3})
def users_create():
    """Create an account (granting roles needs a recent sign-in)."""
    user = accounts.create_user(body(), actor=current_user)
    return jsonify(user_json(user)), 201


@bp.route("/users", methods=["GET"])
@roles("admin", "organizer")
@doc(query=UsersQuery, ok=page_of(UserOut))
def users_list():
    """The accounts the caller manages (?role= and ?q= filter; paged)."""
    q = query()
    return jsonify(paginate(search_users(users_query(current_user), q.q, q.role), user_json, q))


@bp.route("/users/<int:user_id>", methods=["PATCH"])
@roles("admin", "organizer")
@requires_recent_auth()  # granting or removing roles
@doc(body=UserPatch, ok=UserOut, errors=(409,), example={"roles": ["judge", "chief_judge"]})
def users_update(user_id: int):
    """Change an account (roles, name, organization, enabled)."""
    user = editable_user(user_id)
    accounts.update_user(user, body(), actor=current_user)
    return jsonify(user_json(user))


@bp.route("/organizations", methods=["POST"])
@roles("admin", "organizer")
@doc(body=OrganizationIn, ok=(201, OrganizationOut), errors=(409,),
     example={"name": "拉萨市第一职业技术学校", "kind": "college", "region_code": "540100"})
def organizations_create():
    """Add an organization."""
    org = people.create_organization(body(), actor=current_user)
    return jsonify(organization_json(org)), 201


@bp.route("/organizations", methods=["GET"])
@roles("admin", "organizer", "org_contact", "judge", "chief_judge", "supervisor")
@doc(query=PageQuery, ok=page_of(OrganizationOut))
def organizations_list():
    """Every organization (reference data)."""
    stmt = select(Organization).order_by(Organization.id)
    return jsonify(paginate(stmt, organization_json))


@bp.route("/organizations/<int:org_id>", methods=["PATCH"])
@roles("admin", "organizer")
@doc(body=OrganizationPatch, ok=OrganizationOut, errors=(409,), example={"name": "拉萨市职业技术学院"})
def organizations_update(org_id: int):
    """Change an organization."""
    org = editable_organization(org_id)
    people.update_organization(org, body(), actor=current_user)
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
@doc(body=PersonIn, ok=(201, PersonOut), errors=(409,), example=PERSON_EXAMPLE)
def people_create():
    """Add a person (contestant, nominee) to the people on file."""
    person = people.create_person(body(), actor=current_user)
    return jsonify(person_json(person, full=True)), 201


@bp.route("/people", methods=["GET"])
@roles("admin", "organizer")
@doc(query=PeopleQuery, ok=page_of(PersonOut))
def people_list():
    """The people the caller may see (?q= searches a part of the name or a whole ID number)."""
    # Every person listed is one the caller may see, which for admins and organizers is in full.
    q = query()
    stmt = people_query(current_user, q.q).order_by(Person.id)
    return jsonify(paginate(stmt, lambda p: person_json(p, full=True), q))


@bp.route("/people/<int:person_id>", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=PersonOut)
def people_get(person_id: int):
    """One person (the ID number in full only for those who may see it)."""
    person = visible_person(person_id)
    return jsonify(person_json(person, full=sees_full_identity(person, current_user)))


@bp.route("/people/<int:person_id>", methods=["PATCH"])
@roles("admin", "organizer")
@doc(body=PersonPatch, ok=PersonOut, errors=(409,), example={"phone": "13900000001"})
def people_update(person_id: int):
    """Change a person's details."""
    person = visible_person(person_id)
    people.update_person(person, body(), actor=current_user)
    return jsonify(person_json(person, full=sees_full_identity(person, current_user)))
