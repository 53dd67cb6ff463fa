"""Projects belong to their registration's competition: its host's organizers (and admins) enter
and edit them, upload their files and record the winners' support."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..competitions.access import manages
from ..extensions import db
from .models import ProjectFile


def managed_file(file_id: int) -> ProjectFile:
    from .models import Project
    f = db.session.get(ProjectFile, file_id)
    p = db.session.get(Project, f.project_id) if f is not None else None
    if p is None or not manages(p.registration.event.competition, current_user):
        abort(404)
    return f
