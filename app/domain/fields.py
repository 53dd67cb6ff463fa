"""Parsing of free-text fields of a submitted form or JSON body, shared by the areas' rules."""
from __future__ import annotations

from .errors import N_, Collector


def text(data: dict, key: str, limit: int, errors: Collector, required: str | None = None, *,
         multiline: bool = False) -> str | None:
    """The field's text (white space collapsed to single spaces; a multi-line field only trimmed),
    or None when empty. A value that is not text, text over `limit` characters and, when
    `required` (the message) is given, an empty field are added to `errors` under `key`."""
    raw = data.get(key)
    if raw is not None and not isinstance(raw, str):
        errors.add(key, N_("Enter text."))
        return None
    value = (raw or "").strip() if multiline else " ".join((raw or "").split())
    if len(value) > limit:
        errors.add(key, N_("At most %(n)d characters."), n=limit)
    if not value and required:
        errors.add(key, required)
    return value or None
