"""Registration import from a sheet: every bad row reported (line, column, reason); any bad row
→ nothing written; otherwise one transaction with bulk inserts (no per-row commits)."""
from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ARRAY, and_, func, literal, select, text

from ..audit.operations import record
from ..competitions.models import Event
from ..domain.eligibility import check_eligibility
from ..domain.errors import N_, Collector
from ..domain.names import InvalidName, clean_title
from ..extensions import db
from ..people.models import Organization, Person
from ..people.operations import parse_person
from ..spreadsheets import ImportRejected as BaseImportRejected
from ..spreadsheets import Problem, cell_text, read_table
from .models import Registration, RegistrationMember
from .operations import check_route, check_window, competition_day, take_places

# (field, Chinese header, English header)
COLUMNS = [
    ("name", "姓名", "Name"),
    ("id_type", "证件类型", "ID type"),
    ("id_number", "证件号码", "ID number"),
    ("gender", "性别", "Gender"),
    ("birth_date", "出生日期", "Birth date"),
    ("ethnicity", "民族", "Ethnic group"),
    ("phone", "手机号码", "Phone"),
    ("education", "文化程度", "Education"),
    ("skill_grade", "职业技能等级", "Skill grade"),
    ("organization", "单位", "Organization"),
    ("team_name", "团队名称", "Team name"),
    ("is_frontline_worker", "是否一线职工", "Front-line worker"),
]
REQUIRED = ("name", "id_number")
HEADER_TO_FIELD = {}
for _f, _zh, _en in COLUMNS:
    HEADER_TO_FIELD[_zh] = _f
    HEADER_TO_FIELD[_en.lower()] = _f
    HEADER_TO_FIELD[_f] = _f
FIELD_HEADER = {f: zh for f, zh, _ in COLUMNS}

# Chinese labels used in the template's lists → code names.
ID_TYPE_LABELS = {"居民身份证": "resident_id", "护照": "passport", "港澳居民来往内地通行证": "hk_macau_permit",
                  "台湾居民来往大陆通行证": "taiwan_permit"}
GENDER_LABELS = {"男": "male", "女": "female"}
EDUCATION_LABELS = {"小学": "primary", "初中": "junior_high", "高中或中专": "senior_high", "高中": "senior_high",
                    "中专": "senior_high", "大专": "associate", "本科": "bachelor", "硕士研究生及以上": "master",
                    "研究生": "master"}
GRADE_LABELS = {"五级（初级工）": 5, "初级工": 5, "四级（中级工）": 4, "中级工": 4, "三级（高级工）": 3,
                "高级工": 3, "二级（技师）": 2, "技师": 2, "一级（高级技师）": 1, "高级技师": 1}
YES = {"是", "y", "yes", "true", "1"}


class ImportRejected(BaseImportRejected):
    def __init__(self, problems: list[Problem]):
        for p in problems:
            p.column = p.column or FIELD_HEADER.get(p.field, p.field)
        super().__init__(problems)


def _map_headers(header_row: list) -> tuple[dict[int, str], list[Problem]]:
    mapping, problems = {}, []
    for i, raw in enumerate(header_row):
        name = cell_text(raw)
        key = HEADER_TO_FIELD.get(name) or HEADER_TO_FIELD.get(name.lower())
        if key:
            mapping[i] = key
    present = set(mapping.values())
    for required in REQUIRED:
        if required not in present:
            problems.append(Problem(1, required, N_("The column %(column)s is missing."),
                                    {"column": FIELD_HEADER[required]}))
    return mapping, problems


def _code(value: str, labels: dict) -> str | None:
    """A Chinese label from the template's lists → its code name; anything else is passed on for
    parse_person to accept (a code name) or refuse with a message."""
    if not value:
        return None
    if value in labels:
        return labels[value]
    return value  # a code name (or garbage, which parse_person refuses with a message)


def _row_to_person(raw: dict) -> dict:
    data = {}
    id_raw = raw.get("id_number")
    # Keep numbers as numbers so that parse_person refuses them (an ID typed as a number loses digits).
    data["id_number"] = id_raw if isinstance(id_raw, (int, float)) and not isinstance(id_raw, bool) else cell_text(id_raw)
    data["name"] = cell_text(raw.get("name"))
    data["id_type"] = _code(cell_text(raw.get("id_type")), ID_TYPE_LABELS) or "resident_id"
    data["gender"] = _code(cell_text(raw.get("gender")), GENDER_LABELS)
    data["birth_date"] = cell_text(raw.get("birth_date")) or None
    data["ethnicity"] = cell_text(raw.get("ethnicity")) or None
    data["phone"] = cell_text(raw.get("phone")) or None
    data["education"] = _code(cell_text(raw.get("education")), EDUCATION_LABELS)
    grade = cell_text(raw.get("skill_grade"))
    data["skill_grade"] = GRADE_LABELS.get(grade, grade) or None
    data["is_frontline_worker"] = cell_text(raw.get("is_frontline_worker")).lower() in YES
    return data


