"""API for the competition day and after: each entry's time used and attendance (absent,
disqualified, confirmed by a supervisor), and the supervisor's re-check of a sample of entries."""
from __future__ import annotations

from typing import Annotated, Literal

from flask import abort, jsonify
from flask_login import current_user
from pydantic import Field

from .. import timeutil
from ..competitions.access import supervised_event
from ..competitions.models import Event
from ..domain.errors import N_
from ..extensions import db
from ..judging import operations as ops
from ..judging import queries as jq
from ..judging.access import overseen_event, panel_event
from ..judging.models import RecheckItem
from ..judging.queries import recheck_of, sees_code_map
from ..registration.models import ATTENDANCE_MARKS, Registration
from ..results import operations as results
from ..security import roles
from . import bp
from .contract import DateTime, DecimalIn, Int, Model, Out, body, choice, doc
from .util import text_field


class TimeUsedIn(Model):
    time_used: Int | Annotated[str, Field(pattern=r"^\d+(:\d{1,2}){1,2}$")] = Field(
        description="Whole seconds, or a stopwatch reading mm:ss / h:mm:ss.")


class TimeUsedOut(Out):
    registration_id: int | None = None
    code: str | None
    time_used: int | None


class AttendanceIn(Model):
    status: choice(ATTENDANCE_MARKS) | None = Field(description="absent or disqualified; null clears the mark.")
    reason: str | None = Field(None, max_length=1000)


class AttendanceOut(Out):
    code: str | None
    attendance: choice(ATTENDANCE_MARKS) | None
    reason: str | None
    marked_at: DateTime | None
    confirmed: bool
    confirmed_at: DateTime | None
    excluded: bool


class RecheckIn(Model):
    seed: str | None = Field(None, max_length=200)
    top_n: Int | None = Field(None, ge=0, le=1000, description="The top entries always re-checked (default 10).")
    share: DecimalIn | None = Field(None, description="The share of the rest drawn (default 0.15).")


class RecheckItemOut(Out):
    id: int | None = None
    registration_id: int | None = None
    code: str | None
    reason: str | None
    status: Literal["pending", "checked", "wrong"]
    note: str | None


class RecheckOut(Out):
    seed: str | None = None
    top_n: int
    share: str
    full_required: bool
    error_rate: str | None
    items: list[RecheckItemOut]


class RecheckMarkIn(Model):
    status: Literal["checked", "wrong"]
    note: str | None = Field(None, max_length=1000)


@bp.route("/registrations/<int:registration_id>/time-used", methods=["POST"])
@roles("chief_judge")
@doc(body=TimeUsedIn, ok=TimeUsedOut, errors=(409,), example={"time_used": "1:25:30"})
def time_used(registration_id: int):
    """The chief judge records a registration's time used. By registration id only once names are
    revealed (before that it would tell the chief judge which code a registration has: 409); use
    /events/{id}/entries/{code}/time-used."""
    reg = db.get_or_404(Registration, registration_id)
    event, _role = panel_event(reg.event_id, "chief_judge")
    if not sees_code_map(event, current_user):
        raise ops.JudgingStateError(N_("Until the names are decrypted, address the entry by its code "
                                       "(POST /events/{id}/entries/{code}/time-used)."))
    ops.set_time_used(reg, body().get("time_used"), current_user)
    return jsonify({"registration_id": reg.id, "code": reg.code, "time_used": reg.time_used})


def _entry(event: Event, code: str) -> Registration:
    reg = jq.entry_by_code(event, code)
    if reg is None:
        abort(404)
    return reg


@bp.route("/events/<int:event_id>/entries/<code>/time-used", methods=["POST"])
@roles("chief_judge")
@doc(body=TimeUsedIn, ok=TimeUsedOut, errors=(409,), example={"time_used": 5130})
def entry_time_used(event_id: int, code: str):
    """The chief judge records an entry's time used (for the tie-break), by its code."""
    event, _role = panel_event(event_id, "chief_judge")
    reg = _entry(event, code)
    ops.set_time_used(reg, body().get("time_used"), current_user)
    return jsonify({"code": reg.code, "time_used": reg.time_used})


