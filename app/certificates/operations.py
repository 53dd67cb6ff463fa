"""Certificates: settings, issue at final, revocation and reissue, and the post-final
reconciliation after a correction (codes and serials: codes.py; what a certificate prints and
shows: queries.py)."""
from __future__ import annotations

import hashlib
import io
import json

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..audit.operations import record
from ..competitions.models import Competition, Event
from ..domain.errors import N_, Collector, DomainError, NotFound
from ..domain.names import InvalidName, clean_person_name
from ..extensions import db
from ..models_base import utcnow
from ..pdf.fonts import missing_glyphs
from ..registration.models import Registration, RegistrationMember
from ..results.models import Result
from .codes import (CODE_BYTES, DEFAULT_PATTERN, PATTERN_FIELDS, display_code, format_serial,  # noqa: F401
                    new_code, normalize_code, region_of, validate_pattern)
from .models import TEMPLATES, Certificate, CertificateDesign, CertificateSettings

MAX_BACKGROUND = (1754, 1240)  # A4 landscape at 150 dpi
MAX_SEAL = (320, 320)  # a 42 mm seal at ~190 dpi
MAX_PIXELS = 25_000_000  # refused before decoding beyond this (an A4 scan at 300 dpi is ~8.7 Mpx)


class CertificateStateError(DomainError):
    code = "wrong_state"


# A certificate that stands for a result (and is superseded when the result changes): valid, or
# held for the organizer's review of a name no font can print.
LIVE = ("valid", "held")


# ---- settings -----------------------------------------------------------------------------------

def settings_for(comp: Competition) -> CertificateSettings:
    s = db.session.get(CertificateSettings, comp.id)
    if s is None:
        host = comp.host_organization.name if comp.host_organization else None
        s = CertificateSettings(competition_id=comp.id, template="classic", serial_pattern=DEFAULT_PATTERN,
                                issuing_body=host or f"{comp.name}组委会")
        db.session.add(s)
        db.session.flush()
    return s


