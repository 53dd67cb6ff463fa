"""Results: computing ranks and awards from stored scores, snapshots at publicity, the chief
judge's tie resolutions, appeals and their effect, and the move to final."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select, update

from .. import cache, signals
from ..audit.operations import record
from ..competitions.models import Competition, Event
from ..competitions.operations import publicity_ends_at
from ..domain import awards as award_rules
from ..domain.errors import N_, Collector, DomainError, Forbidden
from ..domain.ranking import Entry, rank
from ..domain.scoring import round_half_up
from ..domain.tiebreak import Chain
from ..extensions import db
from ..judging.models import Sheet
from ..models_base import utcnow
from ..registration.models import Registration
from ..registration.queries import WITH_NAMES
from .compute import event_breakdowns, gc_paused, mean_fallback_entries
from .models import Appeal, FinalCorrection, Result, TieResolution


class ResultsStateError(DomainError):
    code = "wrong_state"


def _resolutions(event: Event) -> dict[frozenset, list[int]]:
    rows = db.session.scalars(select(TieResolution).where(TieResolution.event_id == event.id)
                              .order_by(TieResolution.id))
    return {frozenset(r.registration_ids): list(r.order) for r in rows}


def compute(event: Event) -> list[dict]:
    """Every ranked entry of the event (those with complete scores), best first: components and
    total rounded half up to 2 places, rank (tie-break chain), award and standardized score."""
    with gc_paused():
        return _compute(event)


def _compute(event: Event) -> list[dict]:
    chain = Chain.of(event.tiebreak)
    breakdowns = {rid: b for rid, b in event_breakdowns(event, chain.criteria).items() if b is not None}
    regs = {rid: (code, time_used) for rid, code, time_used in db.session.execute(
        select(Registration.id, Registration.code, Registration.time_used).where(Registration.event_id == event.id))}
    entries = []
    shown: dict[int, dict[str, Decimal]] = {}  # rounded component scores, for the chain and the table
    for rid, b in breakdowns.items():
        components = shown[rid] = {k: round_half_up(v) for k, v in b.components.items()}
        values = chain.values(components, lambda key, b=b: round_half_up(b.criteria[key]), regs[rid][1])
        entries.append(Entry(rid, round_half_up(b.total), values))
    ranked = rank(entries, chain.directions, event.no_shared_ranks, _resolutions(event))
    triples = [(r.id, r.rank, r.total) for r in ranked]
    settings = event.awards or {}
    if settings.get("preset") == "medals":
        given = award_rules.medals(triples)
    else:
        shares = [Decimal(s) for s in settings.get("shares") or ["0.10", "0.20", "0.30"]]
        given = award_rules.prizes(triples, shares, Decimal(settings.get("min_total") or "60"))
    std = award_rules.standardized({r.id: r.total for r in ranked}) if settings.get("standardized") else {}
    fallback = mean_fallback_entries(event)
    out = []
    for r in sorted(ranked, key=lambda r: (r.rank, regs[r.id][0] or "")):
        out.append({"registration_id": r.id, "code": regs[r.id][0], "rank": r.rank, "total": r.total,
                    "components": {k: str(v) for k, v in shown[r.id].items()},
                    "award": given.get(r.id), "standardized": std.get(r.id),
                    "tie_group": list(r.tie_group) if not r.resolved else None,
                    "aggregation_note": "mean_below_5" if r.id in fallback else None})
    return out


def excluded_entries(event: Event) -> list[Registration]:
    """Entries marked absent (缺考) or disqualified (取消成绩, confirmed): listed without rank."""
    return [r for r in db.session.scalars(select(Registration).options(*WITH_NAMES).where(
        Registration.event_id == event.id, Registration.status == "approved",
        Registration.attendance.is_not(None)).order_by(Registration.code, Registration.id)) if r.excluded]


def unresolved(event: Event) -> list[list[int]]:
    return [list(g) for g in {tuple(x["tie_group"]) for x in compute(event) if x["tie_group"]}]


def ids_for_codes(event: Event, codes: list, allow_ids: bool = False) -> list:
    """Judges' codes → registration ids of this event, in order. Anything else becomes None (so
    resolve_tie refuses the order), except registration ids themselves when `allow_ids`."""
    by_code = {code: rid for rid, code in db.session.execute(
        select(Registration.id, Registration.code).where(Registration.event_id == event.id,
                                                         Registration.code.is_not(None)))}
    return [by_code.get(str(c).strip(), c if allow_ids else None) for c in codes]


def resolve_tie(event: Event, order: list, reason: str | None, actor) -> TieResolution:
    """The chief judge orders entries still tied after the chain; the reason is recorded."""
    errors = Collector()
    reason = (reason or "").strip()[:1000]
    if not reason:
        errors.add("reason", N_("Give the reason for this order (e.g. the rule or the re-examination that decided it)."))
    try:
        order = [int(x) for x in order]
    except (TypeError, ValueError):
        order = []
    groups = [set(g) for g in unresolved(event)]
    if set(order) not in groups or len(order) != len(set(order)):
        errors.add("order", N_("List exactly the entries of one unresolved tie, best first."))
    errors.raise_if_any()
    if event.competition.status not in ("judging", "publicity"):
        raise ResultsStateError(N_("Ties are resolved before the results are final."))
    row = TieResolution(event_id=event.id, registration_ids=sorted(order), order=order, reason=reason,
                        created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("results.tie_resolve", row, actor=actor, after={"order": order}, reason=reason,
           competition_id=event.competition_id, event_id=event.id)
    return row


def snapshot(event: Event, actor, reason: str | None = None) -> list[dict]:
    """Store the event's results (replacing the previous snapshot); record what changed."""
    rows = compute(event)
    # Columns, not objects, both ways: an event of 10,000 entries is published in one multi-row
    # INSERT batch instead of 10,000 ORM objects (issue 22: 2.6 → see README).
    old = {rid: (rank_, award, str(total)) for rid, rank_, award, total in db.session.execute(
        select(Result.registration_id, Result.rank, Result.award, Result.total).where(Result.event_id == event.id))}
    db.session.execute(delete(Result).where(Result.event_id == event.id))
    now = utcnow()
    if rows:
        db.session.execute(insert(Result), [
            {"event_id": event.id, "competition_id": event.competition_id, "registration_id": row["registration_id"],
             "total": row["total"], "components": row["components"], "rank": row["rank"], "award": row["award"],
             "standardized": row["standardized"], "is_final": False, "computed_at": now} for row in rows])
    new = {r["registration_id"]: (r["rank"], r["award"], str(r["total"])) for r in rows}
    changed = {rid for rid in set(old) | set(new) if old.get(rid) != new.get(rid)}
    if old and changed:
        record("results.recompute", object_type="events", object_id=event.id, actor=actor, reason=reason,
               before={str(rid): old.get(rid) for rid in sorted(changed)},
               after={str(rid): new.get(rid) for rid in sorted(changed)},
               competition_id=event.competition_id, event_id=event.id)
    cache.invalidate_competition(event.competition_id)
    return rows


