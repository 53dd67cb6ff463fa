"""Seeded draws (抽签): anonymous codes, stations and the re-check sample.

Every draw is a pure function of its seed and the sorted list of what is drawn, so recording
the seed is enough to reproduce (and audit) the result.
"""
from __future__ import annotations

import hashlib
import json
import random
import secrets
from decimal import ROUND_HALF_UP, Decimal


def new_seed() -> str:
    return secrets.token_hex(8)


def _rng(seed: str, purpose: str) -> random.Random:
    # Namespaced so that the same seed gives unrelated orders for codes, stations and re-checks.
    # Not for secrets: the draw must be reproducible from its recorded seed (audit); the seed
    # itself comes from `secrets` when none is given (new_seed).
    return random.Random(f"{purpose}:{seed}")  # nosec B311


def draw_codes(registration_ids: list[int], seed: str, prefix: str = "") -> dict[int, str]:
    """registration id → code ("A007"); the order of the input does not matter."""
    ids = sorted(registration_ids)
    _rng(seed, "codes").shuffle(ids)
    width = max(3, len(str(len(ids))))
    return {rid: f"{prefix}{i + 1:0{width}d}" for i, rid in enumerate(ids)}


def draw_tickets(registration_ids: list[int], seed: str, prefix: str = "") -> dict[int, str]:
    """First layer of two-layer encryption: registration id → admission-ticket number ("01007"),
    all digits, so that it never looks like (or equals) a judges' code. Namespaced apart from the
    codes: with its own seed it is a second, independent permutation."""
    ids = sorted(registration_ids)
    _rng(seed, "tickets").shuffle(ids)
    width = max(3, len(str(len(ids))))
    return {rid: f"{prefix}{i + 1:0{width}d}" for i, rid in enumerate(ids)}


def new_salt() -> str:
    return secrets.token_hex(16)


def seal_text(salt: str, seed: str, ticket_seed: str | None, entries: dict[int, tuple[str, str | None]]) -> str:
    """The canonical text a draw's seal is computed over: the salt, both seeds and every
    registration id → (judges' code, ticket number or null), ordered by registration id."""
    body = {"salt": salt, "seed": seed, "ticket_seed": ticket_seed,
            "entries": [[rid, code, ticket] for rid, (code, ticket) in sorted(entries.items())]}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def seal_hash(salt: str, seed: str, ticket_seed: str | None, entries: dict[int, tuple[str, str | None]]) -> str:
    """SHA-256 (hex) of seal_text: committed at the draw, recomputed at decryption."""
    return hashlib.sha256(seal_text(salt, seed, ticket_seed, entries).encode("utf-8")).hexdigest()


def draw_stations(codes: list[str], seed: str) -> dict[str, int]:
    """Second encryption (二次加密): code → station number 1..n."""
    ordered = sorted(codes)
    _rng(seed, "stations").shuffle(ordered)
    return {code: i + 1 for i, code in enumerate(ordered)}


def recheck_sample(ranked_ids: list[int], seed: str, top_n: int = 10, share: Decimal = Decimal("0.15")) -> tuple[list[int], list[int]]:
    """The re-check draw (全国职业院校技能大赛 practice): all of the top N by rank, plus a random
    share of the rest (rounded half up, at least one when any remain). ranked_ids is best first.
    Returns (top, random_rest)."""
    top = ranked_ids[:top_n]
    rest = sorted(ranked_ids[top_n:])
    if not rest:
        return top, []
    k = int((Decimal(len(rest)) * share).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    k = min(max(k, 1), len(rest))
    return top, sorted(_rng(seed, "recheck").sample(rest, k))
