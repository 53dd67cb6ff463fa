"""What a verifier needs, served publicly, and the winner's credential download.

- `/.well-known/jwks.json`: every issuing body's public keys, retired ones included (a PDF key with
  its certificate chain in x5c); never a private key;
- `/issuers/<id>/did.json`: the issuing body's DID document (did:web:<host>:issuers:<id>);
- `/issuers/<id>/status/revocation`: its revocation list (Bitstring Status List, a signed VC-JWT);
- `/registrations/<id>/credential.json` (the winner, and those who may see the entry) and
  `/manage/certificates/<code>/credential.json` (the organizer): the Open Badges 3.0 credential.

These views may move with the other public pages (app/public/); they only call certificates'
own modules.
"""
from __future__ import annotations

from flask import Response, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..people.models import Organization
from ..registration.access import viewable_registration
from ..security import login_required_any, public, roles
from . import bp, credentials, signing
from .access import certificate_for, managed_certificate
from .addresses import base_url
from .models import Certificate
from .documents import credential_response


@bp.route("/.well-known/jwks.json")
@public
def jwks():
    response = jsonify(signing.keystore().jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"  # public keys: any verifier may read them
    return response


def _issuer(issuer_id: int) -> Organization:
    org = db.session.get(Organization, issuer_id)
    if org is None or not signing.keystore().records(issuer_id):
        abort(404)
    return org


@bp.route("/issuers/<int:issuer_id>/did.json")
@public
def did_document(issuer_id: int):
    _issuer(issuer_id)
    document = credentials.did_document(base_url(), issuer_id, signing.keystore().records(issuer_id))
    response = Response(credentials.to_json(document), mimetype="application/did+json")
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/issuers/<int:issuer_id>/status/revocation")
@public
def status_list(issuer_id: int):
    """The revocation bits of every certificate this issuing body signed (fresh for two days)."""
    _issuer(issuer_id)
    revoked = db.session.scalars(select(Certificate.status_index).where(
        Certificate.issuer_id == issuer_id, Certificate.status == "revoked", Certificate.status_index.is_not(None)))
    token = credentials.status_list(base_url(), issuer_id, list(revoked),
                                    signing.keystore().active(issuer_id, "credential"))
    response = Response(token, mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/registrations/<int:registration_id>/credential.json")
@login_required_any
def registration_credential(registration_id: int):
    reg = viewable_registration(registration_id)
    cert = certificate_for(reg, current_user, request.args.get("person_id", type=int))
    if cert is None:
        abort(404)
    return credential_response(cert)


@bp.route("/manage/certificates/<code>/credential.json")
@roles("admin", "organizer")
def managed_credential(code: str):
    return credential_response(managed_certificate(code))