def stored(event: Event) -> list[Result]:
    return list(db.session.scalars(select(Result).where(Result.event_id == event.id)
                                   .order_by(Result.rank, Result.registration_id)))


def verify_snapshot(event: Event) -> bool:
    """Recomputing from the stored scores gives the published answer."""
    published = [(r.registration_id, r.rank, r.award, r.total) for r in stored(event)]
    fresh = [(r["registration_id"], r["rank"], r["award"], r["total"]) for r in compute(event)]
    return sorted(published) == sorted(fresh)


def ties_resolved(comp: Competition) -> list[str]:
    out = []
    for e in comp.events:
        if e.no_shared_ranks and e.locked_at is not None and unresolved(e):
            out.append(_("the chief judge resolves the ties of %(event)s", event=e.name))
    return out


def publish(comp: Competition, actor) -> None:
    for e in comp.events:
        if e.locked_at is not None:
            snapshot(e, actor)
    from .public import public_results
    cache.warm_competition(comp.id, public_results)


def appeals_closed(comp: Competition) -> list[str]:
    out = []
    open_appeals = db.session.scalar(select(Appeal.id).where(Appeal.competition_id == comp.id, Appeal.status == "open"))
    if open_appeals:
        out.append(_("decide every open appeal"))
    for e in comp.events:
        if e.reopened_at is not None:
            out.append(_("re-lock %(event)s after the appeal", event=e.name))
    return out


