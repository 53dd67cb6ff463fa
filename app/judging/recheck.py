"""The supervisor's re-check after lock: the top entries plus a random share of the rest; more
than 5 in 100 wrong in the sample makes a full re-check."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from ..audit.operations import record
from ..competitions.models import Event
from ..domain import draw as draws
from ..domain.errors import N_, Collector
from ..extensions import db
from ..models_base import utcnow
from .errors import JudgingStateError
from .models import Recheck, RecheckItem
from .queries import active, error_rate

RECHECK_ERROR_LIMIT = Decimal("0.05")


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def draw_recheck(event: Event, ranked_ids: list[int], seed: str | None, top_n, share, actor) -> Recheck:
    if event.locked_at is None:
        raise JudgingStateError(N_("The re-check is drawn after the event is locked."))
    if db.session.scalar(select(Recheck.id).where(Recheck.event_id == event.id)):
        raise JudgingStateError(N_("The re-check has been drawn already."))
    errors = Collector()
    top_n = _int(top_n if top_n not in (None, "") else 10)
    if top_n is None or not 0 <= top_n <= 1000:
        errors.add("top_n", N_("The number of top entries is a whole number from 0 to 1000."))
    try:
        share = Decimal(str(share if share not in (None, "") else "0.15"))
        if not Decimal(0) <= share <= 1:
            raise ValueError
    except (ValueError, ArithmeticError):
        errors.add("share", N_("The share is a decimal from 0 to 1."))
        share = Decimal("0.15")
    errors.raise_if_any()
    seed = (seed or "").strip()[:64] or draws.new_seed()
    top, rest = draws.recheck_sample(ranked_ids, seed, top_n, share)
    recheck = Recheck(event_id=event.id, seed=seed, top_n=top_n, share=share, created_by_id=actor.id)
    recheck.items = [RecheckItem(registration_id=r, reason="top") for r in top] + [
        RecheckItem(registration_id=r, reason="random") for r in rest]
    db.session.add(recheck)
    db.session.flush()
    record("recheck.draw", recheck, actor=actor, after={"seed": seed, "top_n": top_n, "share": share,
                                                         "top": top, "random": rest},
           competition_id=event.competition_id, event_id=event.id)
    return recheck



def mark_recheck(item: RecheckItem, status: str, note: str | None, actor) -> RecheckItem:
    if status not in ("checked", "wrong"):
        errors = Collector()
        errors.add("status", N_("Mark the entry as checked or wrong."))
        errors.raise_if_any()
    recheck = item.recheck
    event = db.session.get(Event, recheck.event_id)
    if event.competition.status not in ("judging",):
        raise JudgingStateError(N_("The re-check is done before results are published."))
    before = item.status
    item.status, item.note = status, (note or "").strip()[:1000] or None
    item.checked_by_id, item.checked_at = actor.id, utcnow()
    record("recheck.mark", item, actor=actor, before={"status": before}, after={"status": status},
           reason=item.note, competition_id=event.competition_id, event_id=event.id)
    sampled_done = all(i.status != "pending" for i in recheck.items if i.reason != "full")
    rate = error_rate(recheck)
    if sampled_done and not recheck.full_required and rate is not None and rate > RECHECK_ERROR_LIMIT:
        # More than 5% errors in the sample: every remaining entry must be re-checked too.
        recheck.full_required = True
        done = {i.registration_id for i in recheck.items}
        for reg in active(event):
            if reg.id not in done:
                recheck.items.append(RecheckItem(registration_id=reg.id, reason="full"))
        record("recheck.full", recheck, actor=actor, after={"error_rate": str(rate)},
               competition_id=event.competition_id, event_id=event.id)
    db.session.flush()
    return item
