"""Refusals of judging operations (domain errors with a `code` the API answers with)."""
from __future__ import annotations

from ..competitions.models import Event
from ..domain.errors import N_, DomainError


class JudgingStateError(DomainError):
    code = "wrong_state"


class StaleSheet(DomainError):
    """The version sent is not the stored one. The answer carries both sides — the sheet as
    stored (`server`: status, version, scores) and the values that were sent (`yours`) — so that
    a client shows them side by side and keeps the typed values until the judge chooses."""

    code = "stale_version"

    def __init__(self, server: dict | None = None, yours: dict | None = None):
        super().__init__(N_("This sheet was saved elsewhere after you opened it (another device or the chief judge). "
                            "Your values were not saved: compare them with the stored ones and choose."))
        self.server, self.yours = server, yours

    def extra(self, translate) -> dict:
        return {"server": self.server, "yours": self.yours} if self.server is not None else {}


class MissingWork(DomainError):
    """Lock refused: lists what is missing."""

    code = "incomplete"

    def __init__(self, message: str, missing: list[dict], **params):
        super().__init__(message, **params)
        self.missing = missing

    def extra(self, translate) -> dict:
        return {"missing": self.missing}


class CodesRefused(DomainError):
    """A refusal about some entries, named by their judges' codes only (never registration ids)."""

    def __init__(self, message: str, entry_codes: list[str], **params):
        super().__init__(message, **params)
        self.codes = entry_codes

    def extra(self, translate) -> dict:
        return {"codes": self.codes}


class PendingDisqualification(CodesRefused):
    code = "disqualification_unconfirmed"


class InsufficientJudges(CodesRefused):
    code = "insufficient_judges"


class TrimmedMeanShort(CodesRefused):
    code = "trimmed_mean_short"


class SealMismatch(DomainError):
    """Decryption refused: the stored seed and code map no longer give the seal committed at the
    draw. The refusal itself is audited: the caller commits before answering."""

    code = "seal_mismatch"

    def __init__(self):
        super().__init__(N_("The code map does not match the seal recorded at the draw: it has been changed since. "
                            "Names are not revealed; the refusal is recorded in the audit log."))



def require_not_locked(event: Event) -> None:
    if event.locked_at is not None:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))