def freeze(comp: Competition, actor) -> None:
    db.session.execute(update(Result).where(Result.competition_id == comp.id).values(is_final=True)
                       .execution_options(synchronize_session=False))
    record("results.final", comp, actor=actor, competition_id=comp.id,
           after={"results": len(db.session.scalars(select(Result.id).where(Result.competition_id == comp.id)).all())})
    cache.invalidate_competition(comp.id)


# ---- the supervisor's re-check ------------------------------------------------------------------

def draw_recheck(event: Event, seed, top_n, share, actor):
    """The supervisor's re-check of a locked event: the top N of the ranking plus a seeded random
    share of the rest (judging keeps the re-check; results knows the ranking)."""
    from ..judging import operations as judging
    from .compute import totals_ranked
    ranked = [rid for rid, _total in totals_ranked(event)]
    return judging.draw_recheck(event, ranked, seed, top_n, share, actor)


# ---- appeals ----------------------------------------------------------------------------------

def appeal_window(reg: Registration) -> tuple[bool, str | None]:
    """Open (a) for the appeal window's hours after the event ends (scoring disputes) and (b)
    while results are in publicity."""
    event = db.session.get(Event, reg.event_id)
    comp = event.competition
    now = utcnow()
    if event.ends_at is not None and comp.status in ("judging", "publicity") and \
            event.ends_at <= now <= event.ends_at + timedelta(hours=comp.appeal_window_hours):
        return True, "scoring"
    ends = publicity_ends_at(comp)
    if comp.status == "publicity" and ends is not None and now < ends:
        return True, "result"
    return False, None


def can_appeal(reg: Registration, user) -> bool:
    if user.has_role("candidate") and any(m.person.user_id == user.id for m in reg.members):
        return True
    return user.has_role("org_contact") and reg.organization_id is not None and reg.organization_id == user.organization_id


def file_appeal(reg: Registration, reason: str | None, actor) -> Appeal:
    if not can_appeal(reg, actor):
        raise Forbidden(N_("Only the contestant or their organization's contact can appeal."))
    errors = Collector()
    reason = (reason or "").strip()
    if len(reason) < 5:
        errors.add("reason", N_("Describe what you appeal against (at least a sentence)."))
    errors.raise_if_any()
    is_open, _kind = appeal_window(reg)
    if not is_open:
        raise ResultsStateError(N_("The appeal window is closed."))
    if db.session.scalar(select(Appeal.id).where(Appeal.registration_id == reg.id, Appeal.status == "open")):
        raise ResultsStateError(N_("An appeal of this entry is waiting for a decision already."))
    appeal = Appeal(registration_id=reg.id, event_id=reg.event_id, competition_id=reg.competition_id,
                    filed_by_id=actor.id, reason=reason[:4000])
    db.session.add(appeal)
    db.session.flush()
    record("appeal.file", appeal, actor=actor, after={"registration_id": reg.id}, reason=appeal.reason,
           competition_id=reg.competition_id, event_id=reg.event_id)
    return appeal


