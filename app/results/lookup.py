"""A person's own results by name + ID number. Any mismatch — unknown number, wrong name,
malformed number, nothing published — gives the same answer, so the form reveals nothing."""
from __future__ import annotations

import functools

from flask import current_app
from sqlalchemy import bindparam, or_, select

from ..competitions.models import Competition, Event
from ..domain.idcard import normalize
from ..domain.names import clean_text, normalize_middle_dots
from ..replica import read_all
from ..people.models import Person
from ..registration.models import RegistrationMember
from .models import Result
from .public import PUBLIC_STATUSES


@functools.cache
def _statement():
    """The one statement of a lookup (results day: every candidate asks at once), built once with
    bound parameters: the person matched by number and name, their published results, the
    certificate code; only the columns shown cross."""
    from ..certificates.models import Certificate
    code = (select(Certificate.code).where(Certificate.registration_id == Result.registration_id,
                                           Certificate.person_id == RegistrationMember.person_id,
                                           Certificate.status == "valid")
            .order_by(Certificate.id.desc()).limit(1).correlate(Result, RegistrationMember).scalar_subquery())
    return (select(Competition.name, Competition.id, Event.name, Result.total, Result.rank, Result.award,
                   Result.is_final, code)
            .join(RegistrationMember, RegistrationMember.registration_id == Result.registration_id)
            .join(Person, Person.id == RegistrationMember.person_id)
            .join(Event, Event.id == Result.event_id).join(Competition, Competition.id == Event.competition_id)
            .where(Person.id_number == bindparam("number"),
                   or_(Person.name == bindparam("name"), Person.name_bo == bindparam("bo")),
                   Competition.status.in_(PUBLIC_STATUSES))
            .order_by(Competition.id.desc(), Event.id))


def lookup(name: str, id_number: str) -> list[dict] | None:
    number = normalize(id_number or "")[:32]
    name = normalize_middle_dots(clean_text(name or ""))[:64]
    if not number or not name:
        return None
    # Either name a person carries: the name of the ID document, or the Tibetan-script name
    # (typed with or without its closing tsheg).
    bo = name.strip(" \u0f0b\u0f0d")
    rows = read_all(_statement(), {"number": number, "name": name, "bo": bo})  # the replica when there is one
    if not rows:
        return None
    return [{"competition": comp_name, "competition_id": comp_id, "event": event_name, "total": str(total),
             "rank": rank, "award": award, "final": final, "certificate_code": certificate}
            for comp_name, comp_id, event_name, total, rank, award, final, certificate in rows]


def lookup_limit() -> str:
    return current_app.config.get("LOOKUP_RATE_LIMIT", "10 per minute")
