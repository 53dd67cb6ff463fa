"""Cross-area reactions: one small, ordered signal mechanism.

A lower area announces a fact; the areas above it react. Who reacts, and in which order, is
declared in one list (`app/wiring.py`), never inferred from import order, so that following a
move of a competition or a re-lock leads the reader to every reaction.

- `competition_may_enter` (comp, key=target) → lists of unmet requirements (translated text):
  the preconditions of a life-cycle move;
- `competition_entered` (comp, actor, key=target): after the move, in the same transaction
  (publication snapshots, freezing, certificates, entitlements);
- `competition_outlook` (comp, key=target) → (sentence, warnings): what the move will bring, shown
  before it and said after it (e.g. which policy sets grant the entitlements at final);
- `competition_preview` (comp, key=target) → HTML (Markup): what a move will use, shown on the page
  that confirms it (e.g. the certificate settings, issuing body, keys and a specimen at final);
- `event_relocked` (event, actor): the chief judge re-locked an event reopened by an upheld appeal
  or a correction after final;
- `event_results_revised` (event, actor, reason) → summaries: a final event's results were
  recomputed after a correction (entitlements re-run, certificates reconciled).
"""
from __future__ import annotations

from collections.abc import Callable


class Signal:
    def __init__(self, name: str):
        self.name = name
        self._receivers: list[tuple[Callable, str | None]] = []

    def connect(self, receiver: Callable, key: str | None = None) -> None:
        """Add a receiver (for one key only, e.g. one target status, when given); in order."""
        if (receiver, key) not in self._receivers:
            self._receivers.append((receiver, key))

    def receivers(self, key: str | None = None) -> list[Callable]:
        return [fn for fn, k in self._receivers if k is None or k == key]

    def send(self, *args, key: str | None = None, **kwargs) -> list:
        """Call every receiver in order; the list of what each returned."""
        return [fn(*args, **kwargs) for fn in self.receivers(key)]

    def __repr__(self) -> str:
        return f"<Signal {self.name}: {[getattr(fn, '__qualname__', fn) for fn, _k in self._receivers]}>"


competition_may_enter = Signal("competition_may_enter")
competition_entered = Signal("competition_entered")
competition_outlook = Signal("competition_outlook")
competition_preview = Signal("competition_preview")
event_relocked = Signal("event_relocked")
event_results_revised = Signal("event_results_revised")
