"""Field rules for competitions and events, shared by the web forms and the API."""
from __future__ import annotations

from ..domain import scheme as scheme_rules
from ..domain.errors import N_, Collector
from ..domain.names import InvalidName, clean_title
from ..domain.refdata import JURISDICTIONS, KINDS, LEVELS, TRACKS
from ..extensions import db
from ..people.models import Organization
from ..timeutil import parse_date, parse_datetime

COMPETITION_FIELDS = {"name", "year", "level", "kind", "jurisdiction", "host_organization_id",
                      "registration_opens_at", "registration_closes_at", "starts_on", "ends_on",
                      "publicity_days", "appeal_window_hours", "allow_multiple_events", "description",
                      "award_title", "stage"}
EVENT_FIELDS = {"name", "occupation", "track", "team_size", "max_entrants", "starts_at", "ends_at",
                "venue", "eligibility", "scheme", "awards", "tiebreak", "no_shared_ranks", "two_layer"}
from .models import STAGES
# Accepted in a body as the version the client read, compared, never assigned.
READ_ONLY_OK = {"version"}


def _int(value, errors: Collector, field: str, lo: int, hi: int, message: str, required=True):
    if value in (None, ""):
        if required:
            errors.add(field, message)
        return None
    if isinstance(value, bool):
        errors.add(field, message)
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(field, message)
        return None
    if not lo <= number <= hi:
        errors.add(field, message)
        return None
    return number


def _one_of(value, choices) -> bool:
    """A code name among the enumeration's (a list or an object given instead is simply not one)."""
    return isinstance(value, str) and value in choices


def _bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y")
    return bool(value)


def refuse_unknown(data: dict, allowed: set[str], errors: Collector) -> None:
    for key in data:
        if key not in allowed and key not in READ_ONLY_OK:
            errors.add(key, N_("This field cannot be set."))


def parse_competition(data: dict) -> dict:
    """Validate a complete competition (for PATCH the caller merges the stored values first)."""
    errors = Collector()
    if not isinstance(data, dict):
        errors.add("body", N_("Send the fields as a JSON object."))
        errors.raise_if_any()
    refuse_unknown(data, COMPETITION_FIELDS, errors)
    out: dict = {}
    try:
        out["name"] = clean_title(data.get("name"), 200)
    except InvalidName as exc:
        errors.add("name", exc.message, **exc.params)
    out["year"] = _int(data.get("year"), errors, "year", 2000, 2100, N_("Enter a year between 2000 and 2100."))
    if not _one_of(data.get("level"), LEVELS):
        errors.add("level", N_("Choose the competition level."))
    out["level"] = data.get("level")
    if not _one_of(data.get("kind"), KINDS):
        errors.add("kind", N_("Choose the competition kind."))
    out["kind"] = data.get("kind")
    if not _one_of(data.get("jurisdiction"), JURISDICTIONS):
        errors.add("jurisdiction", N_("Choose the jurisdiction (an ISO 3166-2 code such as CN-XZ)."))
    out["jurisdiction"] = data.get("jurisdiction")
    host = data.get("host_organization_id")
    if host in (None, ""):
        out["host_organization_id"] = None
    else:
        try:
            host = int(host)
        except (TypeError, ValueError):
            host = None
        if host is None or db.session.get(Organization, host) is None:
            errors.add("host_organization_id", N_("Unknown organization."))
        out["host_organization_id"] = host

    opens = parse_datetime(data.get("registration_opens_at"))
    closes = parse_datetime(data.get("registration_closes_at"))
    if opens is None:
        errors.add("registration_opens_at", N_("Enter a date and time (YYYY-MM-DD HH:MM)."))
    if closes is None:
        errors.add("registration_closes_at", N_("Enter a date and time (YYYY-MM-DD HH:MM)."))
    if opens and closes and closes <= opens:
        errors.add("registration_closes_at", N_("Registration must close after it opens."))
    out["registration_opens_at"], out["registration_closes_at"] = opens, closes

    starts, ends = None, None
    for name in ("starts_on", "ends_on"):
        raw = data.get(name)
        value = parse_date(raw)
        if raw not in (None, "") and value is None:
            errors.add(name, N_("Enter the date as YYYY-MM-DD."))
        out[name] = value
    starts, ends = out["starts_on"], out["ends_on"]
    if starts and ends and ends < starts:
        errors.add("ends_on", N_("The competition must end on or after its first day."))
    if starts and closes and closes.date() > starts:
        errors.add("starts_on", N_("The competition must start after registration closes."))

    out["publicity_days"] = _int(data.get("publicity_days", 7), errors, "publicity_days", 0, 90,
                                 N_("Publicity lasts 0 to 90 days."))
    out["appeal_window_hours"] = _int(data.get("appeal_window_hours", 2), errors, "appeal_window_hours",
                                      0, 720, N_("The appeal window is 0 to 720 hours."))
    out["allow_multiple_events"] = _bool(data.get("allow_multiple_events", False))
    stage = data.get("stage") or "single"
    if stage not in STAGES:
        errors.add("stage", N_("The stage must be single, preliminary or final."))
    out["stage"] = stage
    title = str(data.get("award_title") or "").strip()
    if len(title) > 50:
        errors.add("award_title", N_("The text is too long (at most %(n)d characters)."), n=50)
    out["award_title"] = title or None
    description = str(data.get("description") or "").strip()
    if len(description) > 5000:
        errors.add("description", N_("The text is too long (at most %(n)d characters)."), n=5000)
    out["description"] = description or None
    errors.raise_if_any()
    return out


