"""Who may act on a competition: the loaders and object checks both faces (web, API) call.

- `manages(comp, user)`: admins, and organizers of the competition's host organization
  (`Competition.can_manage`; a competition without a host is admins' only).
- `supervises(comp, user)`: admins, and the supervisors assigned to the competition.
Loaders return the object or abort: 404 when it does not exist, 403 when the caller may not act
on it. Fail closed: no host, no organization or no assignment means no access.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from ..extensions import db
from .models import Competition, CompetitionSupervisor, Event


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def manages(comp: Competition | None, user) -> bool:
    return comp is not None and comp.can_manage(user)


def supervises(comp: Competition | None, user) -> bool:
    """An admin, or a supervisor assigned to this competition."""
    if comp is None or not _signed_in(user):
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("supervisor") and db.session.scalar(select(exists().where(
        CompetitionSupervisor.competition_id == comp.id, CompetitionSupervisor.user_id == user.id)))


def may_create_competitions(user) -> bool:
    """Admins; organizers only with an organization (it becomes the host)."""
    return _signed_in(user) and (user.has_role("admin") or (
        user.has_role("organizer") and user.organization_id is not None))


def managed_competitions(user):
    """The competitions this user manages, newest first (a select statement)."""
    stmt = select(Competition).order_by(Competition.id.desc())
    if user.has_role("admin"):
        return stmt
    if not user.has_role("organizer") or user.organization_id is None:
        return stmt.where(False)
    return stmt.where(Competition.host_organization_id == user.organization_id)


def supervised_competitions(user):
    stmt = select(Competition).order_by(Competition.id.desc())
    if user.has_role("admin"):
        return stmt
    return stmt.where(Competition.id.in_(select(CompetitionSupervisor.competition_id).where(
        CompetitionSupervisor.user_id == user.id)))


def supervised_competition_ids(user):
    """A subquery of the ids of the competitions this user supervises (admins: every one)."""
    if user.has_role("admin"):
        return select(Competition.id)
    return select(CompetitionSupervisor.competition_id).where(CompetitionSupervisor.user_id == user.id)


def managed_competition(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    if not manages(comp, current_user):
        abort(403)
    return comp


def managed_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not manages(event.competition, current_user):
        abort(403)
    return event


def supervised_competition(competition_id: int) -> Competition:
    comp = db.get_or_404(Competition, competition_id)
    if not supervises(comp, current_user):
        abort(403)
    return comp


def supervised_event(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not supervises(event.competition, current_user):
        abort(403)
    return event


def supervisors_of(comp: Competition) -> list[CompetitionSupervisor]:
    return list(db.session.scalars(select(CompetitionSupervisor).where(
        CompetitionSupervisor.competition_id == comp.id).order_by(CompetitionSupervisor.id)))
