"""Named reads and serializers for registrations."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import timeutil
from ..competitions.models import Competition
from ..extensions import db
from ..domain.masking import mask_id_number, mask_phone
from ..pdf.fonts import missing_glyphs
from ..people.models import Organization, Person
from .models import Registration, RegistrationMember
from .access import can_manage, sees_full_identity


def person_view(person: Person, full: bool) -> dict:
    return {
        "id": person.id, "name": person.name, "name_bo": person.name_bo, "id_type": person.id_type,
        "id_number": person.id_number if full else mask_id_number(person.id_number),
        "gender": person.gender, "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "ethnicity": person.ethnicity, "phone": (person.phone if full else mask_phone(person.phone)) or None,
        "education": person.education, "skill_grade": person.skill_grade,
    }


def registration_json(reg: Registration, viewer) -> dict:
    people = [m.person for m in reg.members] or [reg.person]
    data = {
        "id": reg.id, "event_id": reg.event_id, "competition_id": reg.competition_id, "status": reg.status,
        "source": reg.source, "organization_id": reg.organization_id,
        "organization": reg.organization.name if reg.organization else None,
        "team_name": reg.team_name,
        "person": person_view(reg.person, sees_full_identity(reg, viewer, reg.person)),
        "members": [person_view(p, sees_full_identity(reg, viewer, p)) for p in people[1:]],
        "submitted_at": timeutil.iso(reg.submitted_at), "reviewed_at": timeutil.iso(reg.reviewed_at),
        "review_reason": reg.review_reason, "withdrawn_at": timeutil.iso(reg.withdrawn_at),
        "version": reg.version,
        # Names with characters no certificate font can print (生僻字), flagged before printing.
        "glyph_warnings": [{"person_id": p.id, "characters": missing} for p in people
                           if (missing := missing_glyphs(p.name))],
    }
    own = reg.person.user_id is not None and reg.person.user_id == getattr(viewer, "id", None)
    if can_manage(reg, viewer) or viewer.has_role("admin"):
        data["code"], data["station"] = reg.code, reg.station
        data["ticket_number"] = reg.ticket_text
    elif own or (viewer.has_role("org_contact") and reg.organization_id is not None
                 and reg.organization_id == getattr(viewer, "organization_id", None)):
        # The contestant knows the number on their admission ticket; with two-layer encryption the
        # judges' code is not theirs to know.
        data["ticket_number"], data["station"] = reg.ticket_text, reg.station
        if not reg.event.two_layer:
            data["code"] = reg.code
    return data


def registrations_query(*, competition_id=None, event_id=None, status=None, organization_id=None,
                        region_prefix=None, person_user_id=None, q=None):
    stmt = (select(Registration).options(selectinload(Registration.members).selectinload(RegistrationMember.person),
                                         selectinload(Registration.person), selectinload(Registration.organization))
            .order_by(Registration.id))
    if competition_id is not None:
        stmt = stmt.where(Registration.competition_id == competition_id)
    if event_id is not None:
        stmt = stmt.where(Registration.event_id == event_id)
    if status:
        stmt = stmt.where(Registration.status == status)
    if organization_id is not None:
        stmt = stmt.where(Registration.organization_id == organization_id)
    if region_prefix:
        stmt = stmt.where(Registration.organization_id.in_(
            select(Organization.id).where(Organization.region_code.startswith(region_prefix))))
    if person_user_id is not None:
        stmt = stmt.where(Registration.id.in_(
            select(RegistrationMember.registration_id).join(Person, Person.id == RegistrationMember.person_id)
            .where(Person.user_id == person_user_id)))
    if q:
        stmt = stmt.where(Registration.id.in_(
            select(RegistrationMember.registration_id).join(Person, Person.id == RegistrationMember.person_id)
            .where((Person.name.contains(q)) | (Person.id_number == q.upper()))))
    return stmt


# Loader options for a list that names its entries: their people and units, read in one query
# each for the whole list (not one per entry).
WITH_NAMES = (selectinload(Registration.person), selectinload(Registration.organization))


def open_competitions() -> list:
    """Competitions whose registration window is open now."""
    comps = db.session.scalars(select(Competition).options(selectinload(Competition.events))
                               .where(Competition.status == "registration_open")
                               .order_by(Competition.registration_closes_at)).all()
    from .operations import window_open  # operations read this module's queries
    return [c for c in comps if window_open(c)]
