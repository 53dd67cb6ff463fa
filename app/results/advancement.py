"""Advancement (晋级): a published event's results select who enters another event — the final
stage of the same competition, or a higher-level competition (a delegation). Modes: the top N,
every total at or above a threshold, or the top N of each organization or region (quota)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update

from ..audit.operations import record
from ..competitions.models import Event
from ..domain.errors import N_, Collector, DomainError
from ..extensions import db
from ..registration.models import Registration, RegistrationMember
from ..registration.operations import active_person_ids
from .models import Result

MODES = ("top_n", "threshold", "quota")
OPEN_TARGET = ("draft", "registration_open", "registration_closed")


class AdvancementError(DomainError):
    code = "wrong_state"


def parse_rule(data: dict) -> dict:
    errors = Collector()
    mode = data.get("mode")
    out = {"mode": mode}
    if mode not in MODES:
        errors.add("mode", N_("The mode must be top_n, threshold or quota."))
    if mode in ("top_n", "quota"):
        try:
            out["n"] = int(data.get("n"))
            if out["n"] < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors.add("n", N_("Give a whole number of at least 1."))
    if mode == "threshold":
        try:
            out["min_total"] = Decimal(str(data.get("min_total")))
            if not (0 <= out["min_total"] <= 100):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.add("min_total", N_("The minimum total must be between 0 and 100."))
    if mode == "quota":
        out["by"] = data.get("by")
        if out["by"] not in ("organization", "region"):
            errors.add("by", N_("The quota is per organization or per region."))
    errors.raise_if_any()
    return out


def select_advancing(source: Event, rule: dict) -> list[tuple[Registration, Result]]:
    rows = db.session.execute(select(Result, Registration).join(Registration, Registration.id == Result.registration_id)
                              .where(Result.event_id == source.id).order_by(Result.rank, Registration.id)).all()
    if rule["mode"] == "top_n":
        return [(reg, res) for res, reg in rows if res.rank <= rule["n"]]
    if rule["mode"] == "threshold":
        return [(reg, res) for res, reg in rows if res.total >= rule["min_total"]]
    taken: dict[object, int] = defaultdict(int)
    chosen = []
    for res, reg in rows:
        org = reg.organization
        key = (org.id if org else None) if rule["by"] == "organization" else (org.region_code[:4] if org else None)
        if taken[key] < rule["n"]:
            taken[key] += 1
            chosen.append((reg, res))
    return chosen


def advance(source: Event, target: Event, data: dict, actor, dry_run: bool = False) -> dict:
    """Enter the selected contestants (teams whole) into the target event, approved."""
    rule = parse_rule(data)
    if source.competition.status not in ("publicity", "final"):
        raise AdvancementError(N_("Advancement uses published results: the source competition is not in publicity or final."))
    if target.id == source.id or target.competition.status not in OPEN_TARGET:
        raise AdvancementError(N_("The target event must be another event whose competition has not started judging."))
    chosen = select_advancing(source, rule)
    advanced, skipped = [], []
    for reg, res in chosen:
        person_ids = [m.person_id for m in reg.members]
        if active_person_ids([target.id], person_ids):
            skipped.append({"registration_id": reg.id, "reason": "already_registered"})
            continue
        advanced.append({"registration_id": reg.id, "rank": res.rank, "total": str(res.total)})
        if dry_run:
            continue
        new = Registration(event_id=target.id, competition_id=target.competition_id, person_id=reg.person_id,
                           organization_id=reg.organization_id, team_name=reg.team_name, status="approved",
                           source="advancement", submitted_by_id=actor.id, review_reason=None)
        new.members = [RegistrationMember(event_id=target.id, competition_id=target.competition_id,
                                          person_id=m.person_id, position=m.position) for m in reg.members]
        db.session.add(new)
    if not dry_run and advanced:
        db.session.flush()
        # No capacity check: the advancement rule decides the field.
        db.session.execute(update(Event).where(Event.id == target.id)
                           .values(entrant_count=Event.entrant_count + len(advanced))
                           .execution_options(synchronize_session=False))
        record("results.advance", object_type="events", object_id=source.id, actor=actor,
               competition_id=source.competition_id, event_id=source.id,
               after={"target_event_id": target.id, "rule": {k: str(v) for k, v in rule.items()},
                      "advanced": [a["registration_id"] for a in advanced]})
    return {"advanced": advanced, "skipped": skipped, "dry_run": dry_run}
