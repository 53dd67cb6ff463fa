"""The issuing bodies' signing keys, kept in files outside the database and never served.

Each issuing body (the organization hosting a competition) has three keys, one per purpose:

- ``credential``: Ed25519, signs the Open Badges 3.0 credentials (Data Integrity proof,
  eddsa-rdfc-2022) and the revocation status list;
- ``qr``: P-256, signs the compact payload printed in the QR code (COSE_Sign1, ES256);
- ``pdf``: P-256 with an X.509 certificate issued by this deployment's own signing root, signs
  the digital PDFs (PAdES; poppler's pdfsig cannot read an Ed25519 PDF signature).

Layout under ``CERT_KEY_DIR`` (default ``instance/keys``)::

    root/ca-key.pem, root/ca-cert.pem           the deployment's PDF signing root (P-256)
    issuers/<org id>/manifest.json              public keys and their state (no secrets)
    issuers/<org id>/<kid>.key.pem              a private key (mode 0600)
    issuers/<org id>/<kid>.cert.pem             the PDF key's certificate

Rotation adds a key and retires the previous one of the same purpose: a retired key signs
nothing more but stays published (in the JWKS and the DID document), so everything it signed
still verifies. A key marked ``revoked`` (compromise) is published with its revocation time and
verifiers refuse what it signed. Key ids are RFC 7638 JWK thumbprints; the QR carries the first
8 bytes of the thumbprint. Private keys are encrypted when ``CERT_KEY_PASSPHRASE`` is set.
"""
from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from jwcrypto import jwk

PURPOSES = ("credential", "qr", "pdf")
ALGORITHMS = {"credential": "EdDSA", "qr": "ES256", "pdf": "ES256"}
ROOT_YEARS = 20
PDF_CERT_YEARS = 5
QR_KID_BYTES = 8


class KeyStoreError(Exception):
    """A key is missing or unusable; the message says which and what command creates it."""


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def public_jwk(public_key) -> dict:
    """The public JWK of a key (jwcrypto), without private members."""
    return jwk.JWK.from_pyca(public_key).export_public(as_dict=True)


