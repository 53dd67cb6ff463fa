"""Personal and organization names as people type them, in Chinese, Tibetan or Latin script.

Names are kept as typed after Unicode NFC and trimming (so "张三 " and "张三" are the same person);
invisible format characters (zero-width, bidi overrides) and control characters are refused,
since they make two different-looking names equal or an equal-looking name different.
"""
from __future__ import annotations

import re
import unicodedata

from .errors import N_, DomainError

MAX_PERSON_NAME = 64
# Separators used in names: middle dots of transliterated names (阿依古丽·买买提), apostrophes, etc.
NAME_PUNCTUATION = set(" ·.'-’")
MIDDLE_DOT = "\u00b7"
# Look-alikes people type for the middle dot of 玛丽亚·阿依古丽 (an input method's bullet, the
# katakana middle dot, the dot operators…): all stored as the one middle dot of the ID card, so
# the same person is never two names.
MIDDLE_DOT_VARIANTS = {
    "\u2022": MIDDLE_DOT,  # • bullet
    "\u30fb": MIDDLE_DOT,  # ・ katakana middle dot
    "\uff65": MIDDLE_DOT,  # ･ half-width katakana middle dot
    "\u2027": MIDDLE_DOT,  # ‧ hyphenation point
    "\u2219": MIDDLE_DOT,  # ∙ bullet operator
    "\u22c5": MIDDLE_DOT,  # ⋅ dot operator
    "\u2e31": MIDDLE_DOT,  # ⸱ word separator middle dot
    "\u0387": MIDDLE_DOT,  # · Greek ano teleia (NFC makes it U+00B7 already)
    "\u318d": MIDDLE_DOT,  # ㆍ Hangul letter araea, offered by some input methods
    "\u00b7": MIDDLE_DOT,
}


class InvalidName(DomainError):
    status = 422
    code = "validation_error"


def _is_tibetan(ch: str) -> bool:
    return "\u0f00" <= ch <= "\u0fff"


def clean_text(raw: str | None) -> str:
    """NFC, trim, collapse runs of white space."""
    text = unicodedata.normalize("NFC", raw or "")
    return re.sub(r"\s+", " ", text).strip()


def has_hidden_characters(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in text)


def normalize_middle_dots(name: str) -> str:
    """Every look-alike of the middle dot → "·", without spaces around it (玛丽亚 • 阿依古丽 →
    玛丽亚·阿依古丽)."""
    if not any(ch in MIDDLE_DOT_VARIANTS for ch in name):
        return name
    name = "".join(MIDDLE_DOT_VARIANTS.get(ch, ch) for ch in name)
    return re.sub(r"\s*\u00b7\s*", MIDDLE_DOT, name)


def _text(raw):
    """The raw value as text: None stays None, anything but a string is refused."""
    if raw is None or isinstance(raw, str):
        return raw
    raise InvalidName(N_("This field must be text."))


def clean_person_name(raw: str | None) -> str:
    """Return the cleaned name or raise InvalidName naming the reason."""
    raw = _text(raw)
    if raw and has_hidden_characters(raw.replace("\t", " ").replace("\n", " ")):
        raise InvalidName(N_("The name contains invisible or control characters."))
    name = normalize_middle_dots(clean_text(raw))
    if not name:
        raise InvalidName(N_("The name is required."))
    if len(name) > MAX_PERSON_NAME:
        raise InvalidName(N_("The name is too long (at most %(n)d characters)."), n=MAX_PERSON_NAME)
    for ch in name:
        cat = unicodedata.category(ch)
        if cat[0] in ("L", "M") or _is_tibetan(ch) or ch in NAME_PUNCTUATION:
            continue
        raise InvalidName(N_("The name contains a character that is not allowed: %(ch)s"), ch=ch)
    if not any(unicodedata.category(ch)[0] == "L" or _is_tibetan(ch) for ch in name):
        raise InvalidName(N_("The name must contain letters."))
    return name


TSHEG = "\u0f0b"


def clean_tibetan_name(raw: str | None) -> str | None:
    """The name in Tibetan script (藏文名), optional: None when empty. Tibetan letters, vowel signs,
    subjoined letters, the tsheg and spaces only — a Chinese or Latin name goes in the name field."""
    raw = _text(raw)
    if raw and has_hidden_characters(raw.replace("\t", " ").replace("\n", " ")):
        raise InvalidName(N_("The name contains invisible or control characters."))
    name = clean_text(raw).strip(" " + TSHEG + "\u0f0d") if raw else ""
    if not name:
        return None
    if len(name) > MAX_PERSON_NAME:
        raise InvalidName(N_("The name is too long (at most %(n)d characters)."), n=MAX_PERSON_NAME)
    for ch in name:
        if not (_is_tibetan(ch) or ch == " "):
            raise InvalidName(N_("The Tibetan-script name may hold Tibetan letters only: %(ch)s is not one."), ch=ch)
    if not any(unicodedata.category(ch) == "Lo" for ch in name):
        raise InvalidName(N_("The name must contain letters."))
    return name


def clean_title(raw: str | None, max_length: int = 200) -> str:
    """Free-text titles (competition, event, organization names): any printable text."""
    raw = _text(raw)
    if raw and has_hidden_characters(raw.replace("\t", " ").replace("\n", " ").replace("\r", " ")):
        raise InvalidName(N_("The text contains invisible or control characters."))
    text = clean_text(raw)
    if not text:
        raise InvalidName(N_("This field is required."))
    if len(text) > max_length:
        raise InvalidName(N_("The text is too long (at most %(n)d characters)."), n=max_length)
    return text
