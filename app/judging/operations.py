"""Writes of judging: panels, conflicts and recusal, draws, score sheets and time used. Every
one is audited. The sign-off (lock, decryption), absent and disqualified entries and the re-check
are written in their own modules and named here too, so that callers use `operations.<verb>`."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.operations import record
from ..competitions.models import Event
from .. import signals
from ..domain import draw as draws
from ..domain.errors import N_, Collector, Forbidden
from ..domain.scoring import ScoreError, parse_value, plain
from ..extensions import db
from ..models_base import utcnow
from ..registration.models import Registration
from .errors import (CodesRefused, InsufficientJudges, JudgingStateError, MissingWork,  # noqa: F401
                     PendingDisqualification, SealMismatch, StaleSheet, TrimmedMeanShort, require_not_locked)
from .models import CONFLICT_KINDS, Conflict, Draw, PanelMember, Recheck, RecheckItem, Score, Sheet
from .queries import (any_score, approved, code_prefix, is_drawn, judge_criteria, panel, panel_role, recusals,
                      recheck_unfinished, ticket_prefix)

DRAW_STATES = ("registration_closed", "judging")


# ---- panel and conflicts ----------------------------------------------------------------------

def add_panel_member(event: Event, user, role: str, actor) -> PanelMember:
    errors = Collector()
    if role not in ("judge", "chief_judge"):
        errors.add("role", N_("The role must be judge or chief_judge."))
    elif user is None:
        errors.add("user_id", N_("Unknown user."))
    elif not user.has_role(role):
        errors.add("user_id", N_("This user does not have the role %(role)s."), role=role)
    elif user.organization_id is None:
        errors.add("user_id", N_("A judge must belong to an organization, so that recusal (培考分离) can be checked."))
    elif not actor.has_role("admin") and not _in_jurisdiction(event, user):
        errors.add("user_id", N_("Organizers choose judges from organizations within the competition's jurisdiction; an administrator adds others."))
    errors.raise_if_any()
    if event.competition.status in ("publicity", "final", "archived"):
        raise JudgingStateError(N_("The panel cannot change after results are published."))
    require_not_locked(event)
    if panel_role(event, user) is not None:
        raise JudgingStateError(N_("This user is on the panel already."))
    pm = PanelMember(event_id=event.id, user_id=user.id, role=role)
    db.session.add(pm)
    db.session.flush()
    record("panel.add", pm, actor=actor, after={"user_id": user.id, "role": role},
           competition_id=event.competition_id, event_id=event.id)
    ensure_sheets(event, actor)
    return pm


def _in_jurisdiction(event: Event, user) -> bool:
    from ..domain.tenancy import within
    return user.organization is not None and within(user.organization.jurisdiction, event.competition.jurisdiction)


def remove_panel_member(pm: PanelMember, actor) -> None:
    event = db.session.get(Event, pm.event_id)
    require_not_locked(event)
    submitted = db.session.scalar(select(func.count()).select_from(Sheet).where(
        Sheet.event_id == event.id, Sheet.judge_id == pm.user_id, Sheet.status != "draft"))
    if submitted:
        raise JudgingStateError(N_("This judge has submitted sheets and cannot leave the panel."))
    record("panel.remove", pm, actor=actor, before={"user_id": pm.user_id, "role": pm.role},
           competition_id=event.competition_id, event_id=event.id)
    db.session.execute(delete(Sheet).where(Sheet.event_id == event.id, Sheet.judge_id == pm.user_id))
    db.session.delete(pm)
    db.session.flush()


def declare_conflict(event: Event, data: dict, actor) -> Conflict:
    from ..accounts.models import User

    errors = Collector()
    user = db.session.get(User, _int(data.get("user_id")) or 0)
    reg = db.session.get(Registration, _int(data.get("registration_id")) or 0)
    if user is None or panel_role(event, user) != "judge":
        errors.add("user_id", N_("Choose a judge of this event's panel."))
    if reg is None or reg.event_id != event.id:
        errors.add("registration_id", N_("Choose an entry of this event."))
    if data.get("kind") not in CONFLICT_KINDS:
        errors.add("kind", N_("The kind must be same organization, trainer or coach, relative, or other."))
    note = str(data.get("note") or "").strip()[:1000] or None
    errors.raise_if_any()
    require_not_locked(event)
    if db.session.scalar(select(Conflict.id).where(Conflict.event_id == event.id, Conflict.user_id == user.id,
                                                   Conflict.registration_id == reg.id)):
        raise JudgingStateError(N_("This conflict is declared already."))
    conflict = Conflict(event_id=event.id, user_id=user.id, registration_id=reg.id, kind=data["kind"], note=note,
                        created_by_id=actor.id)
    db.session.add(conflict)
    db.session.flush()
    record("conflict.declare", conflict, actor=actor, reason=note,
           after={"user_id": user.id, "registration_id": reg.id, "kind": conflict.kind},
           competition_id=event.competition_id, event_id=event.id)
    ensure_sheets(event, actor)
    return conflict


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---- draws and sheets -------------------------------------------------------------------------

def draw_codes(event: Event, seed: str | None, actor) -> int:
    """Give every approved entry an anonymous code by a seeded draw; the same seed and entries
    give the same codes. A redraw is possible until the first score is entered."""
    comp = event.competition
    if comp.status not in DRAW_STATES:
        raise JudgingStateError(N_("The draw takes place after registration closes and before results."))
    require_not_locked(event)
    if any_score(event):
        raise JudgingStateError(N_("Scores have been entered: the codes cannot be drawn again."))
    seed = (seed or "").strip()[:64] or draws.new_seed()
    regs = approved(event)
    if not regs:
        raise JudgingStateError(N_("There are no approved entries to draw."))
    prefix = code_prefix(event)
    ids = [r.id for r in regs]
    codes = draws.draw_codes(ids, seed, prefix)
    # Two-layer encryption: the ticket numbers are a second draw with its own seed, so that the
    # number a contestant carries says nothing about the code the judges see.
    ticket_seed = draws.new_seed() if event.two_layer else None
    tickets = draws.draw_tickets(ids, ticket_seed, ticket_prefix(event)) if ticket_seed else {}
    # Clear first so that the unique (event, code) index never sees two rows with one code.
    db.session.execute(update(Registration).where(Registration.event_id == event.id)
                       .values(code=None, ticket_number=None, station=None)
                       .execution_options(synchronize_session="fetch"))
    db.session.flush()
    for reg in regs:
        reg.code, reg.ticket_number = codes[reg.id], tickets.get(reg.id)
    salt = draws.new_salt()
    seal = draws.seal_hash(salt, seed, ticket_seed, {rid: (codes[rid], tickets.get(rid)) for rid in ids})
    existing = db.session.scalar(select(Draw).where(Draw.event_id == event.id, Draw.kind == "codes"))
    before = {"seal_hash": existing.seal_hash} if existing else None
    db.session.execute(delete(Draw).where(Draw.event_id == event.id))
    row = Draw(event_id=event.id, kind="codes", seed=seed, ticket_seed=ticket_seed, seal_salt=salt,
               seal_hash=seal, drawn=len(regs), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    # The audit carries only the commitment: the seed and the map stay sealed until decryption.
    record("draw.codes", row, actor=actor, before=before,
           after={"drawn": len(regs), "two_layer": bool(ticket_seed), "seal_hash": seal},
           competition_id=comp.id, event_id=event.id)
    ensure_sheets(event, actor)
    return len(regs)



def draw_stations(event: Event, seed: str | None, actor) -> int:
    if not is_drawn(event):
        raise JudgingStateError(N_("Draw the contestant codes first."))
    require_not_locked(event)
    seed = (seed or "").strip()[:64] or draws.new_seed()
    regs = [r for r in approved(event) if r.code]
    stations = draws.draw_stations([r.code for r in regs], seed)
    for reg in regs:
        reg.station = stations[reg.code]
    db.session.execute(delete(Draw).where(Draw.event_id == event.id, Draw.kind == "stations"))
    row = Draw(event_id=event.id, kind="stations", seed=seed, drawn=len(regs), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("draw.stations", row, actor=actor, after={"seed": seed, "drawn": len(regs)},
           competition_id=event.competition_id, event_id=event.id)
    return len(regs)


def ensure_sheets(event: Event, actor=None) -> None:
    """One draft sheet per (panel judge, drawn entry) the judge is not recused from; sheets that
    recusal or a panel change made void are removed (their values kept in the audit log)."""
    if not is_drawn(event) or event.locked_at is not None:
        return
    judges = [pm.user_id for pm in panel(event, "judge")]
    regs = [r for r in approved(event) if r.code]
    rec = recusals(event)
    wanted = {(j, r.id) for j in judges for r in regs if (j, r.id) not in rec}
    keys = [c["key"] for c in judge_criteria(event)]
    existing = {(s.judge_id, s.registration_id): s for s in db.session.scalars(
        select(Sheet).where(Sheet.event_id == event.id))}
    for key, sheet in existing.items():
        if key not in wanted:
            values = {k: plain(v) for k, v in sheet.values().items() if v is not None}
            if values or sheet.status != "draft":
                record("sheet.void", sheet, actor=actor, before={"status": sheet.status, "scores": values},
                       reason=rec.get(key), competition_id=event.competition_id, event_id=event.id)
            db.session.delete(sheet)
    # Created in code order, so that sheet ids (which the panel sees) say nothing of the order
    # of registration ids. Rows, not objects: a 10,000-entry event with 5 judges is 50,000 sheets
    # and 100,000 empty scores, written in multi-row INSERT batches (the ORM's unit of work took
    # minutes over them).
    code_of = {r.id: r.code for r in regs}
    new = sorted(wanted - set(existing), key=lambda k: (k[0], code_of[k[1]]))
    db.session.flush()
    if new:
        now = utcnow()
        sheet_ids = db.session.scalars(insert(Sheet).returning(Sheet.id, sort_by_parameter_order=True), [
            {"event_id": event.id, "registration_id": rid, "judge_id": judge_id, "status": "draft", "version": 1,
             "updated_at": now} for judge_id, rid in new]).all()
        if keys:
            db.session.execute(insert(Score), [{"sheet_id": sid, "criterion_key": k, "value": None}
                                               for sid in sheet_ids for k in keys])


def _validate_scores(event: Event, scores, errors: Collector) -> dict[str, Decimal | None]:
    if not isinstance(scores, dict):
        errors.add("scores", N_("Send the scores as an object of criterion key → value."))
        return {}
    criteria = {c["key"]: c for c in judge_criteria(event)}
    out = {}
    for key, raw in scores.items():
        crit = criteria.get(key)
        if crit is None:
            errors.add(f"scores.{key}", N_("This event has no criterion %(key)s scored by judges."), key=key)
            continue
        try:
            out[key] = parse_value(crit, raw)
        except ScoreError as exc:
            errors.add(f"scores.{key}", exc.message, **exc.params)
    return out


def _bump(sheet: Sheet, version, yours: dict | None = None) -> None:
    """Explicit optimistic lock: the client's version must be the stored one; the conditional
    UPDATE also serializes two racing saves of one sheet (exactly one wins). A stale version is
    refused with the stored sheet and the values sent (`yours`), side by side."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        errors = Collector()
        errors.add("version", N_("Send the version of the sheet you loaded."))
        errors.raise_if_any()
    if version != sheet.version:
        raise _stale(sheet, yours)
    now = utcnow()
    result = db.session.execute(update(Sheet).where(Sheet.id == sheet.id, Sheet.version == version)
                                .values(version=Sheet.version + 1, updated_at=now)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(sheet)
        raise _stale(sheet, yours)
    # What the UPDATE stored, without a second UPDATE at the next flush.
    set_committed_value(sheet, "version", version + 1)
    set_committed_value(sheet, "updated_at", now)


def _stale(sheet: Sheet, yours: dict | None) -> StaleSheet:
    server = {"status": sheet.status, "version": sheet.version,
              "scores": {s.criterion_key: plain(s.value) for s in sheet.scores}}
    return StaleSheet(server=server, yours={k: plain(v) for k, v in (yours or {}).items()})


def _apply(sheet: Sheet, values: dict[str, Decimal | None]) -> tuple[dict, dict]:
    by_key = {s.criterion_key: s for s in sheet.scores}
    before, after = {}, {}
    for key, value in values.items():
        row = by_key.get(key)
        if row is None:
            row = Score(criterion_key=key, value=None)
            sheet.scores.append(row)
        if row.value != value:
            before[key], after[key] = plain(row.value), plain(value)
            row.value = value
    return before, after


def save_sheet(sheet: Sheet, scores, version, actor) -> Sheet:
    """A judge saves a draft of their own sheet."""
    event = db.session.get(Event, sheet.event_id)
    if sheet.judge_id != actor.id:
        raise Forbidden(N_("This is not your sheet."))
    errors = Collector()
    values = _validate_scores(event, scores, errors)
    errors.raise_if_any()
    if sheet.status == "locked" or event.locked_at is not None:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))
    if sheet.status == "submitted":
        raise JudgingStateError(N_("This sheet is submitted; only the chief judge can correct it, with a reason."))
    _bump(sheet, version, yours=values)
    before, after = _apply(sheet, values)
    record("sheet.save", sheet, actor=actor, before=before, after=after,
           competition_id=event.competition_id, event_id=event.id)
    return sheet