# The template's example person: on the instructions sheet only. Someone who copies it onto the
# data sheet must not make it a contestant: a row with this name and ID number is skipped.
SAMPLE_NAME = "扎西顿珠"
SAMPLE_ID_NUMBER = "540102199806010174"  # make_resident_id("540102", 1998-06-01, 17): a valid check digit
DATA_SHEET = "报名表"
INSTRUCTIONS_SHEET = "填写说明"


@dataclass
class Skipped:
    row: int
    message: str
    params: dict


@dataclass
class ImportOutcome:
    """What an import did: the new registration ids and the rows it left out on purpose."""
    ids: list[int]
    skipped: list[Skipped]


def is_sample_row(raw: dict) -> bool:
    """The template's example row (name and ID number as printed on its instructions sheet)."""
    number = cell_text(raw.get("id_number")).upper().replace(" ", "")
    return cell_text(raw.get("name")) == SAMPLE_NAME and number == SAMPLE_ID_NUMBER


@dataclass
class Parsed:
    row: int
    person: dict
    organization: Organization | None
    team_name: str | None
    existing: object | None = None  # a row of the stored person's columns (id, name, gender, …)


def import_registrations(event: Event, data: bytes, actor, filename: str = "") -> ImportOutcome:
    """Validate the whole file, then write it in one transaction. Only the data sheet is read (the
    first visible sheet; the template's instructions sheet is passed over), and a copy of the
    template's example row is skipped and reported, never imported."""
    comp = event.competition
    check_window(comp)
    check_route(comp, "import")
    try:
        table = read_table(data, skip_sheets=(INSTRUCTIONS_SHEET,))
    except BaseImportRejected as exc:  # formula cells, a doubled header: named like every row problem
        raise ImportRejected(exc.problems) from None
    while table and not any(cell_text(c) for c in table[-1]):
        table.pop()
    if not table:
        raise ImportRejected([Problem(0, None, N_("The file has no rows."))])
    mapping, problems = _map_headers(table[0])
    if problems:
        raise ImportRejected(problems)
    if len(table) < 2:
        raise ImportRejected([Problem(0, None, N_("The file has a header but no data rows."))])

    orgs = {o.name: o for o in db.session.scalars(select(Organization))}
    parsed: list[Parsed] = []
    skipped: list[Skipped] = []
    for line, cells in enumerate(table[1:], start=2):
        raw = {mapping[i]: v for i, v in enumerate(cells) if i in mapping}
        if not any(cell_text(v) for v in raw.values()):
            continue  # blank line
        if is_sample_row(raw):
            skipped.append(Skipped(line, N_("Row %(row)d is the template's example (%(name)s) and was not imported."),
                                   {"row": line, "name": SAMPLE_NAME}))
            continue
        errors = Collector()
        person = parse_person(_row_to_person(raw), errors)
        for err in errors.errors:
            problems.append(Problem(line, err.field, err.message, err.params))
        org_name = cell_text(raw.get("organization"))
        org = orgs.get(org_name) if org_name else None
        if org_name and org is None:
            problems.append(Problem(line, "organization", N_("Unknown organization: %(name)s."), {"name": org_name}))
        team_name = None
        if event.team_size > 1:
            try:
                team_name = clean_title(cell_text(raw.get("team_name")), 100)
            except InvalidName as exc:
                problems.append(Problem(line, "team_name", exc.message, exc.params))
        parsed.append(Parsed(line, person, org, team_name))

    if not parsed and skipped and not problems:
        raise ImportRejected([Problem(s.row, "name", s.message, s.params) for s in skipped]
                             + [Problem(0, None, N_("The file has a header but no data rows."))])
    _check_duplicates_in_file(parsed, problems)
    _attach_existing(parsed, problems)
    _check_against_database(event, parsed, problems)
    _check_eligibility(event, parsed, problems)
    groups = _group_teams(event, parsed, problems)
    if not problems and event.max_entrants is not None and event.entrant_count + len(groups) > event.max_entrants:
        problems.append(Problem(0, None, N_("The event has %(free)d free places; the file has %(n)d entries."),
                                {"free": max(event.max_entrants - event.entrant_count, 0), "n": len(groups)}))
    if problems:
        raise ImportRejected(problems)
    if not take_places(event, len(groups)):
        raise ImportRejected([Problem(0, None, N_("The event filled up while the file was being imported."))])
    digest = hashlib.sha256(data).hexdigest()
    return ImportOutcome(_write(event, groups, actor, filename, digest, [s.row for s in skipped]), skipped)


