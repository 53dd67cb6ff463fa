"""Projects belong to their registration's competition: its host's organizers (and admins) enter
and edit them, upload their files and record the winners' support. The entry's own side — its
members' candidate accounts and the contacts of the organization that entered it — enter their
own project and upload its files themselves until the submission deadline (operations.py), and
read them; never another entry's."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import func, select

from ..competitions.access import manages
from ..extensions import db
from .models import ProjectFile


def is_entry_side(reg, user) -> bool:
    """A member of the entry (their own candidate account) or a contact of its organization."""
    if reg is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role("org_contact") and user.organization_id is not None and reg.organization_id == user.organization_id:
        return True
    if not user.has_role("candidate"):
        return False
    from ..people.models import Person
    from ..registration.models import RegistrationMember
    return db.session.scalar(select(func.count()).select_from(RegistrationMember).join(
        Person, Person.id == RegistrationMember.person_id).where(
        RegistrationMember.registration_id == reg.id, Person.user_id == user.id)) > 0


def can_work_on(reg, user) -> bool:
    return manages(reg.event.competition, user) or is_entry_side(reg, user)


def project_registration(registration_id: int):
    """The entry, for its competition's organizers or its own side; 404 to anyone else."""
    from ..registration.models import Registration
    reg = db.session.get(Registration, registration_id)
    if reg is None or not can_work_on(reg, current_user):
        abort(404)
    return reg


def managed_file(file_id: int) -> ProjectFile:
    from .models import Project
    f = db.session.get(ProjectFile, file_id)
    p = db.session.get(Project, f.project_id) if f is not None else None
    if p is None or not manages(p.registration.event.competition, current_user):
        abort(404)
    return f


def visible_file(file_id: int) -> ProjectFile:
    """A file of a project the caller manages or whose entry is their own; 404 otherwise."""
    from .models import Project
    f = db.session.get(ProjectFile, file_id)
    p = db.session.get(Project, f.project_id) if f is not None else None
    if p is None or not can_work_on(p.registration, current_user):
        abort(404)
    return f
