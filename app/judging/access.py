"""Who may act on an event's judging (both faces call these).

- the panel: a judge works only on their own sheets of the events they sit on, never on an entry
  they are recused from; the chief judge of the event oversees its sheets, locks and decrypts;
- the competition's organizers set the panel, conflicts, draws and imported scores;
- the competition's assigned supervisors re-check, decide appeals and confirm decryption.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..competitions.access import manages, supervises
from ..competitions.models import Event
from ..extensions import db
from .queries import panel_role


def panel_event(event_id: int, *role_names: str) -> tuple[Event, str]:
    """The event and the caller's panel role on it, which must be one of `role_names`."""
    event = db.get_or_404(Event, event_id)
    role = panel_role(event, current_user)
    if role not in role_names:
        abort(403)
    return event, role


def oversees(event: Event, user) -> bool:
    """The event's chief judge, the competition's supervisors and organizers (admins included)."""
    return (panel_role(event, user) == "chief_judge" or supervises(event.competition, user)
            or manages(event.competition, user))


def overseen_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not oversees(event, current_user):
        abort(403)
    return event
