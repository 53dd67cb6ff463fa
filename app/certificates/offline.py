"""The signed compact payload printed in a certificate's QR code, and its offline check.

The QR code holds the verification address with the payload appended, e.g.
``https://jx.example.cn/verify/ABCD…?s=<BASE32>``: a phone opens the page as before, and a
verifier holding only the issuer's published keys (``/.well-known/jwks.json``) checks the
payload without asking the server — `flask certificates verify`, or the /verify page of any
deployment that has the key set.

Format "JX1": a COSE_Sign1 structure (RFC 9052, signed with ES256, the EU Digital COVID
Certificate's primary algorithm) whose protected header names the algorithm and the key (the
first 8 bytes of its RFC 7638 thumbprint) and whose payload is the CBOR array

    [1, serial, masked name, competition, event, award code, rank, issued (days since
     1970-01-01), issuer id, status list index, masked Tibetan-script name or null]

encoded in base32 without padding (QR alphanumeric mode: 5.5 bits a character, so a ~180-byte
payload fits a version 11 code at error correction M). COSE is produced and checked by the `cwt`
library; the CBOR is cbor2's.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import cbor2
from cwt import COSE, COSEKey
from jwcrypto import jwk
from segno.consts import MODE_ALPHANUMERIC, MODE_BYTE

from .keys import qr_kid

FORMAT = 1
EPOCH = date(1970, 1, 1)
FIELDS = ("format", "serial", "name_masked", "competition", "event", "award", "rank", "issued_on", "issuer",
          "status_index", "name_bo_masked")
PARAM = "s"
MAX_TEXT = 4296  # the most a QR code holds (40-L, alphanumeric)


class PayloadError(ValueError):
    """The text is not a JX1 payload (unreadable, not signed the expected way)."""


@dataclass
class OfflineCheck:
    """What an offline verifier can say from the QR text and the published keys alone."""
    valid: bool
    reason: str                       # ok | forged | unknown_key | key_revoked | unreadable
    fields: dict = field(default_factory=dict)
    kid: str | None = None
    issuer: int | None = None
    code: str | None = None           # the verification code of the address, if there was one

    @property
    def issued_on(self) -> date | None:
        return self.fields.get("issued_on")


def payload_fields(serial: str, name_masked: str, competition: str, event: str, award: str, rank: int,
                   issued_on: date, issuer: int, status_index: int | None, name_bo_masked: str | None) -> list:
    return [FORMAT, serial, name_masked, competition, event, award, int(rank), (issued_on - EPOCH).days,
            int(issuer), status_index, name_bo_masked]


def sign(fields: list, signing_key) -> bytes:
    """COSE_Sign1 over the CBOR of `fields`, with the issuer's QR key (keys.SigningKey)."""
    key = COSEKey.from_pem(signing_key.private_pem(), alg="ES256", kid=qr_kid(signing_key.kid))
    return COSE.new().encode(cbor2.dumps(fields), key, protected={"alg": "ES256", "kid": qr_kid(signing_key.kid)},
                             unprotected={})


def encode_text(signed: bytes) -> str:
    return base64.b32encode(signed).decode("ascii").rstrip("=")


def qr_segments(verify_url: str, signed: bytes | None) -> list[tuple[str, int]] | str:
    """The QR content as segno segments: the address in byte mode, the payload in alphanumeric
    mode (segno's mode constants)."""
    if not signed:
        return verify_url
    return [(verify_url + f"?{PARAM}=", MODE_BYTE), (encode_text(signed), MODE_ALPHANUMERIC)]


def qr_text(verify_url: str, signed: bytes | None) -> str:
    """What a scanner reads from the QR code."""
    segments = qr_segments(verify_url, signed)
    return segments if isinstance(segments, str) else "".join(s for s, _mode in segments)


def _decode_text(blob: str) -> bytes:
    blob = re.sub(r"\s", "", blob).upper()
    if not blob or not re.fullmatch(r"[A-Z2-7]+", blob):
        raise PayloadError("not base32")
    try:
        return base64.b32decode(blob + "=" * (-len(blob) % 8))
    except ValueError:
        raise PayloadError("not base32") from None


