"""Totals of an event from its stored scores: judges' sheets (submitted or locked) and imported
scores, aggregated per DESIGN.md §5. Recomputing from the same rows gives the same answer."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from ..competitions.models import Event
from ..domain.scoring import TotalBreakdown, criterion_marks, round_half_up, total_for
from ..extensions import db
from ..judging.models import ImportedScore, Score, Sheet
from ..registration.models import Registration


def event_breakdowns(event: Event) -> dict[int, TotalBreakdown | None]:
    """registration id → its breakdown, or None while any criterion lacks a value."""
    scheme = event.scheme
    method = scheme.get("aggregation", "mean")
    judged: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for rid, key, value in db.session.execute(
            select(Sheet.registration_id, Score.criterion_key, Score.value).join(Score)
            .where(Sheet.event_id == event.id, Sheet.status.in_(("submitted", "locked")), Score.value.is_not(None))):
        judged[(rid, key)].append(value)
    imported = {(rid, key): value for rid, key, value in db.session.execute(
        select(ImportedScore.registration_id, ImportedScore.criterion_key, ImportedScore.value)
        .where(ImportedScore.event_id == event.id))}
    out: dict[int, TotalBreakdown | None] = {}
    regs = db.session.scalars(select(Registration.id).where(Registration.event_id == event.id,
                                                            Registration.status == "approved",
                                                            Registration.code.is_not(None))).all()
    for rid in regs:
        marks: dict[str, Fraction] = {}
        complete = True
        for comp in scheme["components"]:
            for crit in comp["criteria"]:
                if comp.get("entry") == "import":
                    value = imported.get((rid, crit["key"]))
                    if value is None:
                        complete = False
                        break
                    marks[crit["key"]] = Fraction(value)
                else:
                    values = judged.get((rid, crit["key"]))
                    if not values:
                        complete = False
                        break
                    marks[crit["key"]] = criterion_marks(crit, values, method)
        out[rid] = total_for(scheme, marks) if complete else None
    return out


def totals_ranked(event: Event) -> list[tuple[int, Decimal]]:
    """(registration id, total rounded to 2 places), best first; ties by registration id."""
    rows = [(rid, round_half_up(b.total)) for rid, b in event_breakdowns(event).items() if b is not None]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows
