"""Certificate verification (by code, by the QR code's signed text, offline-checkable) and the
public copy of a results bulletin. Endpoints of the certificates blueprint."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..certificates import bp, documents, offline, operations, queries, signing
from ..certificates.forms import VerifyForm
from ..certificates.models import Certificate
from ..competitions.models import Event
from ..downloads import pdf_response
from ..extensions import db
from ..i18n import name, names
from ..security import public


@bp.route("/results/events/<int:event_id>/bulletin.pdf")
@public
def public_bulletin(event_id: int):
    """The public copy of the 成绩公示表 (names masked), linked from the public results page."""
    event = db.get_or_404(Event, event_id)
    if event.competition.status not in ("publicity", "final", "archived"):
        abort(404)
    data = documents.bulletin_pdf(event, public=True)
    return pdf_response(data, f"{event.competition.name}-{event.name}-成绩公示表.pdf",
                        ascii_name=f"results-bulletin-{event.id}.pdf")


@bp.route("/verify")
@public
def verify_form():
    form = VerifyForm(request.args)
    qr_text = (request.args.get("qr") or "").strip()
    if qr_text:
        return _verify_page(form, None, _signed_check(qr_text))
    if form.code.data:
        return redirect(url_for("certificates.verify", code=operations.normalize_code(form.code.data) or "-"))
    return render_template("certificates/verify.html", form=form, cert=None, view=None, signed=None)


def _signed_check(text: str) -> dict:
    """The offline check of a QR text: the issuer's published keys only, no database."""
    check = offline.verify_text(text[:offline.MAX_TEXT], signing.published_keys())
    issuer_name = signing.keystore().issuer_name(check.issuer) if check.issuer is not None else None
    return {"valid": check.valid, "reason": check.reason, "fields": check.fields, "code": check.code,
            "issuer_name": issuer_name, "award_label": name("award", check.fields.get("award"))}


def _verify_page(form, code: str | None, signed: dict | None):
    code = code or (signed or {}).get("code")
    cert = None
    if code:
        try:
            cert = db.session.scalar(select(Certificate).where(Certificate.code == operations.normalize_code(code)))
        except SQLAlchemyError:  # the signature speaks for itself when the register cannot be read
            db.session.rollback()
    view = queries.public_view(cert) if cert else None
    if signed and cert is not None and signed["fields"].get("serial") not in (None, cert.serial):
        signed["mismatch"] = True   # a genuine signature pasted under another certificate's address
    if code and not form.code.data:
        form.code.data = operations.display_code(operations.normalize_code(code))
    status = 200 if (cert or (signed and signed["valid"])) else 404
    return render_template("certificates/verify.html", form=form, cert=cert, view=view, signed=signed,
                           award_names=names("award")), status


@bp.route("/verify/<code>")
@public
def verify(code: str):
    form = VerifyForm(code=operations.display_code(operations.normalize_code(code)))
    signed = _signed_check(request.url) if request.args.get(offline.PARAM) else None
    return _verify_page(form, code, signed)
