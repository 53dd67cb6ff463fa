"""Open Badges 3.0 credentials (W3C Verifiable Credentials 2.0) for issued certificates, their
revocation status list (W3C Bitstring Status List) and the issuers' DID documents.

Signing and verifying go through openbadgeslib (OB3LdpSigner / OB3LdpVerifier: a Data Integrity
proof, cryptosuite eddsa-rdfc-2022, canonicalized by pyld with pinned contexts, never fetched);
this module only maps a certificate's facts onto the credential and chooses the keys.

- issuer: ``did:web:<host>:issuers:<org id>`` (resolves to ``/issuers/<org id>/did.json``), named as
  printed (the certificate's issuing body);
- credential id: the certificate's verification address; ``validFrom``: the issue time;
- subject: no DID (winners have none) but a plain-text name identifier (``identityType`` ext:name) —
  never an ID number, hashed or not (a salted hash of an ID number is found by brute force in
  minutes);
- achievement: event + award (its id names competition, event and award), result: the rank;
- credentialStatus: a BitstringStatusListEntry at the certificate's random index in its issuer's
  revocation list, ``/issuers/<org id>/status/revocation`` (a VC-JWT, signed with the same key).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

from openbadgeslib.ob3 import (Achievement, IdentityObject, Issuer, OB3LdpSigner, OB3LdpVerifier,
                               OB3VerificationError, OpenBadgeCredential, Result, build_did_document,
                               build_status_list_credential, sign_status_list_credential, status_entry)
from openbadgeslib.ob3.status_list import DEFAULT_SIZE_BITS

STATUS_LIST_BITS = DEFAULT_SIZE_BITS  # 131,072 entries: the specification's minimum (16 KB)
STATUS_LIST_VALID = timedelta(days=2)  # a served list is fresh this long; verifiers refuse older copies


def did_for(base_url: str, issuer_id: int) -> str:
    """did:web of an issuing body under this deployment's public address (a port is %3A)."""
    parts = urlsplit(base_url)
    authority = parts.hostname or "localhost"
    if parts.port:
        authority += f":{parts.port}"
    segments = [quote(authority, safe="")] + [quote(s, safe="") for s in parts.path.split("/") if s]
    return "did:web:" + ":".join(segments + ["issuers", str(int(issuer_id))])


def status_list_url(base_url: str, issuer_id: int) -> str:
    return f"{base_url.rstrip('/')}/issuers/{int(issuer_id)}/status/revocation"


def build(facts: dict, base_url: str) -> OpenBadgeCredential:
    """The unsigned credential of a certificate. `facts` is plain data (see
    operations.credential_facts): serial, verify_url, issuer_id, issuing_body, competition,
    competition_id, event, event_id, award, award_label, rank, name, name_bo, issued_at,
    status_index."""
    base = base_url.rstrip("/")
    did = did_for(base, facts["issuer_id"])
    achievement = Achievement(
        id=f"{base}/achievements/{facts['competition_id']}/{facts['event_id']}/{facts['award']}",
        name=f"{facts['event']} {facts['award_label']}",
        description=f"{facts['competition']} {facts['event']} {facts['award_label']}",
        criteria_narrative=f"{facts['competition']}，{facts['event']}，第{facts['rank']}名，获{facts['award_label']}。",
        achievement_type="Award")
    identifiers = [IdentityObject(identity_hash=facts["name"], identity_type="name", hashed=False)]
    if facts.get("name_bo"):
        identifiers.append(IdentityObject(identity_hash=facts["name_bo"], identity_type="name", hashed=False))
    issued = facts["issued_at"]
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=timezone.utc)
    status = []
    if facts.get("status_index") is not None:
        status = [status_entry(status_list_url(base, facts["issuer_id"]), "revocation", int(facts["status_index"]))]
    return OpenBadgeCredential(
        issuer=Issuer(id=did, name=facts["issuing_body"], url=base), recipient_id=None, achievement=achievement,
        id=facts["verify_url"], name=f"{facts['competition']} {facts['event']} {facts['award_label']}",
        issuance_date=issued.replace(microsecond=0), identifiers=identifiers,
        results=[Result(value=str(facts["rank"]))], credential_status=status)


def sign(facts: dict, base_url: str, signing_key) -> dict:
    """The signed credential document (a dict ready for JSON)."""
    did = did_for(base_url, facts["issuer_id"])
    signer = OB3LdpSigner(signing_key.private_pem(), verification_method=f"{did}#{signing_key.kid}")
    return signer.sign(build(facts, base_url))


def to_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def public_pem_of(entry: dict) -> bytes:
    from jwcrypto import jwk
    return jwk.JWK(**{m: entry[m] for m in ("kty", "crv", "x", "y") if m in entry}).export_to_pem()


def verify(document, public_keys: list[dict]):
    """Verify a credential document with the published keys (JWKS entries): the proof's key is
    looked up by its fragment among them, never fetched. Returns openbadgeslib's credential; raises
    OB3VerificationError on any failure (forged, tampered, unknown or revoked key)."""
    doc = json.loads(document) if isinstance(document, (str, bytes)) else document
    proof = doc.get("proof") if isinstance(doc, dict) else None
    vm = proof.get("verificationMethod") if isinstance(proof, dict) else None
    if not isinstance(vm, str) or "#" not in vm:
        raise OB3VerificationError("the credential has no Data Integrity proof naming its key")
    kid = vm.rsplit("#", 1)[1]
    entry = next((k for k in public_keys if k.get("kid") == kid and k.get("crv") == "Ed25519"), None)
    if entry is None:
        raise OB3VerificationError("the credential was signed with a key that is not published")
    if entry.get("jx_revoked"):
        raise OB3VerificationError("the credential was signed with a key revoked on " + entry["jx_revoked"])
    issuer_id = entry.get("jx_issuer")
    issuer = doc.get("issuer", {}).get("id") if isinstance(doc.get("issuer"), dict) else doc.get("issuer")
    if issuer_id is not None and (not isinstance(issuer, str) or not issuer.endswith(f":issuers:{issuer_id}")
                                  or not vm.startswith(issuer + "#")):
        raise OB3VerificationError("the proof's key does not belong to the credential's issuer")
    return OB3LdpVerifier(pubkey_pem=public_pem_of(entry)).verify(doc)


def status_list(base_url: str, issuer_id: int, revoked_indexes, signing_key, now: datetime | None = None) -> str:
    """The issuer's revocation list as a signed VC-JWT (EdDSA), fresh for STATUS_LIST_VALID."""
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    vc = build_status_list_credential(did_for(base_url, issuer_id), status_list_url(base_url, issuer_id),
                                      "revocation", revoked_indexes, size_bits=STATUS_LIST_BITS, issued=now,
                                      valid_until=now + STATUS_LIST_VALID)
    return sign_status_list_credential(vc, signing_key.private_pem(), "EdDSA")


def did_document(base_url: str, issuer_id: int, records) -> dict:
    """The issuer's DID document: every credential key it ever used (retired ones too, so older
    credentials still verify; a compromised one is left out)."""
    did = did_for(base_url, issuer_id)
    methods = [(r.kid, {m: r.jwk[m] for m in ("kty", "crv", "x") if m in r.jwk})
               for r in records if r.purpose == "credential" and not r.revoked_at]
    active = [m for m, r in zip(methods, [r for r in records if r.purpose == "credential" and not r.revoked_at])
              if r.active]
    ordered = active + [m for m in methods if m not in active]  # the current key first
    return build_did_document(did, ordered) if ordered else {"id": did, "verificationMethod": []}
