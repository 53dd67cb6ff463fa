"""Signed certificates (issue 18): the Open Badges 3.0 credential checked by openbadgeslib's own
verifier and by an independent eddsa-rdfc-2022 check written against the W3C test vectors; the QR
payload checked by an independent COSE_Sign1 check written against the cose-wg vectors; forged
and tampered credentials, QR codes and PDFs; key rotation (old certificates still verify) and a
compromised key (they do not); revocation through the published status list; PAdES signatures
read by poppler's pdfsig; the CLI and the /verify page working from the published keys alone."""
from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from openbadgeslib.ob3 import OB3VerificationError, check_credential_status
from pyld import jsonld
from sqlalchemy import select

from app.certificates import credentials, keys, offline, pades, signing
from app.certificates.models import Certificate, CertificateSettings
from app.extensions import db
from tests.conftest import new_client

ROOT = Path(__file__).resolve().parents[2]
VECTORS = Path(__file__).parent / "vectors"
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "examples-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# ---- an independent eddsa-rdfc-2022 check (W3C vc-di-eddsa §3.3), for the tests only ----------

def _loader(url, options=None):
    if url not in CONTEXTS:
        raise jsonld.JsonLdError("refused", "jsonld.LoadDocumentError", {"url": url})
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": json.loads((VECTORS / "contexts" / CONTEXTS[url]).read_text())}


def _canon(doc: dict) -> bytes:
    return jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                  "documentLoader": _loader}).encode()


def _b58decode(text: str) -> bytes:
    n = 0
    for ch in text:
        n = n * 58 + B58.index(ch)
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + raw


def rdfc_hash_data(secured: dict) -> tuple[bytes, bytes, bytes]:
    """(canonical document, canonical proof options, hashData) of a secured document."""
    doc = copy.deepcopy(secured)
    proof = doc.pop("proof")
    proof.pop("proofValue", None)
    proof["@context"] = doc["@context"]
    canon_doc, canon_proof = _canon(doc), _canon(proof)
    return canon_doc, canon_proof, hashlib.sha256(canon_proof).digest() + hashlib.sha256(canon_doc).digest()


def independent_rdfc_verify(secured: dict, public_key: Ed25519PublicKey) -> bool:
    value = secured["proof"]["proofValue"]
    assert value.startswith("z") and secured["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    try:
        public_key.verify(_b58decode(value[1:]), rdfc_hash_data(secured)[2])
        return True
    except InvalidSignature:
        return False


def _jwk_public(entry: dict):
    from jwcrypto import jwk
    return jwk.JWK(**{k: entry[k] for k in ("kty", "crv", "x", "y") if k in entry}).get_op_key("verify")


def test_the_independent_rdfc_check_reproduces_the_w3c_vector():
    """vc-di-eddsa's eddsa-rdfc-2022 vector: canonical forms, hashes and signature, byte for byte."""
    v = VECTORS / "vc-di-eddsa"
    pair = json.loads((v / "keyPair.json").read_text())
    private = Ed25519PrivateKey.from_private_bytes(_b58decode(pair["privateKeyMultibase"][1:])[2:])
    public = Ed25519PublicKey.from_public_bytes(_b58decode(pair["publicKeyMultibase"][1:])[2:])
    signed = json.loads((v / "signedDataInt.json").read_text())
    canon_doc, canon_proof, data = rdfc_hash_data(signed)
    assert canon_doc.decode() == (v / "canonDocDataInt.txt").read_text()
    assert canon_proof.decode() == (v / "proofCanonDataInt.txt").read_text()
    assert hashlib.sha256(canon_doc).hexdigest() == (v / "docHashDataInt.txt").read_text().strip()
    assert hashlib.sha256(canon_proof).hexdigest() == (v / "proofHashDataInt.txt").read_text().strip()
    assert private.sign(data).hex() == (v / "sigHexDataInt.txt").read_text().strip()   # Ed25519 is deterministic
    assert independent_rdfc_verify(signed, public)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    assert not independent_rdfc_verify(tampered, public)


# ---- an independent COSE_Sign1 ES256 check (RFC 9052 §4.4), for the tests only ------------------

def independent_cose_verify(cose: bytes, public_key) -> bytes | None:
    """The payload when the ES256 signature holds, else None."""
    tag = cbor2.loads(cose)
    protected, _unprotected, payload, signature = tag.value if isinstance(tag, cbor2.CBORTag) else tag
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), to_be_signed, ec.ECDSA(hashes.SHA256()))
        return payload
    except InvalidSignature:
        return None


