"""Reads for moving through the day: the judge's next contestant, progress per judge (done /
left), and the photos of a sheet."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..competitions.models import Event
from ..extensions import db
from ..registration.models import Registration
from .models import PanelMember, Sheet, SheetPhoto


def next_code(event: Event, judge_id: int, code: str) -> str | None:
    """The judge's next sheet still in draft after `code` in code order (wrapping round), or None."""
    codes = list(db.session.scalars(select(Registration.code).join(Sheet, Sheet.registration_id == Registration.id)
                                    .where(Sheet.event_id == event.id, Sheet.judge_id == judge_id,
                                           Sheet.status == "draft", Registration.code != code)
                                    .order_by(Registration.code)))
    later = [c for c in codes if c > code]
    return (later or codes or [None])[0]


def progress(event: Event, judge_id: int) -> dict:
    """{done, left, total} of one judge's sheets of the event (done = submitted or locked)."""
    return progress_by_event([event.id], judge_id)[event.id]


def progress_by_event(event_ids: list[int], judge_id: int) -> dict[int, dict]:
    """{event id: {done, left, total}} of one judge's sheets in these events, in one query (the
    judge's task list). Grouped by the status itself: PostgreSQL refuses GROUP BY an expression
    with a bound value (the SELECT's copy is another parameter, so not "the same" expression)."""
    out = {event_id: {"done": 0, "left": 0, "total": 0} for event_id in event_ids}
    if not event_ids:
        return out
    rows = db.session.execute(select(Sheet.event_id, Sheet.status, func.count()).where(
        Sheet.event_id.in_(event_ids), Sheet.judge_id == judge_id).group_by(Sheet.event_id, Sheet.status))
    for event_id, status, n in rows:
        out[event_id]["left" if status == "draft" else "done"] += n
        out[event_id]["total"] += n
    return out


def progress_by_judge(event: Event) -> list[dict]:
    """For the chief judge: each panel judge's name with done / left."""
    counts: dict[int, dict] = defaultdict(lambda: {"done": 0, "left": 0})
    for judge_id, status, n in db.session.execute(select(Sheet.judge_id, Sheet.status, func.count()).where(
            Sheet.event_id == event.id).group_by(Sheet.judge_id, Sheet.status)):
        counts[judge_id]["left" if status == "draft" else "done"] += n
    out = []
    for pm in db.session.scalars(select(PanelMember).options(selectinload(PanelMember.user)).where(
            PanelMember.event_id == event.id, PanelMember.role == "judge").order_by(PanelMember.id)):
        c = counts[pm.user_id]
        out.append({"judge_id": pm.user_id, "name": pm.user.name, "done": c["done"], "left": c["left"]})
    return out


def photos_of(sheet: Sheet) -> dict[str, list[SheetPhoto]]:
    """criterion key → the sheet's photos (without their bytes), oldest first."""
    out: dict[str, list[SheetPhoto]] = defaultdict(list)
    for photo in db.session.scalars(select(SheetPhoto).where(SheetPhoto.sheet_id == sheet.id).order_by(SheetPhoto.id)):
        out[photo.criterion_key].append(photo)
    return dict(out)


def photos_of_registration(registration_id: int) -> list[SheetPhoto]:
    """Every photo taken of one entry's work (for the chief judge, supervisors, the appeal review)."""
    return list(db.session.scalars(select(SheetPhoto).join(Sheet, Sheet.id == SheetPhoto.sheet_id)
                                   .where(Sheet.registration_id == registration_id).order_by(SheetPhoto.id)))


def photos_by_code(event: Event) -> dict[str, list[SheetPhoto]]:
    """code → the photos of that entry's work, for the chief judge and the supervisors."""
    out: dict[str, list[SheetPhoto]] = defaultdict(list)
    for photo, code in db.session.execute(
            select(SheetPhoto, Registration.code).join(Sheet, Sheet.id == SheetPhoto.sheet_id)
            .join(Registration, Registration.id == Sheet.registration_id)
            .where(Sheet.event_id == event.id).order_by(Registration.code, SheetPhoto.id)):
        out[code].append(photo)
    return dict(out)
