"""Who sees which people and organizations (DESIGN §8: a person belongs to no single tenant;
each tenant sees the person through its own competitions only).

- admins: everyone;
- organizers: the people of the competitions their organization hosts (any member of a
  registration there), the people their organization registered (a registration filed under it)
  or first entered, and the people employed by it;
- organization contacts: their own organization's people (employed by it, or registered under it);
- everyone else: nobody (a candidate sees their own record on their own page).
Full ID numbers and phones go to admins, the organizers who see the person, and the person.
Organizations are edited by admins, or by an organizer of that very organization.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, or_, select

from ..domain.tenancy import region_jurisdiction, within
from ..extensions import db
from .models import Organization, Person


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def visibility_clause(user):
    """A SQL condition on Person for the people this user may see (False for nobody)."""
    from ..competitions.models import Competition
    from ..registration.models import Registration, RegistrationMember

    if not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    org = user.organization_id
    if org is None:
        return False
    conditions = []
    member = select(RegistrationMember.person_id).join(
        Registration, Registration.id == RegistrationMember.registration_id)
    if user.has_role("organizer"):
        hosted = select(Competition.id).where(Competition.host_organization_id == org)
        conditions += [Person.id.in_(member.where(Registration.competition_id.in_(hosted))),
                       Person.created_by_organization_id == org]
    if user.has_role("organizer", "org_contact"):
        conditions += [Person.organization_id == org,
                       Person.id.in_(member.where(Registration.organization_id == org))]
    return or_(*conditions) if conditions else False


def people_query(user, q: str | None = None):
    """The people this user may see; `q` narrows to a part of the name or a whole ID number (the
    web list and the API list both search through this)."""
    stmt = select(Person).where(visibility_clause(user))
    q = (q or "").strip()[:64]
    if q:
        stmt = stmt.where(or_(Person.name.contains(q), Person.id_number == q.upper()))
    return stmt


def can_see(person: Person | None, user) -> bool:
    if person is None or not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    clause = visibility_clause(user)
    if clause is False:
        return False
    return bool(db.session.scalar(select(exists().where(Person.id == person.id, clause))))


def sees_full_identity(person: Person, user) -> bool:
    """Full ID number and phone: admins, organizers who may see the person, and the person."""
    if not _signed_in(user):
        return False
    if person.user_id is not None and person.user_id == user.id:
        return True
    return user.has_role("admin") or (user.has_role("organizer") and can_see(person, user))


def visible_person(person_id: int) -> Person:
    """The person, or 404 — for someone outside the caller's tenancy too (no existence oracle)."""
    person = db.session.get(Person, person_id)
    if not can_see(person, current_user):
        abort(404)
    return person


def can_edit_organization(org: Organization, user) -> bool:
    if not _signed_in(user):
        return False
    return user.has_role("admin") or (user.has_role("organizer") and user.organization_id == org.id)


def editable_organization(org_id: int) -> Organization:
    org = db.get_or_404(Organization, org_id)
    if not can_edit_organization(org, current_user):
        abort(403)
    return org


def organization_scope(user) -> str | None:
    """Where this user may create organizations: admins anywhere (CN), an organizer within their
    own organization's jurisdiction, nobody else (None)."""
    if not _signed_in(user):
        return None
    if user.has_role("admin"):
        return "CN"
    if user.has_role("organizer") and user.organization_id is not None:
        own = db.session.get(Organization, user.organization_id)
        return own.jurisdiction if own else None
    return None


def may_create_organization_at(user, region_code: str) -> bool:
    return within(region_jurisdiction(region_code), organization_scope(user))
