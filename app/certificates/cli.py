"""`flask certificates …`: the issuing bodies' keys, and the offline verifier.

    flask certificates keys create [--issuer ID]... [--all]    keys for issuing bodies (idempotent)
    flask certificates keys rotate --issuer ID [--purpose P]... [--compromised]
    flask certificates keys list
    flask certificates verify TEXT-OR-FILE [--keys jwks.json] [--status-list FILE]

`verify` reads no database: a QR text (or an image of the code, or a certificate PDF, whose PAdES
signature it checks too) or a credential JSON file, against the published keys (this
deployment's, or a downloaded /.well-known/jwks.json given with --keys). Exit status 0: valid;
1: forged, tampered or revoked; 2: unreadable.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import click
from flask.cli import AppGroup

group = AppGroup("certificates", help="Signing keys of the issuing bodies, and the offline verifier.")
keys_group = AppGroup("keys", help="Create, rotate and list the issuing bodies' signing keys.")
group.add_command(keys_group)


def _store():
    from . import keys
    return keys.store()


@keys_group.command("create")
@click.option("--issuer", "issuers", type=int, multiple=True, help="Organization id of an issuing body.")
@click.option("--all", "all_hosts", is_flag=True, help="Every organization that hosts a competition.")
def keys_create(issuers: tuple[int, ...], all_hosts: bool):
    """Create the signing keys an issuing body lacks (and the deployment's PDF signing root)."""
    from sqlalchemy import select

    from ..competitions.models import Competition
    from ..extensions import db
    from ..people.models import Organization

    ids = set(issuers)
    if all_hosts:
        ids |= {i for i in db.session.scalars(select(Competition.host_organization_id).distinct()) if i is not None}
    if not ids:
        raise click.UsageError("name an issuing body with --issuer ID, or use --all")
    store = _store()
    store.ensure_root()
    for issuer_id in sorted(ids):
        org = db.session.get(Organization, issuer_id)
        if org is None:
            raise click.ClickException(f"no organization {issuer_id}")
        made = store.ensure_issuer(issuer_id, org.name)
        click.echo(f"issuing body {issuer_id} ({org.name}): "
                   + (", ".join(f"{r.purpose} {r.kid}" for r in made) if made else "keys present"))
    click.echo(f"keys are in {store.root} (never served; back them up apart from the database)")


@keys_group.command("rotate")
@click.option("--issuer", type=int, required=True)
@click.option("--purpose", "purposes", type=click.Choice(["credential", "qr", "pdf"]), multiple=True,
              help="Default: all three.")
@click.option("--compromised", is_flag=True,
              help="The old keys leaked: publish them as revoked, so what they signed no longer verifies.")
def keys_rotate(issuer: int, purposes: tuple[str, ...], compromised: bool):
    """New keys for an issuing body; the old ones stop signing but stay published."""
    from .keys import PURPOSES, KeyStoreError
    try:
        made = _store().rotate(issuer, purposes or PURPOSES, compromised=compromised)
    except KeyStoreError as exc:
        raise click.ClickException(str(exc)) from None
    for record in made:
        click.echo(f"{record.purpose}: new key {record.kid}")
    click.echo("old keys revoked (compromised)" if compromised else "old keys retired: what they signed still verifies")


@keys_group.command("list")
def keys_list():
    """Every key of every issuing body, with its state."""
    for record in _store().records():
        state = "revoked" if record.revoked_at else "retired" if record.retired_at else "active"
        click.echo(f"{record.issuer_id}\t{record.purpose}\t{record.alg}\t{state}\t{record.kid}")


def _qr_from_image(path: Path) -> list[str]:
    zbarimg = shutil.which("zbarimg")
    if not zbarimg:
        raise click.ClickException("reading a QR code from an image needs zbarimg (zbar-tools)")
    out = subprocess.run([zbarimg, "--raw", "-q", str(path)], capture_output=True, text=True, timeout=60)
    return [line for line in out.stdout.splitlines() if line.strip()]


def _qr_from_pdf(data: bytes) -> list[str]:
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "c.pdf"
        src.write_bytes(data)
        subprocess.run([pdftoppm, "-r", "300", "-png", "-f", "1", "-l", "1", str(src), str(Path(tmp) / "p")],
                       check=True, timeout=120)
        return [t for image in sorted(Path(tmp).glob("p*.png")) for t in _qr_from_image(image)]


def verify_input(arg: str, public_keys: list[dict], status_list: bytes | None = None,
                 roots: list | None = None) -> tuple[int, list[str]]:
    """(exit status, lines to print) for a QR text, an image, a certificate PDF or a credential."""
    path = Path(arg)
    is_file = len(arg) < 1024 and "\n" not in arg and path.is_file()
    if is_file and path.suffix.lower() == ".pdf":
        return _verify_pdf(path.read_bytes(), public_keys, roots or [])
    if is_file and path.suffix.lower() in (".png", ".jpg", ".jpeg"):
        texts = _qr_from_image(path)
        if not texts:
            return 2, ["UNREADABLE: no QR code found in the image"]
        return _verify_qr(texts[0], public_keys)
    text = path.read_text(encoding="utf-8") if is_file else arg
    if text.lstrip().startswith("{"):
        return _verify_credential(text, public_keys, status_list)
    return _verify_qr(text.strip(), public_keys)


def _verify_qr(text: str, public_keys: list[dict]) -> tuple[int, list[str]]:
    from . import offline
    check = offline.verify_text(text, public_keys)
    messages = {"forged": "FORGED: the signature does not match these facts",
                "unknown_key": "NOT VERIFIABLE: signed with a key that is not in the key set",
                "key_revoked": "REVOKED KEY: the signing key was revoked (compromised)",
                "unreadable": "UNREADABLE: not a signed certificate code"}
    if not check.valid:
        return (2 if check.reason == "unreadable" else 1), [messages[check.reason]]
    f = check.fields
    lines = ["VALID: signed by issuing body %s (key %s)" % (check.issuer, check.kid),
             f"  serial       {f['serial']}", f"  name         {f['name_masked']}"
             + (f"  {f['name_bo_masked']}" if f.get("name_bo_masked") else ""),
             f"  competition  {f['competition']}", f"  event        {f['event']}",
             f"  award        {f['award']} (rank {f['rank']})", f"  issued on    {f['issued_on'].isoformat()}",
             "  (signature only: revocation is checked online, or with --status-list)"]
    return 0, lines


def _verify_credential(text: str, public_keys: list[dict], status_list: bytes | None) -> tuple[int, list[str]]:
    from openbadgeslib.ob3 import OB3VerificationError
    from openbadgeslib.ob3.status import check_credential_status

    from . import credentials
    try:
        document = json.loads(text)
        credential = credentials.verify(document, public_keys)
    except (ValueError, OB3VerificationError) as exc:
        return 1, [f"INVALID CREDENTIAL: {exc}"]
    lines = [f"VALID CREDENTIAL: {credential.name}", f"  issuer       {credential.issuer.name} ({credential.issuer.id})",
             f"  achievement  {credential.achievement.name}",
             f"  subject      {', '.join(i.identity_hash for i in credential.identifiers)}",
             f"  valid from   {credential.issuance_date.isoformat()}", f"  id           {credential.id}"]
    if status_list is not None:
        try:
            check_credential_status(credential, download=lambda _url: status_list)
        except OB3VerificationError as exc:
            return 1, [f"REVOKED: {exc}"] + lines[1:]
        lines.append("  status       not revoked (in the given status list)")
    return 0, lines


def _verify_pdf(data: bytes, public_keys: list[dict], roots: list) -> tuple[int, list[str]]:
    from . import pades
    result = pades.check_pdf(data, roots)
    if not result["signed"]:
        lines, status = ["PDF: no signature (a print file, or not a digital certificate)"], 1
    elif not result["intact"] or not result["covers_whole_file"]:
        return 1, ["PDF: TAMPERED — the document changed after it was signed"]
    else:
        lines = [f"PDF: signature valid, signed by {result['signer']}"
                 + ("" if result["trusted"] else " (signing root not trusted here)")]
        status = 0 if result["trusted"] else 1
    texts = _qr_from_pdf(data)
    if texts:
        qr_status, qr_lines = _verify_qr(texts[0], public_keys)
        return max(status, qr_status), lines + ["QR: " + qr_lines[0]] + qr_lines[1:]
    return status, lines


@group.command("verify")
@click.argument("text_or_file")
@click.option("--keys", "keys_file", type=click.Path(exists=True, dir_okay=False),
              help="A published key set (jwks.json). Default: this deployment's keys.")
@click.option("--status-list", "status_file", type=click.Path(exists=True, dir_okay=False),
              help="A downloaded revocation status list, to check a credential offline.")
def verify(text_or_file: str, keys_file: str | None, status_file: str | None):
    """Say whether a certificate's QR code, credential or PDF is genuine — without the database."""
    from . import keys, signing
    if keys_file:
        public_keys = json.loads(Path(keys_file).read_text(encoding="utf-8")).get("keys", [])
        roots = keys.roots_from_jwks(public_keys)
    else:
        public_keys = signing.published_keys()
        roots = signing.root_certificates()
    status_list = Path(status_file).read_bytes() if status_file else None
    code, lines = verify_input(text_or_file, public_keys, status_list, roots)
    for line in lines:
        click.echo(line)
    raise SystemExit(code)


def init_app(app) -> None:
    app.cli.add_command(group)
