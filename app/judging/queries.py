"""Named reads of judging, for the operations, the pages and the API: criteria, panel and
recusal, coverage and what blocks the lock, the code map and its seal, disagreements, the
re-check's error rate, and serializers."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import User
from ..audit.models import AuditEvent
from ..competitions.access import manages, supervises
from ..competitions.models import Event
from ..domain import draw as draws
from ..domain.anonymity import PANEL_ACTIONS, PANEL_PREFIXES, panel_visible
from ..domain.scheme import TRIM_MIN_JUDGES
from ..domain.scoring import disagreement, plain
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration, RegistrationMember, ranked_clause
from ..registration.queries import WITH_NAMES
from .models import Conflict, Draw, ImportedScore, PanelMember, Recheck, Score, Sheet


# ---- criteria, panel, entries, recusal ---------------------------------------------------------

def judge_criteria(event: Event) -> list[dict]:
    return [c for comp in event.scheme["components"] if comp.get("entry", "judges") == "judges"
            for c in comp["criteria"]]


def imported_criteria(event: Event) -> list[dict]:
    return [c for comp in event.scheme["components"] if comp.get("entry") == "import" for c in comp["criteria"]]


def panel(event: Event, role: str | None = None, with_units: bool = False) -> list[PanelMember]:
    """The event's panel members with their accounts (`with_units`: and the accounts' units)."""
    users = selectinload(PanelMember.user)
    stmt = (select(PanelMember).options(users.selectinload(User.organization) if with_units else users)
            .where(PanelMember.event_id == event.id).order_by(PanelMember.id))
    if role:
        stmt = stmt.where(PanelMember.role == role)
    return list(db.session.scalars(stmt))


def panel_role(event: Event, user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(PanelMember.role).where(PanelMember.event_id == event.id,
                                                             PanelMember.user_id == user.id))


def approved(event: Event, with_names: bool = False) -> list[Registration]:
    """The event's approved entries; `with_names`: with their people and units, read in one go for
    a page that lists them (not one query per entry)."""
    stmt = select(Registration).where(Registration.event_id == event.id, Registration.status == "approved")
    if with_names:
        stmt = stmt.options(*WITH_NAMES)
    return list(db.session.scalars(stmt.order_by(Registration.id)))


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
    """registration id → organizations involved (the entry's, each member's, a nominated one's)."""
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
    # A nomination of an organization (an award to a unit): that organization is involved too.
    from ..nominations.models import Dossier
    for rid, org in db.session.execute(
            select(Dossier.registration_id, Dossier.nominee_organization_id)
            .join(Registration, Registration.id == Dossier.registration_id)
            .where(Registration.event_id == event.id, Dossier.nominee_organization_id.is_not(None))):
        out[rid].add(org)
    return out


def recusals(event: Event) -> dict[tuple[int, int], str]:
    """(judge user id, registration id) → why the judge is recused (培考分离, policy 000 (九))."""
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


def coverage(event: Event, judges: list[int] | None = None,
             rec: dict[tuple[int, int], str] | None = None) -> list[dict]:
    """Active contestants left with fewer judges than the scheme needs after recusal (for the
    organizer: with registration ids; the panel gets `coverage_warnings`). A page that has read the
    panel's judges and the recusals already passes them."""
    if not judge_criteria(event):
        return []
    judges = judges if judges is not None else [pm.user_id for pm in panel(event, "judge")]
    rec = rec if rec is not None else recusals(event)
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
    return Draw.codes_drawn(event.id)


def any_score(event: Event) -> bool:
    return db.session.scalar(select(func.count()).select_from(Score).join(Sheet).where(
        Sheet.event_id == event.id, Score.value.is_not(None))) > 0 or db.session.scalar(
        select(func.count()).select_from(ImportedScore).where(ImportedScore.event_id == event.id)) > 0



def code_prefix(event: Event) -> str:
    """Events of one competition get letters A, B, C … in order of creation."""
    ids = [e.id for e in event.competition.events]
    index = ids.index(event.id) if event.id in ids else 0
    return chr(ord("A") + index % 26)



def ticket_prefix(event: Event) -> str:
    """Ticket numbers are digits only: the event's position in the competition, two digits."""
    ids = [e.id for e in event.competition.events]
    index = ids.index(event.id) if event.id in ids else 0
    return f"{index + 1:02d}"



# ---- the lock, the seal, decryption ----------------------------------------------------------

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
        prefix = code_prefix(event)
        again = draws.draw_codes(list(entries), row.seed, prefix)
        return again == {rid: code for rid, (code, _t) in entries.items()}, None, None
    found = draws.seal_hash(row.seal_salt or "", row.seed, row.ticket_seed, entries)
    committed = db.session.scalar(select(AuditEvent.after).where(
        AuditEvent.event_id == event.id, AuditEvent.action == "draw.codes").order_by(AuditEvent.seq.desc()).limit(1))
    committed_hash = (committed or {}).get("seal_hash", row.seal_hash)
    return found == row.seal_hash == committed_hash, row.seal_hash, found



def decryption_state(event: Event) -> dict:
    """Where the two-person decryption stands (for pages and API answers)."""
    state = "decrypted" if event.decrypted_at else ("requested" if event.decrypt_requested_by_id else "none")
    return {"state": state, "requested_role": event.decrypt_requested_role,
            "requested_at": event.decrypt_requested_at, "decrypted_at": event.decrypted_at}



def entry_by_code(event: Event, code: str) -> Registration | None:
    return db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                        Registration.code == code))


def names_visible_to_panel(event: Event) -> bool:
    return event.locked_at is not None and event.decrypted_at is not None


