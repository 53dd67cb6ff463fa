"""Absent and disqualified entries (缺考 / 取消成绩): the chief judge marks, a supervisor confirms."""
from __future__ import annotations

from sqlalchemy import select, update

from .. import cache
from ..audit.operations import record
from ..competitions.models import Event
from ..domain.errors import N_, Collector, Forbidden
from ..domain.scoring import plain
from ..extensions import db
from ..models_base import utcnow
from ..registration.models import ATTENDANCE_MARKS, Registration
from .errors import JudgingStateError, require_not_locked
from .models import Sheet


def _attendance_state(reg: Registration) -> dict:
    return {"attendance": reg.attendance, "reason": reg.attendance_reason,
            "confirmed": reg.attendance_confirmed_at is not None}


def _require_attendance_window(event: Event, reg: Registration) -> None:
    if reg.event_id != event.id or reg.status != "approved" or not reg.code:
        raise JudgingStateError(N_("Only drawn entries of this event are marked."))
    require_not_locked(event)
    if event.competition.status != "judging" and event.reopened_at is None:
        raise JudgingStateError(N_("Entries are marked absent or disqualified while the event is judged."))


def mark_attendance(event: Event, reg: Registration, status, reason, actor) -> Registration:
    """The chief judge marks an entry absent (缺考; reason optional) or disqualified (取消成绩;
    reason required, counts once a supervisor confirms), or clears the mark, before the lock.
    Marked entries are not ranked and their draft sheets do not block the lock; the sheets are
    kept as they are (drafts), and every value typed on them is copied into the audit entry."""
    status = status if status not in ("", None, "none") else None
    reason = (str(reason).strip()[:1000] if reason is not None else "") or None
    errors = Collector()
    if status is not None and status not in ATTENDANCE_MARKS:
        errors.add("status", N_("The mark is absent or disqualified, or empty to clear it."))
    if status == "disqualified" and not reason:
        errors.add("reason", N_("A disqualification needs a reason."))
    errors.raise_if_any()
    _require_attendance_window(event, reg)
    if status == reg.attendance and (status is None or reason == reg.attendance_reason):
        return reg
    before = _attendance_state(reg)
    typed = {}
    for sheet in db.session.scalars(select(Sheet).where(Sheet.registration_id == reg.id).order_by(Sheet.judge_id)):
        values = {k: plain(v) for k, v in sheet.values().items() if v is not None}
        if values:
            typed[str(sheet.judge_id)] = {"status": sheet.status, "scores": values}
    now = utcnow()
    reg.attendance, reg.attendance_reason = status, reason if status else None
    reg.attendance_marked_by_id, reg.attendance_marked_at = (actor.id, now) if status else (None, None)
    reg.attendance_confirmed_by_id = reg.attendance_confirmed_at = None
    record("registration.attendance", reg, actor=actor, before=before,
           after={**_attendance_state(reg), "sheets": typed}, reason=reason,
           competition_id=reg.competition_id, event_id=reg.event_id)
    cache.invalidate_competition(reg.competition_id)
    return reg


def confirm_disqualification(event: Event, reg: Registration, actor) -> Registration:
    """A supervisor confirms the chief judge's disqualification; from then it counts."""
    if reg.attendance != "disqualified":
        raise JudgingStateError(N_("This entry has no disqualification to confirm."))
    _require_attendance_window(event, reg)
    if reg.attendance_confirmed_at is not None:
        return reg
    if reg.attendance_marked_by_id == actor.id:
        raise Forbidden(N_("A disqualification is confirmed by someone other than the person who marked it."))
    now = utcnow()
    done = db.session.execute(
        update(Registration).where(Registration.id == reg.id, Registration.attendance == "disqualified",
                                   Registration.attendance_confirmed_at.is_(None))
        .values(attendance_confirmed_by_id=actor.id, attendance_confirmed_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(reg)
    if done.rowcount == 1:
        record("registration.attendance_confirm", reg, actor=actor, before={"confirmed": False},
               after={"attendance": "disqualified", "confirmed": True}, reason=reg.attendance_reason,
               competition_id=reg.competition_id, event_id=reg.event_id)
        cache.invalidate_competition(reg.competition_id)
    return reg
