"""Writes on organizations and people, with the field rules they share with every entry path."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from ..audit.operations import diff, record
from ..domain import idcard
from ..domain.errors import N_, Collector
from ..domain.names import InvalidName, clean_person_name, clean_tibetan_name, clean_title
from ..domain.refdata import EDUCATION, GENDERS, ID_TYPES, ORG_KINDS, SKILL_GRADES, ethnic_codes_by_name, ethnic_groups, is_region_code
from ..domain.tenancy import NATIONAL_REGION
from ..extensions import db
from .models import Organization, Person

PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{5,19}$")
ORG_FIELDS = {"name", "kind", "region_code"}
PERSON_FIELDS = {"name", "name_bo", "id_type", "id_number", "gender", "birth_date", "ethnicity", "phone",
                 "education", "skill_grade", "organization_id", "is_frontline_worker"}


def _refuse_unknown(data: dict, allowed: set[str], errors: Collector, prefix: str = "") -> None:
    for key in data:
        if key not in allowed:
            errors.add(prefix + key, N_("This field cannot be set."))


def parse_organization(data: dict, existing: Organization | None = None) -> dict:
    errors = Collector()
    _refuse_unknown(data, ORG_FIELDS, errors)
    out = {}
    if existing is None or "name" in data:
        try:
            out["name"] = clean_title(data.get("name"), 200)
        except InvalidName as exc:
            errors.add("name", exc.message, **exc.params)
        else:
            clash = db.session.scalar(select(Organization.id).where(
                Organization.name == out["name"], Organization.id != (existing.id if existing else -1)))
            if clash:
                errors.add("name", N_("An organization with this name exists already."))
    kind = data.get("kind") if (existing is None or "kind" in data) else existing.kind
    if existing is None or "kind" in data:
        if not isinstance(kind, str) or kind not in ORG_KINDS:
            errors.add("kind", N_("Choose the kind of organization."))
        out["kind"] = kind
    if existing is None or "region_code" in data:
        raw = data.get("region_code")
        code = raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw))
        if code == NATIONAL_REGION:
            if kind != "government":
                errors.add("region_code", N_("The national code 000000 is for national government bodies only."))
        elif not is_region_code(code):
            errors.add("region_code", N_("Enter a 6-digit administrative division code (e.g. 540100; 000000 for a national body)."))
        out["region_code"] = code
    errors.raise_if_any()
    return out


def _check_scope(clean: dict, actor) -> None:
    """Organizers create and move organizations only within their own organization's jurisdiction."""
    from .access import may_create_organization_at, organization_scope
    if actor is None or "region_code" not in clean or may_create_organization_at(actor, clean["region_code"]):
        return
    errors = Collector()
    scope = organization_scope(actor)
    if scope is None:
        errors.add("region_code", N_("Your account is not linked to an organization with a known region."))
    else:
        errors.add("region_code", N_("Organizations you enter lie within your own jurisdiction (%(scope)s)."), scope=scope)
    errors.raise_if_any()


def create_organization(data: dict, actor=None) -> Organization:
    clean = parse_organization(data)
    _check_scope(clean, actor)
    org = Organization(**clean)
    db.session.add(org)
    record("organization.create", org, actor=actor, after=org_snapshot(org))
    return org


def update_organization(org: Organization, data: dict, actor=None) -> Organization:
    clean = parse_organization(data, existing=org)
    _check_scope(clean, actor)
    before = org_snapshot(org)
    for k, v in clean.items():
        setattr(org, k, v)
    b, a = diff(before, org_snapshot(org))
    if a:
        record("organization.update", org, actor=actor, before=b, after=a)
    return org


def org_snapshot(org: Organization) -> dict:
    return {"name": org.name, "kind": org.kind, "region_code": org.region_code}


