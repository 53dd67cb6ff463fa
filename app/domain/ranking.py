"""Ranking of an event's entries (DESIGN.md §5).

Tie-break rule: entries are ordered by total (higher first); equal totals are separated by the
event's tie-break chain, link by link — a component's score or a criterion's marks (higher
first), then time used (lower first; unknown time counts as slowest). Entries still equal after
the whole chain share a rank, with standard competition ranking (1, 2, 2, 4). Under "no shared
ranks" (national practice) such a tie is unresolved until the chief judge records an order for
exactly those entries; until then it blocks publication.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Entry:
    id: int
    total: Decimal
    chain: tuple = ()  # tie-break values in chain order; see sort_key


@dataclass
class Ranked:
    id: int
    rank: int
    total: Decimal
    tie_group: tuple[int, ...] = field(default_factory=tuple)  # ids still tied after the chain (len > 1)
    resolved: bool = True


def sort_key(entry: Entry, directions: tuple[str, ...]) -> tuple:
    """directions[i] is "desc" (higher wins) or "asc" (lower wins, None last) for chain[i]."""
    key: list = [-entry.total]
    for value, direction in zip(entry.chain, directions):
        if direction == "asc":
            key.append((value is None, value if value is not None else 0))
        else:
            key.append((value is None, -(value if value is not None else 0)))
    return tuple(key)


def rank(entries: list[Entry], directions: tuple[str, ...] = (), no_shared_ranks: bool = False,
         resolutions: dict[frozenset, list[int]] | None = None) -> list[Ranked]:
    resolutions = resolutions or {}
    keys = {e.id: sort_key(e, directions) for e in entries}
    ordered = sorted(entries, key=lambda e: (keys[e.id], e.id))
    out: list[Ranked] = []
    i = 0
    while i < len(ordered):
        j = i
        key = keys[ordered[i].id]
        while j + 1 < len(ordered) and keys[ordered[j + 1].id] == key:
            j += 1
        group = ordered[i:j + 1]
        ids = tuple(sorted(e.id for e in group))
        if len(group) == 1:
            out.append(Ranked(group[0].id, i + 1, group[0].total))
        elif no_shared_ranks and frozenset(ids) in resolutions:
            order = resolutions[frozenset(ids)]
            by_id = {e.id: e for e in group}
            for k, eid in enumerate(order):
                out.append(Ranked(eid, i + 1 + k, by_id[eid].total, ids, True))
        else:
            for e in group:
                out.append(Ranked(e.id, i + 1, e.total, ids, not no_shared_ranks))
        i = j + 1
    return out


def unresolved_ties(ranked: list[Ranked]) -> list[tuple[int, ...]]:
    return sorted({r.tie_group for r in ranked if not r.resolved})
