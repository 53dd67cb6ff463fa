"""Certificate verification codes (104 random bits, base32, typed or scanned back) and serial
numbers (an organizer's pattern such as {region}{year}-{competition:03d}-{seq:05d})."""
from __future__ import annotations

import base64
import re
import secrets
import string

from ..competitions.models import Competition, Event
from ..domain.errors import N_, Collector

PATTERN_FIELDS = {"year", "region", "competition", "event", "seq"}
DEFAULT_PATTERN = "{region}{year}-{competition:03d}-{seq:05d}"
CODE_BYTES = 13  # 104 random bits (≥ 80 asked), 21 base32 characters


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")


def normalize_code(raw: str | None) -> str:
    """What a person types or scans → the stored form: no spaces or dashes, upper case, and the
    digits people confuse with base32 letters mapped back (0→O, 1→I, 8→B)."""
    text = re.sub(r"[\s\-–—_]", "", (raw or "")).upper()
    return text.translate(str.maketrans("018", "OIB"))[:64]


def display_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def region_of(jurisdiction: str) -> str:
    return jurisdiction.split("-")[-1]


def validate_pattern(pattern: str, errors: Collector) -> None:
    if not pattern or len(pattern) > 60:
        errors.add("serial_pattern", N_("The serial pattern is required (at most 60 characters)."))
        return
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError:
        errors.add("serial_pattern", N_("The serial pattern has an unmatched brace."))
        return
    names = [name for _lit, name, _spec, _conv in parts if name is not None]
    for _lit, name, spec, conv in parts:
        if name is None:
            continue
        if name not in PATTERN_FIELDS or conv:
            errors.add("serial_pattern", N_("Unknown field {%(name)s}: use {year}, {region}, {competition}, {event} and {seq}."),
                       name=name)
            return
        if spec and not re.fullmatch(r"0?\d{1,2}d", spec):
            errors.add("serial_pattern", N_("A field width is written like {seq:05d}."))
            return
    if "seq" not in names:
        errors.add("serial_pattern", N_("The serial pattern must contain {seq} (the running number)."))
    literal = "".join(lit for lit, *_ in parts)
    if re.search(r"[^\w\-/.·]", literal):
        errors.add("serial_pattern", N_("Use letters, digits, - / . in the serial pattern."))


def format_serial(pattern: str, comp: Competition, event: Event, seq: int) -> str:
    return pattern.format(year=comp.year, region=region_of(comp.jurisdiction), competition=comp.id,
                          event=event.id, seq=seq)
