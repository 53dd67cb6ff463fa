"""Writes of judging: panels, conflicts and recusal, draws, score sheets, sign-off, decryption,
imported (theory) scores and the re-check protocol. Every one is audited."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import delete, func, select, update

from .. import cache
from ..audit.models import AuditEvent
from ..audit.operations import record
from ..competitions.models import Event
from .. import signals
from ..domain import draw as draws
from ..domain.errors import N_, Collector, DomainError, Forbidden
from ..domain.scheme import TRIM_MIN_JUDGES
from ..domain.scoring import ScoreError, disagreement, parse_value, plain
from ..extensions import db
from ..models_base import utcnow
from ..people.models import Person
from ..registration.models import ATTENDANCE_MARKS, Registration, RegistrationMember, ranked_clause
from .models import CONFLICT_KINDS, Conflict, Draw, ImportedScore, PanelMember, Recheck, RecheckItem, Score, Sheet

DRAW_STATES = ("registration_closed", "judging")
RECHECK_ERROR_LIMIT = Decimal("0.05")


class JudgingStateError(DomainError):
    code = "wrong_state"


class StaleSheet(DomainError):
    code = "stale_version"

    def __init__(self):
        super().__init__(N_("This sheet was saved elsewhere after you opened it (another device or the chief judge). Reload it; your values were not saved."))


class MissingWork(DomainError):
    """Lock refused: lists what is missing."""

    code = "incomplete"

    def __init__(self, message: str, missing: list[dict], **params):
        super().__init__(message, **params)
        self.missing = missing

    def extra(self, translate) -> dict:
        return {"missing": self.missing}


class CodesRefused(DomainError):
    """A refusal about some entries, named by their judges' codes only (never registration ids)."""

    def __init__(self, message: str, entry_codes: list[str], **params):
        super().__init__(message, **params)
        self.codes = entry_codes

    def extra(self, translate) -> dict:
        return {"codes": self.codes}


class PendingDisqualification(CodesRefused):
    code = "disqualification_unconfirmed"


class InsufficientJudges(CodesRefused):
    code = "insufficient_judges"


class TrimmedMeanShort(CodesRefused):
    code = "trimmed_mean_short"


class SealMismatch(DomainError):
    """Decryption refused: the stored seed and code map no longer give the seal committed at the
    draw. The refusal itself is audited: the caller commits before answering."""

    code = "seal_mismatch"

    def __init__(self):
        super().__init__(N_("The code map does not match the seal recorded at the draw: it has been changed since. "
                            "Names are not revealed; the refusal is recorded in the audit log."))


# ---- reads used by the operations ------------------------------------------------------------

def judge_criteria(event: Event) -> list[dict]:
    return [c for comp in event.scheme["components"] if comp.get("entry", "judges") == "judges"
            for c in comp["criteria"]]


def imported_criteria(event: Event) -> list[dict]:
    return [c for comp in event.scheme["components"] if comp.get("entry") == "import" for c in comp["criteria"]]


def panel(event: Event, role: str | None = None) -> list[PanelMember]:
    stmt = select(PanelMember).where(PanelMember.event_id == event.id).order_by(PanelMember.id)
    if role:
        stmt = stmt.where(PanelMember.role == role)
    return list(db.session.scalars(stmt))


def panel_role(event: Event, user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(PanelMember.role).where(PanelMember.event_id == event.id,
                                                             PanelMember.user_id == user.id))


def approved(event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == "approved").order_by(Registration.id)))


def active(event: Event) -> list[Registration]:
    """Approved entries that are judged and ranked: not absent, not disqualified (confirmed)."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == "approved", ranked_clause())
        .order_by(Registration.id)))


def code_map(event: Event) -> dict[int, str]:
    """registration id → judges' code, for the entries drawn."""
    return {rid: code for rid, code in db.session.execute(
        select(Registration.id, Registration.code).where(Registration.event_id == event.id,
                                                         Registration.code.is_not(None)))}


def registration_orgs(event: Event) -> dict[int, set[int]]:
    """registration id → organizations involved (the entry's and each member's)."""
    out: dict[int, set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(Registration.id, Registration.organization_id, Person.organization_id)
        .join(RegistrationMember, RegistrationMember.registration_id == Registration.id)
        .join(Person, Person.id == RegistrationMember.person_id)
        .where(Registration.event_id == event.id))
    for rid, reg_org, person_org in rows:
        for org in (reg_org, person_org):
            if org is not None:
                out[rid].add(org)
    return out


def recusals(event: Event) -> dict[tuple[int, int], str]:
    """(judge user id, registration id) → why the judge is recused (培考分离, seed 000 (九))."""
    out: dict[tuple[int, int], str] = {}
    orgs = registration_orgs(event)
    for pm in panel(event, "judge"):
        if pm.user.organization_id is None:
            continue
        for rid, org_ids in orgs.items():
            if pm.user.organization_id in org_ids:
                out[(pm.user_id, rid)] = "same_organization"
    for c in db.session.scalars(select(Conflict).where(Conflict.event_id == event.id)):
        out.setdefault((c.user_id, c.registration_id), c.kind)
    return out


