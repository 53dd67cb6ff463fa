"""Import of scores from an exam system (theory) per contestant code: all or nothing, every bad
row listed. Columns: 参赛编号 (or code) and one column per imported criterion (its key or name)."""
from __future__ import annotations

from sqlalchemy import delete, select

from ..audit.operations import record
from ..competitions.models import Event
from ..domain.errors import N_
from ..domain.scoring import ScoreError, parse_value
from ..extensions import db
from ..registration.models import Registration
from ..spreadsheets import ImportRejected, Problem, cell_text, read_table
from .models import ImportedScore
from .errors import JudgingStateError
from .queries import imported_criteria, is_drawn

CODE_HEADERS = {"参赛编号", "code", "编号", "考号"}


def import_scores(event: Event, data: bytes, actor, filename: str = "") -> int:
    if event.locked_at is not None:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))
    if not is_drawn(event):
        raise JudgingStateError(N_("Draw the contestant codes first."))
    criteria = imported_criteria(event)
    if not criteria:
        raise JudgingStateError(N_("This event has no component whose scores are imported."))
    table = read_table(data)
    while table and not any(cell_text(c) for c in table[-1]):
        table.pop()
    if len(table) < 2:
        raise ImportRejected([Problem(0, None, N_("The file has a header but no data rows."))])
    header = [cell_text(h) for h in table[0]]
    by_header = {}
    for crit in criteria:
        for name in (crit["key"], crit["name"]):
            by_header[name] = crit
    code_col = next((i for i, h in enumerate(header) if h in CODE_HEADERS or h.lower() in CODE_HEADERS), None)
    columns = {i: by_header[h] for i, h in enumerate(header) if h in by_header}
    problems: list[Problem] = []
    if code_col is None:
        problems.append(Problem(1, "code", N_("The column %(column)s is missing."), {"column": "参赛编号"}, "参赛编号"))
    for crit in criteria:
        if crit not in columns.values():
            problems.append(Problem(1, crit["key"], N_("The column %(column)s is missing."),
                                    {"column": crit["name"]}, crit["name"]))
    if problems:
        raise ImportRejected(problems)
    # The exam system may know the contestants by their admission-ticket number (two-layer
    # encryption) or by the code: both are accepted (they never look alike).
    regs = {}
    for r in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == "approved", Registration.code.is_not(None))):
        regs[r.code] = r
        if r.ticket_number:
            regs[r.ticket_number] = r
    values: dict[tuple[int, str], object] = {}
    seen: dict[int, int] = {}
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell_text(c) for c in cells):
            continue
        code = cell_text(cells[code_col]) if code_col < len(cells) else ""
        reg = regs.get(code)
        if reg is None:
            problems.append(Problem(line, "code", N_("No contestant of this event has the code %(code)s."),
                                    {"code": code}, header[code_col]))
            continue
        if reg.id in seen:
            problems.append(Problem(line, "code", N_("The code %(code)s is on line %(line)d too."),
                                    {"code": code, "line": seen[reg.id]}, header[code_col]))
            continue
        seen[reg.id] = line
        for i, crit in columns.items():
            raw = cells[i] if i < len(cells) else None
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            elif isinstance(raw, float):
                raw = cell_text(round(raw, 6))
            try:
                value = parse_value(crit, raw)
            except ScoreError as exc:
                problems.append(Problem(line, crit["key"], exc.message, exc.params, header[i]))
                continue
            if value is None:
                problems.append(Problem(line, crit["key"], N_("The score is missing."), {}, header[i]))
                continue
            values[(reg.id, crit["key"])] = value
    if problems:
        raise ImportRejected(problems)
    rids = {rid for rid, _ in values}
    db.session.execute(delete(ImportedScore).where(ImportedScore.event_id == event.id,
                                                   ImportedScore.registration_id.in_(rids)))
    db.session.execute(ImportedScore.__table__.insert(), [
        {"event_id": event.id, "registration_id": rid, "criterion_key": key, "value": value}
        for (rid, key), value in values.items()])
    record("scores.import", object_type="events", object_id=event.id, actor=actor,
           competition_id=event.competition_id, event_id=event.id,
           after={"contestants": len(rids), "values": len(values), "file": filename[:200]})
    return len(rids)