def test_the_independent_cose_check_passes_the_cose_wg_vector():
    vector = json.loads((VECTORS / "cose" / "ecdsa-sig-01.json").read_text())
    key = vector["input"]["sign0"]["key"]
    public = _jwk_public({"kty": "EC", "crv": "P-256", "x": key["x"], "y": key["y"]})
    cose = bytes.fromhex(vector["output"]["cbor"])
    assert cbor2.dumps(["Signature1", cbor2.loads(cose).value[0], b"", vector["input"]["plaintext"].encode()]) \
        == bytes.fromhex(vector["intermediates"]["ToBeSign_hex"])
    assert independent_cose_verify(cose, public) == b"This is the content."
    forged = bytearray(cose)
    forged[-70] ^= 1   # a byte of the payload
    assert independent_cose_verify(bytes(forged), public) is None


# ---- the certificates ----------------------------------------------------------------------

def _certs():
    return db.session.scalars(select(Certificate).order_by(Certificate.seq)).all()


def _credential(api_as, final, cert) -> dict:  # noqa: F811
    r = api_as(final["organizer"]).get(f"/registrations/{cert.registration_id}/credential.json"
                                       f"?person_id={cert.person_id}")
    assert r.status_code == 200 and r.mimetype == "application/vc", r.get_data(as_text=True)
    assert f'filename="{cert.serial}.credential.json"' in r.headers["Content-Disposition"]
    return json.loads(r.data)


