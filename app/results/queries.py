"""Named reads of results shared by the web pages and the API."""
from __future__ import annotations

from ..competitions.models import Event
from . import operations


def event_rows(event: Event) -> tuple[list[dict], str]:
    """Published rows when there are any, else the live (provisional) computation. Ranked
    entries only (absent and disqualified ones: operations.excluded_entries)."""
    from .compute import mean_fallback_entries
    stored = operations.stored(event)
    if stored:
        status = "final" if all(r.is_final for r in stored) else "publicity"
        fallback = mean_fallback_entries(event)
        rows = [{"registration_id": r.registration_id, "code": r.registration.code, "rank": r.rank,
                 "total": r.total, "components": r.components, "award": r.award, "standardized": r.standardized,
                 "tie_group": None, "aggregation_note": "mean_below_5" if r.registration_id in fallback else None}
                for r in stored]
        return rows, status
    return operations.compute(event), "provisional"
