"""Statistics across competitions for an HR department's period report: the period, the
filters, and the counts by prefecture, organization, track, gender, ethnicity and age band."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from ..competitions.models import Competition, Event
from ..domain.errors import N_, Collector
from ..domain.refdata import KINDS, LEVELS, TRACKS, ethnic_groups
from ..extensions import db
from ..people.models import Organization, Person
from ..registration.models import Registration, RegistrationMember
from ..results.models import Result
from ..selection.models import Entitlement
from .access import Scope
from .queries import _region_name

@dataclass(frozen=True)
class Period:
    kind: str   # year | quarter | custom
    start: date
    end: date   # inclusive
    text: str   # as given: 2025, 2025-Q3, 2025-01-01..2025-06-30

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)d annual report", year=self.start.year)
        if self.kind == "quarter":
            return _("%(year)d Q%(q)d report", year=self.start.year, q=(self.start.month - 1) // 3 + 1)
        return _("Report %(start)s to %(end)s", start=self.start.isoformat(), end=self.end.isoformat())


MAX_SPAN_DAYS = 366 * 5


def parse_period(text: str | None, today: date | None = None) -> Period:
    """"2025" (a year), "2025-Q3" (a quarter) or "2025-01-01..2025-06-30" (custom, inclusive,
    at most five years). Empty: the current year. Anything else is refused, naming the field."""
    today = today or date.today()
    text = (text or "").strip()
    if not text:
        text = str(today.year)
    errors = Collector()
    m_year = re.fullmatch(r"(\d{4})", text)
    m_quarter = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", text)
    m_custom = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|~)\s*(\d{4}-\d{2}-\d{2})", text)
    try:
        if m_year:
            y = int(m_year.group(1))
            if 2000 <= y <= 2100:
                return Period("year", date(y, 1, 1), date(y, 12, 31), text)
        elif m_quarter:
            y, q = int(m_quarter.group(1)), int(m_quarter.group(2))
            if 2000 <= y <= 2100:
                start = date(y, 3 * q - 2, 1)
                end = (date(y + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
                return Period("quarter", start, end, f"{y}-Q{q}")
        elif m_custom:
            start, end = date.fromisoformat(m_custom.group(1)), date.fromisoformat(m_custom.group(2))
            if start > end:
                errors.add("period", N_("The period's start must not be after its end."))
                errors.raise_if_any()
            if (end - start).days > MAX_SPAN_DAYS:
                errors.add("period", N_("A custom period may span at most five years."))
                errors.raise_if_any()
            return Period("custom", start, end, f"{start.isoformat()}..{end.isoformat()}")
    except ValueError:
        pass
    errors.add("period", N_("Give a year (2025), a quarter (2025-Q3) or two dates (2025-01-01..2025-06-30)."))
    errors.raise_if_any()
    raise AssertionError("unreachable")


def held_on_column():
    """The day a competition is held: its start date, or the day its registration closes."""
    return func.coalesce(Competition.starts_on, func.date(Competition.registration_closes_at))


AGE_BANDS = [("under_18", None, 17), ("18_24", 18, 24), ("25_34", 25, 34), ("35_44", 35, 44),
             ("45_54", 45, 54), ("55_plus", 55, None)]
AGE_BAND_LABELS = {"under_18": N_("Under 18"), "18_24": "18–24", "25_34": "25–34", "35_44": "35–44",
                   "45_54": "45–54", "55_plus": N_("55 and over"), "unknown": N_("Unknown")}
DIMENSIONS = ("prefecture", "organization", "organization_kind", "track", "gender", "ethnicity", "age_band")
DIMENSION_LABELS = {"prefecture": N_("Prefecture"), "organization": N_("Organization"),
                    "organization_kind": N_("Organization kind"), "track": N_("Track"), "gender": N_("Gender"),
                    "ethnicity": N_("Ethnicity"), "age_band": N_("Age band")}
UNKNOWN = "unknown"


def _age_expr(birth, held):
    """Whole years between birth and held, in SQL both databases run."""
    from sqlalchemy import extract
    before = (extract("month", birth) * 100 + extract("day", birth)) > (extract("month", held) * 100 + extract("day", held))
    return extract("year", held) - extract("year", birth) - case((before, 1), else_=0)


def _band_expr(age):
    whens = []
    for key, low, high in AGE_BANDS:
        if low is None:
            whens.append((age <= high, key))
        elif high is None:
            whens.append((age >= low, key))
        else:
            whens.append((and_(age >= low, age <= high), key))
    return case(*whens, else_=UNKNOWN)


@dataclass(frozen=True)
class Filters:
    level: str | None = None
    kind: str | None = None
    track: str | None = None

    def as_dict(self) -> dict:
        return {"level": self.level, "kind": self.kind, "track": self.track}


def parse_filters(args) -> Filters:
    errors = Collector()
    values = {}
    for name, allowed in (("level", LEVELS), ("kind", KINDS), ("track", TRACKS)):
        v = (args.get(name) or "").strip() or None
        if v is not None and v not in allowed:
            errors.add(name, N_("Unknown value: %(value)s."), value=v[:40])
        values[name] = v
    errors.raise_if_any()
    return Filters(**values)


def _competition_ids(scope: Scope, period: Period, filters: Filters):
    held = held_on_column()
    stmt = select(Competition.id).where(scope.clause(), held >= period.start, held <= period.end,
                                        Competition.status != "draft")
    if filters.level:
        stmt = stmt.where(Competition.level == filters.level)
    if filters.kind:
        stmt = stmt.where(Competition.kind == filters.kind)
    if filters.track:
        stmt = stmt.where(Competition.id.in_(select(Event.competition_id).where(Event.track == filters.track)))
    return stmt


def statistics(scope: Scope, period: Period, filters: Filters = Filters()) -> dict:
    """Every figure of the period report. Counting rules (the same in page, PDF, .xlsx and API):
    - a competition counts in the period when it is held in it (start date, else the day its
      registration closes), drafts excluded;
    - registrations: every entry filed (any status), counted once, under the registering
      organization and its prefecture, the event's track, and its captain's (the individual's)
      gender, ethnicity and age on the day the competition is held;
    - contestants (参赛人次): each member of an approved entry, once per entry;
    - winners (获奖人次): each member of an entry with an award in the published results;
    - every breakdown has an "unknown" row, so each adds up to the total."""
    # The competitions first, as a list: the planner then sees how many rows each join brings
    # (an estimate it cannot make through the held-on expression) and hashes instead of looping.
    comp_ids = list(db.session.scalars(_competition_ids(scope, period, filters)))
    held = held_on_column()
    person_age = _band_expr(_age_expr(Person.birth_date, held))
    is_captain = RegistrationMember.position == 0
    approved = Registration.status == "approved"
    won = and_(approved, Result.id.is_not(None))
    # Per member row: its keys and three 0/1 measures; grouped outside on plain columns (the
    # parameters of computed keys would not match between SELECT and GROUP BY on PostgreSQL).
    rows = (select(Registration.organization_id.label("org_id"), Event.track.label("track"),
                   Person.gender.label("gender"), Person.ethnicity.label("eth"), person_age.label("band"),
                   case((is_captain, 1), else_=0).label("reg"), case((approved, 1), else_=0).label("cont"),
                   case((won, 1), else_=0).label("won"))
            .select_from(RegistrationMember)
            .join(Registration, Registration.id == RegistrationMember.registration_id)
            .join(Competition, Competition.id == Registration.competition_id)
            .join(Event, Event.id == Registration.event_id)
            .join(Person, Person.id == RegistrationMember.person_id)
            .outerjoin(Result, and_(Result.registration_id == Registration.id, Result.award.is_not(None)))
            .where(Registration.competition_id.in_(comp_ids)))
    if filters.track:
        rows = rows.where(Event.track == filters.track)
    r = rows.subquery()
    keys = (r.c.org_id, r.c.track, r.c.gender, r.c.eth, r.c.band)
    stmt = select(*keys, func.sum(r.c.reg), func.sum(r.c.cont), func.sum(r.c.won)).group_by(*keys)
    cube = db.session.execute(stmt).all()
    # An organization's kind and prefecture follow from it: looked up once, not grouped on.
    org_info = {oid: (kind, code) for oid, kind, code in db.session.execute(
        select(Organization.id, Organization.kind, Organization.region_code).where(
            Organization.id.in_({row[0] for row in cube if row[0] is not None})))}

    totals = {"registrations": 0, "contestants": 0, "winners": 0}
    tables: dict[str, dict] = {d: defaultdict(lambda: [0, 0, 0]) for d in DIMENSIONS}
    for org_id, track, gender, eth, band, regs, cont, wins in cube:
        org_kind, region = org_info.get(org_id, (None, None))
        pref = region[:4] if region else None
        keys = {"prefecture": (pref + "00") if pref else UNKNOWN, "organization": org_id or UNKNOWN,
                "organization_kind": org_kind or UNKNOWN, "track": track or UNKNOWN, "gender": gender or UNKNOWN,
                "ethnicity": eth or UNKNOWN, "age_band": band or UNKNOWN}
        for dim, key in keys.items():
            row = tables[dim][key]
            row[0] += int(regs or 0)
            row[1] += int(cont or 0)
            row[2] += int(wins or 0)
        totals["registrations"] += int(regs or 0)
        totals["contestants"] += int(cont or 0)
        totals["winners"] += int(wins or 0)

    org_names = dict(db.session.execute(select(Organization.id, Organization.name).where(
        Organization.id.in_([k for k in tables["organization"] if k != UNKNOWN]))).all())
    ethnic = ethnic_groups()

    def label(dim: str, key) -> str:
        if key == UNKNOWN:
            return _("Unknown")
        if dim == "prefecture":
            return _region_name(key)
        if dim == "organization":
            return org_names.get(key, str(key))
        if dim == "organization_kind":
            from ..domain.refdata import ORG_KINDS
            return _(ORG_KINDS.get(key, key))
        if dim == "track":
            return _(TRACKS.get(key, key))
        if dim == "gender":
            from ..domain.refdata import GENDERS
            return _(GENDERS.get(key, key))
        if dim == "ethnicity":
            return ethnic.get(key, key)
        if dim == "age_band":
            return _(AGE_BAND_LABELS.get(key, key))
        return str(key)

    band_order = [b[0] for b in AGE_BANDS] + [UNKNOWN]
    breakdowns = {}
    for dim in DIMENSIONS:
        rows = [{"key": str(k), "label": label(dim, k), "registrations": v[0], "contestants": v[1], "winners": v[2]}
                for k, v in tables[dim].items()]
        if dim == "age_band":
            rows.sort(key=lambda r: band_order.index(r["key"]) if r["key"] in band_order else 99)
        else:
            rows.sort(key=lambda r: (r["key"] == UNKNOWN, -r["contestants"], -r["registrations"], r["label"]))
        breakdowns[dim] = {"label": _(DIMENSION_LABELS[dim]), "rows": rows}

    # Registrations by status; distinct people among the contestants.
    by_status = dict(db.session.execute(
        select(Registration.status, func.count()).join(Event, Event.id == Registration.event_id)
        .where(Registration.competition_id.in_(comp_ids), *( [Event.track == filters.track] if filters.track else []))
        .group_by(Registration.status)).all())
    distinct_people = db.session.scalar(
        select(func.count(func.distinct(RegistrationMember.person_id)))
        .join(Registration, Registration.id == RegistrationMember.registration_id)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.competition_id.in_(comp_ids), Registration.status == "approved",
               *([Event.track == filters.track] if filters.track else []))) or 0

    # Competitions by level and kind.
    comps = db.session.execute(
        select(Competition.id, Competition.name, Competition.level, Competition.kind, Competition.status, held,
               Competition.jurisdiction)
        .where(Competition.id.in_(comp_ids)).order_by(held, Competition.id)).all()
    by_level = defaultdict(int)
    by_kind = defaultdict(int)
    level_kind = defaultdict(int)
    for _id, _name, level, kind, _status, _held, _j in comps:
        by_level[level] += 1
        by_kind[kind] += 1
        level_kind[(level, kind)] += 1

    # Awards by level (entries with an award in the published results).
    award_rows = db.session.execute(
        select(Competition.level, Result.award, func.count())
        .join(Registration, Registration.id == Result.registration_id)
        .join(Competition, Competition.id == Result.competition_id)
        .join(Event, Event.id == Result.event_id)
        .where(Result.competition_id.in_(comp_ids), Result.award.is_not(None),
               *([Event.track == filters.track] if filters.track else []))
        .group_by(Competition.level, Result.award)).all()
    awards = defaultdict(dict)
    for level, aw, n in award_rows:
        awards[level][aw] = int(n)

    # Entitlements by kind and status (from the period's competitions).
    ent_rows = db.session.execute(
        select(Entitlement.kind, Entitlement.status, func.count())
        .join(Event, Event.id == Entitlement.event_id)
        .where(Entitlement.competition_id.in_(comp_ids), *([Event.track == filters.track] if filters.track else []))
        .group_by(Entitlement.kind, Entitlement.status)).all()
    entitlements = defaultdict(dict)
    for kind, status, n in ent_rows:
        entitlements[kind][status] = int(n)

    # Title selections held in the period.
    titles = []
    title_ids = [c[0] for c in comps if c[3] == "title_selection"]
    if title_ids:
        nominated = dict(db.session.execute(select(Registration.competition_id, func.count()).where(
            Registration.competition_id.in_(title_ids)).group_by(Registration.competition_id)).all())
        approved_n = dict(db.session.execute(select(Registration.competition_id, func.count()).where(
            Registration.competition_id.in_(title_ids), Registration.status == "approved")
            .group_by(Registration.competition_id)).all())
        awarded = dict(db.session.execute(select(Result.competition_id, func.count()).where(
            Result.competition_id.in_(title_ids), Result.award.is_not(None)).group_by(Result.competition_id)).all())
        granted = dict(db.session.execute(select(Entitlement.competition_id, func.count()).where(
            Entitlement.competition_id.in_(title_ids), Entitlement.kind == "title",
            Entitlement.status != "superseded").group_by(Entitlement.competition_id)).all())
        award_titles = dict(db.session.execute(select(Competition.id, Competition.award_title).where(
            Competition.id.in_(title_ids))).all())
        for cid, name, _level, _kind, status, held_day, _j in comps:
            if cid in title_ids:
                titles.append({"competition_id": cid, "name": name, "title": award_titles.get(cid) or "",
                               "status": status, "held_on": str(held_day) if held_day else None,
                               "nominations": int(nominated.get(cid, 0)), "approved": int(approved_n.get(cid, 0)),
                               "awarded": int(awarded.get(cid, 0)), "titles_granted": int(granted.get(cid, 0))})

    return {
        "period": {"kind": period.kind, "start": period.start.isoformat(), "end": period.end.isoformat(),
                   "text": period.text, "label": period.label},
        "filters": filters.as_dict(),
        "totals": {**totals, "competitions": len(comps), "people": int(distinct_people),
                   "registrations_by_status": {k: int(v) for k, v in by_status.items()}},
        "competitions": {
            "by_level": {k: by_level[k] for k in LEVELS if by_level.get(k)},
            "by_kind": {k: by_kind[k] for k in KINDS if by_kind.get(k)},
            "by_level_kind": [{"level": lv, "kind": kd, "count": n} for (lv, kd), n in sorted(level_kind.items())],
            "list": [{"id": cid, "name": name, "level": level, "kind": kind, "status": status,
                      "held_on": str(held_day) if held_day else None, "jurisdiction": j}
                     for cid, name, level, kind, status, held_day, j in comps],
        },
        "breakdowns": breakdowns,
        "awards_by_level": {lv: awards[lv] for lv in LEVELS if lv in awards},
        "entitlements": {k: entitlements[k] for k in sorted(entitlements)},
        "title_selections": titles,
    }

