"""Writes of title selections: nominating a person with a dossier (a Registration with source
'nomination', through the one registration service), editing the dossier, adding and removing
attachments. Every write is audited. The dossier is editable by the nominating organization
(and the competition's organizers) while registration is open and the nomination is active.

Who may read a dossier: the nominating organization's contacts, the competition's organizers,
admins and supervisors, the nominated person (their own candidate account) — and, from their score sheet, the judges assigned to the nomination:
a judge has a sheet only where not recused (same organization or a declared conflict)."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select, update

from ..audit.operations import record
from ..competitions.models import Competition, Event
from ..domain import dossier as rules
from ..domain.errors import N_, Collector, DomainError, Forbidden, ValidationFailed
from ..extensions import db
from ..forms_util import max_upload_bytes  # noqa: F401  (also imported from here)
from ..judging.models import Sheet
from ..models_base import utcnow
from ..registration import operations as registrations
from ..people.models import Organization, Person
from ..registration.models import ACTIVE_STATUSES, Registration, RegistrationMember
from .models import Dossier, DossierAttachment

KIND = "title_selection"


class DossierLocked(DomainError):
    code = "wrong_state"


class StaleDossier(DomainError):
    code = "stale_version"

    def __init__(self):
        super().__init__(N_("The dossier was changed elsewhere after you opened it. Reload it; your changes were not saved."))


class NotATitleSelection(DomainError):
    status = 404
    code = "not_found"

    def __init__(self):
        super().__init__(N_("This is not a nomination of a title selection."))


# ---- permission predicates ---------------------------------------------------------------------

def is_title_selection(comp: Competition) -> bool:
    return comp.kind == KIND


def nominating_side(reg: Registration, user) -> bool:
    """The nominating organization's contacts, or the competition's organizers and admins."""
    if not getattr(user, "is_authenticated", False):
        return False
    comp = db.session.get(Competition, reg.competition_id)
    if comp.can_manage(user):
        return True
    return (user.has_role("org_contact") and user.organization_id is not None
            and reg.organization_id == user.organization_id)


def is_nominee(reg: Registration, user) -> bool:
    """The nominated person's own account (read only: the organization writes the dossier)."""
    if not getattr(user, "is_authenticated", False) or not user.has_role("candidate"):
        return False
    return db.session.scalar(select(func.count()).select_from(RegistrationMember).join(
        Person, Person.id == RegistrationMember.person_id).where(
        RegistrationMember.registration_id == reg.id, Person.user_id == user.id)) > 0


def can_view(reg: Registration, user) -> bool:
    from ..competitions.access import supervises
    return (nominating_side(reg, user) or is_nominee(reg, user)
            or supervises(db.session.get(Competition, reg.competition_id), user))


def can_nominate(event: Event, user) -> bool:
    return event.competition.can_manage(user) or (user.has_role("org_contact") and user.organization_id is not None)


def judge_sheet(event: Event, code: str, user) -> Sheet | None:
    """The caller's sheet for this code: the only way a judge reaches a dossier. No sheet means
    not on the panel, recused (own organization, declared conflict) or not a code of the event."""
    if not code:
        return None
    return db.session.scalar(select(Sheet).join(Registration, Registration.id == Sheet.registration_id).where(
        Sheet.event_id == event.id, Sheet.judge_id == user.id, Registration.code == code))


def chief_entry(event: Event, code: str, user) -> Registration | None:
    """The entry behind a code, for this event's chief judge — who oversees every sheet but, like
    a judge, never reads the dossier of a nominee of their own organization or one they declared
    a conflict with. None for anyone else or any other code."""
    from ..judging.models import Conflict, PanelMember
    if not code or not getattr(user, "is_authenticated", False):
        return None
    if db.session.scalar(select(PanelMember.role).where(PanelMember.event_id == event.id,
                                                        PanelMember.user_id == user.id)) != "chief_judge":
        return None
    reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id, Registration.code == code))
    if reg is None or (user.organization_id is not None and reg.organization_id == user.organization_id):
        return None
    if user.organization_id is not None and db.session.scalar(select(Dossier.id).where(
            Dossier.registration_id == reg.id, Dossier.nominee_organization_id == user.organization_id)):
        return None
    if db.session.scalar(select(Conflict.id).where(Conflict.event_id == event.id, Conflict.user_id == user.id,
                                                   Conflict.registration_id == reg.id)):
        return None
    return reg


