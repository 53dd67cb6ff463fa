"""Photo evidence per criterion: a judge adds photos of the work to a criterion of their own
sheet (draft or submitted) until the event is locked. Seen by that judge, the event's chief judge and the competition's supervisors (the
appeal review included), never by contestants."""
from __future__ import annotations

import hashlib

from ..audit.operations import record
from ..competitions.access import supervises
from ..competitions.models import Event
from ..domain import photo as rules
from ..domain.errors import N_, Collector, Forbidden
from ..extensions import db
from .errors import JudgingStateError
from .models import SheetPhoto, Sheet
from .queries import judge_criteria, panel_role

PHOTOS_PER_CRITERION = 6


def add_photo(sheet: Sheet, criterion_key, data: bytes, actor) -> SheetPhoto:
    event = db.session.get(Event, sheet.event_id)
    if sheet.judge_id != actor.id:
        raise Forbidden(N_("This is not your sheet."))
    errors = Collector()
    keys = {c["key"] for c in judge_criteria(event)}
    if criterion_key not in keys:
        errors.add("criterion", N_("This event has no criterion %(key)s scored by judges."), key=str(criterion_key)[:32])
    try:
        clean = rules.clean(data)
    except rules.PhotoRefused as exc:
        errors.add("file", exc.message, **exc.params)
    errors.raise_if_any()
    # A photo changes no score: it may follow the submission (a phone on a slow network sends
    # the scores first and the photos after), until the chief judge locks the event.
    if sheet.status == "locked" or event.locked_at is not None:
        raise JudgingStateError(N_("Photos are added until the event is locked."))
    count = db.session.query(SheetPhoto).filter_by(sheet_id=sheet.id, criterion_key=criterion_key).count()
    if count >= PHOTOS_PER_CRITERION:
        raise JudgingStateError(N_("At most %(n)d photos per criterion."), n=PHOTOS_PER_CRITERION)
    photo = SheetPhoto(sheet_id=sheet.id, criterion_key=criterion_key, content_type=clean.content_type,
                       size=len(clean.data), width=clean.width, height=clean.height,
                       sha256=hashlib.sha256(clean.data).hexdigest(), data=clean.data, uploaded_by_id=actor.id)
    db.session.add(photo)
    db.session.flush()
    record("sheet.photo", sheet, actor=actor, after={"criterion": criterion_key, "photo_id": photo.id,
                                                    "sha256": photo.sha256, "size": photo.size},
           competition_id=event.competition_id, event_id=event.id)
    return photo


def can_see(photo: SheetPhoto, user) -> bool:
    sheet = photo.sheet
    event = db.session.get(Event, sheet.event_id)
    return (sheet.judge_id == user.id or panel_role(event, user) == "chief_judge"
            or supervises(event.competition, user))