def coverage(event: Event) -> list[dict]:
    """Active contestants left with fewer judges than the scheme needs after recusal (for the
    organizer: with registration ids; the panel gets `coverage_warnings`)."""
    if not judge_criteria(event):
        return []
    judges = [pm.user_id for pm in panel(event, "judge")]
    rec = recusals(event)
    need = event.scheme.get("min_judges", 1)
    short = []
    for reg in active(event):
        n = sum(1 for j in judges if (j, reg.id) not in rec)
        if n < need:
            short.append({"registration_id": reg.id, "code": reg.code, "judges": n, "needed": need})
    return short


def coverage_warnings(event: Event) -> list[dict]:
    """The coverage shortfall as anyone on the panel may read it: codes and counts only (before
    the draw an entry has no code yet, and is counted without one)."""
    return [{"code": c["code"], "judges": c["judges"], "needed": c["needed"]} for c in coverage(event)]


def lock_problems(event: Event) -> list[dict]:
    """What blocks the lock besides missing sheets, by code: disqualifications awaiting the
    supervisor, entries with fewer sheets than min_judges, and (trimmed mean with "refuse")
    entries with fewer than 5 sheets."""
    problems = []
    for reg in db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == "approved",
            Registration.attendance == "disqualified", Registration.attendance_confirmed_at.is_(None))
            .order_by(Registration.code)):
        problems.append({"kind": "pending_disqualification", "code": reg.code})
    if not judge_criteria(event):
        return problems
    counts = dict(db.session.execute(select(Sheet.registration_id, func.count()).where(
        Sheet.event_id == event.id).group_by(Sheet.registration_id)).all())
    need = event.scheme.get("min_judges", 1)
    refuse_trim = event.scheme.get("aggregation") == "trimmed_mean" and event.scheme.get("trim_fallback") == "refuse"
    for reg in sorted(active(event), key=lambda r: r.code or ""):
        n = counts.get(reg.id, 0)
        if n < need:
            problems.append({"kind": "coverage", "code": reg.code, "judges": n, "needed": need})
        elif refuse_trim and n < TRIM_MIN_JUDGES:
            problems.append({"kind": "trimmed_mean", "code": reg.code, "judges": n, "needed": TRIM_MIN_JUDGES})
    return problems


def is_drawn(event: Event) -> bool:
    return db.session.scalar(select(Draw.id).where(Draw.event_id == event.id, Draw.kind == "codes")) is not None


def any_score(event: Event) -> bool:
    return db.session.scalar(select(func.count()).select_from(Score).join(Sheet).where(
        Sheet.event_id == event.id, Score.value.is_not(None))) > 0 or db.session.scalar(
        select(func.count()).select_from(ImportedScore).where(ImportedScore.event_id == event.id)) > 0


def _require_not_locked(event: Event) -> None:
    if event.locked_at is not None:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))


# ---- panel and conflicts ----------------------------------------------------------------------

def add_panel_member(event: Event, user, role: str, actor) -> PanelMember:
    errors = Collector()
    if role not in ("judge", "chief_judge"):
        errors.add("role", N_("The role must be judge or chief_judge."))
    elif user is None:
        errors.add("user_id", N_("Unknown user."))
    elif not user.has_role(role):
        errors.add("user_id", N_("This user does not have the role %(role)s."), role=role)
    elif user.organization_id is None:
        errors.add("user_id", N_("A judge must belong to an organization, so that recusal (培考分离) can be checked."))
    elif not actor.has_role("admin") and not _in_jurisdiction(event, user):
        errors.add("user_id", N_("Organizers choose judges from organizations within the competition's jurisdiction; an administrator adds others."))
    errors.raise_if_any()
    if event.competition.status in ("publicity", "final", "archived"):
        raise JudgingStateError(N_("The panel cannot change after results are published."))
    _require_not_locked(event)
    if panel_role(event, user) is not None:
        raise JudgingStateError(N_("This user is on the panel already."))
    pm = PanelMember(event_id=event.id, user_id=user.id, role=role)
    db.session.add(pm)
    db.session.flush()
    record("panel.add", pm, actor=actor, after={"user_id": user.id, "role": role},
           competition_id=event.competition_id, event_id=event.id)
    ensure_sheets(event, actor)
    return pm


def _in_jurisdiction(event: Event, user) -> bool:
    from ..domain.tenancy import within
    return user.organization is not None and within(user.organization.jurisdiction, event.competition.jurisdiction)


def remove_panel_member(pm: PanelMember, actor) -> None:
    event = db.session.get(Event, pm.event_id)
    _require_not_locked(event)
    submitted = db.session.scalar(select(func.count()).select_from(Sheet).where(
        Sheet.event_id == event.id, Sheet.judge_id == pm.user_id, Sheet.status != "draft"))
    if submitted:
        raise JudgingStateError(N_("This judge has submitted sheets and cannot leave the panel."))
    record("panel.remove", pm, actor=actor, before={"user_id": pm.user_id, "role": pm.role},
           competition_id=event.competition_id, event_id=event.id)
    db.session.execute(delete(Sheet).where(Sheet.event_id == event.id, Sheet.judge_id == pm.user_id))
    db.session.delete(pm)
    db.session.flush()


