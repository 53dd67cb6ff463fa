"""The competition life cycle (DESIGN.md §4) as data and a pure transition check.

Preconditions that depend on stored data (every event drawn, locked, ranked …) are supplied
by the caller as a list of unmet requirements; this module only knows the graph.
"""
from __future__ import annotations

from .errors import N_, InvalidTransition

STATUSES = {
    "draft": N_("Draft"),
    "registration_open": N_("Registration open"),
    "registration_closed": N_("Registration closed"),
    "judging": N_("Judging"),
    "publicity": N_("Publicity"),
    "final": N_("Final"),
    "archived": N_("Archived"),
}

# Allowed moves. Going back is allowed only where nothing irreversible has happened yet:
# reopening registration (e.g. to extend the window) before the draw.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("registration_open",),
    "registration_open": ("registration_closed",),
    "registration_closed": ("registration_open", "judging"),
    "judging": ("publicity",),
    "publicity": ("final",),
    "final": ("archived",),
    "archived": (),
}


def allowed_targets(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def check_transition(current: str, target: str, unmet: list[str] | None = None) -> None:
    """Raise InvalidTransition if the move is not in the graph or a precondition is unmet."""
    if target not in STATUSES:
        raise InvalidTransition(N_("Unknown status %(status)s."), status=target)
    if target not in allowed_targets(current):
        raise InvalidTransition(N_("A competition cannot move from %(current)s to %(target)s."),
                                current=current, target=target)
    if unmet:
        raise InvalidTransition(N_("Cannot move to %(target)s yet: %(missing)s"),
                                target=target, missing="; ".join(unmet))
