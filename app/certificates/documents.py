"""Every PDF the application prints, through app.pdf: award certificates (and their preview),
admission tickets (准考证), result bulletins (成绩公示表) and entitlement rosters (花名册)."""
from __future__ import annotations

from datetime import timedelta

from flask import Response
from sqlalchemy import select

from .. import pdf, timeutil
from ..downloads import attachment
from ..competitions.models import Competition, Event
from ..competitions.operations import publicity_ends_at
from ..domain.errors import N_
from ..domain.masking import mask_id_number, mask_name
from ..domain.refdata import (AWARD_BO, AWARD_ZH, ENTITLEMENT_KIND_ZH, ENTITLEMENT_STATUS_ZH, LEVEL_ZH, TRACK_ZH)
from ..extensions import db
from ..models_base import utcnow
from ..registration.models import Registration, RegistrationMember
from ..results.models import Result
from . import credentials, signing
from .models import Certificate, CertificateSettings
from .addresses import base_url  # noqa: F401  (re-exported: where the QR codes point)
from .operations import CertificateStateError, format_serial, settings_for
from .queries import certificate_context

TEMPLATE_FILES = {"classic": "certificate_classic.html", "modern": "certificate_modern.html",
                  "bilingual": "certificate_bilingual.html"}


def image_urls(settings, renderer=None) -> dict:
    """The asset URLs of a design's (or the settings') background and seal."""
    r = renderer or pdf.renderer()
    return {"background_url": r.add_asset(settings.background, "image/jpeg") if settings.background else None,
            "seal_url": r.add_asset(settings.seal, "image/png") if settings.seal else None}


def certificate_print_pdf(cert: Certificate) -> bytes:
    """The certificate as issued (its own design), unsigned: for printing."""
    if cert.status == "held":
        raise CertificateStateError(N_("This certificate is held for review: its name has characters no "
                                       "certificate font can print. Release it on the certificates page first."))
    settings = None if cert.design else settings_for(cert.competition)
    ctx = certificate_context(cert, settings, base_url())
    ctx.update(image_urls(cert.design or settings))
    return pdf.render(TEMPLATE_FILES[ctx["template"]], cs=[ctx], preview=False)


def certificate_pdf(cert: Certificate) -> bytes:
    """The digital certificate handed out: rendered as issued and, when its issuing body signs,
    with a PAdES signature."""
    data = certificate_print_pdf(cert)
    if cert.issuer_id is not None and cert.qr_payload is not None:
        from . import signing
        data = signing.sign_pdf(cert, data)
    return data


def preview_pdf(comp: Competition, settings: CertificateSettings | None = None) -> bytes:
    """A specimen (样张) with the first winner's facts, or sample facts before results exist."""
    settings = settings or settings_for(comp)
    cert = db.session.scalar(select(Certificate).where(Certificate.competition_id == comp.id,
                                                       Certificate.status != "held")  # never a box
                             .order_by(Certificate.seq).limit(1))
    if cert is not None:
        ctx = certificate_context(cert, settings, base_url())
    else:
        event = comp.events[0] if comp.events else None
        row = db.session.execute(select(Result, Registration).join(Registration, Registration.id == Result.registration_id)
                                 .where(Result.competition_id == comp.id, Result.award.is_not(None))
                                 .order_by(Result.event_id, Result.rank).limit(1)).first()
        if row is not None:
            result, reg = row
            event = db.session.get(Event, result.event_id)
            name, org, rank, award = reg.person.name, reg.organization.name if reg.organization else None, \
                result.rank, result.award
            name_bo = reg.person.name_bo
        else:
            name, org, rank, award = "张三", "示例单位", 1, "first"
            name_bo = "བཀྲ་ཤིས་དོན་གྲུབ" if settings.template == "bilingual" else None
        code = "PREVIEWPREVIEWPREVIEW"
        ctx = {"serial": format_serial(settings.serial_pattern, comp, event, 1) if event else "—",
               "code": "样张-仅供预览", "verify_url": base_url() + "/verify/" + code,
               "qr": base_url() + "/verify/" + code, "signed": False,
               "verify_base": base_url().split("://")[-1] + "/verify",
               "competition": comp.name, "event": event.name if event else "示例赛项",
               "track": TRACK_ZH.get(event.track, "") if event else "", "team_name": None, "name": name,
               "name_bo": name_bo, "organization": org, "award": AWARD_ZH.get(award, award),
               "award_bo": AWARD_BO.get(award, ""), "rank": rank,
               "issuing_body": settings.issuing_body or comp.name, "issued_on": utcnow().date()}
    # The specimen shows these settings (the template to come), whatever a certificate was issued with.
    ctx.update(template=settings.template, issuing_body=settings.issuing_body or comp.name)
    ctx.update(image_urls(settings))
    return pdf.render(TEMPLATE_FILES[settings.template], cs=[ctx], preview=True)


