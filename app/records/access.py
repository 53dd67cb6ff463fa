"""Who sees and writes the rows of a person's electronic record.

- The person (the candidate account linked to the record) sees every row of their own record.
- Organizers see the person only as app/people/access.py allows (their tenancy), and of the
  record only the rows their own organization recorded or owns (grades promoted by a rule from
  their competitions or the outside results they recorded): each tenant sees its own.
- An organization's contacts read (never write) the whole record of the people of their own
  organization (Person.organization_id: the unit that keeps its workers' 档案, nominates them
  for titles and awards), as the person sees it, and its PDF; never another organization's.
- Admins see everything. Writing takes an organizer (or admin) who belongs to an organization:
  it becomes the row's owner. A 破格/越级 application is decided by another organizer of the
  owning organization (or an admin), never by the one who filed it.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..people.access import visible_person
from ..people.models import Person
from .models import GradeApplication


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def own_person(user) -> Person | None:
    """The record linked to this candidate account, or None."""
    if not _signed_in(user):
        return None
    return db.session.scalar(select(Person).where(Person.user_id == user.id))


def can_write(user) -> bool:
    return _signed_in(user) and user.has_role("admin", "organizer") and user.organization_id is not None


def owner_filter(column, user):
    """A condition on a row's owning organization for what `user` may see (None: everything)."""
    if user.has_role("admin"):
        return None
    if not user.has_role("organizer") or user.organization_id is None:
        return column.is_(None) & False
    return column == user.organization_id


def can_view_application(app_row: GradeApplication | None, user) -> bool:
    if app_row is None or not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("organizer") and user.organization_id == app_row.organization_id


def can_decide_application(app_row: GradeApplication, user) -> bool:
    return can_view_application(app_row, user) and user.id != app_row.submitted_by_id


def managed_person(person_id: int) -> Person:
    """A person the current organizer may see (404 otherwise: no existence oracle)."""
    return visible_person(person_id)


def visible_application(application_id: int) -> GradeApplication:
    row = db.session.get(GradeApplication, application_id)
    if not can_view_application(row, current_user):
        abort(404)
    return row


def is_organization_contact_of(person: Person | None, user) -> bool:
    """A contact of the organization the person belongs to (read only)."""
    return (person is not None and _signed_in(user) and user.has_role("org_contact")
            and user.organization_id is not None and person.organization_id == user.organization_id)


def organization_person(person_id: int) -> Person:
    """A person of the current contact's own organization (404 otherwise: no existence oracle)."""
    person = db.session.get(Person, person_id)
    if not is_organization_contact_of(person, current_user):
        abort(404)
    return person


def file_reader(person_id: int) -> tuple[Person, object]:
    """(the person, the viewer to scope their record by) for an organizer in their tenancy (scoped
    to what their organization recorded), or a contact of the person's own organization (the
    whole record, read only: viewer None, as the person sees it)."""
    if current_user.has_role("admin", "organizer"):
        return managed_person(person_id), current_user
    return organization_person(person_id), None
