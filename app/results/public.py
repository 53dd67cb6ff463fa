"""Public results (no login): masked names, organizations, totals, awards — only while a
competition is in publicity or final. Served from the cache."""
from __future__ import annotations

from sqlalchemy import select

from .. import cache
from ..competitions.models import Competition, Event
from ..competitions.operations import publicity_ends_at
from ..domain.masking import mask_name
from ..extensions import db
from ..people.models import Organization, Person
from ..registration.models import Registration
from .. import timeutil
from .models import Result
from .operations import excluded_entries

PUBLIC_STATUSES = ("publicity", "final", "archived")


def public_competitions() -> list[dict]:
    cached = cache.get("jx:public-competitions")
    if cached is not None:
        return cached
    comps = db.session.scalars(select(Competition).where(Competition.status.in_(PUBLIC_STATUSES))
                               .order_by(Competition.year.desc(), Competition.id.desc())).all()
    data = [{"id": c.id, "name": c.name, "year": c.year, "level": c.level, "kind": c.kind,
             "jurisdiction": c.jurisdiction, "status": c.status} for c in comps]
    cache.set("jx:public-competitions", data, ttl=300)
    return data


def public_results(competition_id: int) -> dict | None:
    """The competition's public results, or None when they are not public."""
    key = cache.results_key(competition_id)
    cached = cache.get(key)
    if cached is not None:
        return cached
    comp = db.session.get(Competition, competition_id)
    if comp is None or comp.status not in PUBLIC_STATUSES:
        return None
    events = []
    for event in db.session.scalars(select(Event).where(Event.competition_id == comp.id).order_by(Event.id)):
        # The shown columns only, in one joined read (a 10,000-entry event is read in ~0.1 s, not
        # as 30,000 ORM objects in a second: this runs at publication and on every cache miss).
        rows = db.session.execute(
            select(Result.rank, Result.total, Result.award, Result.standardized, Registration.team_name,
                   Person.name, Organization.name)
            .join(Registration, Registration.id == Result.registration_id)
            .join(Person, Person.id == Registration.person_id)
            .outerjoin(Organization, Organization.id == Registration.organization_id)
            .where(Result.event_id == event.id).order_by(Result.rank, Registration.code)).all()
        events.append({
            "id": event.id, "name": event.name, "track": event.track, "preset": (event.awards or {}).get("preset"),
            "items": [{"rank": rank, "name_masked": mask_name(team_name or person_name), "organization": org_name,
                       "total": str(total), "award": award, "standardized": standardized, "status": "ranked"}
                      for rank, total, award, standardized, team_name, person_name, org_name in rows] + [
                      # Absent (缺考) and disqualified (取消成绩) entries: listed as such, without rank.
                      {"rank": None, "name_masked": mask_name(reg.team_name or reg.person.name),
                       "organization": reg.organization.name if reg.organization else None,
                       "total": None, "award": None, "standardized": None, "status": reg.attendance}
                      for reg in excluded_entries(event)]})
    ends = publicity_ends_at(comp)
    data = {"id": comp.id, "name": comp.name, "status": comp.status, "level": comp.level,
            "jurisdiction": comp.jurisdiction, "publicity_ends_at": timeutil.iso(ends), "events": events}
    cache.set(key, data)
    return data
