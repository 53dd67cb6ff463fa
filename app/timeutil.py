"""Times: stored as naive UTC, shown and accepted in the app's time zone (Asia/Shanghai)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def app_tz() -> ZoneInfo:
    try:
        return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    except RuntimeError:
        return ZoneInfo("Asia/Shanghai")


# Years a date or time given to the product may have: birth dates from 1900, schedules from 1970;
# outside them a value is refused like a malformed one.
DATE_YEARS = (1900, 2200)
DATETIME_YEARS = (1970, 2200)


def parse_datetime(value) -> datetime | None:
    """ISO 8601 text (with or without offset; without = app time zone) → naive UTC, or None."""
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
        except ValueError:
            return None
    if not DATETIME_YEARS[0] <= dt.year <= DATETIME_YEARS[1]:
        return None  # year 3 or 9999: not a time this product schedules (nor one RFC 3339 writes back)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=app_tz())
    return dt.astimezone(timezone.utc).replace(tzinfo=None)


def parse_date(value) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if DATE_YEARS[0] <= day.year <= DATE_YEARS[1] else None


def to_local(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc).astimezone(app_tz())


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 with the app time zone's offset (API.md)."""
    local = to_local(dt)
    return local.isoformat() if local else None


def local_input(dt: datetime | None) -> str:
    """Value for an <input type=datetime-local>."""
    local = to_local(dt)
    return local.strftime("%Y-%m-%dT%H:%M") if local else ""


def local_text(dt: datetime | None) -> str:
    local = to_local(dt)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""