def decide_appeal(appeal: Appeal, decision: str, note: str | None, actor) -> Appeal:
    """The supervisor decides. Upheld: the entry's sheets reopen for the chief judge's correction
    and the event must be re-locked; the ranks are recomputed then."""
    errors = Collector()
    note = (note or "").strip()
    if decision not in ("upheld", "dismissed"):
        errors.add("decision", N_("The decision must be upheld or dismissed."))
    if not note:
        errors.add("note", N_("Explain the decision; the appellant sees it."))
    errors.raise_if_any()
    if appeal.status != "open":
        raise ResultsStateError(N_("This appeal has been decided already."))
    event = db.session.get(Event, appeal.event_id)
    appeal.status, appeal.decision_note = decision, note[:4000]
    appeal.decided_by_id, appeal.decided_at = actor.id, utcnow()
    if decision == "upheld":
        event.locked_at = None
        event.reopened_at = utcnow()
        db.session.execute(update(Sheet).where(Sheet.event_id == event.id,
                                               Sheet.registration_id == appeal.registration_id,
                                               Sheet.status == "locked")
                           .values(status="submitted").execution_options(synchronize_session=False))
    record("appeal.decide", appeal, actor=actor, before={"status": "open"}, after={"status": decision},
           reason=appeal.decision_note, competition_id=appeal.competition_id, event_id=appeal.event_id)
    return appeal


def after_relock(event: Event, actor) -> None:
    """Called when the chief judge re-locks an event reopened by an upheld appeal (during
    publicity) or by a post-final correction (after final)."""
    event.reopened_at = None
    comp = event.competition
    if comp.status == "publicity":
        snapshot(event, actor, reason=_("re-locked after an upheld appeal"))
    elif comp.status == "final":
        _close_final_correction(event, actor)


# ---- corrections after final ------------------------------------------------------------------

def open_correction(event: Event) -> FinalCorrection | None:
    return db.session.scalar(select(FinalCorrection).where(FinalCorrection.event_id == event.id,
                                                           FinalCorrection.closed_at.is_(None)))


def open_final_correction(event: Event, reason: str | None, actor, appeal_id: int | None = None) -> FinalCorrection:
    """The supervisor reopens a final event after a late appeal is upheld (e.g. an arbitration
    or administrative review decision): its sheets return to the chief judge for correction with
    reasons; re-locking recomputes the ranks, re-runs the entitlements and revokes and reissues
    the certificates that changed."""
    errors = Collector()
    reason = (reason or "").strip()
    if len(reason) < 5:
        errors.add("reason", N_("Cite the decision that orders the correction (at least a sentence)."))
    errors.raise_if_any()
    comp = event.competition
    if comp.status != "final":
        raise ResultsStateError(N_("A correction after final applies to final results; before that, appeals reopen events."))
    if event.locked_at is None or open_correction(event) is not None:
        raise ResultsStateError(N_("A correction of this event is open already."))
    corr = FinalCorrection(event_id=event.id, competition_id=comp.id, appeal_id=appeal_id, reason=reason[:4000],
                           opened_by_id=actor.id)
    db.session.add(corr)
    event.locked_at = None
    event.reopened_at = utcnow()
    db.session.execute(update(Sheet).where(Sheet.event_id == event.id, Sheet.status == "locked")
                       .values(status="submitted").execution_options(synchronize_session=False))
    record("results.final_correction_open", corr, actor=actor, reason=corr.reason, competition_id=comp.id,
           event_id=event.id)
    cache.invalidate_competition(comp.id)
    return corr


def _close_final_correction(event: Event, actor) -> None:
    corr = open_correction(event)
    reason = corr.reason if corr else _("post-final correction")
    snapshot(event, actor, reason=reason)  # the frozen rows may change while the correction is open
    db.session.execute(update(Result).where(Result.event_id == event.id).values(is_final=True)
                       .execution_options(synchronize_session=False))
    comp = event.competition
    # Entitlements re-run, certificates reconciled (app/wiring.py); each returns a summary.
    summaries = signals.event_results_revised.send(event, actor, reason)
    certificates = next((s for s in reversed(summaries) if s is not None), None)
    if corr is not None:
        corr.closed_at = utcnow()
        record("results.final_correction_close", corr, actor=actor, reason=reason, competition_id=comp.id,
               event_id=event.id, after=certificates)
    db.session.flush()
    cache.invalidate_competition(comp.id)
