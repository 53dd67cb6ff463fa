"""The tie-break chain of an event (DESIGN.md §5): what separates entries with equal totals, link by
link. A link is `component:<key>` (the component's rounded score, higher first), `criterion:<key>`
(the criterion's rounded marks, higher first) or `time_used` (lower first; unknown time counts as
slowest). `parse` validates a chain against the event's scheme; `Chain` reads a stored one and
gives each entry its tie-break values and the directions `ranking.rank` compares them in.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import N_, Collector

TIME_USED = "time_used"
KINDS = ("component", "criterion")


def parse(data, scheme: dict, errors: Collector, path: str = "tiebreak") -> list[str]:
    """The chain as stored (each link stripped), with every problem reported under `path[i]`: a link
    that is not a component, criterion or time_used of this scheme, or a link given twice."""
    if data in (None, ""):
        return []
    if not isinstance(data, list):
        errors.add(path, N_("The tie-break chain must be a list."))
        return []
    components = {c.get("key") for c in scheme.get("components", [])}
    criteria = {k.get("key") for c in scheme.get("components", []) for k in c.get("criteria", [])}
    out: list[str] = []
    for i, item in enumerate(data):
        item = str(item).strip()
        kind, _, key = item.partition(":")
        ok = (item == TIME_USED) or (kind == "component" and key in components) or (
            kind == "criterion" and key in criteria)
        if not ok:
            errors.add(f"{path}[{i}]", N_("%(item)s is not a component, criterion or time_used of this event."), item=item)
        elif item in out:
            errors.add(f"{path}[{i}]", N_("%(item)s appears twice in the tie-break chain."), item=item)
        out.append(item)
    return out


@dataclass(frozen=True)
class Link:
    kind: str   # component | criterion | time_used
    key: str    # the component's or criterion's key ("" for time_used)

    @classmethod
    def of(cls, text: str) -> "Link":
        kind, _, key = str(text).partition(":")
        return cls(kind, key)

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.key}" if self.kind in KINDS else self.kind

    @property
    def direction(self) -> str:
        """"asc" (lower wins, unknown last) for time used, else "desc" (higher wins)."""
        return "asc" if self.kind == TIME_USED and not self.key else "desc"


@dataclass(frozen=True)
class Chain:
    links: tuple[Link, ...] = ()

    @classmethod
    def of(cls, stored: list | None) -> "Chain":
        """A stored chain (validated by `parse` when the event was saved)."""
        return cls(tuple(Link.of(t) for t in stored or ()))

    @property
    def criteria(self) -> set[str]:
        """The criteria whose marks the chain needs beside the components."""
        return {link.key for link in self.links if link.kind == "criterion"}

    @property
    def directions(self) -> tuple[str, ...]:
        return tuple(link.direction for link in self.links)

    def values(self, components: dict, criterion: Callable[[str], object], time_used) -> tuple:
        """One entry's tie-break values in chain order: its rounded component scores (`components`),
        a criterion's rounded marks (`criterion(key)`, asked only for the criteria in the chain)
        and its time used."""
        return tuple(components[link.key] if link.kind == "component"
                     else criterion(link.key) if link.kind == "criterion"
                     else time_used for link in self.links)
