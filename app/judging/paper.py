"""Paper when there is no network at all: printed marking forms (纸质评分表) and double entry.

An organizer of the competition prints a form for one judge of the event: the judge's codes ×
the judged criteria, with the form's serial. The judge fills it in by hand and signs it; two
clerks — two different users who manage the competition (the host's organizers) — each type the
whole form in. The sheets are accepted only when both entries agree in every cell; otherwise the
cells that differ are listed and nothing is applied. A clerk corrects their own entry by typing
it again. Accepted rows are saved and submitted on the judge's sheets, each audited with the
form's serial and both clerks; a row left blank on paper (an absent contestant) stays untouched.
Sheets the judge has submitted already (from a phone, before the network went) are printed as
such, without boxes, and are not typed in.
"""
from __future__ import annotations

import secrets
from decimal import Decimal

from sqlalchemy import func, select

from ..audit.operations import record
from ..competitions.models import Event
from ..domain.errors import N_, Collector, DomainError
from ..domain.scoring import ScoreError, parse_value, plain
from ..extensions import db
from ..models_base import utcnow
from ..registration.models import Registration
from .errors import JudgingStateError, require_not_locked
from .models import PaperEntry, PaperForm, Sheet
from .operations import _apply, _bump
from .queries import is_drawn, judge_criteria, panel_role


def form_sheets(form: PaperForm) -> list[Sheet]:
    """The judge's sheets of the event in code order: the rows of the form."""
    return list(db.session.scalars(select(Sheet).join(Registration, Registration.id == Sheet.registration_id)
                                   .where(Sheet.event_id == form.event_id, Sheet.judge_id == form.judge_id)
                                   .order_by(Registration.code)))


def issue_form(event: Event, judge, actor) -> PaperForm:
    """A new form (new serial) for one judge of the event's panel."""
    require_not_locked(event)
    if judge is None or panel_role(event, judge) != "judge":
        errors = Collector()
        errors.add("judge_id", N_("Choose a judge of this event's panel."))
        errors.raise_if_any()
    if not is_drawn(event):
        raise JudgingStateError(N_("Draw the codes first: a paper form lists the judge's codes."))
    drafts = db.session.scalar(select(func.count()).select_from(Sheet).where(
        Sheet.event_id == event.id, Sheet.judge_id == judge.id, Sheet.status == "draft"))
    if not drafts:
        raise JudgingStateError(N_("This judge has no sheet left to fill in: every one is submitted."))
    serial = f"{event.id:04d}-{judge.id:04d}-{secrets.token_hex(3).upper()}"
    form = PaperForm(serial=serial, event_id=event.id, judge_id=judge.id, created_by_id=actor.id)
    db.session.add(form)
    db.session.flush()
    record("paper.issue", form, actor=actor, after={"serial": serial, "judge_id": judge.id},
           competition_id=event.competition_id, event_id=event.id)
    return form


class PaperMismatch(DomainError):
    """The two entries differ: the cells that do (code, criterion, each clerk's value)."""

    code = "paper_mismatch"

    def __init__(self, mismatches: list[dict]):
        super().__init__(N_("The two entries differ in %(n)d cells: check the paper form and type those again."),
                         n=len(mismatches))
        self.mismatches = mismatches

    def extra(self, translate) -> dict:
        return {"mismatches": self.mismatches}


def _parse_entry(form: PaperForm, raw: dict) -> dict[str, dict[str, Decimal | None]]:
    """Every cell checked like a judge's value; errors name the cell (values.<code>.<key>)."""
    event = db.session.get(Event, form.event_id)
    criteria = judge_criteria(event)
    errors = Collector()
    out: dict[str, dict[str, Decimal | None]] = {}
    raw = raw if isinstance(raw, dict) else {}
    for sheet in form_sheets(form):
        code = sheet.registration.code
        row = raw.get(code) if isinstance(raw.get(code), dict) else {}
        cells = {}
        for crit in criteria:
            try:
                cells[crit["key"]] = parse_value(crit, row.get(crit["key"]))
            except ScoreError as exc:
                errors.add(f"values.{code}.{crit['key']}", exc.message, **exc.params)
        filled = [v for v in cells.values() if v is not None]
        if filled and len(filled) != len(cells):
            errors.add(f"values.{code}", N_("Row %(code)s is partly filled: type every criterion, or none if the "
                                            "paper row is blank."), code=code)
        out[code] = cells
    errors.raise_if_any()
    return out


