"""Masking of personal data for pages that are not the person's own (DESIGN.md §7)."""
from __future__ import annotations

import unicodedata


TSHEG = "\u0f0b"


def _clusters(text: str) -> list[str]:
    """Base characters with their combining marks (Tibetan vowel signs and subjoined letters are
    marks): masking must never split them, or a dangling mark shows as a box."""
    out: list[str] = []
    for ch in text:
        if out and unicodedata.category(ch) in ("Mn", "Mc", "Me"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, long names keep the first and last character; Tibetan names
    keep their first and last syllable (བསྟན་*་ནོར་བུ → བསྟན་*་བུ)."""
    name = name or ""
    if TSHEG in name.strip(TSHEG):
        syllables = [s for s in name.split(TSHEG) if s]
        if len(syllables) == 2:
            return syllables[0] + TSHEG + "*"
        return TSHEG.join([syllables[0]] + ["*"] * (len(syllables) - 2) + [syllables[-1]])
    parts = _clusters(name)
    if len(parts) <= 1:
        return name
    if len(parts) == 2:
        return parts[0] + "*"
    return parts[0] + "*" * (len(parts) - 2) + parts[-1]


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters (issue: registration privacy)."""
    number = number or ""
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str:
    phone = phone or ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
