"""Who reacts to what, in order: every subscription of the signals in app/signals.py.

Read top to bottom, this is what happens when a competition moves along its life cycle, when an
event is re-locked and when final results are revised. create_app() calls `connect()` once.
"""
from __future__ import annotations

from . import observability, signals


def connect() -> None:
    from .certificates import operations as certificates
    from .certificates import preview as certificates_preview
    from .certificates import printing as certificates_printing
    from .competitions import operations as competitions
    from .jobs import metrics as jobs_metrics
    from .jobs import runner as jobs
    from .judging import operations as judging
    from .results import operations as results
    from .selection import operations as selection

    may, entered = signals.competition_may_enter, signals.competition_entered
    # What a move needs.
    may.connect(competitions.has_events, key="registration_open")
    may.connect(judging.every_event_drawn, key="judging")
    may.connect(judging.every_event_locked, key="publicity")
    may.connect(results.ties_resolved, key="publicity")
    may.connect(competitions.publicity_over, key="final")
    may.connect(results.appeals_closed, key="final")
    # What follows it, in this order.
    entered.connect(results.publish, key="publicity")           # snapshot the ranks, warm the cache
    entered.connect(results.freeze, key="final")                # ranks final and frozen
    entered.connect(certificates.issue_on_final, key="final")  # certificates of the award winners
    entered.connect(selection.issue_on_final, key="final")      # entitlements from the final ranks
    # What a move will bring, said before and after it.
    signals.competition_outlook.connect(selection.final_outlook_texts, key="final")
    signals.competition_preview.connect(certificates_preview.final_preview, key="final")  # settings, keys, specimen
    # A re-locked event: its results are recomputed (and, after final, revised).
    signals.event_relocked.connect(results.after_relock)
    # Final results revised by a correction: entitlements re-run, then certificates reconciled.
    signals.event_results_revised.connect(selection.revise_event)
    signals.event_results_revised.connect(certificates.reconcile_event)
    # What runs each kind of background job.
    jobs.register("certificates", certificates_printing.KIND)  # batch certificate printing
    # What /metrics reads at each scrape besides the process's own counters.
    observability.add_scrape("jobs", jobs_metrics.collect)  # queue depth, workers, job progress