def _check_duplicates_in_file(parsed: list[Parsed], problems: list[Problem]) -> None:
    first_line: dict[tuple, int] = {}
    for p in parsed:
        key = (p.person.get("id_type"), p.person.get("id_number"))
        if not key[1]:
            continue
        if key in first_line:
            problems.append(Problem(p.row, "id_number", N_("The same ID number is on line %(line)d too."),
                                    {"line": first_line[key]}))
        else:
            first_line[key] = p.row


def _attach_existing(parsed: list[Parsed], problems: list[Problem]) -> None:
    keys = {(p.person["id_type"], p.person["id_number"]) for p in parsed if p.person.get("id_number")}
    people = Person.__table__
    existing = _people_by_key(keys, (people.c.id, people.c.name, people.c.id_type, people.c.id_number,
                                     people.c.gender, people.c.birth_date, people.c.skill_grade))
    for p in parsed:
        person = existing.get((p.person.get("id_type"), p.person.get("id_number")))
        if person is None:
            continue
        if person.name != p.person.get("name"):
            problems.append(Problem(p.row, "name", N_("This ID number is on record under another name; check the name or the number.")))
            continue
        for key in ("gender", "birth_date", "skill_grade"):
            if getattr(person, key) is not None:
                p.person[key] = getattr(person, key)
        p.existing = person


def _check_against_database(event: Event, parsed: list[Parsed], problems: list[Problem]) -> None:
    person_ids = [p.existing.id for p in parsed if p.existing is not None]
    if not person_ids:
        return
    comp = event.competition
    event_ids = [event.id] if comp.allow_multiple_events else [e.id for e in comp.events]
    members = RegistrationMember.__table__
    active: dict[int, int] = {}
    for pid, eid in _rows_matching(members.c.person_id, person_ids, (members.c.person_id, members.c.event_id),
                                   members.c.is_active, members.c.event_id.in_(event_ids)):
        active[pid] = eid
    for p in parsed:
        if p.existing is None or p.existing.id not in active:
            continue
        if active[p.existing.id] == event.id:
            problems.append(Problem(p.row, "id_number", N_("This person is already registered for this event.")))
        else:
            problems.append(Problem(p.row, "id_number", N_("This competition allows each person to enter one event only.")))


def _check_eligibility(event: Event, parsed: list[Parsed], problems: list[Problem]) -> None:
    day = competition_day(event.competition)
    for p in parsed:
        if not p.person.get("id_number"):
            continue
        for r in check_eligibility(eligibility=event.eligibility or {}, track=event.track,
                                   birth_date=p.person.get("birth_date"), skill_grade=p.person.get("skill_grade"),
                                   organization_kind=p.organization.kind if p.organization else None, on=day):
            field_name = {"age": "birth_date", "skill_grade": "skill_grade"}.get(r.rule, "organization")
            problems.append(Problem(p.row, field_name, r.message, r.params))


def _group_teams(event: Event, parsed: list[Parsed], problems: list[Problem]) -> list[list[Parsed]]:
    if event.team_size == 1:
        return [[p] for p in parsed]
    teams: dict[tuple, list[Parsed]] = defaultdict(list)
    for p in parsed:
        if p.team_name:
            teams[(p.team_name, p.organization.id if p.organization else None)].append(p)
    for (name, _org), members in teams.items():
        if len(members) != event.team_size:
            for m in members:
                problems.append(Problem(m.row, "team_name", N_("Team %(team)s has %(n)d members; this event needs %(size)d."),
                                        {"team": name, "n": len(members), "size": event.team_size}))
    return list(teams.values())


def _chunks(items: list, size: int = 1000):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _rows_matching(column, values: list, columns: tuple, *where):
    """Rows whose `column` is one of `values` (and that meet `where`). On PostgreSQL one statement
    joins the values sent as one array (unnest): the planner probes the index once per value
    whatever the table's statistics say. A long IN list instead is a statement psycopg prepares
    after five runs, and PostgreSQL's generic plan for it compared every row of the table with
    every value (a 5,000-row import into a 15,000-person table spent 3 s there). SQLite: IN lists
    in chunks."""
    if not values:
        return []
    if _on_postgresql():
        wanted = func.unnest(literal(list(values), ARRAY(column.type))).table_valued("value").render_derived(name="wanted")
        return db.session.execute(select(*columns).select_from(wanted).join(
            column.table, and_(column == wanted.c.value, *where))).all()
    rows = []
    for chunk in _chunks(list(values)):
        rows.extend(db.session.execute(select(*columns).where(column.in_(chunk), *where)))
    return rows