def parse_person(data: dict, errors: Collector, prefix: str = "", today: date | None = None) -> dict:
    """Validate a person's fields (the registration paths share this). Errors use `prefix`."""
    if not isinstance(data, dict):
        errors.add(prefix.rstrip(".") or "person", N_("The person's details are required."))
        return {}
    _refuse_unknown(data, PERSON_FIELDS, errors, prefix)
    out: dict = {}
    try:
        out["name"] = clean_person_name(data.get("name"))
    except InvalidName as exc:
        errors.add(prefix + "name", exc.message, **exc.params)
    if "name_bo" in data:
        try:
            out["name_bo"] = clean_tibetan_name(data.get("name_bo"))
        except InvalidName as exc:
            errors.add(prefix + "name_bo", exc.message, **exc.params)
    id_type = data.get("id_type") or "resident_id"
    if not isinstance(id_type, str):
        id_type = "?"
    if id_type not in ID_TYPES:
        errors.add(prefix + "id_type", N_("Unknown ID type."))
    out["id_type"] = id_type
    raw_number = data.get("id_number")
    if raw_number is not None and not isinstance(raw_number, str):
        # An 18-digit ID typed as a number loses its last digits (spreadsheets, JSON numbers).
        errors.add(prefix + "id_number", N_("The ID number must be given as text, not as a number."))
        raw_number = None
    parsed = None
    if id_type in ID_TYPES and raw_number is not None:
        try:
            out["id_number"], parsed = idcard.validate_id(id_type, raw_number, today)
        except idcard.InvalidIdNumber as exc:
            errors.add(prefix + "id_number", exc.message, **exc.params)
    elif raw_number is None and not errors.has(prefix + "id_number"):
        errors.add(prefix + "id_number", N_("The ID number is required."))

    gender = data.get("gender") or None
    if gender is not None and (not isinstance(gender, str) or gender not in GENDERS):
        errors.add(prefix + "gender", N_("Unknown gender."))
    birth = data.get("birth_date") or None
    if birth is not None and not isinstance(birth, date):
        try:
            birth = date.fromisoformat(str(birth).strip())
        except ValueError:
            errors.add(prefix + "birth_date", N_("Enter the date as YYYY-MM-DD."))
            birth = None
    if parsed is not None:
        # The ID number is the authority: derived fields must agree with it when given.
        if gender is not None and gender != parsed.gender:
            errors.add(prefix + "gender", N_("The gender does not match the ID number."))
        if birth is not None and birth != parsed.birth_date:
            errors.add(prefix + "birth_date", N_("The birth date does not match the ID number."))
        gender, birth = parsed.gender, parsed.birth_date
    elif id_type != "resident_id":
        if gender is None:
            errors.add(prefix + "gender", N_("The gender is required for this ID type."))
        if birth is None and not errors.has(prefix + "birth_date"):
            errors.add(prefix + "birth_date", N_("The birth date is required for this ID type."))
    out["gender"], out["birth_date"] = gender, birth

    ethnicity = str(data.get("ethnicity") or "").strip() or None
    if ethnicity is not None:
        if ethnicity not in ethnic_groups():
            # Accept the name as well as the code (藏族 → 04).
            ethnicity_code = ethnic_codes_by_name().get(ethnicity)
            if ethnicity_code is None:
                errors.add(prefix + "ethnicity", N_("Unknown ethnic group."))
            else:
                ethnicity = ethnicity_code
    out["ethnicity"] = ethnicity
    phone = str(data.get("phone") or "").strip().replace(" ", "") or None
    if phone is not None and not PHONE_RE.match(phone):
        errors.add(prefix + "phone", N_("Enter a phone number of digits (and -) only."))
    out["phone"] = phone
    education = data.get("education") or None
    if education is not None and (not isinstance(education, str) or education not in EDUCATION):
        errors.add(prefix + "education", N_("Unknown education level."))
    out["education"] = education
    grade = data.get("skill_grade")
    if grade in (None, ""):
        grade = None
    else:
        try:
            grade = int(grade)
        except (TypeError, ValueError):
            grade = -1
        if grade not in SKILL_GRADES:
            errors.add(prefix + "skill_grade", N_("Unknown skill grade."))
    out["skill_grade"] = grade
    out["is_frontline_worker"] = bool(data.get("is_frontline_worker", False))
    if "organization_id" in data:
        org_id = data.get("organization_id")
        if org_id in (None, ""):
            out["organization_id"] = None
        else:
            try:
                org_id = int(org_id)
            except (TypeError, ValueError):
                org_id = None
            if org_id is None or not 0 < org_id < 2**63 or db.session.get(Organization, org_id) is None:
                errors.add(prefix + "organization_id", N_("Unknown organization."))
            out["organization_id"] = org_id
    return out


def find_person(id_type: str, id_number: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.id_type == id_type, Person.id_number == id_number))


def person_snapshot(p: Person) -> dict:
    return {k: getattr(p, k) for k in ("name", "name_bo", "id_type", "id_number", "gender", "birth_date", "ethnicity",
                                       "phone", "education", "skill_grade", "organization_id",
                                       "is_frontline_worker")}


def create_person(data: dict, actor=None) -> Person:
    errors = Collector()
    clean = parse_person(data, errors)
    if not errors.errors and find_person(clean["id_type"], clean["id_number"]):
        errors.add("id_number", N_("A person with this ID number exists already."))
    errors.raise_if_any()
    person = Person(**clean, created_by_organization_id=getattr(actor, "organization_id", None))
    db.session.add(person)
    record("person.create", person, actor=actor, after={"name": person.name, "id_type": person.id_type})
    return person


def update_person(person: Person, data: dict, actor=None) -> Person:
    errors = Collector()
    merged = {**{k: v for k, v in person_snapshot(person).items()}, **data}
    clean = parse_person(merged, errors)
    if not errors.errors:
        other = find_person(clean["id_type"], clean["id_number"])
        if other is not None and other.id != person.id:
            errors.add("id_number", N_("A person with this ID number exists already."))
    errors.raise_if_any()
    before = person_snapshot(person)
    for k, v in clean.items():
        setattr(person, k, v)
    b, a = diff(before, person_snapshot(person))
    if a:
        # ID numbers are personal data: the audit keeps that they changed, not their values.
        for side in (b, a):
            if "id_number" in side:
                side["id_number"] = "***"
            if "phone" in side:
                side["phone"] = "***"
        record("person.update", person, actor=actor, before=b, after=a)
    return person
