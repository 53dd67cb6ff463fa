"""The demo's past competitions (past.yaml) taken through registration, draw and judging: one
final last year, one being judged."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from ..competitions import operations as competitions
from ..extensions import db
from .common import assign_supervisor, data, entry, event_spec, user

def judged_competitions(host, organizer, veterans, panel, chief, rng) -> None:
    """Every competition of past.yaml's `judged`. Each is labelled with the year it is held in, and
    its dates, certificates and records fall in that year: a final one last year (the year before
    the open competitions'), one being judged ten days ago."""
    today = date.today()
    for spec in data("past")["judged"]:
        if spec["stage"] == "final":
            year = (today + timedelta(days=30)).year - 1
        else:
            year = (today - timedelta(days=10)).year
        start, end = spec["entrants"]
        _judged_competition(spec["name"].format(year=year), year, spec["level"], spec["jurisdiction"], host,
                            organizer, [event_spec(e) for e in spec["events"]], veterans[start:end], panel, chief,
                            rng, stage=spec["stage"])


def _judged_competition(name: str, year: int, level: str, jurisdiction: str, host, organizer, events_spec,
                        entrants, judges, chief, rng, stage: str):
    """A past competition taken through registration, draw and judging to `stage`
    (judging: sheets half filled; publicity or final: every sheet in, locked, published)."""
    from ..judging import operations as judging
    from ..judging import queries as jq
    from ..judging.queries import all_sheets
    from ..judging.models import ImportedScore
    from ..registration import operations as reg_ops

    supervisor = user("supervisor")
    now = datetime.now(timezone.utc)
    comp = competitions.create_competition({
        "name": name, "year": year, "level": level, "kind": "skills", "jurisdiction": jurisdiction,
        "host_organization_id": host.id, "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=1)).isoformat(), "publicity_days": 5,
        "appeal_window_hours": 2, "allow_multiple_events": False}, organizer)
    events = [competitions.create_event(comp, spec, organizer) for spec in events_spec]
    competitions.change_status(comp, "registration_open", organizer)
    pool = list(entrants)
    for event in events:
        for person in pool[:event.max_entrants or 10]:
            reg = reg_ops.register(event, {"person": entry(person), "organization_id": person.organization_id},
                                   organizer, "organizer")
            reg_ops.review(reg, "approve", None, organizer)
        pool = pool[event.max_entrants or 10:]
    competitions.change_status(comp, "registration_closed", organizer)
    assign_supervisor(comp, organizer)
    admin = user("admin")
    for event in events:
        for judge in judges:
            # A judge from another province is invited by an administrator (organizers choose
            # from the competition's own jurisdiction).
            judging.add_panel_member(event, judge, "judge", admin)
        judging.add_panel_member(event, chief, "chief_judge", organizer)
        judging.draw_codes(event, f"demo-{event.id}", organizer)
    competitions.change_status(comp, "judging", organizer)
    for event in events:
        crits = jq.judge_criteria(event)
        skill = {r.id: rng.random() for r in jq.approved(event)}
        sheets = all_sheets(event)
        for i, sheet in enumerate(sheets):
            if stage == "judging" and i % 2:
                continue
            values = {}
            for crit in crits:
                s = min(max(skill[sheet.registration_id] + rng.uniform(-0.12, 0.12), 0), 1)
                if crit.get("scale") == "wsi3":
                    values[crit["key"]] = str(round(s * 3))
                else:
                    step = Decimal(crit.get("step") or "0.01")
                    raw = Decimal(str(s)) * Decimal(crit["max_score"])
                    values[crit["key"]] = str((raw / step).quantize(Decimal(1)) * step)
            judge = next(j for j in judges if j.id == sheet.judge_id)
            judging.save_sheet(sheet, values, sheet.version, judge)
            db.session.flush()
            judging.submit_sheet(sheet, sheet.version, judge)
        for crit in jq.imported_criteria(event):
            for reg in jq.approved(event):
                value = Decimal(str(40 + skill[reg.id] * 58)).quantize(Decimal("0.5"))
                db.session.add(ImportedScore(event_id=event.id, registration_id=reg.id,
                                             criterion_key=crit["key"], value=value))
        db.session.flush()
        if stage != "judging":
            judging.lock_event(event, chief)
            # Two-person decryption: the chief judge asks, the supervisor confirms.
            judging.decrypt(event, chief, "chief_judge")
            judging.decrypt(event, supervisor, "supervisor")
    # Dates as they were, all in the year the competition is labelled with: registration closed
    # a week before it was held; a final one was published three days after and final once its
    # publicity was over.
    held = date(year, 9, 20) if stage == "final" else (now - timedelta(days=10)).date()
    if held.year != year:
        held = now.date()
    timeline = _timeline(held, comp.publicity_days)
    if stage in ("publicity", "final"):
        competitions.change_status(comp, "publicity", organizer, reason="成绩公示")
    if stage == "final":
        from sqlalchemy import update

        from ..results.models import Result
        # Published three days after the competition (before final freezes the results).
        db.session.execute(update(Result).where(Result.competition_id == comp.id).values(computed_at=timeline["publicity"]))
        comp.status_changed_at -= timedelta(days=comp.publicity_days + 1)
        competitions.change_status(comp, "final", organizer, reason="公示期满，无待决申诉")
    comp.registration_opens_at = timeline["registration_opens"]
    comp.registration_closes_at = timeline["registration_closes"]
    comp.starts_on = comp.ends_on = held
    if stage == "final":
        _backdate(comp, events, timeline)
    return comp


def _timeline(held: date, publicity_days: int) -> dict:
    """Naive-UTC moments (as stored) of a competition held on `held` (Beijing time)."""
    def at(day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=timezone(timedelta(hours=8))) \
            .astimezone(timezone.utc).replace(tzinfo=None)
    publicity = held + timedelta(days=3)
    return {"registration_opens": at(held - timedelta(days=37), 9), "registration_closes": at(held - timedelta(days=7), 18),
            "reviewed": at(held - timedelta(days=6), 10), "judged": at(held, 16), "locked": at(held, 20),
            "publicity": at(publicity, 9), "final": at(publicity + timedelta(days=publicity_days + 1), 9)}


def _backdate(comp, events, t: dict) -> None:
    """A final demo competition's records dated when they would have happened (the audit trail
    keeps the moment the demo was loaded: it is append-only and tells the truth)."""
    from sqlalchemy import update

    from ..certificates.models import Certificate
    from ..judging.models import ImportedScore, Sheet
    from ..registration.models import Registration
    from ..selection.models import Entitlement

    event_ids = [e.id for e in events]
    db.session.flush()
    db.session.execute(update(Registration).where(Registration.competition_id == comp.id).values(
        submitted_at=t["registration_opens"] + timedelta(days=3), reviewed_at=t["reviewed"]))
    db.session.execute(update(Sheet).where(Sheet.event_id.in_(event_ids)).values(
        submitted_at=t["judged"], updated_at=t["judged"]))
    db.session.execute(update(ImportedScore).where(ImportedScore.event_id.in_(event_ids)).values(imported_at=t["judged"]))
    for event in events:
        event.locked_at = t["locked"]
        if event.decrypted_at is not None:
            event.decrypted_at = t["locked"]
    db.session.execute(update(Certificate).where(Certificate.competition_id == comp.id).values(issued_at=t["final"]))
    from ..certificates import signing
    for cert in db.session.scalars(select(Certificate).where(Certificate.competition_id == comp.id,
                                                             Certificate.qr_payload.is_not(None))):
        db.session.refresh(cert)
        signing.sign_qr(cert)   # the signed date is the (backdated) date of issue
    db.session.execute(update(Entitlement).where(Entitlement.competition_id == comp.id).values(
        granted_at=t["final"], status_changed_at=t["final"]))
    comp.status_changed_at = t["final"]