def _prepare_image(data: bytes | None, field: str, kind: str, errors: Collector) -> tuple[bytes, str] | None:
    """Check an upload by its content and pre-scale it once: a background becomes a JPEG of at
    most A4 landscape at 150 dpi, a seal a PNG (transparency kept) of at most 600 px."""
    if not data:
        return None
    from PIL import Image, UnidentifiedImageError
    too_large = N_("The image is too large (%(w)d × %(h)d pixels); at most %(mp)d megapixels.")
    try:
        img = Image.open(io.BytesIO(data))  # reads the header only
        if img.format not in ("JPEG", "PNG"):
            errors.add(field, N_("Upload a JPEG or PNG image."))
            return None
        if img.width * img.height > MAX_PIXELS:  # from the header, before a pixel is decoded
            errors.add(field, too_large, w=img.width, h=img.height, mp=MAX_PIXELS // 1_000_000)
            return None
        img.load()
    except Image.DecompressionBombError:
        errors.add(field, N_("The image is too large; at most %(mp)d megapixels."), mp=MAX_PIXELS // 1_000_000)
        return None
    except (UnidentifiedImageError, OSError, ValueError):
        errors.add(field, N_("Upload a JPEG or PNG image."))
        return None
    out = io.BytesIO()
    if kind == "background":
        if img.width < 600 or img.height < 400:
            errors.add(field, N_("The background is too small: at least 600 × 400 pixels (1754 × 1240 is best)."))
            return None
        img = img.convert("RGB")
        img.thumbnail(MAX_BACKGROUND, Image.Resampling.LANCZOS)
        img.save(out, "JPEG", quality=82, optimize=True, progressive=False)
    else:
        img = img.convert("RGBA")
        img.thumbnail(MAX_SEAL, Image.Resampling.LANCZOS)
        img.save(out, "PNG", optimize=True)
    blob = out.getvalue()
    return blob, hashlib.sha256(blob).hexdigest()


def update_settings(comp: Competition, data: dict, actor, *, background: bytes | None = None,
                    seal: bytes | None = None) -> CertificateSettings:
    s = settings_for(comp)
    errors = Collector()
    template = (data.get("template") or s.template or "classic").strip()
    if template not in TEMPLATES:
        errors.add("template", N_("Choose one of the templates."))
    issuing_body = (data.get("issuing_body") or "").strip()
    if not issuing_body or len(issuing_body) > 200:
        errors.add("issuing_body", N_("Name the issuing body (at most 200 characters)."))
    pattern = (data.get("serial_pattern") or "").strip()
    validate_pattern(pattern, errors)
    bg = _prepare_image(background, "background", "background", errors)
    sl = _prepare_image(seal, "seal", "seal", errors)
    version = data.get("version")
    if version not in (None, "") and str(version) != str(s.version):
        from ..competitions.operations import StaleVersion
        raise StaleVersion()
    errors.raise_if_any()
    issued = db.session.scalar(select(func.count()).select_from(Certificate).where(
        Certificate.competition_id == comp.id))
    if issued and pattern != s.serial_pattern:
        raise CertificateStateError(N_("Certificates have been issued: the serial pattern can no longer change."))
    before = {"template": s.template, "issuing_body": s.issuing_body, "serial_pattern": s.serial_pattern,
              "background_sha": s.background_sha, "seal_sha": s.seal_sha}
    s.template, s.issuing_body, s.serial_pattern = template, issuing_body, pattern
    if bg:
        s.background, s.background_sha = bg
    elif data.get("remove_background"):
        s.background = s.background_sha = None
    if sl:
        s.seal, s.seal_sha = sl
    elif data.get("remove_seal"):
        s.seal = s.seal_sha = None
    s.version += 1
    after = {"template": s.template, "issuing_body": s.issuing_body, "serial_pattern": s.serial_pattern,
             "background_sha": s.background_sha, "seal_sha": s.seal_sha}
    record("certificates.settings", object_type="competitions", object_id=comp.id, actor=actor,
           before=before, after=after, competition_id=comp.id)
    return s


# ---- designs: what a certificate is issued with --------------------------------------------------

def design_for(comp: Competition, settings: CertificateSettings, base_url: str) -> CertificateDesign:
    """The frozen design of these settings (shared by every certificate issued with the same ones)."""
    base = base_url.rstrip("/")
    issuing_body = settings.issuing_body or comp.name
    sha = hashlib.sha256(json.dumps([settings.template, issuing_body, base, settings.background_sha,
                                     settings.seal_sha], ensure_ascii=False).encode()).hexdigest()
    design = db.session.scalar(select(CertificateDesign).where(CertificateDesign.competition_id == comp.id,
                                                               CertificateDesign.sha == sha))
    if design is None:
        design = CertificateDesign(competition_id=comp.id, sha=sha, template=settings.template,
                                   issuing_body=issuing_body, base_url=base, background=settings.background,
                                   background_sha=settings.background_sha, seal=settings.seal,
                                   seal_sha=settings.seal_sha)
        db.session.add(design)
        db.session.flush()
    return design


class IssueContext:
    """What every certificate of one issue shares: the design, the issuing body and its keys, and
    the status-list indexes already taken."""

    def __init__(self, comp: Competition, settings: CertificateSettings):
        from . import signing
        from .addresses import base_url
        self.design = design_for(comp, settings, base_url())
        issuer = signing.issuer_of(comp)
        self.issuer_id = issuer[0] if issuer else None
        self.taken: set[int] = set()
        if issuer is not None:
            signing.ready_issuer(*issuer)
            self.taken = set(db.session.scalars(select(Certificate.status_index).where(
                Certificate.issuer_id == self.issuer_id, Certificate.status_index.is_not(None))))


# ---- issue, revoke, reissue ---------------------------------------------------------------------

def _next_seq(comp_id: int) -> int:
    return (db.session.scalar(select(func.max(Certificate.seq)).where(Certificate.competition_id == comp_id)) or 0) + 1


def unprintable(*texts: str | None) -> list[str]:
    """The characters of these texts that no certificate font can print, without repeats."""
    out: list[str] = []
    for text in texts:
        out.extend(ch for ch in missing_glyphs(text) if ch not in out)
    return out


def missing_characters(cert: Certificate) -> list[str]:
    """What would print as an empty box on this certificate (its printed name and team name)."""
    return unprintable(cert.printed_name or cert.name, cert.team_name)


def _approved_spelling(comp_id: int, person_id: int, name: str) -> str | None:
    """The printed name an organizer chose for this person's name on an earlier certificate of
    the competition (a reissue or a post-final correction keeps it)."""
    printed = db.session.scalar(select(Certificate.printed_name).where(
        Certificate.competition_id == comp_id, Certificate.person_id == person_id, Certificate.name == name,
        Certificate.printed_name.is_not(None)).order_by(Certificate.id.desc()).limit(1))
    return printed if printed and not missing_glyphs(printed) else None


def _issue_one(comp: Competition, event: Event, reg: Registration, person, result: Result, settings,
               seq: int, actor, replaces: Certificate | None = None, issue: IssueContext | None = None) -> Certificate:
    """One certificate. A name (or team name) with characters no certificate font has makes it
    `held`: serial and code are assigned, but it is not valid and not printed until the
    organizer releases it (with a printed name that prints, or as it is)."""
    serial = format_serial(settings.serial_pattern, comp, event, seq)
    if db.session.scalar(select(Certificate.id).where(Certificate.serial == serial)):
        raise CertificateStateError(N_("The serial %(serial)s exists already (another competition uses the same "
                                       "pattern): add {competition} to the serial pattern."), serial=serial)
    team_name = reg.team_name if event.team_size > 1 else None
    # An award to a unit (高技能人才培养突出贡献奖…): the nomination's person is only its contact,
    # and the entry carries the nominated organization's name — the certificate names the unit.
    name = reg.team_name if event.team_size == 1 and reg.source == "nomination" and reg.team_name else person.name
    printed = None
    status = "valid"
    if unprintable(name, team_name):
        printed = _approved_spelling(comp.id, person.id, name) if name == person.name else None
        status = "held" if unprintable(printed or name, team_name) else "valid"
    issue = issue or IssueContext(comp, settings)
    cert = Certificate(competition_id=comp.id, event_id=event.id, registration_id=reg.id, person_id=person.id,
                       seq=seq, serial=serial, code=new_code(), name=name, printed_name=printed,
                       name_bo=person.name_bo if name == person.name else None,
                       organization_name=reg.organization.name if reg.organization else None,
                       team_name=team_name, rank=result.rank, status=status,
                       award=result.award, issued_by_id=getattr(actor, "id", None),
                       replaces_id=replaces.id if replaces else None, issued_at=utcnow().replace(microsecond=0),
                       design_id=issue.design.id, issuer_id=issue.issuer_id)
    cert.competition, cert.event = comp, event
    if issue.issuer_id is not None:
        from . import signing
        cert.status_index = signing.new_status_index(issue.taken)
        signing.sign_qr(cert)
    db.session.add(cert)
    return cert


def winners(comp: Competition, event_id: int | None = None):
    """(result, registration, event) of every award winner, by event and rank."""
    # The members, their people and the entry's unit read in batches with the winners (each
    # certificate reads them; one query per winner before).
    stmt = (select(Result, Registration, Event).join(Registration, Registration.id == Result.registration_id)
            .join(Event, Event.id == Result.event_id)
            .options(selectinload(Registration.members).selectinload(RegistrationMember.person),
                     selectinload(Registration.organization))
            .where(Result.competition_id == comp.id, Result.award.is_not(None))
            .order_by(Event.id, Result.rank, Registration.code, Registration.id))
    if event_id is not None:
        stmt = stmt.where(Result.event_id == event_id)
    return db.session.execute(stmt).all()


def issue_for_competition(comp: Competition, actor, event_id: int | None = None) -> list[Certificate]:
    """Give every award winner (each member of a winning team) a certificate they do not hold
    yet: serial from the competition's pattern, verification code of 104 random bits."""
    settings = settings_for(comp)
    held = {(reg_id, person_id) for reg_id, person_id in db.session.execute(
        select(Certificate.registration_id, Certificate.person_id).where(
            Certificate.competition_id == comp.id, Certificate.status.in_(LIVE)))}
    seq = _next_seq(comp.id)
    created = []
    issue = None
    for result, reg, event in winners(comp, event_id):
        for member in reg.members:
            if (reg.id, member.person_id) in held:
                continue
            issue = issue or IssueContext(comp, settings)
            created.append(_issue_one(comp, event, reg, member.person, result, settings, seq, actor, issue=issue))
            seq += 1
    db.session.flush()
    if created:
        on_hold = [c.serial for c in created if c.status == "held"]
        record("certificates.issue", comp, actor=actor, competition_id=comp.id, event_id=event_id,
               after={"issued": len(created), "serials": [created[0].serial, created[-1].serial],
                      "held": on_hold})
    return created


def issue_on_final(comp: Competition, actor) -> None:
    issue_for_competition(comp, actor)


def by_code(raw: str | None) -> Certificate:
    code = normalize_code(raw)
    cert = db.session.scalar(select(Certificate).where(Certificate.code == code)) if code else None
    if cert is None:
        raise NotFound(N_("No certificate has this verification code."))
    return cert


def revoke(cert: Certificate, reason: str | None, actor) -> Certificate:
    errors = Collector()
    reason = (reason or "").strip()
    if len(reason) < 4:
        errors.add("reason", N_("Give the reason for the revocation (e.g. the appeal decision); it is shown when the certificate is verified."))
    errors.raise_if_any()
    if cert.status == "revoked":
        raise CertificateStateError(N_("This certificate is revoked already."))
    before = cert.status
    cert.status, cert.revoked_at, cert.revoked_by_id, cert.revoke_reason = "revoked", utcnow(), \
        getattr(actor, "id", None), reason[:1000]
    record("certificate.revoke", cert, actor=actor, before={"status": before}, after={"status": "revoked"},
           reason=cert.revoke_reason, competition_id=cert.competition_id, event_id=cert.event_id)
    return cert


def reissue(cert: Certificate, reason: str | None, actor) -> Certificate:
    """A new certificate (new serial, new code) with today's facts, for a revoked one — or for a
    valid one, which is revoked with the reason first (e.g. a misspelt name corrected)."""
    result = db.session.scalar(select(Result).where(Result.registration_id == cert.registration_id))
    if result is None or result.award is None:
        raise CertificateStateError(N_("This entry holds no award any more: there is nothing to reissue."))
    if cert.status in LIVE:
        revoke(cert, reason, actor)
    elif db.session.scalar(select(Certificate.id).where(Certificate.replaces_id == cert.id)):
        raise CertificateStateError(N_("This certificate has been reissued already."))
    comp, event = cert.competition, cert.event
    reg = db.session.get(Registration, cert.registration_id)
    new = _issue_one(comp, event, reg, cert.person, result, settings_for(comp), _next_seq(comp.id), actor,
                     replaces=cert)
    db.session.flush()
    record("certificate.reissue", new, actor=actor, before={"serial": cert.serial}, after={"serial": new.serial},
           reason=(reason or cert.revoke_reason), competition_id=comp.id, event_id=event.id)
    return new


def release(cert: Certificate, printed_name: str | None, reason: str | None, actor,
            print_as_is: bool = False) -> Certificate:
    """Release a held certificate: with `printed_name` (the name as it will be printed, checked
    like any name and by the same glyph check, so that it prints), or — when the organizer
    confirms with `print_as_is` — as it is, the missing characters printing as empty boxes.
    The certificate becomes valid; the release and its reason are audited."""
    errors = Collector()
    reason = (reason or "").strip()
    if len(reason) < 4:
        errors.add("reason", N_("Give the reason for the release (e.g. how the name was checked); it is kept in the audit log."))
    printed = None
    raw = (printed_name or "").strip()
    if raw:
        try:
            printed = clean_person_name(raw)
        except InvalidName as exc:
            errors.add("printed_name", exc.message, **exc.params)
        else:
            if missing := missing_glyphs(printed):
                errors.add("printed_name", N_("No certificate font can print %(chars)s either: choose other characters."),
                           chars=" ".join(missing))
    errors.raise_if_any()
    if cert.status != "held":
        raise CertificateStateError(N_("This certificate is not held for review."))
    remaining = unprintable(printed or cert.name, cert.team_name)
    if remaining and not print_as_is:
        errors.add("printed_name", N_("No certificate font can print %(chars)s: give the name as it is to be printed, "
                                      "or confirm that the certificate is printed as it is (with empty boxes)."),
                   chars=" ".join(remaining))
        errors.raise_if_any()
    before = {"status": cert.status, "printed_name": cert.printed_name}
    cert.printed_name, cert.status = printed, "valid"
    record("certificate.release", cert, actor=actor, before=before,
           after={"status": "valid", "printed_name": printed, "printed_as_is": remaining},
           reason=reason[:1000], competition_id=cert.competition_id, event_id=cert.event_id)
    return cert


def reconcile_event(event: Event, actor, reason: str) -> dict:
    """After a post-final correction: revoke certificates (valid or held for review) whose rank or
    award changed (or that certify no award any more) and issue certificates for the new facts
    (held again when the name still cannot be printed, unless a printed name was chosen)."""
    comp = event.competition
    results = {r.registration_id: r for r in db.session.scalars(select(Result).where(Result.event_id == event.id))}
    revoked = 0
    for cert in db.session.scalars(select(Certificate).where(Certificate.event_id == event.id,
                                                             Certificate.status.in_(LIVE))):
        r = results.get(cert.registration_id)
        if r is None or r.award != cert.award or r.rank != cert.rank:
            revoke(cert, reason, actor)
            revoked += 1
    issued = issue_for_competition(comp, actor, event_id=event.id)
    return {"revoked": revoked, "issued": len(issued)}
