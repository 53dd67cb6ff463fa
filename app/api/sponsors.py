"""API of a competition's sponsors and donations: list with totals, record (JSON, or multipart with
the agreement file), remove, and the agreement download."""
from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from .. import timeutil
from ..competitions.access import managed_competition
from ..domain import sponsorship as rules
from ..security import roles
from ..sponsors import operations
from ..sponsors.access import managed_sponsorship
from ..sponsors.exports import agreement_response
from . import bp
from .contract import Date, DateTime, Decimal, DecimalIn, Model, Out, body, choice, doc, form


class SponsorAgreement(Out):
    filename: str | None
    content_type: str | None
    size: int
    sha256: str | None


class SponsorshipOut(Out):
    id: int
    competition_id: int
    sponsor_name: str
    kind: choice(rules.KINDS)
    amount: Decimal
    description: str | None
    purpose: str
    received_on: Date | None
    acknowledgement: str | None
    print_on_bulletin: bool
    agreement: SponsorAgreement | None
    created_at: DateTime | None


class SponsorTotals(Out):
    money: Decimal
    goods: Decimal
    services: Decimal
    total: Decimal


class SponsorshipListOut(Out):
    items: list[SponsorshipOut]
    totals: SponsorTotals


class SponsorshipIn(Model):
    sponsor_name: str = Field(max_length=200)
    kind: choice(rules.KINDS)
    amount: DecimalIn
    description: str | None = Field(None, max_length=500)
    purpose: str = Field(max_length=500)
    received_on: Date | None = None
    acknowledgement: str | None = Field(None, max_length=200)
    print_on_bulletin: bool = False


class SponsorshipForm(Model):
    """The same fields as multipart/form-data (text values), with the agreement file."""
    sponsor_name: str
    kind: str
    amount: str
    description: str | None = None
    purpose: str
    received_on: str | None = None
    acknowledgement: str | None = None
    print_on_bulletin: str | None = None
    agreement: bytes | None = Field(None, description="The agreement: PDF, JPEG or PNG.")


def sponsorship_json(s) -> dict:
    return {"id": s.id, "competition_id": s.competition_id, "sponsor_name": s.sponsor_name, "kind": s.kind,
            "amount": f"{s.amount:.2f}", "description": s.description, "purpose": s.purpose,
            "received_on": s.received_on.isoformat() if s.received_on else None,
            "acknowledgement": s.acknowledgement, "print_on_bulletin": bool(s.print_on_bulletin),
            "agreement": None if not s.agreement_size else {
                "filename": s.agreement_filename, "content_type": s.agreement_content_type,
                "size": s.agreement_size, "sha256": s.agreement_sha256},
            "created_at": timeutil.iso(s.created_at)}


@bp.route("/competitions/<int:competition_id>/sponsorships", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=SponsorshipListOut)
def sponsorships_list(competition_id: int):
    """The competition's sponsorships and donations, with totals per kind (yuan)."""
    comp = managed_competition(competition_id)
    rows = operations.for_competition(comp.id)
    return jsonify({"items": [sponsorship_json(s) for s in rows],
                    "totals": {k: f"{v:.2f}" for k, v in rules.totals(rows).items()}})


@bp.route("/competitions/<int:competition_id>/sponsorships", methods=["POST"])
@roles("admin", "organizer")
@doc(body=SponsorshipIn, form=SponsorshipForm, ok=(201, SponsorshipOut),
     example={"sponsor_name": "西藏高争建材集团", "kind": "money", "amount": "200000.00", "purpose": "决赛场地与耗材",
              "acknowledgement": "感谢西藏高争建材集团对本届大赛的支持", "print_on_bulletin": True})
def sponsorships_create(competition_id: int):
    """Record a sponsorship or donation. As JSON, or as multipart/form-data with the agreement file `agreement`."""
    comp = managed_competition(competition_id)
    if request.mimetype == "multipart/form-data":
        data = form()
        upload = request.files.get("agreement")
        content = (upload.filename, upload.read()) if upload else None
    else:
        data, content = body(), None
    return jsonify(sponsorship_json(operations.add(comp, data, content, current_user))), 201


@bp.route("/sponsorships/<int:sponsorship_id>", methods=["DELETE"])
@roles("admin", "organizer")
@doc(ok=None)
def sponsorships_delete(sponsorship_id: int):
    """Remove a sponsorship recorded by mistake (audited)."""
    operations.remove(managed_sponsorship(sponsorship_id), current_user)
    return "", 204


@bp.route("/sponsorships/<int:sponsorship_id>/agreement", methods=["GET"])
@roles("admin", "organizer")
@doc(ok={200: ("application/pdf", "image/jpeg", "image/png")})
def sponsorships_agreement(sponsorship_id: int):
    """The agreement file, as stored."""
    return agreement_response(managed_sponsorship(sponsorship_id))