def declare_conflict(event: Event, data: dict, actor) -> Conflict:
    from ..accounts.models import User

    errors = Collector()
    user = db.session.get(User, _int(data.get("user_id")) or 0)
    reg = db.session.get(Registration, _int(data.get("registration_id")) or 0)
    if user is None or panel_role(event, user) != "judge":
        errors.add("user_id", N_("Choose a judge of this event's panel."))
    if reg is None or reg.event_id != event.id:
        errors.add("registration_id", N_("Choose an entry of this event."))
    if data.get("kind") not in CONFLICT_KINDS:
        errors.add("kind", N_("The kind must be same organization, trainer or coach, relative, or other."))
    note = str(data.get("note") or "").strip()[:1000] or None
    errors.raise_if_any()
    _require_not_locked(event)
    if db.session.scalar(select(Conflict.id).where(Conflict.event_id == event.id, Conflict.user_id == user.id,
                                                   Conflict.registration_id == reg.id)):
        raise JudgingStateError(N_("This conflict is declared already."))
    conflict = Conflict(event_id=event.id, user_id=user.id, registration_id=reg.id, kind=data["kind"], note=note,
                        created_by_id=actor.id)
    db.session.add(conflict)
    db.session.flush()
    record("conflict.declare", conflict, actor=actor, reason=note,
           after={"user_id": user.id, "registration_id": reg.id, "kind": conflict.kind},
           competition_id=event.competition_id, event_id=event.id)
    ensure_sheets(event, actor)
    return conflict


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---- draws and sheets -------------------------------------------------------------------------