def submit_sheet(sheet: Sheet, version, actor) -> Sheet:
    event = db.session.get(Event, sheet.event_id)
    if sheet.judge_id != actor.id:
        raise Forbidden(N_("This is not your sheet."))
    if sheet.status != "draft":
        raise JudgingStateError(N_("This sheet is submitted already."))
    values = sheet.values()
    errors = Collector()
    for crit in judge_criteria(event):
        if values.get(crit["key"]) is None:
            errors.add(f"scores.{crit['key']}", N_("Enter a score for %(name)s before submitting."), name=crit["name"])
    errors.raise_if_any()
    _bump(sheet, version)
    sheet.status = "submitted"
    sheet.submitted_at = utcnow()
    record("sheet.submit", sheet, actor=actor, before={"status": "draft"}, after={"status": "submitted"},
           competition_id=event.competition_id, event_id=event.id)
    return sheet


def correct_sheet(sheet: Sheet, scores, version, reason: str | None, actor) -> Sheet:
    """The chief judge corrects a submitted sheet; the reason is required and audited."""
    event = db.session.get(Event, sheet.event_id)
    errors = Collector()
    values = _validate_scores(event, scores, errors)
    reason = (reason or "").strip()[:1000]
    if not reason:
        errors.add("reason", N_("A correction needs a reason."))
    errors.raise_if_any()
    recheck_fix = event.locked_at is not None and _marked_wrong(event, sheet.registration_id)
    if (sheet.status == "locked" or event.locked_at is not None) and not recheck_fix:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))
    if sheet.status == "draft":
        raise JudgingStateError(N_("This sheet is not submitted yet; the judge can still change it."))
    _bump(sheet, version, yours=values)
    before, after = _apply(sheet, values)
    record("sheet.correct" if not recheck_fix else "sheet.recheck_correct", sheet, actor=actor, before=before,
           after=after, reason=reason, competition_id=event.competition_id, event_id=event.id)
    return sheet



