"""Awards from ranks (DESIGN.md §5).

prizes — first/second/third by shares of the ranked entries: each tier's count is its share ×
ranked entries rounded half up (12 ranked, 10/20/30% → 1, 2, 4), at least one first prize. Tiers
are filled in rank order: an entry's tier is that of the position its rank starts at, so entries
tied across a boundary all get the better award. An entry below the minimum total (equal
qualifies) gets nothing and its place is not passed on.

medals — gold, silver, bronze to ranks 1, 2, 3 (ties share the medal; the next rank skips, as
in WorldSkills), merit (优胜奖) to the rest of the top half (rank ≤ ranked ÷ 2). Minimum field
sizes: 3 or fewer ranked → no medals; fewer than 5 → gold only; fewer than 6 → no bronze.

standardized — WorldSkills-style score: 700 at the median, 100 points per standard deviation.
"""
from __future__ import annotations

import statistics
from decimal import ROUND_HALF_UP, Decimal

FIRST, SECOND, THIRD = "first", "second", "third"
GOLD, SILVER, BRONZE, MERIT = "gold", "silver", "bronze", "merit"
AWARDS = (FIRST, SECOND, THIRD, GOLD, SILVER, BRONZE, MERIT)


def tier_counts(n: int, shares: list[Decimal]) -> list[int]:
    counts = [int((Decimal(n) * s).quantize(Decimal(1), rounding=ROUND_HALF_UP)) for s in shares]
    if n > 0:
        counts[0] = max(counts[0], 1)
    return counts


def prizes(ranked: list[tuple[int, int, Decimal]], shares: list[Decimal], min_total: Decimal) -> dict[int, str | None]:
    """ranked: (id, rank, total). Returns id → first/second/third/None."""
    n = len(ranked)
    c1, c2, c3 = tier_counts(n, shares)
    bounds = [(c1, FIRST), (c1 + c2, SECOND), (c1 + c2 + c3, THIRD)]
    out: dict[int, str | None] = {}
    for eid, rank, total in ranked:
        position = rank - 1
        award = next((name for limit, name in bounds if position < limit), None)
        out[eid] = award if total >= min_total else None
    return out


def medals(ranked: list[tuple[int, int, Decimal]]) -> dict[int, str | None]:
    n = len(ranked)
    out: dict[int, str | None] = {}
    for eid, rank, _total in ranked:
        award = None
        if n > 3:
            if rank == 1:
                award = GOLD
            elif rank == 2 and n >= 5:
                award = SILVER
            elif rank == 3 and n >= 6:
                award = BRONZE
            elif rank * 2 <= n and n >= 5:
                award = MERIT
        out[eid] = award
    return out


def standardized(totals: dict[int, Decimal]) -> dict[int, int]:
    """Shown beside the total; it never decides a rank or an award."""
    if not totals:
        return {}
    values = list(totals.values())
    median = statistics.median(values)
    mean = sum(values, Decimal(0)) / len(values)
    sd = (sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)).sqrt()
    if sd == 0:
        return {k: 700 for k in totals}
    return {k: int((700 + (v - median) / sd * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for k, v in totals.items()}
