"""The chief judge's sign-off (锁定) and the two-person decryption (解密) of codes to names."""
from __future__ import annotations

from sqlalchemy import select, update

from .. import signals
from ..audit.operations import record
from ..competitions.models import Event
from ..domain.errors import N_
from ..extensions import db
from ..models_base import utcnow
from ..registration.models import Registration, ranked_clause
from .errors import (InsufficientJudges, JudgingStateError, MissingWork, PendingDisqualification, SealMismatch,
                     TrimmedMeanShort)
from .models import Draw, Sheet
from .queries import is_drawn, lock_problems, missing_work, verify_seal


def lock_event(event: Event, actor) -> Event:
    """The chief judge signs the event off when every required sheet and imported score is in."""
    if not is_drawn(event):
        raise JudgingStateError(N_("Draw the contestant codes first."))
    reopened = event.reopened_at is not None and event.competition.status in ("publicity", "final")
    if event.competition.status != "judging" and not reopened:
        raise JudgingStateError(N_("Events are locked while the competition is in judging."))
    problems = lock_problems(event)
    for kind, error, message in (
            ("pending_disqualification", PendingDisqualification,
             N_("The event cannot be locked: the disqualification of %(codes)s awaits the supervisor's confirmation.")),
            ("coverage", InsufficientJudges,
             N_("The event cannot be locked: %(codes)s have fewer judges' sheets than the %(n)d required. "
                "The organizer adds judges to the panel.")),
            ("trimmed_mean", TrimmedMeanShort,
             N_("The event cannot be locked: the trimmed mean needs 5 judges' sheets and %(codes)s have fewer "
                "(the event refuses the plain mean). The organizer adds judges to the panel."))):
        codes = [p["code"] for p in problems if p["kind"] == kind]
        if codes:
            raise error(message, codes, codes="、".join(c or "—" for c in codes), n=event.scheme.get("min_judges", 1))
    missing = missing_work(event)
    if missing:
        raise MissingWork(N_("The event cannot be locked: %(n)d sheets or scores are missing."), missing, n=len(missing))
    now = utcnow()
    result = db.session.execute(update(Event).where(Event.id == event.id, Event.locked_at.is_(None))
                                .values(locked_at=now, locked_by_id=actor.id).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise JudgingStateError(N_("The event is locked already."))
    event.locked_at, event.locked_by_id = now, actor.id
    # Sheets of entries marked absent or disqualified are not locked: they stay as they were.
    # "fetch": the UPDATE answers the ids it changed and only the sheets this session has loaded
    # are brought up to date (before: every sheet of the event loaded and refreshed one by one —
    # 50,000 queries for a 10,000-entry event with 5 judges).
    db.session.execute(update(Sheet).where(Sheet.event_id == event.id, Sheet.registration_id.in_(
        select(Registration.id).where(Registration.event_id == event.id, ranked_clause())))
        .values(status="locked").execution_options(synchronize_session="fetch"))
    record("event.lock", event, actor=actor, after={"locked_at": now}, competition_id=event.competition_id,
           event_id=event.id)
    if event.reopened_at is not None:
        signals.event_relocked.send(event, actor)  # results recompute (app/wiring.py)
    return event


DECRYPT_ROLES = ("chief_judge", "supervisor")


def decrypt(event: Event, actor, role: str) -> str:
    """Two-person decryption (解密) after lock: the event's chief judge and a supervisor of the
    competition, either first. The first records a request; the other person, in the other role,
    confirms; only then are names revealed. At confirmation the seal of the draw is recomputed and
    must match (else SealMismatch, audited). Repeats by the same person change nothing and are not
    audited again; conditional UPDATEs make simultaneous calls record one row each step.
    The caller has checked that `actor` holds `role` for this event. Returns "requested" or
    "decrypted"."""
    if role not in DECRYPT_ROLES:
        raise ValueError(role)
    if event.locked_at is None:
        raise JudgingStateError(N_("Names are revealed only after the event is locked."))
    if event.decrypted_at is not None:
        return "decrypted"
    now = utcnow()
    claimed = db.session.execute(
        update(Event).where(Event.id == event.id, Event.decrypt_requested_by_id.is_(None),
                            Event.decrypted_at.is_(None), Event.locked_at.is_not(None))
        .values(decrypt_requested_by_id=actor.id, decrypt_requested_at=now, decrypt_requested_role=role)
        .execution_options(synchronize_session=False))
    if claimed.rowcount == 1:
        db.session.refresh(event)
        record("event.decrypt_request", event, actor=actor, after={"role": role, "requested_at": now},
               competition_id=event.competition_id, event_id=event.id)
        return "requested"
    db.session.refresh(event)
    if event.decrypted_at is not None:
        return "decrypted"
    if event.decrypt_requested_by_id == actor.id or event.decrypt_requested_role == role:
        # The same person again, or a second person in the same role: the other role must confirm.
        return "requested"
    holds, expected, found = verify_seal(event)
    if not holds:
        record("event.decrypt_refused", event, actor=actor, reason="seal_mismatch",
               after={"role": role, "seal_hash": expected, "recomputed": found},
               competition_id=event.competition_id, event_id=event.id)
        raise SealMismatch()
    done = db.session.execute(
        update(Event).where(Event.id == event.id, Event.decrypted_at.is_(None),
                            Event.decrypt_requested_by_id == event.decrypt_requested_by_id)
        .values(decrypted_at=now, decrypted_by_id=actor.id).execution_options(synchronize_session=False))
    if done.rowcount == 1:
        db.session.refresh(event)
        draw = db.session.scalar(select(Draw).where(Draw.event_id == event.id, Draw.kind == "codes"))
        # From now on the audit holds what reproduces the map: the seeds and the seal's salt.
        record("event.decrypt", event, actor=actor, competition_id=event.competition_id, event_id=event.id,
               after={"decrypted_at": now, "requested_by_id": event.decrypt_requested_by_id,
                      "requested_role": event.decrypt_requested_role, "confirmed_by_id": actor.id,
                      "confirmed_role": role, "seal_hash": draw.seal_hash if draw else None, "seal_verified": True,
                      "seed": draw.seed if draw else None, "ticket_seed": draw.ticket_seed if draw else None,
                      "seal_salt": draw.seal_salt if draw else None})
    else:
        db.session.refresh(event)
    return "decrypted"