def _marked_wrong(event: Event, registration_id: int) -> bool:
    return db.session.scalar(select(RecheckItem.id).join(Recheck).where(
        Recheck.event_id == event.id, RecheckItem.registration_id == registration_id,
        RecheckItem.status == "wrong")) is not None



# ---- imported scores ------------------------------------------------------------------------

def _seconds(value):
    """Seconds as a number, or a stopwatch reading "mm:ss" / "h:mm:ss" (as timekeepers write it)."""
    if isinstance(value, str) and ":" in value:
        parts = value.strip().split(":")
        if len(parts) in (2, 3) and all(p.isdigit() for p in parts) and all(int(p) < 60 for p in parts[1:]):
            total = 0
            for p in parts:
                total = total * 60 + int(p)
            return total
        return None
    return _int(value)


def set_time_used(reg: Registration, seconds, actor) -> Registration:
    event = db.session.get(Event, reg.event_id)
    require_not_locked(event)
    value = _seconds(seconds)
    if value is None or value < 0 or value > 7 * 24 * 3600:
        errors = Collector()
        errors.add("time_used", N_("Give the time used in whole seconds."))
        errors.raise_if_any()
    before = reg.time_used
    reg.time_used = value
    record("registration.time_used", reg, actor=actor, before={"time_used": before}, after={"time_used": value},
           competition_id=reg.competition_id, event_id=reg.event_id)
    return reg



def every_event_drawn(comp) -> list[str]:
    from flask_babel import gettext as _
    # Events without approved entries have nobody to draw and are left out.
    return [_("draw the codes of %(event)s", event=e.name) for e in comp.events if approved(e) and not is_drawn(e)]


def every_event_locked(comp) -> list[str]:
    from flask_babel import gettext as _
    out = []
    for e in comp.events:
        if e.locked_at is None and approved(e):
            out.append(_("lock %(event)s", event=e.name))
        elif recheck_unfinished(e):
            out.append(_("finish the re-check of %(event)s", event=e.name))
    return out


# The other writes, named here for callers (they import nothing from this module).
from .attendance import confirm_disqualification, mark_attendance  # noqa: E402,F401
from .recheck import RECHECK_ERROR_LIMIT, draw_recheck, mark_recheck  # noqa: E402,F401
from .signoff import DECRYPT_ROLES, decrypt, lock_event  # noqa: E402,F401
