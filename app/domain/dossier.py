"""Dossier rules of title selections (称号评选): the text fields with their length limits, and the
upload check that trusts the bytes, never the name (PDF, JPEG or PNG only)."""
from __future__ import annotations

from .errors import N_, Collector

# key → (label message id, maximum characters, required)
FIELDS: dict[str, tuple[str, int, bool]] = {
    "achievements": (N_("Main achievements"), 5000, True),
    "innovations": (N_("Technical innovations"), 3000, False),
    "honours": (N_("Honours and awards"), 2000, False),
    "apprentices": (N_("Apprentices trained"), 2000, False),
}
FILENAME_MAX = 200
ATTACHMENTS_MAX = 20

# Magic numbers of the accepted types (first bytes of the file).
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def parse_fields(data: dict, errors: Collector, *, partial: bool = False) -> dict[str, str | None]:
    """Clean the text fields; every error names its field (the label goes in the `field` param).
    With partial=True only the keys present are checked (an edit of some fields)."""
    out: dict[str, str | None] = {}
    for key, (label, limit, required) in FIELDS.items():
        if partial and key not in data:
            continue
        raw = data.get(key)
        if raw is not None and not isinstance(raw, str):
            errors.add(key, N_("%(field)s must be text."), field=label)
            continue
        text = (raw or "").replace("\r\n", "\n").strip()
        if required and not text:
            errors.add(key, N_("%(field)s is required."), field=label)
        elif len(text) > limit:
            errors.add(key, N_("%(field)s is too long: %(length)d characters, at most %(n)d."),
                       field=label, length=len(text), n=limit)
        out[key] = text or None
    return out


def sniff_type(data: bytes) -> str | None:
    """The content type from the file's first bytes, or None when it is none of the accepted ones."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    return None


def looks_complete(data: bytes, kind: str) -> bool:
    """A cheap structural check beyond the magic number: a PDF ends with its %%EOF marker, a PNG
    with its IEND chunk, a JPEG with the end-of-image marker (trailing padding tolerated)."""
    tail = data[-1024:]
    if kind == "application/pdf":
        return b"%%EOF" in tail
    if kind == "image/png":
        return b"IEND" in data[-32:]
    if kind == "image/jpeg":
        return b"\xff\xd9" in tail
    return False


def clean_filename(name: str | None, kind: str) -> str:
    """A display name: no path, no control characters, the extension of the real type."""
    base = (name or "").replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem[: FILENAME_MAX - 5] or "file"
    return stem + EXTENSIONS[kind]