def editable(reg: Registration) -> bool:
    comp = db.session.get(Competition, reg.competition_id)
    return reg.status in ACTIVE_STATUSES and registrations.window_open(comp)


def _require_editable(reg: Registration, user) -> None:
    if not nominating_side(reg, user):
        raise Forbidden(N_("Only the nominating organization can change this dossier."))
    if not editable(reg):
        raise DossierLocked(N_("The dossier can be changed only while registration is open and the nomination is active."))


def dossier_of(reg: Registration) -> Dossier:
    """The nomination's dossier; NotATitleSelection (404) for any other registration."""
    found = db.session.scalar(select(Dossier).where(Dossier.registration_id == reg.id))
    if found is None:
        raise NotATitleSelection()
    return found


# ---- writes -----------------------------------------------------------------------------------

def _nominee_organization(raw, errors: Collector) -> Organization | None:
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
        org = db.session.get(Organization, value) if 0 < value < 2**63 and not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        org = None
    if org is None:
        errors.add("nominee_organization_id", N_("Unknown organization."))
    return org


def nominate(event: Event, data: dict, actor) -> Registration:
    """An organization nominates a person into a title category (the event), with the dossier:
    {person: {...}, organization_id, dossier: {achievements, innovations, honours, apprentices}}.
    Organization contacts nominate for their own organization; organizers name the organization.
    For an award to a unit (e.g. 高技能人才培养突出贡献奖) the nominee is an organization
    (nominee_organization_id, any organization on file) and `person` is the nomination's contact
    person for it (联系人); the review and decision are the same."""
    comp = event.competition
    if not is_title_selection(comp):
        raise registrations.WrongRegistrationState(N_("Only title selections take nominations."))
    if not isinstance(data, dict):
        data = {}
    manager = comp.can_manage(actor)
    entry = {k: v for k, v in data.items() if k not in ("dossier", "nominee_organization_id")}
    if not manager:
        if not actor.has_role("org_contact") or actor.organization_id is None:
            raise Forbidden(N_("Your account is not linked to an organization."))
        raw = entry.get("organization_id")
        if raw not in (None, "") and str(raw) != str(actor.organization_id):
            raise Forbidden(N_("Organization contacts register people of their own organization only."))
        entry["organization_id"] = actor.organization_id
    errors = Collector()
    if entry.get("organization_id") in (None, ""):
        errors.add("organization_id", N_("Name the nominating organization."))
    raw_dossier = data.get("dossier")
    if not isinstance(raw_dossier, dict):
        errors.add("dossier", N_("Send the dossier as an object of its text fields."))
        raw_dossier = {}
    unknown = set(raw_dossier) - set(rules.FIELDS)
    for key in sorted(unknown):
        errors.add(f"dossier.{key}", N_("This field cannot be set."))
    fields = rules.parse_fields(raw_dossier, errors)
    for err in errors.errors:
        if err.field in rules.FIELDS:
            err.field = f"dossier.{err.field}"
    nominee_org = _nominee_organization(data.get("nominee_organization_id"), errors)
    registrations.check_window(comp)
    try:
        reg = registrations.register(event, entry, actor, "nomination")
    except ValidationFailed as exc:
        raise ValidationFailed(exc.errors + errors.errors) from None
    errors.raise_if_any()
    if nominee_org is not None:
        # The entry's display name: results, bulletins and exports name an entry by its team name
        # before its person, so they name the nominated organization, not the contact person.
        reg.team_name = nominee_org.name[:100]
    dossier = Dossier(registration_id=reg.id, updated_by_id=actor.id,
                      nominee_organization_id=nominee_org.id if nominee_org else None, **fields)
    db.session.add(dossier)
    db.session.flush()
    record("dossier.create", dossier, actor=actor, competition_id=comp.id, event_id=event.id,
           after={"registration_id": reg.id, **{k: v for k, v in fields.items() if v},
                  **({"nominee_organization_id": nominee_org.id} if nominee_org else {})})
    return reg


