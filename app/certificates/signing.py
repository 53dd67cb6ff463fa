"""Signing certificates: the glue between the stored certificates and the issuers' keys.

- `ready_issuer` makes sure the issuing body has its keys (created on demand only where
  CERT_KEYS_AUTOCREATE is on — development and tests; in production `flask certificates keys
  create` does it at set-up, and a missing key stops the issue with that command named);
- `sign_qr` signs the compact QR payload of a certificate at issue (offline.py);
- `credential_document` signs its Open Badges 3.0 credential (credentials.py);
- `sign_pdf` adds the PAdES signature to a digital certificate PDF (pades.py);
- `published_keys` is the key set a verifier needs — the same as /.well-known/jwks.json, plus the
  key sets of other deployments an operator trusts (CERT_TRUSTED_JWKS, files).
"""
from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path

from flask import current_app

from ..domain.errors import N_
from ..domain.masking import mask_name
from ..domain.refdata import AWARD_ZH
from . import credentials, keys, offline

log = logging.getLogger(__name__)


def keystore() -> keys.KeyStore:
    return keys.store()


def issuer_of(comp) -> tuple[int, str] | None:
    """The issuing body that signs a competition's certificates: its host organization."""
    org = comp.host_organization
    return (org.id, org.name) if org is not None else None


def ready_issuer(issuer_id: int, name: str) -> None:
    from .operations import CertificateStateError
    store = keystore()
    if store.has_active(issuer_id):
        return
    if current_app.config.get("CERT_KEYS_AUTOCREATE"):
        made = store.ensure_issuer(issuer_id, name)
        log.info("created %d signing keys for issuing body %s", len(made), issuer_id)
        return
    raise CertificateStateError(N_("The issuing body %(name)s has no signing keys yet. An administrator creates them "
                                   "with `flask certificates keys create --issuer %(id)d`."), name=name, id=issuer_id)


def keys_state(comp) -> dict:
    """For the pages: does the competition's issuing body have its keys (or will they be made)?"""
    issuer = issuer_of(comp)
    if issuer is None:
        return {"issuer": None, "ready": False, "autocreate": False}
    return {"issuer": issuer[1], "issuer_id": issuer[0], "ready": keystore().has_active(issuer[0]),
            "autocreate": bool(current_app.config.get("CERT_KEYS_AUTOCREATE"))}


def new_status_index(taken: set[int]) -> int:
    """A random free index in the issuer's status list (random, so that neighbours in the list
    say nothing about each other)."""
    for _attempt in range(1000):
        index = secrets.randbelow(credentials.STATUS_LIST_BITS)
        if index not in taken:
            taken.add(index)
            return index
    raise RuntimeError("the status list is nearly full")


def qr_fields(cert) -> list:
    return offline.payload_fields(
        cert.serial, mask_name(cert.name), cert.competition.name, cert.event.name, cert.award, cert.rank,
        cert.issued_at.date(), cert.issuer_id, cert.status_index,
        mask_name(cert.name_bo) if cert.name_bo else None)


def sign_qr(cert) -> None:
    """Sign the certificate's QR payload with its issuer's current QR key."""
    key = keystore().active(cert.issuer_id, "qr")
    cert.qr_payload, cert.qr_kid = offline.sign(qr_fields(cert), key), key.kid


def credential_facts(cert) -> dict:
    design = cert.design
    base = design.base_url if design else None
    return {"serial": cert.serial, "verify_url": f"{base}/verify/{cert.code}" if base else None,
            "issuer_id": cert.issuer_id, "issuing_body": design.issuing_body if design else cert.competition.name,
            "competition": cert.competition.name, "competition_id": cert.competition_id, "event": cert.event.name,
            "event_id": cert.event_id, "award": cert.award, "award_label": AWARD_ZH.get(cert.award, cert.award),
            "rank": cert.rank, "name": cert.printed_name or cert.name, "name_bo": cert.name_bo,
            "issued_at": cert.issued_at, "status_index": cert.status_index, "base_url": base}


def credential_document(cert) -> dict:
    """The signed Open Badges 3.0 credential of a signed certificate (signed now, with the
    issuer's current credential key; older copies stay verifiable with the key that signed them)."""
    facts = credential_facts(cert)
    return credentials.sign(facts, facts["base_url"], keystore().active(cert.issuer_id, "credential"))


def sign_pdf(cert, data: bytes) -> bytes:
    from . import pades
    return pades.sign_pdf(data, keystore().active(cert.issuer_id, "pdf"))


def published_keys() -> list[dict]:
    """Every key a verifier here trusts: this deployment's published keys and those of the key
    sets listed in CERT_TRUSTED_JWKS (paths, separated by os.pathsep)."""
    entries = list(keystore().jwks()["keys"])
    for path in current_app.config.get("CERT_TRUSTED_JWKS") or []:
        try:
            entries.extend(json.loads(Path(path).read_text(encoding="utf-8")).get("keys", []))
        except (OSError, ValueError) as exc:
            log.warning("trusted key set %s unreadable: %s", path, exc)
    return entries


def root_certificates() -> list:
    root = keystore().root_certificate()
    return [root] if root else []
