"""A person's own results by name + ID number. Any mismatch — unknown number, wrong name,
malformed number, nothing published — gives the same answer, so the form reveals nothing."""
from __future__ import annotations

from sqlalchemy import select

from ..competitions.models import Competition, Event
from ..domain.idcard import normalize
from ..domain.names import clean_text
from ..extensions import db
from ..people.models import Person
from ..registration.models import RegistrationMember
from .models import Result
from .public import PUBLIC_STATUSES


def lookup(name: str, id_number: str) -> list[dict] | None:
    number = normalize(id_number or "")[:32]
    name = clean_text(name or "")[:64]
    if not number or not name:
        return None
    people = db.session.scalars(select(Person).where(Person.id_number == number, Person.name == name)).all()
    if not people:
        return None
    rows = db.session.execute(
        select(Result, Event, Competition)
        .join(RegistrationMember, RegistrationMember.registration_id == Result.registration_id)
        .join(Event, Event.id == Result.event_id).join(Competition, Competition.id == Event.competition_id)
        .where(RegistrationMember.person_id.in_([p.id for p in people]),
               Competition.status.in_(PUBLIC_STATUSES))
        .order_by(Competition.id.desc(), Event.id)).all()
    if not rows:
        return None
    from ..certificates.models import Certificate
    ids = [p.id for p in people]
    codes = {reg_id: code for reg_id, code in db.session.execute(
        select(Certificate.registration_id, Certificate.code).where(
            Certificate.person_id.in_(ids), Certificate.status == "valid"))}
    return [{"competition": comp.name, "competition_id": comp.id, "event": event.name, "total": str(result.total),
             "rank": result.rank, "award": result.award, "final": result.is_final,
             "certificate_code": codes.get(result.registration_id)}
            for result, event, comp in rows]
