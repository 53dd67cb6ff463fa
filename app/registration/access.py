"""Who may see and act on a registration (both faces call these).

- view: admins; the competition's organizers; its assigned supervisors; the contact of the
  organization it was filed under; the candidate who is one of its members;
- manage (review, import, export): the competition's organizers;
- withdraw: its organizers, the contact of its organization, the member candidate;
- full ID numbers and phones: its organizers, admins, and the person.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import func, select

from ..competitions.access import manages, supervises
from ..competitions.models import Competition
from ..extensions import db
from ..people.models import Person
from .models import Registration, RegistrationMember


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _competition(reg: Registration) -> Competition:
    return db.session.get(Competition, reg.competition_id)


def is_member(reg: Registration, user) -> bool:
    """The user's own person record is one of the registration's members."""
    return db.session.scalar(select(func.count()).select_from(RegistrationMember).join(
        Person, Person.id == RegistrationMember.person_id).where(
        RegistrationMember.registration_id == reg.id, Person.user_id == user.id)) > 0


def is_own_organization(reg: Registration, user) -> bool:
    return (user.has_role("org_contact") and user.organization_id is not None
            and reg.organization_id == user.organization_id)


def can_view(reg: Registration, user) -> bool:
    if not _signed_in(user):
        return False
    comp = _competition(reg)
    if manages(comp, user) or supervises(comp, user) or is_own_organization(reg, user):
        return True
    return user.has_role("candidate") and is_member(reg, user)


def can_manage(reg: Registration, user) -> bool:
    return _signed_in(user) and manages(_competition(reg), user)


def can_withdraw(reg: Registration, user) -> bool:
    if not _signed_in(user):
        return False
    if can_manage(reg, user) or is_own_organization(reg, user):
        return True
    return user.has_role("candidate") and reg.person.user_id is not None and reg.person.user_id == user.id


def sees_full_identity(reg: Registration, user, person: Person) -> bool:
    """ID numbers and phones in full only to the competition's organizers, admins and the person."""
    return _signed_in(user) and (can_manage(reg, user) or user.has_role("admin")
                                 or (person.user_id is not None and person.user_id == user.id))


def viewable_registration(registration_id: int) -> Registration:
    """The registration, or 404 for anyone who may not see it (its existence is not revealed)."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or not can_view(reg, current_user):
        abort(404)
    return reg


def managed_registration(registration_id: int) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    if not can_manage(reg, current_user):
        abort(403)
    return reg


def withdrawable_registration(registration_id: int) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    if not can_withdraw(reg, current_user):
        abort(403)
    return reg
