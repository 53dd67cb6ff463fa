"""Advancement from published results: top N, threshold, quota per organization; teams whole;
preliminaries grant no entitlements."""
from datetime import timedelta

from sqlalchemy import select

from app.competitions import operations as comps
from app.competitions.models import Competition
from app.extensions import db
from app.registration.models import Registration
from app.selection.models import Entitlement
from tests.conftest import competition_payload, event_payload
from tests import scenarios


def _final_stage(drawn, name="决赛"):
    comp = comps.create_competition(competition_payload(name=name, stage="final"), drawn["organizer"])
    event = comps.create_event(comp, event_payload(name="电工决赛"), drawn["organizer"])
    db.session.commit()
    return event


def test_top_n_threshold_and_quota(drawn, api_as):
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    target = _final_stage(drawn)
    api = api_as(drawn["organizer"])
    src = drawn["event"].id
    preview = api.post(f"/events/{src}/advance", json={"target_event_id": target.id, "mode": "top_n", "n": 3, "dry_run": True})
    assert preview.status_code == 200 and len(preview.get_json()["advanced"]) == 3
    assert db.session.scalar(select(Registration).where(Registration.event_id == target.id)) is None
    r = api.post(f"/events/{src}/advance", json={"target_event_id": target.id, "mode": "threshold", "min_total": "70"})
    totals = [float(a["total"]) for a in r.get_json()["advanced"]]
    assert r.status_code == 201 and totals and min(totals) >= 70
    # The same people again: skipped, not duplicated.
    again = api.post(f"/events/{src}/advance", json={"target_event_id": target.id, "mode": "top_n", "n": 1}).get_json()
    assert again["advanced"] == [] and again["skipped"][0]["reason"] == "already_registered"
    other = _final_stage(drawn, name="决赛二")
    r = api.post(f"/events/{src}/advance", json={"target_event_id": other.id, "mode": "quota", "by": "organization", "n": 1})
    advanced = r.get_json()["advanced"]
    orgs = {db.session.get(Registration, a["registration_id"]).organization_id for a in advanced}
    assert len(advanced) == len(orgs) == 2   # the best of the college and the best of the company
    new = db.session.scalars(select(Registration).where(Registration.event_id == other.id)).all()
    assert {r.status for r in new} == {"approved"} and {r.source for r in new} == {"advancement"}
    bad = api.post(f"/events/{src}/advance", json={"target_event_id": other.id, "mode": "best", "n": 0})
    assert bad.status_code == 422 and "mode" in bad.get_json()["error"]["fields"]


def test_advancement_needs_published_results(drawn, api_as):
    target = _final_stage(drawn)
    r = api_as(drawn["organizer"]).post(f"/events/{drawn['event'].id}/advance",
                                        json={"target_event_id": target.id, "mode": "top_n", "n": 3})
    assert r.status_code == 409


def test_a_preliminary_grants_no_entitlements(drawn, api_as):
    comp = db.session.get(Competition, drawn["comp"].id)
    comp.stage = "preliminary"
    db.session.commit()
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    comp = db.session.get(Competition, drawn["comp"].id)
    comp.status_changed_at -= timedelta(days=30)
    db.session.commit()
    assert api_as(drawn["organizer"]).post(f"/competitions/{comp.id}/status", json={"status": "final"}).status_code == 200
    assert db.session.scalar(select(Entitlement)) is None