def _people_by_key(keys, columns: tuple) -> dict[tuple, object]:
    """(id_type, id_number) → the stored person's `columns` (rows, not ORM objects), one statement
    per ID type."""
    by_type: dict[str, list[str]] = defaultdict(list)
    for id_type, number in keys:
        by_type[id_type].append(number)
    people = Person.__table__
    found: dict[tuple, object] = {}
    for id_type, numbers in by_type.items():
        for row in _rows_matching(people.c.id_number, numbers, columns, people.c.id_type == id_type):
            found[(row.id_type, row.id_number)] = row
    return found


def _insert(table, rows: list[dict], ids: bool = False) -> list[int]:
    """Insert `rows` into `table` in the request's transaction; with `ids`, return the new ids in
    the rows' order. PostgreSQL: COPY (ids taken from the table's sequence first, one statement),
    the import's floor; a multi-row INSERT with RETURNING spent most of its time in the driver
    parsing a statement of 13,000 placeholders, and one INSERT per row in round trips. Others:
    SQLAlchemy's multi-row INSERTs, ids read back by RETURNING in the rows' order."""
    if not rows:
        return []
    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        if not ids:
            conn.execute(table.insert(), rows)
            return []
        return [rid for (rid,) in conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows)]
    new_ids: list[int] = []
    if ids:
        new_ids = list(conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                                    {"t": table.name, "n": len(rows)}).scalars())
        rows = [{**row, "id": rid} for row, rid in zip(rows, new_ids)]
    # Every column the rows name, and the Python-side defaults (SQLAlchemy's, which COPY skips).
    names = list(dict.fromkeys(k for row in rows for k in row))
    fill = {}
    for c in table.columns:
        if c.name in names or c.default is None:
            continue
        if c.default.is_scalar:
            fill[c.name] = c.default.arg
        elif c.default.is_callable:
            fill[c.name] = c.default.arg(None)
    columns = names + list(fill)
    fixed = tuple(fill.values())
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row.get(name) for name in names) + fixed)
    return new_ids


def _write(event: Event, groups: list[list[Parsed]], actor, filename: str, digest: str,
           skipped_rows: list[int]) -> list[int]:
    """Bulk inserts in the request's transaction (see _insert): people, registrations (tagged with
    a batch id), members; one audit record for the whole file (rows, file name and digest)."""
    comp = event.competition
    new_people = [p for group in groups for p in group if p.existing is None]
    rows = [{**{k: v for k, v in p.person.items() if k != "organization_id"},
             "organization_id": p.organization.id if p.organization else None,
             "created_by_organization_id": actor.organization_id} for p in new_people]
    person_ids = {(p.person["id_type"], p.person["id_number"]): pid
                  for p, pid in zip(new_people, _insert(Person.__table__, rows, ids=True))}

    def person_id(p: Parsed) -> int:
        return p.existing.id if p.existing is not None else person_ids[(p.person["id_type"], p.person["id_number"])]

    batch = secrets.token_hex(16)
    reg_ids = _insert(Registration.__table__, [
        {"event_id": event.id, "competition_id": comp.id, "person_id": person_id(group[0]),
         "organization_id": group[0].organization.id if group[0].organization else None,
         "team_name": group[0].team_name, "status": "submitted", "source": "import",
         "submitted_by_id": actor.id, "import_batch": batch, "version": 1} for group in groups], ids=True)
    _insert(RegistrationMember.__table__, [
        {"registration_id": reg_id, "event_id": event.id, "competition_id": comp.id,
         "person_id": person_id(p), "position": i, "is_active": True}
        for reg_id, group in zip(reg_ids, groups) for i, p in enumerate(group)])
    reg_ids = sorted(reg_ids)
    record("registration.import", object_type="events", object_id=event.id, actor=actor,
           competition_id=comp.id, event_id=event.id,
           after={"created": len(reg_ids), "batch": batch, "first_id": reg_ids[0] if reg_ids else None,
                  "last_id": reg_ids[-1] if reg_ids else None, "new_people": len(new_people),
                  "file": filename[:200], "sha256": digest, "skipped_example_rows": skipped_rows})
    return reg_ids