def thumbprint(public_key) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): the key id everywhere."""
    return jwk.JWK.from_pyca(public_key).thumbprint()


def qr_kid(kid: str) -> bytes:
    """The short key id carried in the QR: the first 8 bytes of the thumbprint."""
    raw = base64.urlsafe_b64decode(kid + "=" * (-len(kid) % 4))
    return raw[:QR_KID_BYTES]


@dataclass
class KeyRecord:
    issuer_id: int
    kid: str
    purpose: str
    alg: str
    created_at: str
    jwk: dict
    retired_at: str | None = None
    revoked_at: str | None = None
    key_file: str | None = None
    cert_file: str | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None and self.revoked_at is None

    def public_entry(self, directory: Path | None = None, root: x509.Certificate | None = None) -> dict:
        """The JWKS entry: the public JWK with its id, use, algorithm and life; a PDF key carries
        its certificate chain (x5c: its own, then the deployment's root), so that a verifier
        holding only the key set can check a PDF signature."""
        entry = dict(self.jwk)
        if self.cert_file and directory is not None:
            try:
                chain = [x509.load_pem_x509_certificate((directory / self.cert_file).read_bytes())]
            except FileNotFoundError:
                chain = []
            if chain and root is not None:
                chain.append(root)
            if chain:
                entry["x5c"] = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain]
        entry.update({"kid": self.kid, "alg": self.alg, "use": "sig", "key_ops": ["verify"],
                      "jx_issuer": self.issuer_id, "jx_purpose": self.purpose, "jx_created": self.created_at})
        if self.retired_at:
            entry["jx_retired"] = self.retired_at
        if self.revoked_at:
            entry["jx_revoked"] = self.revoked_at
        return entry


@dataclass
class SigningKey:
    """A loaded private key ready to sign (cached per process)."""
    record: KeyRecord
    private_key: object
    certificate: x509.Certificate | None = None
    chain: list[x509.Certificate] = field(default_factory=list)

    @property
    def kid(self) -> str:
        return self.record.kid

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo)


class KeyStore:
    def __init__(self, root: Path | str, passphrase: str | None = None):
        self.root = Path(root)
        self.passphrase = passphrase.encode() if passphrase else None
        self._lock = threading.Lock()
        self._loaded: dict[str, SigningKey] = {}

    # ---- files ---------------------------------------------------------------------------

    def issuer_dir(self, issuer_id: int) -> Path:
        return self.root / "issuers" / str(int(issuer_id))

    def _manifest_path(self, issuer_id: int) -> Path:
        return self.issuer_dir(issuer_id) / "manifest.json"

    def _read_manifest(self, issuer_id: int) -> dict:
        try:
            return json.loads(self._manifest_path(issuer_id).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"issuer": int(issuer_id), "name": None, "keys": []}

    def _write_manifest(self, issuer_id: int, manifest: dict) -> None:
        path = self._manifest_path(issuer_id)
        tmp = path.with_suffix(".part")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def _write_secret(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    def _encryption(self):
        return (serialization.BestAvailableEncryption(self.passphrase) if self.passphrase
                else serialization.NoEncryption())

    def _private_bytes(self, key) -> bytes:
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, self._encryption())

    def _load_private(self, path: Path):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyStoreError(f"private key file {path} is missing") from None
        try:
            return serialization.load_pem_private_key(data, password=self.passphrase)
        except (TypeError, ValueError) as exc:
            raise KeyStoreError(f"cannot read {path} (is CERT_KEY_PASSPHRASE right?): {exc}") from None

    # ---- the deployment's PDF signing root -------------------------------------------------

    def root_paths(self) -> tuple[Path, Path]:
        return self.root / "root" / "ca-key.pem", self.root / "root" / "ca-cert.pem"

    def ensure_root(self, label: str = "JiangXuan") -> x509.Certificate:
        key_path, cert_path = self.root_paths()
        if cert_path.exists():
            return x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{label} document signing root"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, label)])
        now = _now()
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=365 * ROOT_YEARS))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=True, crl_sign=True, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256()))
        self._write_secret(key_path, self._private_bytes(key))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert

    def root_certificate(self) -> x509.Certificate | None:
        _key, cert_path = self.root_paths()
        return x509.load_pem_x509_certificate(cert_path.read_bytes()) if cert_path.exists() else None

    def _issue_pdf_certificate(self, key, issuer_name: str) -> x509.Certificate:
        root_cert = self.ensure_root()
        root_key = self._load_private(self.root_paths()[0])
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name[:64]),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, issuer_name[:64])])
        now = _now()
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(root_cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * PDF_CERT_YEARS))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                             data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                             crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_cert.public_key()),
                               critical=False)
                .sign(root_key, hashes.SHA256()))

    # ---- creating, rotating, retiring ------------------------------------------------------

    def _new_key(self, issuer_id: int, purpose: str, issuer_name: str) -> KeyRecord:
        key = ed25519.Ed25519PrivateKey.generate() if purpose == "credential" else ec.generate_private_key(ec.SECP256R1())
        kid = thumbprint(key.public_key())
        directory = self.issuer_dir(issuer_id)
        directory.mkdir(parents=True, exist_ok=True)
        self._write_secret(directory / f"{kid}.key.pem", self._private_bytes(key))
        record = KeyRecord(issuer_id=int(issuer_id), kid=kid, purpose=purpose, alg=ALGORITHMS[purpose],
                           created_at=_iso(_now()), jwk=public_jwk(key.public_key()), key_file=f"{kid}.key.pem")
        if purpose == "pdf":
            cert = self._issue_pdf_certificate(key, issuer_name)
            (directory / f"{kid}.cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            record.cert_file = f"{kid}.cert.pem"
        return record

    def ensure_issuer(self, issuer_id: int, issuer_name: str) -> list[KeyRecord]:
        """Create the keys an issuer lacks (one active key per purpose). Returns the new ones."""
        with self._lock:
            manifest = self._read_manifest(issuer_id)
            manifest["name"] = issuer_name
            have = {k["purpose"] for k in manifest["keys"] if not k.get("retired_at") and not k.get("revoked_at")}
            made = [self._new_key(issuer_id, p, issuer_name) for p in PURPOSES if p not in have]
            if made or not self._manifest_path(issuer_id).exists():
                manifest["keys"].extend(r.__dict__ for r in made)
                self._write_manifest(issuer_id, manifest)
            return made

    def rotate(self, issuer_id: int, purposes=PURPOSES, compromised: bool = False) -> list[KeyRecord]:
        """New keys for these purposes; the previous ones retire (or, when compromised, are revoked)."""
        with self._lock:
            manifest = self._read_manifest(issuer_id)
            if not manifest["keys"]:
                raise KeyStoreError(f"issuer {issuer_id} has no keys: run `flask certificates keys create`")
            now = _iso(_now())
            for entry in manifest["keys"]:
                if entry["purpose"] in purposes and not entry.get("retired_at") and not entry.get("revoked_at"):
                    entry["retired_at"] = now
                    if compromised:
                        entry["revoked_at"] = now
            made = [self._new_key(issuer_id, p, manifest.get("name") or str(issuer_id)) for p in purposes]
            manifest["keys"].extend(r.__dict__ for r in made)
            self._write_manifest(issuer_id, manifest)
            self._loaded.clear()
            return made

    # ---- reading -------------------------------------------------------------------------------

    def issuers(self) -> list[int]:
        base = self.root / "issuers"
        if not base.is_dir():
            return []
        return sorted(int(p.name) for p in base.iterdir() if p.name.isdigit() and (p / "manifest.json").exists())

    def issuer_name(self, issuer_id: int) -> str | None:
        return self._read_manifest(issuer_id).get("name")

    def records(self, issuer_id: int | None = None) -> list[KeyRecord]:
        ids = [issuer_id] if issuer_id is not None else self.issuers()
        out = []
        for i in ids:
            for entry in self._read_manifest(i)["keys"]:
                out.append(KeyRecord(**entry))
        return out

    def has_active(self, issuer_id: int) -> bool:
        purposes = {r.purpose for r in self.records(issuer_id) if r.active}
        return all(p in purposes for p in PURPOSES)

    def active(self, issuer_id: int, purpose: str) -> SigningKey:
        """The key that signs for this issuer and purpose now (loaded once per process)."""
        current = [r for r in self.records(issuer_id) if r.purpose == purpose and r.active]
        if not current:
            raise KeyStoreError(f"issuing body {issuer_id} has no {purpose} signing key: "
                                f"run `flask certificates keys create --issuer {issuer_id}`")
        record = current[-1]
        with self._lock:
            loaded = self._loaded.get(record.kid)
            if loaded is None:
                directory = self.issuer_dir(issuer_id)
                private = self._load_private(directory / record.key_file)
                cert = chain = None
                if record.cert_file:
                    cert = x509.load_pem_x509_certificate((directory / record.cert_file).read_bytes())
                    root = self.root_certificate()
                    chain = [root] if root else []
                loaded = SigningKey(record, private, cert, chain or [])
                self._loaded[record.kid] = loaded
            return loaded

    def jwks(self) -> dict:
        """Every published key of every issuer, retired ones included (never a private member)."""
        root = self.root_certificate()
        return {"keys": [r.public_entry(self.issuer_dir(r.issuer_id), root) for r in self.records()]}


def roots_from_jwks(entries: list[dict]) -> list[x509.Certificate]:
    """The self-signed roots at the end of the PDF keys' chains (x5c) of a published key set."""
    roots, seen = [], set()
    for entry in entries:
        chain = entry.get("x5c") or []
        if not chain:
            continue
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(chain[-1]))
        except ValueError:
            continue
        if cert.subject == cert.issuer and cert.fingerprint(hashes.SHA256()) not in seen:
            seen.add(cert.fingerprint(hashes.SHA256()))
            roots.append(cert)
    return roots


_stores: dict[tuple[str, str | None], KeyStore] = {}
_stores_lock = threading.Lock()


def store(root: str | Path | None = None, passphrase: str | None = None) -> KeyStore:
    """This process's key store for the configured directory."""
    if root is None:
        from flask import current_app
        root = current_app.config["CERT_KEY_DIR"]
        passphrase = current_app.config.get("CERT_KEY_PASSPHRASE")
    key = (str(root), passphrase)
    with _stores_lock:
        if key not in _stores:
            _stores[key] = KeyStore(root, passphrase)
        return _stores[key]
