"""Results of competitions held outside the system (外部竞赛成绩): the fields an organizer records,
checked the same way whether they come from a form (text) or the API (JSON values)."""
from __future__ import annotations

from datetime import date

from .errors import N_, Collector
from .policy import AWARDS
from .refdata import JURISDICTIONS, KINDS, LEVELS, TRACKS

TEXT_LIMITS = {"competition_name": 200, "occupation": 200, "certificate_number": 64}
DECISIONS = ("approve", "reject")


def _int(value, errors: Collector, name: str, low: int, high: int, message: str) -> int | None:
    if isinstance(value, bool):
        errors.add(name, message)
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.lstrip("-").isdigit():
            errors.add(name, message)
            return None
        value = int(value)
    if not isinstance(value, int) or not (low <= value <= high):
        errors.add(name, message)
        return None
    return value


def _choice(value, allowed, errors: Collector, name: str, message: str, *, optional: bool = False):
    if optional and (value is None or value == ""):
        return None
    if not isinstance(value, str) or value not in allowed:
        errors.add(name, message)
        return None
    return value


def parse(data: dict, today: date) -> dict:
    """Clean an external result; ValidationFailed names every bad field."""
    errors = Collector()
    out: dict = {}
    for key, limit in TEXT_LIMITS.items():
        raw = data.get(key)
        if raw is not None and not isinstance(raw, str):
            errors.add(key, N_("Enter text."))
            continue
        text = " ".join((raw or "").split())
        if len(text) > limit:
            errors.add(key, N_("At most %(n)d characters."), n=limit)
        out[key] = text or None
    if not out.get("competition_name") and not errors.has("competition_name"):
        errors.add("competition_name", N_("Name the competition."))
    out["level"] = _choice(data.get("level"), LEVELS, errors, "level", N_("Choose the competition's level."))
    out["kind"] = _choice(data.get("kind"), KINDS, errors, "kind", N_("Choose the competition's kind."))
    out["jurisdiction"] = _choice(data.get("jurisdiction"), JURISDICTIONS, errors, "jurisdiction",
                                  N_("Choose where the competition was held (a jurisdiction code such as CN or CN-XZ)."))
    out["track"] = _choice(data.get("track") or "staff", TRACKS, errors, "track", N_("Choose the track."))
    out["award"] = _choice(data.get("award"), AWARDS, errors, "award", N_("Choose an award, or none."), optional=True)
    out["rank"] = _int(data.get("rank"), errors, "rank", 1, 100_000, N_("The rank is a whole number of at least 1."))
    raw_date = data.get("result_date")
    result_date = None
    if isinstance(raw_date, str):
        try:
            result_date = date.fromisoformat(raw_date.strip())
        except ValueError:
            result_date = None
    if result_date is None:
        errors.add("result_date", N_("Enter the date of the result (YYYY-MM-DD)."))
    elif result_date > today:
        errors.add("result_date", N_("The date of the result cannot be in the future."))
    out["result_date"] = result_date
    raw_year = data.get("year")
    if (raw_year is None or raw_year == "") and result_date is not None:
        out["year"] = result_date.year
    else:
        out["year"] = _int(raw_year, errors, "year", 1950, 2100, N_("Enter the year of the competition."))
    org = data.get("organization_id")
    out["organization_id"] = None if org in (None, "") else _int(
        org, errors, "organization_id", 1, 2**31 - 1, N_("Choose the contestant's organization."))
    errors.raise_if_any()
    return out


def parse_decision(data: dict) -> tuple[str, str]:
    errors = Collector()
    decision = data.get("decision")
    note = data.get("note")
    if decision not in DECISIONS:
        errors.add("decision", N_("Decide: approve or reject."))
    if note is not None and not isinstance(note, str):
        errors.add("note", N_("Enter text."))
        note = ""
    note = (note or "").strip()
    if not note:
        errors.add("note", N_("Add a note (what was checked, e.g. the certificate against the organizer's list)."))
    elif len(note) > 2000:
        errors.add("note", N_("At most %(n)d characters."), n=2000)
    errors.raise_if_any()
    return decision, note
