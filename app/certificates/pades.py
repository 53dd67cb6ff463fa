"""PAdES signatures on the digital certificate PDFs (pyHanko), and their check.

Baseline B-B: an invisible signature field, CAdES-detached, SHA-256, signed with the issuing
body's P-256 key whose X.509 certificate this deployment's own root issued (keys.py). No time
stamp: B-T needs an independent RFC 3161 authority, and a self-run one adds no independent time.
One `PdfSigner` per key and process, and a fixed reservation for the signature, keep a signature
at ~15–25 ms (pyHanko otherwise estimates the size by signing twice).

Viewers: poppler's `pdfsig` says "Signature is Valid." (and that the issuer is not trusted until
the deployment's root is installed); a changed byte gives "Digest Mismatch."
"""
from __future__ import annotations

import asyncio
import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from asn1crypto import keys as asn1_keys, x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

log = logging.getLogger(__name__)
BYTES_RESERVED = 8192
_signers: dict[str, object] = {}
_lock = threading.Lock()


def _outside_event_loop(fn, *args, **kwargs):
    """pyHanko's synchronous calls run their own event loop (asyncio.run), which refuses to start
    in a thread where a loop is already running (an async server, a browser driver in the same
    process): there, run the call in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _asn1_cert(cert) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pdf_signer(signing_key):
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    with _lock:
        signer = _signers.get(signing_key.kid)
        if signer is None:
            key = asn1_keys.PrivateKeyInfo.load(signing_key.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            cms = signers.SimpleSigner(signing_cert=_asn1_cert(signing_key.certificate), signing_key=key,
                                       cert_registry=SimpleCertificateStore.from_certs(
                                           [_asn1_cert(c) for c in signing_key.chain]))
            meta = signers.PdfSignatureMetadata(field_name="JiangXuan", subfilter=SigSeedSubFilter.PADES,
                                                md_algorithm="sha256", reason="证书签发 Certificate issued",
                                                name=signing_key.certificate.subject.rfc4514_string()[:200])
            signer = _signers[signing_key.kid] = signers.PdfSigner(meta, signer=cms)
        return signer


def sign_pdf(data: bytes, signing_key) -> bytes:
    """The PDF with a PAdES B-B signature appended as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    out = io.BytesIO()
    _outside_event_loop(_pdf_signer(signing_key).sign_pdf, writer, output=out, bytes_reserved=BYTES_RESERVED)
    return out.getvalue()


def check_pdf(data: bytes, root_certificates) -> dict:
    """Validate the signatures of a PDF against these trusted roots (cryptography certificates):
    {"signed": bool, "intact": bool, "trusted": bool, "signer": str | None, "covers_whole_file": bool}."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
    except Exception as exc:  # a damaged file is simply not a validly signed one
        log.info("unreadable PDF: %s", exc)
        return {"signed": False, "intact": False, "trusted": False, "signer": None, "covers_whole_file": False}
    if not sigs:
        return {"signed": False, "intact": False, "trusted": False, "signer": None, "covers_whole_file": False}
    context = ValidationContext(trust_roots=[_asn1_cert(c) for c in root_certificates], allow_fetching=False,
                                revocation_mode="soft-fail")
    sig = sigs[-1]
    try:
        status = _outside_event_loop(validate_pdf_signature, sig, context)
    except Exception as exc:
        log.info("signature not validated: %s", exc)
        return {"signed": True, "intact": False, "trusted": False, "signer": None, "covers_whole_file": False}
    from pyhanko.sign.diff_analysis import ModificationLevel
    return {"signed": True, "intact": bool(status.intact and status.valid), "trusted": bool(status.trusted),
            "signer": status.signing_cert.subject.human_friendly if status.signing_cert else None,
            "covers_whole_file": status.coverage.name == "ENTIRE_FILE" and
            (status.modification_level in (None, ModificationLevel.NONE))}
