"""Helpers shared by API handlers: JSON bodies, pagination, serializers."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from typing import Any

from pydantic import Field

from .. import timeutil
from ..competitions.models import STAGES
from ..domain import lifecycle
from ..domain.errors import N_, Collector, DomainError
from ..domain.refdata import JURISDICTIONS, KINDS, LEVELS, ORG_KINDS, ROLES, TRACKS
from ..extensions import db
from .contract import MAX_ID, DateTime, Date, Out, choice

MAX_PAGE = 1_000_000


class BadBody(DomainError):
    status = 400
    code = "bad_request"


def json_body(optional: bool = False) -> dict:
    """The request's JSON object, or a 400 naming the problem. `optional`: an empty body is {}."""
    if optional and not request.get_data(cache=True):
        return {}
    try:
        data = request.get_json(force=False, silent=False)
    except BadRequest:
        raise BadBody(_("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise BadBody(_("Send a JSON object with Content-Type: application/json."))
    return data


def _field_error(name: str, message: str, **params):
    errors = Collector()
    errors.add(name, message, **params)
    errors.raise_if_any()


def text_field(data: dict, name: str, default: str = "") -> str:
    """A text member of a JSON body ("" when absent); anything but a string is a 422 on the field."""
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        _field_error(name, N_("This field must be text."))
    return value


def int_field(data: dict, name: str, required: bool = True) -> int | None:
    """A whole-number member of a JSON body (an id, a count): a number or a string of digits."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            _field_error(name, N_("This field is required."))
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        _field_error(name, N_("This field must be a whole number."))
    try:
        number = int(value)
    except ValueError:
        _field_error(name, N_("This field must be a whole number."))
    if not 0 <= number <= MAX_ID:
        _field_error(name, N_("This number is out of range."))
    return number


def query_int(name: str) -> int | None:
    """A whole-number query parameter (a filter by id); absent → None; not one → 422 naming it."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    return int_field({name: raw}, name)


def paginate(stmt, serialize, q=None):
    """One page of `stmt` ({items, page, per_page, total}); `q`: the parsed query (contract.query())."""
    if q is None:
        from .contract import query
        q = query()
    page, per_page = q.page, q.per_page
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return {"items": [serialize(x) for x in result.items], "page": page, "per_page": per_page,
            "total": result.total}


class UserOut(Out):
    id: int
    username: str
    name: str
    roles: list[choice(ROLES)]
    organization_id: int | None
    is_enabled: bool


class OrganizationOut(Out):
    id: int
    name: str
    kind: choice(ORG_KINDS)
    region_code: str | None


class EventBrief(Out):
    id: int
    name: str
    track: choice(TRACKS)


class CompetitionOut(Out):
    id: int
    name: str
    year: int
    level: choice(LEVELS)
    kind: choice(KINDS)
    jurisdiction: choice(JURISDICTIONS) | None
    host_organization_id: int | None
    registration_opens_at: DateTime | None
    registration_closes_at: DateTime | None
    starts_on: Date | None
    ends_on: Date | None
    publicity_days: int
    appeal_window_hours: int
    allow_multiple_events: bool
    description: str | None
    award_title: str | None
    stage: choice(STAGES)
    finalized_at: DateTime | None
    status: choice(lifecycle.STATUSES)
    version: int
    events: list[EventBrief]


class EventOut(Out):
    id: int
    competition_id: int
    name: str
    occupation: str | None
    track: choice(TRACKS)
    team_size: int
    max_entrants: int | None
    starts_at: DateTime | None
    ends_at: DateTime | None
    venue: str | None
    eligibility: dict[str, Any] | None = Field(description="Eligibility rules (min_age, max_age, min_skill_grade, …).")
    scheme: dict[str, Any] = Field(description="The scoring scheme: aggregation, components with weights "
                                               "(decimal strings) and criteria (key, name, max_score, kind, scale, step).")
    awards: dict[str, Any] | None
    tiebreak: list[str] | None
    no_shared_ranks: bool
    two_layer: bool
    version: int


def user_json(u) -> dict:
    return {"id": u.id, "username": u.username, "name": u.name, "roles": sorted(u.roles),
            "organization_id": u.organization_id, "is_enabled": u.is_enabled}


def organization_json(o) -> dict:
    return {"id": o.id, "name": o.name, "kind": o.kind, "region_code": o.region_code}


def competition_json(c) -> dict:
    return {
        "id": c.id, "name": c.name, "year": c.year, "level": c.level, "kind": c.kind,
        "jurisdiction": c.jurisdiction, "host_organization_id": c.host_organization_id,
        "registration_opens_at": timeutil.iso(c.registration_opens_at),
        "registration_closes_at": timeutil.iso(c.registration_closes_at),
        "starts_on": c.starts_on.isoformat() if c.starts_on else None,
        "ends_on": c.ends_on.isoformat() if c.ends_on else None,
        "publicity_days": c.publicity_days, "appeal_window_hours": c.appeal_window_hours,
        "allow_multiple_events": c.allow_multiple_events, "description": c.description,
        "award_title": c.award_title, "stage": c.stage, "finalized_at": timeutil.iso(c.finalized_at),
        "status": c.status, "version": c.version,
        "events": [{"id": e.id, "name": e.name, "track": e.track} for e in c.events],
    }


def event_json(e) -> dict:
    return {
        "id": e.id, "competition_id": e.competition_id, "name": e.name, "occupation": e.occupation,
        "track": e.track, "team_size": e.team_size, "max_entrants": e.max_entrants,
        "starts_at": timeutil.iso(e.starts_at), "ends_at": timeutil.iso(e.ends_at), "venue": e.venue,
        "eligibility": e.eligibility, "scheme": e.scheme, "awards": e.awards, "tiebreak": e.tiebreak,
        "no_shared_ranks": e.no_shared_ranks, "two_layer": e.two_layer, "version": e.version,
    }