def draw_codes(event: Event, seed: str | None, actor) -> int:
    """Give every approved entry an anonymous code by a seeded draw; the same seed and entries
    give the same codes. A redraw is possible until the first score is entered."""
    comp = event.competition
    if comp.status not in DRAW_STATES:
        raise JudgingStateError(N_("The draw takes place after registration closes and before results."))
    _require_not_locked(event)
    if any_score(event):
        raise JudgingStateError(N_("Scores have been entered: the codes cannot be drawn again."))
    seed = (seed or "").strip()[:64] or draws.new_seed()
    regs = approved(event)
    if not regs:
        raise JudgingStateError(N_("There are no approved entries to draw."))
    prefix = _code_prefix(event)
    ids = [r.id for r in regs]
    codes = draws.draw_codes(ids, seed, prefix)
    # Two-layer encryption: the ticket numbers are a second draw with its own seed, so that the
    # number a contestant carries says nothing about the code the judges see.
    ticket_seed = draws.new_seed() if event.two_layer else None
    tickets = draws.draw_tickets(ids, ticket_seed, _ticket_prefix(event)) if ticket_seed else {}
    # Clear first so that the unique (event, code) index never sees two rows with one code.
    db.session.execute(update(Registration).where(Registration.event_id == event.id)
                       .values(code=None, ticket_number=None, station=None)
                       .execution_options(synchronize_session="fetch"))
    db.session.flush()
    for reg in regs:
        reg.code, reg.ticket_number = codes[reg.id], tickets.get(reg.id)
    salt = draws.new_salt()
    seal = draws.seal_hash(salt, seed, ticket_seed, {rid: (codes[rid], tickets.get(rid)) for rid in ids})
    existing = db.session.scalar(select(Draw).where(Draw.event_id == event.id, Draw.kind == "codes"))
    before = {"seal_hash": existing.seal_hash} if existing else None
    db.session.execute(delete(Draw).where(Draw.event_id == event.id))
    row = Draw(event_id=event.id, kind="codes", seed=seed, ticket_seed=ticket_seed, seal_salt=salt,
               seal_hash=seal, drawn=len(regs), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    # The audit carries only the commitment: the seed and the map stay sealed until decryption.
    record("draw.codes", row, actor=actor, before=before,
           after={"drawn": len(regs), "two_layer": bool(ticket_seed), "seal_hash": seal},
           competition_id=comp.id, event_id=event.id)
    ensure_sheets(event, actor)
    return len(regs)


def _ticket_prefix(event: Event) -> str:
    """Ticket numbers are digits only: the event's position in the competition, two digits."""
    ids = [e.id for e in event.competition.events]
    index = ids.index(event.id) if event.id in ids else 0
    return f"{index + 1:02d}"


def seal_entries(event: Event) -> dict[int, tuple[str, str | None]]:
    """The stored code map: registration id → (judges' code, ticket number)."""
    return {rid: (code, ticket) for rid, code, ticket in db.session.execute(
        select(Registration.id, Registration.code, Registration.ticket_number)
        .where(Registration.event_id == event.id, Registration.code.is_not(None)))}


def verify_seal(event: Event) -> tuple[bool, str | None, str | None]:
    """Recompute the seal from the stored seeds and map: (holds, expected, found). The expected
    hash must be the one on the draw and the one committed in the (append-only) audit of the draw.
    A draw made before seals existed is checked by re-running its seeded draw instead."""
    row = db.session.scalar(select(Draw).where(Draw.event_id == event.id, Draw.kind == "codes"))
    if row is None:
        return False, None, None
    entries = seal_entries(event)
    if row.seal_hash is None:
        prefix = _code_prefix(event)
        again = draws.draw_codes(list(entries), row.seed, prefix)
        return again == {rid: code for rid, (code, _t) in entries.items()}, None, None
    found = draws.seal_hash(row.seal_salt or "", row.seed, row.ticket_seed, entries)
    committed = db.session.scalar(select(AuditEvent.after).where(
        AuditEvent.event_id == event.id, AuditEvent.action == "draw.codes").order_by(AuditEvent.seq.desc()).limit(1))
    committed_hash = (committed or {}).get("seal_hash", row.seal_hash)
    return found == row.seal_hash == committed_hash, row.seal_hash, found


def _code_prefix(event: Event) -> str:
    """Events of one competition get letters A, B, C … in order of creation."""
    ids = [e.id for e in event.competition.events]
    index = ids.index(event.id) if event.id in ids else 0
    return chr(ord("A") + index % 26)


def draw_stations(event: Event, seed: str | None, actor) -> int:
    if not is_drawn(event):
        raise JudgingStateError(N_("Draw the contestant codes first."))
    _require_not_locked(event)
    seed = (seed or "").strip()[:64] or draws.new_seed()
    regs = [r for r in approved(event) if r.code]
    stations = draws.draw_stations([r.code for r in regs], seed)
    for reg in regs:
        reg.station = stations[reg.code]
    db.session.execute(delete(Draw).where(Draw.event_id == event.id, Draw.kind == "stations"))
    row = Draw(event_id=event.id, kind="stations", seed=seed, drawn=len(regs), created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record("draw.stations", row, actor=actor, after={"seed": seed, "drawn": len(regs)},
           competition_id=event.competition_id, event_id=event.id)
    return len(regs)


def ensure_sheets(event: Event, actor=None) -> None:
    """One draft sheet per (panel judge, drawn entry) the judge is not recused from; sheets that
    recusal or a panel change made void are removed (their values kept in the audit log)."""
    if not is_drawn(event) or event.locked_at is not None:
        return
    judges = [pm.user_id for pm in panel(event, "judge")]
    regs = [r for r in approved(event) if r.code]
    rec = recusals(event)
    wanted = {(j, r.id) for j in judges for r in regs if (j, r.id) not in rec}
    keys = [c["key"] for c in judge_criteria(event)]
    existing = {(s.judge_id, s.registration_id): s for s in db.session.scalars(
        select(Sheet).where(Sheet.event_id == event.id))}
    for key, sheet in existing.items():
        if key not in wanted:
            values = {k: plain(v) for k, v in sheet.values().items() if v is not None}
            if values or sheet.status != "draft":
                record("sheet.void", sheet, actor=actor, before={"status": sheet.status, "scores": values},
                       reason=rec.get(key), competition_id=event.competition_id, event_id=event.id)
            db.session.delete(sheet)
    # Created in code order, so that sheet ids (which the panel sees) say nothing of the order
    # of registration ids.
    code_of = {r.id: r.code for r in regs}
    for judge_id, rid in sorted(wanted - set(existing), key=lambda k: (k[0], code_of[k[1]])):
        sheet = Sheet(event_id=event.id, registration_id=rid, judge_id=judge_id)
        sheet.scores = [Score(criterion_key=k, value=None) for k in keys]
        db.session.add(sheet)
    db.session.flush()


def _validate_scores(event: Event, scores, errors: Collector) -> dict[str, Decimal | None]:
    if not isinstance(scores, dict):
        errors.add("scores", N_("Send the scores as an object of criterion key → value."))
        return {}
    criteria = {c["key"]: c for c in judge_criteria(event)}
    out = {}
    for key, raw in scores.items():
        crit = criteria.get(key)
        if crit is None:
            errors.add(f"scores.{key}", N_("This event has no criterion %(key)s scored by judges."), key=key)
            continue
        try:
            out[key] = parse_value(crit, raw)
        except ScoreError as exc:
            errors.add(f"scores.{key}", exc.message, **exc.params)
    return out


def _bump(sheet: Sheet, version) -> None:
    """Explicit optimistic lock: the client's version must be the stored one; the conditional
    UPDATE also serializes two racing saves of one sheet (exactly one wins)."""
    try:
        version = int(version)
    except (TypeError, ValueError):
        errors = Collector()
        errors.add("version", N_("Send the version of the sheet you loaded."))
        errors.raise_if_any()
    if version != sheet.version:
        raise StaleSheet()
    result = db.session.execute(update(Sheet).where(Sheet.id == sheet.id, Sheet.version == version)
                                .values(version=Sheet.version + 1, updated_at=utcnow())
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise StaleSheet()
    sheet.version = version + 1


def _apply(sheet: Sheet, values: dict[str, Decimal | None]) -> tuple[dict, dict]:
    by_key = {s.criterion_key: s for s in sheet.scores}
    before, after = {}, {}
    for key, value in values.items():
        row = by_key.get(key)
        if row is None:
            row = Score(criterion_key=key, value=None)
            sheet.scores.append(row)
        if row.value != value:
            before[key], after[key] = plain(row.value), plain(value)
            row.value = value
    return before, after


def save_sheet(sheet: Sheet, scores, version, actor) -> Sheet:
    """A judge saves a draft of their own sheet."""
    event = db.session.get(Event, sheet.event_id)
    if sheet.judge_id != actor.id:
        raise Forbidden(N_("This is not your sheet."))
    errors = Collector()
    values = _validate_scores(event, scores, errors)
    errors.raise_if_any()
    if sheet.status == "locked" or event.locked_at is not None:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))
    if sheet.status == "submitted":
        raise JudgingStateError(N_("This sheet is submitted; only the chief judge can correct it, with a reason."))
    _bump(sheet, version)
    before, after = _apply(sheet, values)
    record("sheet.save", sheet, actor=actor, before=before, after=after,
           competition_id=event.competition_id, event_id=event.id)
    return sheet


def submit_sheet(sheet: Sheet, version, actor) -> Sheet:
    event = db.session.get(Event, sheet.event_id)
    if sheet.judge_id != actor.id:
        raise Forbidden(N_("This is not your sheet."))
    if sheet.status != "draft":
        raise JudgingStateError(N_("This sheet is submitted already."))
    values = sheet.values()
    errors = Collector()
    for crit in judge_criteria(event):
        if values.get(crit["key"]) is None:
            errors.add(f"scores.{crit['key']}", N_("Enter a score for %(name)s before submitting."), name=crit["name"])
    errors.raise_if_any()
    _bump(sheet, version)
    sheet.status = "submitted"
    sheet.submitted_at = utcnow()
    record("sheet.submit", sheet, actor=actor, before={"status": "draft"}, after={"status": "submitted"},
           competition_id=event.competition_id, event_id=event.id)
    return sheet


def correct_sheet(sheet: Sheet, scores, version, reason: str | None, actor) -> Sheet:
    """The chief judge corrects a submitted sheet; the reason is required and audited."""
    event = db.session.get(Event, sheet.event_id)
    errors = Collector()
    values = _validate_scores(event, scores, errors)
    reason = (reason or "").strip()[:1000]
    if not reason:
        errors.add("reason", N_("A correction needs a reason."))
    errors.raise_if_any()
    recheck_fix = event.locked_at is not None and _marked_wrong(event, sheet.registration_id)
    if (sheet.status == "locked" or event.locked_at is not None) and not recheck_fix:
        raise JudgingStateError(N_("The event is locked; only an upheld appeal reopens it."))
    if sheet.status == "draft":
        raise JudgingStateError(N_("This sheet is not submitted yet; the judge can still change it."))
    _bump(sheet, version)
    before, after = _apply(sheet, values)
    record("sheet.correct" if not recheck_fix else "sheet.recheck_correct", sheet, actor=actor, before=before,
           after=after, reason=reason, competition_id=event.competition_id, event_id=event.id)
    return sheet


def _marked_wrong(event: Event, registration_id: int) -> bool:
    return db.session.scalar(select(RecheckItem.id).join(Recheck).where(
        Recheck.event_id == event.id, RecheckItem.registration_id == registration_id,
        RecheckItem.status == "wrong")) is not None


def missing_work(event: Event) -> list[dict]:
    """Sheets not yet submitted and imported scores not yet present, for the lock. Entries marked
    absent or disqualified (confirmed) need none: their draft sheets stay drafts."""
    missing = []
    for sheet in db.session.scalars(select(Sheet).join(Registration, Registration.id == Sheet.registration_id)
                                    .where(Sheet.event_id == event.id, Sheet.status == "draft", ranked_clause())
                                    .order_by(Registration.code, Sheet.judge_id)):
        missing.append({"kind": "sheet", "code": sheet.registration.code, "judge_id": sheet.judge_id,
                        "judge": sheet.judge.name})
    keys = [c["key"] for c in imported_criteria(event)]
    if keys:
        have = set(db.session.execute(select(ImportedScore.registration_id, ImportedScore.criterion_key).where(
            ImportedScore.event_id == event.id)))
        for reg in active(event):
            for key in keys:
                if (reg.id, key) not in have:
                    missing.append({"kind": "imported", "code": reg.code, "criterion": key})
    return missing


def lock_event(event: Event, actor) -> Event:
    """The chief judge signs the event off when every required sheet and imported score is in."""
    if not is_drawn(event):
        raise JudgingStateError(N_("Draw the contestant codes first."))
    reopened = event.reopened_at is not None and event.competition.status in ("publicity", "final")
    if event.competition.status != "judging" and not reopened:
        raise JudgingStateError(N_("Events are locked while the competition is in judging."))
    problems = lock_problems(event)
    for kind, error, message in (
            ("pending_disqualification", PendingDisqualification,
             N_("The event cannot be locked: the disqualification of %(codes)s awaits the supervisor's confirmation.")),
            ("coverage", InsufficientJudges,
             N_("The event cannot be locked: %(codes)s have fewer judges' sheets than the %(n)d required. "
                "The organizer adds judges to the panel.")),
            ("trimmed_mean", TrimmedMeanShort,
             N_("The event cannot be locked: the trimmed mean needs 5 judges' sheets and %(codes)s have fewer "
                "(the event refuses the plain mean). The organizer adds judges to the panel."))):
        codes = [p["code"] for p in problems if p["kind"] == kind]
        if codes:
            raise error(message, codes, codes="、".join(c or "—" for c in codes), n=event.scheme.get("min_judges", 1))
    missing = missing_work(event)
    if missing:
        raise MissingWork(N_("The event cannot be locked: %(n)d sheets or scores are missing."), missing, n=len(missing))
    now = utcnow()
    result = db.session.execute(update(Event).where(Event.id == event.id, Event.locked_at.is_(None))
                                .values(locked_at=now, locked_by_id=actor.id).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise JudgingStateError(N_("The event is locked already."))
    event.locked_at, event.locked_by_id = now, actor.id
    # Sheets of entries marked absent or disqualified are not locked: they stay as they were.
    db.session.execute(update(Sheet).where(Sheet.event_id == event.id, Sheet.registration_id.in_(
        select(Registration.id).where(Registration.event_id == event.id, ranked_clause())))
        .values(status="locked").execution_options(synchronize_session=False))
    for sheet in db.session.scalars(select(Sheet).where(Sheet.event_id == event.id)):
        db.session.refresh(sheet)
    record("event.lock", event, actor=actor, after={"locked_at": now}, competition_id=event.competition_id,
           event_id=event.id)
    if event.reopened_at is not None:
        signals.event_relocked.send(event, actor)  # results recompute (app/wiring.py)
    return event


DECRYPT_ROLES = ("chief_judge", "supervisor")


def decrypt(event: Event, actor, role: str) -> str:
    """Two-person decryption (解密) after lock: the event's chief judge and a supervisor of the
    competition, either first. The first records a request; the other person, in the other role,
    confirms; only then are names revealed. At confirmation the seal of the draw is recomputed and
    must match (else SealMismatch, audited). Repeats by the same person change nothing and are not
    audited again; conditional UPDATEs make simultaneous calls record one row each step.
    The caller has checked that `actor` holds `role` for this event. Returns "requested" or
    "decrypted"."""
    if role not in DECRYPT_ROLES:
        raise ValueError(role)
    if event.locked_at is None:
        raise JudgingStateError(N_("Names are revealed only after the event is locked."))
    if event.decrypted_at is not None:
        return "decrypted"
    now = utcnow()
    claimed = db.session.execute(
        update(Event).where(Event.id == event.id, Event.decrypt_requested_by_id.is_(None),
                            Event.decrypted_at.is_(None), Event.locked_at.is_not(None))
        .values(decrypt_requested_by_id=actor.id, decrypt_requested_at=now, decrypt_requested_role=role)
        .execution_options(synchronize_session=False))
    if claimed.rowcount == 1:
        db.session.refresh(event)
        record("event.decrypt_request", event, actor=actor, after={"role": role, "requested_at": now},
               competition_id=event.competition_id, event_id=event.id)
        return "requested"
    db.session.refresh(event)
    if event.decrypted_at is not None:
        return "decrypted"
    if event.decrypt_requested_by_id == actor.id or event.decrypt_requested_role == role:
        # The same person again, or a second person in the same role: the other role must confirm.
        return "requested"
    holds, expected, found = verify_seal(event)
    if not holds:
        record("event.decrypt_refused", event, actor=actor, reason="seal_mismatch",
               after={"role": role, "seal_hash": expected, "recomputed": found},
               competition_id=event.competition_id, event_id=event.id)
        raise SealMismatch()
    done = db.session.execute(
        update(Event).where(Event.id == event.id, Event.decrypted_at.is_(None),
                            Event.decrypt_requested_by_id == event.decrypt_requested_by_id)
        .values(decrypted_at=now, decrypted_by_id=actor.id).execution_options(synchronize_session=False))
    if done.rowcount == 1:
        db.session.refresh(event)
        draw = db.session.scalar(select(Draw).where(Draw.event_id == event.id, Draw.kind == "codes"))
        # From now on the audit holds what reproduces the map: the seeds and the seal's salt.
        record("event.decrypt", event, actor=actor, competition_id=event.competition_id, event_id=event.id,
               after={"decrypted_at": now, "requested_by_id": event.decrypt_requested_by_id,
                      "requested_role": event.decrypt_requested_role, "confirmed_by_id": actor.id,
                      "confirmed_role": role, "seal_hash": draw.seal_hash if draw else None, "seal_verified": True,
                      "seed": draw.seed if draw else None, "ticket_seed": draw.ticket_seed if draw else None,
                      "seal_salt": draw.seal_salt if draw else None})
    else:
        db.session.refresh(event)
    return "decrypted"


def decryption_state(event: Event) -> dict:
    """Where the two-person decryption stands (for pages and API answers)."""
    state = "decrypted" if event.decrypted_at else ("requested" if event.decrypt_requested_by_id else "none")
    return {"state": state, "requested_role": event.decrypt_requested_role,
            "requested_at": event.decrypt_requested_at, "decrypted_at": event.decrypted_at}


# ---- absent and disqualified entries (缺考 / 取消成绩) ---------------------------------------------

def _attendance_state(reg: Registration) -> dict:
    return {"attendance": reg.attendance, "reason": reg.attendance_reason,
            "confirmed": reg.attendance_confirmed_at is not None}


def _require_attendance_window(event: Event, reg: Registration) -> None:
    if reg.event_id != event.id or reg.status != "approved" or not reg.code:
        raise JudgingStateError(N_("Only drawn entries of this event are marked."))
    _require_not_locked(event)
    if event.competition.status != "judging" and event.reopened_at is None:
        raise JudgingStateError(N_("Entries are marked absent or disqualified while the event is judged."))


def mark_attendance(event: Event, reg: Registration, status, reason, actor) -> Registration:
    """The chief judge marks an entry absent (缺考; reason optional) or disqualified (取消成绩;
    reason required, counts once a supervisor confirms), or clears the mark, before the lock.
    Marked entries are not ranked and their draft sheets do not block the lock; the sheets are
    kept as they are (drafts), and every value typed on them is copied into the audit entry."""
    status = status if status not in ("", None, "none") else None
    reason = (str(reason).strip()[:1000] if reason is not None else "") or None
    errors = Collector()
    if status is not None and status not in ATTENDANCE_MARKS:
        errors.add("status", N_("The mark is absent or disqualified, or empty to clear it."))
    if status == "disqualified" and not reason:
        errors.add("reason", N_("A disqualification needs a reason."))
    errors.raise_if_any()
    _require_attendance_window(event, reg)
    if status == reg.attendance and (status is None or reason == reg.attendance_reason):
        return reg
    before = _attendance_state(reg)
    typed = {}
    for sheet in db.session.scalars(select(Sheet).where(Sheet.registration_id == reg.id).order_by(Sheet.judge_id)):
        values = {k: plain(v) for k, v in sheet.values().items() if v is not None}
        if values:
            typed[str(sheet.judge_id)] = {"status": sheet.status, "scores": values}
    now = utcnow()
    reg.attendance, reg.attendance_reason = status, reason if status else None
    reg.attendance_marked_by_id, reg.attendance_marked_at = (actor.id, now) if status else (None, None)
    reg.attendance_confirmed_by_id = reg.attendance_confirmed_at = None
    record("registration.attendance", reg, actor=actor, before=before,
           after={**_attendance_state(reg), "sheets": typed}, reason=reason,
           competition_id=reg.competition_id, event_id=reg.event_id)
    cache.invalidate_competition(reg.competition_id)
    return reg


def confirm_disqualification(event: Event, reg: Registration, actor) -> Registration:
    """A supervisor confirms the chief judge's disqualification; from then it counts."""
    if reg.attendance != "disqualified":
        raise JudgingStateError(N_("This entry has no disqualification to confirm."))
    _require_attendance_window(event, reg)
    if reg.attendance_confirmed_at is not None:
        return reg
    if reg.attendance_marked_by_id == actor.id:
        raise Forbidden(N_("A disqualification is confirmed by someone other than the person who marked it."))
    now = utcnow()
    done = db.session.execute(
        update(Registration).where(Registration.id == reg.id, Registration.attendance == "disqualified",
                                   Registration.attendance_confirmed_at.is_(None))
        .values(attendance_confirmed_by_id=actor.id, attendance_confirmed_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(reg)
    if done.rowcount == 1:
        record("registration.attendance_confirm", reg, actor=actor, before={"confirmed": False},
               after={"attendance": "disqualified", "confirmed": True}, reason=reg.attendance_reason,
               competition_id=reg.competition_id, event_id=reg.event_id)
        cache.invalidate_competition(reg.competition_id)
    return reg


def entry_by_code(event: Event, code: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                        Registration.code == code))


def names_visible_to_panel(event: Event) -> bool:
    return event.locked_at is not None and event.decrypted_at is not None


def disagreements(event: Event) -> list[dict]:
    """Judgement criteria where judges' values differ too much (more than 1 point on the 0–3
    scale, or more than the scheme's disagreement share of the maximum), per contestant code."""
    share = Decimal(event.scheme.get("disagreement_share") or "0.2")
    crits = {c["key"]: c for c in judge_criteria(event) if c.get("kind") == "judgement"}
    values: dict[tuple[int, str], list[tuple[int, Decimal]]] = defaultdict(list)
    rows = db.session.execute(select(Sheet.registration_id, Sheet.judge_id, Score.criterion_key, Score.value)
                              .join(Score).where(Sheet.event_id == event.id, Score.value.is_not(None)))
    for rid, judge_id, key, value in rows:
        if key in crits:
            values[(rid, key)].append((judge_id, value))
    codes = {rid: code for rid, code in db.session.execute(
        select(Registration.id, Registration.code).where(Registration.event_id == event.id))}
    flags = []
    for (rid, key), pairs in sorted(values.items(), key=lambda kv: (codes.get(kv[0][0]) or "", kv[0][1])):
        vals = [v for _, v in pairs]
        if disagreement(crits[key], vals, share):
            flags.append({"code": codes.get(rid), "registration_id": rid, "criterion": key,
                          "values": {str(j): plain(v) for j, v in pairs}, "spread": plain(max(vals) - min(vals))})
    return flags


# ---- imported scores ------------------------------------------------------------------------

def set_time_used(reg: Registration, seconds, actor) -> Registration:
    event = db.session.get(Event, reg.event_id)
    _require_not_locked(event)
    value = _int(seconds)
    if value is None or value < 0 or value > 7 * 24 * 3600:
        errors = Collector()
        errors.add("time_used", N_("Give the time used in whole seconds."))
        errors.raise_if_any()
    before = reg.time_used
    reg.time_used = value
    record("registration.time_used", reg, actor=actor, before={"time_used": before}, after={"time_used": value},
           competition_id=reg.competition_id, event_id=reg.event_id)
    return reg


# ---- re-check (supervisor) --------------------------------------------------------------------

def draw_recheck(event: Event, ranked_ids: list[int], seed: str | None, top_n, share, actor) -> Recheck:
    if event.locked_at is None:
        raise JudgingStateError(N_("The re-check is drawn after the event is locked."))
    if db.session.scalar(select(Recheck.id).where(Recheck.event_id == event.id)):
        raise JudgingStateError(N_("The re-check has been drawn already."))
    errors = Collector()
    top_n = _int(top_n if top_n not in (None, "") else 10)
    if top_n is None or not 0 <= top_n <= 1000:
        errors.add("top_n", N_("The number of top entries is a whole number from 0 to 1000."))
    try:
        share = Decimal(str(share if share not in (None, "") else "0.15"))
        if not Decimal(0) <= share <= 1:
            raise ValueError
    except (ValueError, ArithmeticError):
        errors.add("share", N_("The share is a decimal from 0 to 1."))
        share = Decimal("0.15")
    errors.raise_if_any()
    seed = (seed or "").strip()[:64] or draws.new_seed()
    top, rest = draws.recheck_sample(ranked_ids, seed, top_n, share)
    recheck = Recheck(event_id=event.id, seed=seed, top_n=top_n, share=share, created_by_id=actor.id)
    recheck.items = [RecheckItem(registration_id=r, reason="top") for r in top] + [
        RecheckItem(registration_id=r, reason="random") for r in rest]
    db.session.add(recheck)
    db.session.flush()
    record("recheck.draw", recheck, actor=actor, after={"seed": seed, "top_n": top_n, "share": share,
                                                         "top": top, "random": rest},
           competition_id=event.competition_id, event_id=event.id)
    return recheck


def error_rate(recheck: Recheck) -> Decimal | None:
    sampled = [i for i in recheck.items if i.reason != "full" and i.status != "pending"]
    if not sampled:
        return None
    return Decimal(sum(1 for i in sampled if i.status == "wrong")) / Decimal(len(sampled))


def mark_recheck(item: RecheckItem, status: str, note: str | None, actor) -> RecheckItem:
    if status not in ("checked", "wrong"):
        errors = Collector()
        errors.add("status", N_("Mark the entry as checked or wrong."))
        errors.raise_if_any()
    recheck = item.recheck
    event = db.session.get(Event, recheck.event_id)
    if event.competition.status not in ("judging",):
        raise JudgingStateError(N_("The re-check is done before results are published."))
    before = item.status
    item.status, item.note = status, (note or "").strip()[:1000] or None
    item.checked_by_id, item.checked_at = actor.id, utcnow()
    record("recheck.mark", item, actor=actor, before={"status": before}, after={"status": status},
           reason=item.note, competition_id=event.competition_id, event_id=event.id)
    sampled_done = all(i.status != "pending" for i in recheck.items if i.reason != "full")
    rate = error_rate(recheck)
    if sampled_done and not recheck.full_required and rate is not None and rate > RECHECK_ERROR_LIMIT:
        # More than 5% errors in the sample: every remaining entry must be re-checked too.
        recheck.full_required = True
        done = {i.registration_id for i in recheck.items}
        for reg in active(event):
            if reg.id not in done:
                recheck.items.append(RecheckItem(registration_id=reg.id, reason="full"))
        record("recheck.full", recheck, actor=actor, after={"error_rate": str(rate)},
               competition_id=event.competition_id, event_id=event.id)
    db.session.flush()
    return item


def recheck_unfinished(event: Event) -> bool:
    recheck = db.session.scalar(select(Recheck).where(Recheck.event_id == event.id))
    return recheck is not None and any(i.status == "pending" for i in recheck.items)


def every_event_drawn(comp) -> list[str]:
    from flask_babel import gettext as _
    # Events without approved entries have nobody to draw and are left out.
    return [_("draw the codes of %(event)s", event=e.name) for e in comp.events if approved(e) and not is_drawn(e)]


def every_event_locked(comp) -> list[str]:
    from flask_babel import gettext as _
    out = []
    for e in comp.events:
        if e.locked_at is None and approved(e):
            out.append(_("lock %(event)s", event=e.name))
        elif recheck_unfinished(e):
            out.append(_("finish the re-check of %(event)s", event=e.name))
    return out