def admission_ticket_pdf(reg: Registration) -> bytes:
    """准考证: only for an approved entry whose code has been drawn."""
    if reg.status != "approved" or not reg.ticket_text:
        raise CertificateStateError(N_("The admission ticket is printed once the entry is approved and the codes are drawn."))
    event = db.session.get(Event, reg.event_id)
    comp = event.competition
    from ..people.claims import claim_code
    # A member without an account gets the one-time code that links a sign-up to this record.
    renderer = pdf.renderer()
    members = []
    for m in reg.members:
        # The photo (a clean JPEG, see registration/photos.py) goes into the document from memory.
        photo = db.session.scalar(select(RegistrationMember.photo).where(RegistrationMember.id == m.id)) \
            if m.photo_sha else None
        members.append({"name": m.person.name, "name_bo": m.person.name_bo, "id_number": m.person.id_number,
                        "organization": reg.organization.name if reg.organization else "",
                        "photo_url": renderer.add_asset(photo, "image/jpeg") if photo else None,
                        "claim_code": None if m.person.user_id else claim_code(m.person)})
    ctx = {"competition": comp.name, "level": LEVEL_ZH.get(comp.level, ""), "event": event.name,
           # Two-layer encryption: the ticket carries the first-layer number, never the judges' code.
           "occupation": event.occupation, "track": TRACK_ZH.get(event.track, ""), "code": reg.ticket_text,
           "station": reg.station, "team_name": reg.team_name if event.team_size > 1 else None,
           "members": members, "venue": event.venue or "另行通知",
           "starts": timeutil.local_text(event.starts_at) if event.starts_at else "另行通知",
           "ends": timeutil.local_text(event.ends_at) if event.ends_at else "",
           "issuing_body": settings_for(comp).issuing_body, "printed_on": utcnow().date(),
           "ticket_no": f"{comp.year}{comp.id:03d}{event.id:03d}{reg.id:06d}"}
    return renderer.render("admission_ticket.html", t=ctx)