def compare(first: dict, second: dict) -> list[dict]:
    """The cells where two entries differ, in code and criterion order."""
    out = []
    for code in sorted(set(first) | set(second)):
        a, b = first.get(code, {}), second.get(code, {})
        for key in sorted(set(a) | set(b)):
            va, vb = _dec(a.get(key)), _dec(b.get(key))
            if va != vb:
                out.append({"code": code, "criterion": key, "first": plain(va), "second": plain(vb)})
    return out


def _dec(value):
    return None if value is None else Decimal(str(value))


def enter(form: PaperForm, raw: dict, clerk) -> dict:
    """A clerk types the form in (replacing their own earlier entry). Returns {"state": "waiting"}
    until another clerk has typed it, then {"state": "accepted", "sheets": n}; raises
    PaperMismatch (after the entry is stored: the caller commits it) when the two disagree."""
    if form.accepted_at is not None:
        raise JudgingStateError(N_("This paper form has been accepted already."))
    event = db.session.get(Event, form.event_id)
    require_not_locked(event)
    values = _parse_entry(form, raw)
    stored = {code: {k: plain(v) for k, v in cells.items()} for code, cells in values.items()}
    mine = db.session.scalar(select(PaperEntry).where(PaperEntry.form_id == form.id, PaperEntry.clerk_id == clerk.id))
    if mine is None:
        mine = PaperEntry(form_id=form.id, clerk_id=clerk.id, values=stored)
        db.session.add(mine)
    else:
        mine.values, mine.updated_at = stored, utcnow()
    db.session.flush()
    record("paper.entry", form, actor=clerk, after={"serial": form.serial},
           competition_id=event.competition_id, event_id=event.id)
    others = [e for e in db.session.scalars(select(PaperEntry).where(PaperEntry.form_id == form.id,
                                                                      PaperEntry.clerk_id != clerk.id))]
    if not others:
        return {"state": "waiting"}
    other = others[-1]
    mismatches = compare(other.values, stored)
    if mismatches:
        raise PaperMismatch(mismatches)
    return {"state": "accepted", "sheets": _accept(form, event, values, [other.clerk, clerk], clerk)}


def _accept(form: PaperForm, event: Event, values: dict, clerks: list, actor) -> int:
    sheets = {s.registration.code: s for s in form_sheets(form)}
    rows = {code: cells for code, cells in values.items() if any(v is not None for v in cells.values())}
    busy = sorted(code for code in rows if sheets[code].status != "draft")
    if busy:
        raise JudgingStateError(N_("Sheets %(codes)s are submitted already (from a phone?): the chief judge compares "
                                   "them with the paper form."), codes="、".join(busy))
    who = [{"id": c.id, "name": c.name} for c in clerks]
    for code, cells in sorted(rows.items()):
        sheet = sheets[code]
        _bump(sheet, sheet.version)
        before, after = _apply(sheet, cells)
        sheet.status, sheet.submitted_at = "submitted", utcnow()
        record("sheet.paper", sheet, actor=actor, before={**before, "status": "draft"},
               after={**after, "status": "submitted", "serial": form.serial, "clerks": who},
               competition_id=event.competition_id, event_id=event.id)
    form.accepted_at = utcnow()
    record("paper.accept", form, actor=actor, after={"serial": form.serial, "sheets": len(rows), "clerks": who},
           competition_id=event.competition_id, event_id=event.id)
    return len(rows)
