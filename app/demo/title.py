"""The demo's 西藏工匠 title selection (past.yaml's `title_selection`), being judged."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from ..competitions import operations as competitions
from ..domain.idcard import make_resident_id
from ..extensions import db
from .common import assign_supervisor, data, user


def title_selection(year, host, organizer, contact, orgs, judges, chief, rng):
    """A 西藏工匠 title selection in judging: organizations' nominations with dossiers, read and
    scored by the panel (judge1 of 西藏天路 is recused from 天路's nominee), half the sheets in."""
    from ..judging import operations as judging
    from ..judging import queries as jq
    from ..judging.queries import all_sheets
    from ..nominations import operations as nominations
    from ..registration import operations as reg_ops

    title = data("past")["title_selection"]
    now = datetime.now(timezone.utc)
    spec = title["competition"]
    comp = competitions.create_competition({
        **spec, "name": spec["name"].format(year=year), "year": year, "host_organization_id": host.id,
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=1)).isoformat()}, organizer)
    event = competitions.create_event(comp, title["event"], organizer)
    competitions.change_status(comp, "registration_open", organizer)
    counties = data("people")["regions"]["xz"]["counties"]
    for k, nominee in enumerate(title["nominees"]):
        birth = date(1970 + 3 * k, 2 + k, 10 + k)
        person = {"name": nominee["name"], "id_type": "resident_id",
                  "id_number": make_resident_id(counties[k], birth, 700 + k), "ethnicity": "04"}
        actor = contact if nominee["by_contact"] else organizer
        reg = nominations.nominate(event, {"person": person, "organization_id": orgs[nominee["organization"]].id,
                                           "dossier": dict(nominee["dossier"])}, actor)
        reg_ops.review(reg, "approve", None, organizer)
    competitions.change_status(comp, "registration_closed", organizer)
    assign_supervisor(comp, organizer)
    admin = user("admin")
    for judge in judges:
        judging.add_panel_member(event, judge, "judge", admin)
    judging.add_panel_member(event, chief, "chief_judge", organizer)
    judging.draw_codes(event, f"demo-title-{event.id}", organizer)
    competitions.change_status(comp, "judging", organizer)
    for i, sheet in enumerate(all_sheets(event)):
        if i % 2:
            continue
        judge = next(j for j in judges if j.id == sheet.judge_id)
        values = {c["key"]: str(int(Decimal(c["max_score"]) * Decimal(rng.randint(60, 95)) / 100))
                  for c in jq.judge_criteria(event)}
        judging.save_sheet(sheet, values, sheet.version, judge)
        db.session.flush()
        judging.submit_sheet(sheet, sheet.version, judge)
    past = now - timedelta(days=5)
    comp.registration_opens_at = (past - timedelta(days=30)).replace(tzinfo=None)
    comp.registration_closes_at = past.replace(tzinfo=None)
    return comp