def attendance_json(reg: Registration) -> dict:
    return {"code": reg.code, "attendance": reg.attendance, "reason": reg.attendance_reason,
            "marked_at": timeutil.iso(reg.attendance_marked_at),
            "confirmed": reg.attendance_confirmed_at is not None,
            "confirmed_at": timeutil.iso(reg.attendance_confirmed_at), "excluded": reg.excluded}


@bp.route("/events/<int:event_id>/entries/<code>/attendance", methods=["POST"])
@roles("chief_judge")
@doc(body=AttendanceIn, ok=AttendanceOut, errors=(409,), example={"status": "absent", "reason": "未到场"})
def entry_attendance(event_id: int, code: str):
    """The chief judge marks an entry absent or disqualified ({status, reason}), or clears the
    mark (status null), before the lock."""
    event, _role = panel_event(event_id, "chief_judge")
    reg = _entry(event, code)
    data = body()
    ops.mark_attendance(event, reg, data.get("status"), text_field(data, "reason"), current_user)
    return jsonify(attendance_json(reg))


@bp.route("/events/<int:event_id>/entries/<code>/attendance/confirm", methods=["POST"])
@roles("supervisor", "admin")
@doc(ok=AttendanceOut, errors=(409,))
def entry_attendance_confirm(event_id: int, code: str):
    """A supervisor of the competition confirms a disqualification."""
    event = supervised_event(event_id)
    reg = _entry(event, code)
    ops.confirm_disqualification(event, reg, current_user)
    return jsonify(attendance_json(reg))


def recheck_json(event: Event) -> dict | None:
    recheck = recheck_of(event)
    if recheck is None:
        return None
    rate = jq.error_rate(recheck)
    return {"seed": recheck.seed, "top_n": recheck.top_n, "share": str(recheck.share),
            "full_required": recheck.full_required, "error_rate": None if rate is None else str(rate),
            "items": [{"id": i.id, "registration_id": i.registration_id, "code": i.registration.code,
                       "reason": i.reason, "status": i.status, "note": i.note} for i in recheck.items]}


@bp.route("/events/<int:event_id>/recheck", methods=["POST"])
@roles("supervisor")
@doc(body=RecheckIn, body_optional=True, ok=(201, RecheckOut), errors=(409,),
     example={"seed": "复核-2026", "top_n": 10, "share": "0.15"})
def recheck_draw(event_id: int):
    """The supervisor draws the re-check sample (the top entries and a share of the rest)."""
    event = supervised_event(event_id)
    data = body()
    results.draw_recheck(event, text_field(data, "seed"), data.get("top_n"), data.get("share"), current_user)
    return jsonify(recheck_json(event)), 201


@bp.route("/events/<int:event_id>/recheck", methods=["GET"])
@roles("supervisor", "chief_judge", "organizer", "admin")
@doc(ok=RecheckOut)
def recheck_get(event_id: int):
    """The event's re-check sample and its error rate."""
    event = overseen_event(event_id)
    body = recheck_json(event)
    if body is None:
        abort(404)
    if not sees_code_map(event, current_user):
        body = {**{k: v for k, v in body.items() if k != "seed"},
                "items": [{k: v for k, v in i.items() if k not in ("registration_id", "id")} for i in body["items"]]}
    return jsonify(body)


@bp.route("/recheck-items/<int:item_id>", methods=["POST"])
@roles("supervisor")
@doc(body=RecheckMarkIn, ok=RecheckOut, errors=(409,), example={"status": "checked"})
def recheck_mark(item_id: int):
    """Mark a re-checked entry as checked or wrong."""
    item = db.get_or_404(RecheckItem, item_id)
    event = supervised_event(item.recheck.event_id)
    data = body()
    ops.mark_recheck(item, text_field(data, "status"), text_field(data, "note"), current_user)
    return jsonify(recheck_json(event))