def update_dossier(reg: Registration, data: dict, version, actor) -> Dossier:
    """Change some or all text fields; the client sends the version it read (stale → 409)."""
    dossier = dossier_of(reg)
    _require_editable(reg, actor)
    errors = Collector()
    if not isinstance(data, dict):
        data = {}
    for key in sorted(set(data) - set(rules.FIELDS) - {"version"}):
        errors.add(key, N_("This field cannot be set."))
    fields = rules.parse_fields(data, errors, partial=True)
    try:
        version = int(version)
    except (TypeError, ValueError):
        errors.add("version", N_("Send the version of the dossier you loaded."))
    errors.raise_if_any()
    if version != dossier.version:
        raise StaleDossier()
    result = db.session.execute(update(Dossier).where(Dossier.id == dossier.id, Dossier.version == version)
                                .values(version=Dossier.version + 1).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleDossier()
    dossier.version = version + 1
    before, after = {}, {}
    for key, value in fields.items():
        if getattr(dossier, key) != value:
            before[key], after[key] = getattr(dossier, key), value
            setattr(dossier, key, value)
    dossier.updated_by_id, dossier.updated_at = actor.id, utcnow()
    db.session.flush()
    record("dossier.update", dossier, actor=actor, before=before, after=after,
           competition_id=reg.competition_id, event_id=reg.event_id)
    return dossier


def add_attachment(reg: Registration, filename: str | None, content: bytes, actor) -> DossierAttachment:
    """Store an uploaded PDF, JPEG or PNG. The type is read from the bytes: a renamed file of
    another type is refused whatever its name says; nothing is written on a refusal."""
    dossier = dossier_of(reg)
    _require_editable(reg, actor)
    errors = Collector()
    limit = max_upload_bytes()
    kind = rules.sniff_type(content or b"")
    if not content:
        errors.add("file", N_("Choose a file to upload."))
    elif len(content) > limit:
        errors.add("file", N_("The file is too large: at most %(mb)d MB."), mb=max(limit // (1024 * 1024), 1))
    elif kind is None:
        errors.add("file", N_("Only PDF, JPEG and PNG files are accepted (checked by their content, not their name)."))
    elif not rules.looks_complete(content, kind):
        errors.add("file", N_("The file is damaged or incomplete."))
    count = db.session.scalar(select(func.count()).select_from(DossierAttachment).where(
        DossierAttachment.dossier_id == dossier.id))
    if count >= rules.ATTACHMENTS_MAX:
        errors.add("file", N_("A dossier holds at most %(n)d files; delete one first."), n=rules.ATTACHMENTS_MAX)
    errors.raise_if_any()
    att = DossierAttachment(dossier_id=dossier.id, filename=rules.clean_filename(filename, kind), content_type=kind,
                            size=len(content), sha256=hashlib.sha256(content).hexdigest(), data=content,
                            uploaded_by_id=actor.id)
    db.session.add(att)
    db.session.flush()
    record("dossier.attachment_add", att, actor=actor, competition_id=reg.competition_id, event_id=reg.event_id,
           after={"registration_id": reg.id, "filename": att.filename, "content_type": kind, "size": att.size,
                  "sha256": att.sha256})
    return att


def delete_attachment(reg: Registration, att: DossierAttachment, actor) -> None:
    dossier = dossier_of(reg)
    if att.dossier_id != dossier.id:
        raise NotATitleSelection()
    _require_editable(reg, actor)
    record("dossier.attachment_delete", att, actor=actor, competition_id=reg.competition_id, event_id=reg.event_id,
           before={"registration_id": reg.id, "filename": att.filename, "content_type": att.content_type,
                   "size": att.size, "sha256": att.sha256})
    db.session.delete(att)
    db.session.flush()


def attachment_of(reg: Registration, attachment_id: int) -> DossierAttachment:
    dossier = dossier_of(reg)
    att = db.session.get(DossierAttachment, attachment_id)
    if att is None or att.dossier_id != dossier.id:
        raise NotATitleSelection()
    return att