def _outliers(pairs: list[tuple[int, Decimal]]) -> list[str]:
    """The judges (ids as text) whose value lies farthest from the median of the values."""
    vals = sorted(v for _, v in pairs)
    mid = len(vals) // 2
    median = vals[mid] if len(vals) % 2 else (vals[mid - 1] + vals[mid]) / 2
    far = max(abs(v - median) for v in vals)
    return [str(j) for j, v in pairs if far > 0 and abs(v - median) == far]


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
                          "values": {str(j): plain(v) for j, v in pairs}, "spread": plain(max(vals) - min(vals)),
                          "outliers": _outliers(pairs)})
    return flags



def error_rate(recheck: Recheck) -> Decimal | None:
    sampled = [i for i in recheck.items if i.reason != "full" and i.status != "pending"]
    if not sampled:
        return None
    return Decimal(sum(1 for i in sampled if i.status == "wrong")) / Decimal(len(sampled))



def recheck_unfinished(event: Event) -> bool:
    recheck = db.session.scalar(select(Recheck).where(Recheck.event_id == event.id))
    return recheck is not None and any(i.status == "pending" for i in recheck.items)



# ---- pages and the API ------------------------------------------------------------------------

def sees_code_map(event: Event, user) -> bool:
    """Organizers of the competition and its supervisors always; anyone else (the chief judge)
    only once the event is decrypted."""
    comp = event.competition
    return manages(comp, user) or supervises(comp, user) or event.decrypted_at is not None


def audit_item(ev: AuditEvent) -> dict:
    return {"seq": ev.seq, "created_at": ev.created_at, "actor_id": ev.actor_id, "actor_name": ev.actor_name,
            "action": ev.action, "object_type": ev.object_type, "object_id": ev.object_id,
            "competition_id": ev.competition_id, "event_id": ev.event_id,
            "before": ev.before, "after": ev.after, "reason": ev.reason, "hash": ev.hash}


def panel_audit_filter():
    """SQL prefilter matching domain.anonymity.is_panel_action (so that pages stay full)."""
    from sqlalchemy import or_
    return or_(AuditEvent.action.in_(sorted(PANEL_ACTIONS)),
               *(AuditEvent.action.like(prefix + "%") for prefix in PANEL_PREFIXES))


def sealed_audit(event: Event, items: list[dict]) -> list[dict]:
    """The panel-visible audit (domain.anonymity.panel_visible) of these items."""
    codes = code_map(event)
    return [shown for item in items if (shown := panel_visible(item, codes)) is not None]


def sheet_json(sheet: Sheet, event: Event, with_judge: bool = False, with_names: bool = False) -> dict:
    reg = sheet.registration
    out = {"code": reg.code, "station": reg.station, "status": sheet.status, "version": sheet.version,
           "scores": {s.criterion_key: plain(s.value) for s in sheet.scores}}
    if with_judge:
        out["judge_id"] = sheet.judge_id
        out["judge"] = sheet.judge.name
    if with_names and names_visible_to_panel(event):
        out["name"] = reg.person.name
        out["organization"] = reg.organization.name if reg.organization else None
    return out


# Each sheet comes with its registration from the same join (a list of N sheets is not N + 1 reads);
# a list of sheets also reads the entries' people and units in one go (shown once names are).
_WITH_REGISTRATION = contains_eager(Sheet.registration)
_LISTED = _WITH_REGISTRATION.options(*WITH_NAMES)


def my_sheets(event: Event, user) -> list[Sheet]:
    return list(db.session.scalars(select(Sheet).join(Sheet.registration).options(_LISTED).where(
        Sheet.event_id == event.id, Sheet.judge_id == user.id).order_by(Registration.code)))


def all_sheets(event: Event) -> list[Sheet]:
    return list(db.session.scalars(select(Sheet).join(Sheet.registration).options(_LISTED)
                                   .where(Sheet.event_id == event.id)
                                   .order_by(Registration.code, Sheet.judge_id)))


def sheet_by_code(event: Event, code: str, judge_id: int) -> Sheet | None:
    return db.session.scalar(select(Sheet).join(Sheet.registration).options(_WITH_REGISTRATION).where(
        Sheet.event_id == event.id, Registration.code == code, Sheet.judge_id == judge_id))


def my_panels(user) -> list[tuple[PanelMember, Event]]:
    rows = db.session.execute(select(PanelMember, Event).join(Event, Event.id == PanelMember.event_id)
                              .options(selectinload(Event.competition))
                              .where(PanelMember.user_id == user.id).order_by(Event.id)).all()
    return [(pm, ev) for pm, ev in rows]


def judge_pool(event: Event, role: str):
    """Enabled accounts with this role (judge or chief_judge) that may sit on the event's panel:
    they belong to an organization (recusal needs it) within the competition's jurisdiction (a
    national competition draws on every province). Admins may add others by id."""
    from ..accounts.models import User, UserRole
    from ..domain.tenancy import PROVINCE_ISO
    from ..people.models import Organization

    stmt = (select(User).join(UserRole, UserRole.user_id == User.id).join(Organization, Organization.id == User.organization_id)
            .where(UserRole.role == role, User.is_enabled).order_by(User.username))
    jurisdiction = event.competition.jurisdiction
    if jurisdiction != "CN":
        prefixes = [p for p, iso in PROVINCE_ISO.items() if iso == jurisdiction]
        stmt = stmt.where(Organization.region_code.startswith(prefixes[0]) if prefixes else False)
    on_panel = select(PanelMember.user_id).where(PanelMember.event_id == event.id)
    return stmt.where(User.id.not_in(on_panel))


def recheck_of(event: Event) -> Recheck | None:
    return db.session.scalar(select(Recheck).where(Recheck.event_id == event.id))