def test_the_winner_downloads_an_open_badge_both_verifiers_accept(final, api_as, app, make_user):  # noqa: F811
    cert = _certs()[0]
    owner = cert.person
    winner = make_user("candidate", username="winner")
    owner.user_id = winner.id
    db.session.commit()
    # The winner's own download.
    r = api_as(winner).get(f"/registrations/{cert.registration_id}/credential.json")
    assert r.status_code == 200 and json.loads(r.data)["id"].endswith(cert.code)
    assert api_as(make_user("candidate", username="stranger")).get(
        f"/registrations/{cert.registration_id}/credential.json").status_code == 404
    document = _credential(api_as, final, cert)
    assert document["@context"][:2] == ["https://www.w3.org/ns/credentials/v2",
                                        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == f"http://localhost/verify/{cert.code}"
    assert document["issuer"]["id"] == f"did:web:localhost:issuers:{cert.issuer_id}"
    subject = document["credentialSubject"]
    assert subject["achievement"]["achievementType"] == "Award" and "一等奖" in subject["achievement"]["name"]
    assert subject["result"][0]["value"] == "1" and subject["identifier"][0]["identityHash"] == owner.name
    assert owner.id_number not in json.dumps(document, ensure_ascii=False)   # never an ID number
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and int(status["statusListIndex"]) == cert.status_index
    assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    published = new_client(app).get("/.well-known/jwks.json").get_json()["keys"]
    # 1. openbadgeslib's own verifier, with the published key.
    assert credentials.verify(document, published).achievement.name == subject["achievement"]["name"]
    # 2. The independent check against the same published key.
    kid = document["proof"]["verificationMethod"].rsplit("#", 1)[1]
    entry = next(k for k in published if k["kid"] == kid)
    assert entry["crv"] == "Ed25519" and "d" not in entry
    assert independent_rdfc_verify(document, _jwk_public(entry))
    # Tampered: the award, the name, an added claim.
    for change in (lambda d: d["credentialSubject"]["achievement"].update(name="电工 特等奖"),
                   lambda d: d["credentialSubject"]["identifier"][0].update(identityHash="张三"),
                   lambda d: d.update(validFrom="2020-01-01T00:00:00Z")):
        forged = copy.deepcopy(document)
        change(forged)
        with pytest.raises(OB3VerificationError):
            credentials.verify(forged, published)
        assert not independent_rdfc_verify(forged, _jwk_public(entry))
    extra = copy.deepcopy(document)
    extra["credentialSubject"]["score"] = "100"   # a term no context defines: not signed, so refused
    with pytest.raises(OB3VerificationError):
        credentials.verify(extra, published)
    # A key nobody published.
    stranger = copy.deepcopy(document)
    stranger["proof"]["verificationMethod"] = stranger["proof"]["verificationMethod"].rsplit("#", 1)[0] + "#nokey"
    with pytest.raises(OB3VerificationError):
        credentials.verify(stranger, published)


def test_the_did_document_and_jwks_publish_public_keys_only(final, app):  # noqa: F811
    cert = _certs()[0]
    anon = new_client(app)
    jwks = anon.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks.headers["Access-Control-Allow-Origin"] == "*"
    entries = [k for k in jwks.get_json()["keys"] if k["jx_issuer"] == cert.issuer_id]
    assert {k["jx_purpose"] for k in entries} == {"credential", "qr", "pdf"}
    assert not any("d" in k for k in jwks.get_json()["keys"])
    pdf_key = next(k for k in entries if k["jx_purpose"] == "pdf")
    assert len(pdf_key["x5c"]) == 2   # its certificate, then the deployment's root
    did = anon.get(f"/issuers/{cert.issuer_id}/did.json")
    assert did.status_code == 200 and did.mimetype == "application/did+json"
    body = json.loads(did.data)
    assert body["id"] == f"did:web:localhost:issuers:{cert.issuer_id}"
    assert body["assertionMethod"] == [m["id"] for m in body["verificationMethod"]]
    assert anon.get("/issuers/999999/did.json").status_code == 404
    key_dir = Path(app.config["CERT_KEY_DIR"])
    for path in key_dir.rglob("*.key.pem"):
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert path.name not in jwks.get_data(as_text=True)


def test_the_qr_payload_verifies_independently_and_tampering_fails(final):  # noqa: F811
    cert = _certs()[0]
    entry = next(k for k in signing.published_keys() if k["kid"] == cert.qr_kid)
    payload = independent_cose_verify(cert.qr_payload, _jwk_public(entry))
    fields = cbor2.loads(payload)
    assert fields[0] == 1 and fields[1] == cert.serial and fields[5] == "first" and fields[6] == 1 and "*" in fields[2]
    text = offline.qr_text(f"https://jx.example.cn/verify/{cert.code}", cert.qr_payload)
    check = offline.verify_text(text, signing.published_keys())
    assert check.valid and check.code == cert.code and check.fields["competition"] == final["comp"].name
    # Each signed field changed, re-encoded with the old signature: forged.
    tag = cbor2.loads(cert.qr_payload)
    for index, value in ((1, cert.serial + "9"), (2, "王*"), (3, "另一竞赛"), (4, "焊工"), (5, "gold"), (6, 2), (7, 1)):
        changed = list(fields)
        changed[index] = value
        forged = cbor2.dumps(cbor2.CBORTag(18, [tag.value[0], tag.value[1], cbor2.dumps(changed), tag.value[3]]))
        assert independent_cose_verify(forged, _jwk_public(entry)) is None
        assert offline.verify_text(offline.encode_text(forged), signing.published_keys()).reason == "forged"
    assert offline.verify_text("https://jx.example.cn/verify/X?s=NOTBASE32!!", signing.published_keys()).reason == "unreadable"


def test_key_rotation_keeps_old_certificates_verifiable_and_a_compromised_key_does_not(final, api_as):  # noqa: F811
    first = _certs()[0]
    old_document = _credential(api_as, final, first)
    old_qr = offline.qr_text(f"http://localhost/verify/{first.code}", first.qr_payload)
    store = signing.keystore()
    store.rotate(first.issuer_id)   # retire every key: new ones sign from now on
    published = signing.published_keys()
    assert credentials.verify(old_document, published)
    assert offline.verify_text(old_qr, published).valid
    new_document = _credential(api_as, final, first)   # signed again, with the new key
    assert new_document["proof"]["verificationMethod"] != old_document["proof"]["verificationMethod"]
    assert credentials.verify(new_document, published)
    # A reissued certificate gets a QR signed with the new key.
    new = api_as(final["organizer"]).post(f"/certificates/{first.code}/reissue", json={"reason": "更正后补发"}).get_json()
    reissued = db.session.get(Certificate, new["id"])
    assert reissued.qr_kid != first.qr_kid and reissued.qr_kid == store.active(first.issuer_id, "qr").kid
    # The new keys leak: rotated as compromised, what they signed fails; the retired ones still hold.
    store.rotate(first.issuer_id, compromised=True)
    published = signing.published_keys()
    assert offline.verify_text(offline.qr_text("http://localhost/verify/X", reissued.qr_payload),
                               published).reason == "key_revoked"
    with pytest.raises(OB3VerificationError):
        credentials.verify(new_document, published)
    assert credentials.verify(old_document, published) and offline.verify_text(old_qr, published).valid


def test_revocation_is_published_in_the_status_list_the_verifier_reads(final, api_as, app):  # noqa: F811
    first, second = _certs()[:2]
    documents = {c.id: _credential(api_as, final, c) for c in (first, second)}
    anon = new_client(app)

    def download(url):
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = anon.get("/" + path)
        assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
        return response.data

    published = signing.published_keys()
    entry = next(k for k in published if k["kid"] == documents[first.id]["proof"]["verificationMethod"].rsplit("#")[1])
    pem = credentials.public_pem_of(entry)
    for document in documents.values():
        check_credential_status(credentials.verify(document, published), download=download, verify_list=True,
                                list_pubkey_pem=pem)
    r = api_as(final["organizer"]).post(f"/certificates/{first.code}/revoke", json={"reason": "申诉成立，名次变更"})
    assert r.status_code == 200
    with pytest.raises(OB3VerificationError, match="revocation"):
        check_credential_status(credentials.verify(documents[first.id], published), download=download,
                                verify_list=True, list_pubkey_pem=pem)
    check_credential_status(credentials.verify(documents[second.id], published), download=download,
                            verify_list=True, list_pubkey_pem=pem)
    # The list itself: 131,072 bits, the issuer's DID, fresh for a while, signed.
    token = download(documents[first.id]["credentialStatus"]["statusListCredential"]).decode()
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["issuer"] == documents[first.id]["issuer"]["id"] and "validUntil" in claims
    from openbadgeslib.ob3 import decode_encoded_list
    assert len(decode_encoded_list(claims["credentialSubject"]["encodedList"])) * 8 == credentials.STATUS_LIST_BITS
    # A revoked certificate has no credential to download any more.
    assert api_as(final["organizer"]).get(f"/registrations/{first.registration_id}/credential.json"
                                          f"?person_id={first.person_id}").status_code in (404, 409)


def _pdfsig(data: bytes, tmp_path) -> str:
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_pdfsig_reads_the_signature_valid_and_one_changed_byte_breaks_it(final, api_as, tmp_path):  # noqa: F811
    cert = _certs()[0]
    data = api_as(final["organizer"]).get(f"/registrations/{cert.registration_id}/certificate.pdf").data
    report = _pdfsig(data, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report, report
    assert final["comp"].host_organization.name in report
    assert pades.check_pdf(data, signing.root_certificates()) == {
        "signed": True, "intact": True, "trusted": True, "covers_whole_file": True,
        "signer": pades.check_pdf(data, signing.root_certificates())["signer"]}
    changed = bytearray(data)
    at = data.index(b"/MediaBox") + 12   # a byte of the first page's box, inside the signed range
    changed[at] = ord("7") if changed[at] != ord("7") else ord("8")
    report = _pdfsig(bytes(changed), tmp_path)
    assert "Signature is Valid." not in report and "Digest Mismatch" in report, report
    assert not pades.check_pdf(bytes(changed), signing.root_certificates())["intact"]


def test_a_certificate_is_served_as_issued_after_the_settings_change(final, login, api_as):  # noqa: F811
    cert = _certs()[0]
    org = api_as(final["organizer"])
    before = org.get(f"/registrations/{cert.registration_id}/certificate.pdf").data
    settings = db.session.get(CertificateSettings, final["comp"].id)
    settings.template, settings.issuing_body = "modern", "另一个颁发单位"
    db.session.commit()
    from tests.certificates.test_certificates import pdf_text
    after = org.get(f"/registrations/{cert.registration_id}/certificate.pdf").data
    assert "荣誉证书" in pdf_text(after) and "另一个颁发单位" not in pdf_text(after)   # still the classic design
    assert pdf_text(before) == pdf_text(after)
    specimen = login(final["organizer"]).get(f"/manage/competitions/{final['comp'].id}/certificates/preview.pdf")
    assert "获奖证书" in pdf_text(specimen.data) and "另一个颁发单位" in pdf_text(specimen.data)   # the specimen shows the new


def test_the_cli_verifies_qr_text_credentials_and_pdfs_without_a_database(final, api_as, tmp_path, app):  # noqa: F811
    cert = _certs()[0]
    qr = offline.qr_text(f"http://localhost/verify/{cert.code}", cert.qr_payload)
    (tmp_path / "credential.json").write_text(json.dumps(_credential(api_as, final, cert)), encoding="utf-8")
    (tmp_path / "certificate.pdf").write_bytes(
        api_as(final["organizer"]).get(f"/registrations/{cert.registration_id}/certificate.pdf").data)
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": signing.published_keys()}), encoding="utf-8")
    forged = qr[:-6] + ("A" if qr[-6] != "A" else "B") + qr[-5:]
    # A database that does not exist: any query would fail the command.
    absent = f"sqlite:///{tmp_path / 'absent' / 'none.db'}"
    env = {**os.environ, "FLASK_APP": "wsgi.py", "JIANGXUAN_ENV": "testing", "TEST_DATABASE_URL": absent}
    flask = str(Path(sys.executable).with_name("flask"))
    # One real `flask` process (the command a verifier types), the other cases in this process
    # through Flask's CLI runner on an application whose database does not exist either.
    real = subprocess.run([flask, "certificates", "verify", qr], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert real.returncode == 0 and "VALID" in real.stdout and cert.serial in real.stdout, real.stdout + real.stderr
    from app import create_app
    from tests.conftest import FlaskCli
    cli = FlaskCli(create_app("testing", SQLALCHEMY_DATABASE_URI=absent))

    def run(*args):
        result = cli("certificates", "verify", *args)
        result.returncode = result.exit_code
        return result
    ok = run(qr)
    assert ok.returncode == 0 and "VALID" in ok.stdout and cert.serial in ok.stdout, ok.output
    bad = run(forged)
    assert bad.returncode == 1 and "FORGED" in bad.stdout
    assert run("hello").returncode == 2
    only_keys = run(qr, "--keys", str(tmp_path / "jwks.json"))   # just the published key set
    assert only_keys.returncode == 0 and "VALID" in only_keys.stdout
    credential = run(str(tmp_path / "credential.json"), "--keys", str(tmp_path / "jwks.json"))
    assert credential.returncode == 0 and "VALID CREDENTIAL" in credential.stdout, credential.output
    document = run(str(tmp_path / "certificate.pdf"), "--keys", str(tmp_path / "jwks.json"))
    assert document.returncode == 0, document.output
    assert "PDF: signature valid" in document.stdout and "QR: VALID" in document.stdout
    tampered = bytearray((tmp_path / "certificate.pdf").read_bytes())
    at = bytes(tampered).index(b"/MediaBox") + 12
    tampered[at] = ord("7") if tampered[at] != ord("7") else ord("8")
    (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))
    broken = run(str(tmp_path / "tampered.pdf"), "--keys", str(tmp_path / "jwks.json"))
    assert broken.returncode == 1 and "TAMPERED" in broken.stdout
    cli.close()


def test_the_verify_page_checks_the_signed_qr_and_points_a_revoked_certificate_to_its_replacement(
        final, api_as, app):  # noqa: F811
    cert = _certs()[0]
    anon = new_client(app)
    qr = offline.qr_text(f"http://localhost/verify/{cert.code}", cert.qr_payload)
    page = anon.get(qr.replace("http://localhost", ""))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "数字签名真实" in text and "真实有效" in text and cert.serial in text
    forged = qr[:-6] + ("A" if qr[-6] != "A" else "B") + qr[-5:]
    assert "伪造或被篡改" in anon.get(forged.replace("http://localhost", "")).get_data(as_text=True)
    only = anon.get("/verify", query_string={"qr": qr})
    assert only.status_code == 200 and "数字签名真实" in only.get_data(as_text=True)
    new = api_as(final["organizer"]).post(f"/certificates/{cert.code}/reissue", json={"reason": "姓名更正后补发"}).get_json()
    revoked = anon.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "已被撤销" in revoked and new["serial"] in revoked and f"/verify/{new['code']}" in revoked
    body = anon.get(f"/api/v1/public/certificates/{cert.code}").get_json()
    assert body["replaced_by"] == {"serial": new["serial"], "code": new["code"]}


def test_a_verifier_with_only_the_published_keys_and_no_register_says_valid_or_forged(final, tmp_path):  # noqa: F811
    """Another deployment (no keys of its own, an empty database) trusting the published key set."""
    from app import create_app
    cert = _certs()[0]
    (tmp_path / "jwks.json").write_text(json.dumps({"keys": signing.published_keys()}), encoding="utf-8")
    elsewhere = create_app("testing", CERT_KEY_DIR=str(tmp_path / "nokeys"), CERT_TRUSTED_JWKS=[str(tmp_path / "jwks.json")],
                           SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}",
                           RATELIMIT_STORAGE_URI="memory://")
    client = elsewhere.test_client()
    qr = offline.qr_text(f"https://jx.example.cn/verify/{cert.code}", cert.qr_payload)
    page = client.get("/verify", query_string={"qr": qr})
    assert page.status_code == 200 and "数字签名真实" in page.get_data(as_text=True) and cert.serial in page.get_data(as_text=True)
    forged = qr[:-6] + ("A" if qr[-6] != "A" else "B") + qr[-5:]
    page = client.get("/verify", query_string={"qr": forged})
    assert page.status_code == 404 and "伪造或被篡改" in page.get_data(as_text=True)


def test_the_printed_address_is_flagged_when_nobody_else_can_reach_it(app):
    from app.certificates.addresses import unreachable_reason
    for url in ("http://127.0.0.1:5000", "http://localhost:5000", "http://192.168.1.20", "http://10.0.0.5",
                "https://jx-server", "http://[::1]:8000", "http://jx.example.cn", "https://8.8.8.8"):
        assert unreachable_reason(url), url
    assert unreachable_reason("https://jx.example.cn") is None
    assert unreachable_reason("https://证书.西藏.cn/jx") is None


def test_keys_stay_out_of_the_database_and_a_missing_key_stops_the_issue_in_production(final, app, monkeypatch,
                                                                                       tmp_path):  # noqa: F811
    from app.certificates.operations import CertificateStateError
    monkeypatch.setitem(app.config, "CERT_KEYS_AUTOCREATE", False)
    monkeypatch.setitem(app.config, "CERT_KEY_DIR", str(tmp_path / "empty"))
    with pytest.raises(CertificateStateError) as exc:
        signing.ready_issuer(final["comp"].host_organization_id, "某单位")
    assert "flask certificates keys create" in exc.value.message
    # No private key (nor a piece of one) anywhere in the database.
    secrets_on_disk = [p.read_bytes() for p in Path(signing.keys.store(os.environ["CERT_KEY_DIR"]).root).rglob("*.key.pem")]
    assert secrets_on_disk
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            for value in row:
                blob = value if isinstance(value, bytes) else str(value).encode()
                assert b"PRIVATE KEY" not in blob and not any(pem[40:90] in blob for pem in secrets_on_disk), table.name


def test_the_keys_cli_creates_rotates_and_lists(app, make_org, tmp_path, monkeypatch):
    org = make_org(name="西藏自治区人力资源和社会保障厅")
    db.session.commit()
    monkeypatch.setitem(app.config, "CERT_KEY_DIR", str(tmp_path / "keys"))
    runner = app.test_cli_runner()
    r = runner.invoke(args=["certificates", "keys", "create", "--issuer", str(org.id)])
    assert r.exit_code == 0 and "credential" in r.output and "pdf" in r.output, r.output
    assert "keys present" in runner.invoke(args=["certificates", "keys", "create", "--issuer", str(org.id)]).output
    r = runner.invoke(args=["certificates", "keys", "rotate", "--issuer", str(org.id), "--purpose", "qr"])
    assert r.exit_code == 0 and "qr: new key" in r.output
    listed = runner.invoke(args=["certificates", "keys", "list"]).output.splitlines()
    assert sum("\tqr\t" in line for line in listed) == 2 and sum("retired" in line for line in listed) == 1
    store = keys.KeyStore(tmp_path / "keys")
    assert store.has_active(org.id) and len(store.records(org.id)) == 4
    assert runner.invoke(args=["certificates", "keys", "create"]).exit_code != 0   # names no issuer


def test_signing_works_where_an_event_loop_is_running(final):  # noqa: F811
    """pyHanko's synchronous calls start their own loop; an async caller must not break them."""
    import asyncio
    from weasyprint import HTML
    cert = _certs()[0]
    data = HTML(string="<p>证书</p>").write_pdf()

    async def inside_a_loop():
        return pades.sign_pdf(data, signing.keystore().active(cert.issuer_id, "pdf"))
    signed = asyncio.run(inside_a_loop())
    assert pades.check_pdf(signed, signing.root_certificates())["intact"]