def parse_event(data: dict) -> dict:
    """Validate a complete event with its scheme, awards, tie-break chain and eligibility."""
    errors = Collector()
    if not isinstance(data, dict):
        errors.add("body", N_("Send the fields as a JSON object."))
        errors.raise_if_any()
    refuse_unknown(data, EVENT_FIELDS, errors)
    out: dict = {}
    try:
        out["name"] = clean_title(data.get("name"), 200)
    except InvalidName as exc:
        errors.add("name", exc.message, **exc.params)
    occupation = str(data.get("occupation") or "").strip()
    if len(occupation) > 200:
        errors.add("occupation", N_("The text is too long (at most %(n)d characters)."), n=200)
    out["occupation"] = occupation or None
    if not _one_of(data.get("track"), TRACKS):
        errors.add("track", N_("Choose the track: staff, student or teacher."))
    out["track"] = data.get("track")
    out["team_size"] = _int(data.get("team_size", 1), errors, "team_size", 1, 20,
                            N_("The team size is 1 to 20."))
    out["max_entrants"] = _int(data.get("max_entrants"), errors, "max_entrants", 1, 1_000_000,
                               N_("The capacity is a whole number of at least 1, or empty for no limit."),
                               required=False)
    starts = parse_datetime(data.get("starts_at"))
    ends = parse_datetime(data.get("ends_at"))
    for name, raw, value in (("starts_at", data.get("starts_at"), starts), ("ends_at", data.get("ends_at"), ends)):
        if raw not in (None, "") and value is None:
            errors.add(name, N_("Enter a date and time (YYYY-MM-DD HH:MM)."))
    if starts and ends and ends <= starts:
        errors.add("ends_at", N_("The event must end after it starts."))
    out["starts_at"], out["ends_at"] = starts, ends
    venue = str(data.get("venue") or "").strip()
    out["venue"] = venue[:200] or None
    out["scheme"] = scheme_rules.parse_scheme(data.get("scheme"), errors)
    out["awards"] = scheme_rules.parse_awards(data.get("awards"), errors)
    out["tiebreak"] = scheme_rules.parse_tiebreak(data.get("tiebreak"), out["scheme"], errors)
    out["eligibility"] = scheme_rules.parse_eligibility(data.get("eligibility"), errors)
    out["no_shared_ranks"] = _bool(data.get("no_shared_ranks", False))
    # Two-layer encryption is the national practice: on unless the organizer turns it off.
    out["two_layer"] = _bool(data.get("two_layer", True))
    errors.raise_if_any()
    return out
