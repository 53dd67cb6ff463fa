"""Sponsorships belong to their competition: its host's organizers (and admins) record, list and
remove them and download the agreements (app/competitions/access.py decides who manages it)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..competitions.access import manages
from ..extensions import db
from .models import Sponsorship


def managed_sponsorship(sponsorship_id: int) -> Sponsorship:
    row = db.session.get(Sponsorship, sponsorship_id)
    if row is None or not manages(row.competition, current_user):
        abort(404)  # another tenant's record: as if it did not exist
    return row