def bulletin_pdf(event: Event, public: bool = False) -> bytes:
    """成绩公示表: the published results of one event, for posting during publicity. The public
    copy (linked from the public results page) masks the names like every public page."""
    comp = event.competition
    if comp.status not in ("publicity", "final", "archived"):
        raise CertificateStateError(N_("The bulletin is printed once results are published."))
    rows = db.session.execute(select(Result, Registration).join(Registration, Registration.id == Result.registration_id)
                              .where(Result.event_id == event.id).order_by(Result.rank, Registration.code)).all()
    from ..results.operations import excluded_entries
    marks = {"absent": "缺考", "disqualified": "取消成绩"}
    components = [c["name"] for c in event.scheme.get("components", [])]
    keys = [c["key"] for c in event.scheme.get("components", [])]
    ends = publicity_ends_at(comp)
    starts = ends - timedelta(days=comp.publicity_days) if ends else None
    ctx = {"competition": comp.name, "event": event.name, "track": TRACK_ZH.get(event.track, ""),
           "components": components,
           # The number contestants know (their ticket's); absent and disqualified entries follow,
           # marked as such, without rank or total.
           "rows": [{"rank": r.rank, "code": reg.ticket_text, "name": reg.team_name or reg.person.name,
                     "name_bo": None if reg.team_name else reg.person.name_bo, "team": bool(reg.team_name),
                     "members": "、".join(m.person.name for m in reg.members) if event.team_size > 1 else "",
                     "organization": reg.organization.name if reg.organization else "",
                     "components": [r.components.get(k, "") for k in keys], "total": f"{r.total:.2f}",
                     "award": AWARD_ZH.get(r.award, r.award or "")} for r, reg in rows] + [
                    {"rank": marks[reg.attendance], "code": reg.ticket_text, "name": reg.team_name or reg.person.name,
                     "name_bo": None if reg.team_name else reg.person.name_bo, "team": bool(reg.team_name),
                     "members": "、".join(m.person.name for m in reg.members) if event.team_size > 1 else "",
                     "organization": reg.organization.name if reg.organization else "",
                     "components": ["—" for _k in keys], "total": "—", "award": ""}
                    for reg in excluded_entries(event)],
           "publicity_from": timeutil.local_text(starts) if starts else "",
           "publicity_to": timeutil.local_text(ends) if ends else "",
           "is_final": comp.status != "publicity", "issuing_body": settings_for(comp).issuing_body,
           "printed_on": utcnow().date(), "public": public}
    if public:
        for row in ctx["rows"]:
            row["name"] = row["name"] if row.get("team") else mask_name(row["name"])
            row["name_bo"] = mask_name(row["name_bo"]) if row.get("name_bo") else None
            row["members"] = "、".join(mask_name(n) for n in row["members"].split("、")) if row["members"] else ""
    return pdf.render("bulletin.html", b=ctx)


def roster_pdf(entitlements, title: str, subtitle: str = "") -> bytes:
    """花名册 of entitlements (e.g. the teacher-eligibility roster), each row with rule and clause."""
    rows = [{"name": e.person.name, "name_bo": e.person.name_bo, "id_number": mask_id_number(e.person.id_number),
             "organization": e.person.organization.name if e.person.organization else "",
             "competition": e.competition_name, "event": e.event_name, "rank": e.rank,
             "award": AWARD_ZH.get(e.award, e.award or ""), "kind": ENTITLEMENT_KIND_ZH.get(e.kind, e.kind),
             "title": e.title or "", "rule_id": e.rule_id, "citation": e.citation, "quote": e.quote,
             "policy_note": e.policy_note or "",
             "status": ENTITLEMENT_STATUS_ZH.get(e.status, e.status)} for e in entitlements]
    return pdf.render("roster.html", r={"title": title, "subtitle": subtitle, "rows": rows,
                                        "printed_on": utcnow().date()})


# ---- the winner's digital credential (Open Badges 3.0), as the web page and the API hand it out ---

CREDENTIAL_MIME = "application/vc"  # W3C VC Data Model 2.0, §6.3
N_CREDENTIAL_NOT_VALID = N_("Only a valid certificate has a digital credential.")
N_NOT_SIGNED = N_("This certificate was issued before certificates were signed: it has no digital credential. "
                  "The organizer can reissue it.")


def credential_response(cert: Certificate) -> Response:
    if cert.status != "valid":
        raise CertificateStateError(N_CREDENTIAL_NOT_VALID)
    if cert.issuer_id is None or cert.qr_payload is None:
        raise CertificateStateError(N_NOT_SIGNED)
    document = signing.credential_document(cert)
    response = Response(credentials.to_json(document), mimetype=CREDENTIAL_MIME)
    response.headers["Content-Disposition"] = attachment(f"{cert.serial}.credential.json", "credential.json")
    response.headers["Cache-Control"] = "private, no-store"
    return response