def split_text(text: str) -> tuple[str | None, bytes]:
    """QR text (an address with ?s=…, or the bare payload) → (verification code or None, COSE bytes)."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise PayloadError("too long for a QR code")
    if "://" in text:
        parts = urlsplit(text)
        values = parse_qs(parts.query).get(PARAM) or parse_qs(parts.fragment).get(PARAM)
        if not values:
            raise PayloadError("the address carries no signed payload")
        match = re.search(r"/verify/([A-Za-z0-9\-]+)/?$", parts.path)
        return (match.group(1).replace("-", "").upper() if match else None), _decode_text(values[0])
    return None, _decode_text(text)


def _header(cose: bytes) -> dict:
    try:
        obj = cbor2.loads(cose)
    except Exception:  # cbor2 raises several types for garbage
        raise PayloadError("not CBOR") from None
    value = obj.value if isinstance(obj, cbor2.CBORTag) and obj.tag == 18 else obj
    if not isinstance(value, list) or len(value) != 4 or not isinstance(value[0], bytes):
        raise PayloadError("not a COSE_Sign1 structure")
    try:
        protected = cbor2.loads(value[0]) if value[0] else {}
    except Exception:
        raise PayloadError("unreadable protected header") from None
    if not isinstance(protected, dict) or protected.get(1) != -7 or not isinstance(protected.get(4), bytes):
        raise PayloadError("not signed with ES256 and a key id")
    return protected


def _fields(payload: bytes) -> dict:
    try:
        values = cbor2.loads(payload)
    except Exception:
        raise PayloadError("unreadable payload") from None
    if not isinstance(values, list) or len(values) != len(FIELDS) or values[0] != FORMAT:
        raise PayloadError("unknown payload format")
    out = dict(zip(FIELDS, values))
    if not isinstance(out["issued_on"], int) or not isinstance(out["rank"], int):
        raise PayloadError("unknown payload format")
    out["issued_on"] = EPOCH + timedelta(days=out["issued_on"])
    return out


def verify_text(text: str, public_keys: list[dict]) -> OfflineCheck:
    """Check QR text against published keys (JWKS entries): valid, or why not. Reads no database."""
    try:
        code, cose = split_text(text)
        protected = _header(cose)
    except PayloadError:
        return OfflineCheck(False, "unreadable")
    short = protected[4]
    candidates = [k for k in public_keys if k.get("kty") == "EC" and k.get("crv") == "P-256"
                  and isinstance(k.get("kid"), str) and qr_kid(k["kid"]) == short]
    if not candidates:
        return OfflineCheck(False, "unknown_key", code=code)
    entry = candidates[0]
    try:
        pem = jwk.JWK(**{m: entry[m] for m in ("kty", "crv", "x", "y")}).export_to_pem()
    except (KeyError, ValueError, TypeError):
        return OfflineCheck(False, "unknown_key", code=code)
    key = COSEKey.from_pem(pem, alg="ES256", kid=short)
    try:
        payload = COSE.new().decode(cose, key)
    except Exception:  # cwt raises VerifyError / DecodeError: either way the signature does not hold
        return OfflineCheck(False, "forged", kid=entry["kid"], code=code)
    try:
        fields = _fields(payload)
    except PayloadError:
        return OfflineCheck(False, "unreadable", kid=entry["kid"], code=code)
    issuer = fields.get("issuer")
    if entry.get("jx_issuer") is not None and entry.get("jx_issuer") != issuer:
        return OfflineCheck(False, "forged", fields=fields, kid=entry["kid"], code=code)
    if entry.get("jx_revoked"):
        return OfflineCheck(False, "key_revoked", fields=fields, kid=entry["kid"], issuer=issuer, code=code)
    return OfflineCheck(True, "ok", fields=fields, kid=entry["kid"], issuer=issuer, code=code)
