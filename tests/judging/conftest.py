"""Judging fixtures: a competition closed for registration with one drawn-ready event."""
import pytest

from app.competitions import operations as comps
from app.extensions import db
from app.registration import operations as regs
from tests.conftest import event_payload
from tests.registration.conftest import person

SCHEME = {"aggregation": "mean", "min_judges": 2, "components": [
    {"key": "theory", "name": "理论", "weight": "0.30", "entry": "import",
     "criteria": [{"key": "T1", "name": "理论考试", "max_score": "100", "kind": "measurement", "step": "0.5"}]},
    {"key": "practical", "name": "实操", "weight": "0.70", "criteria": [
        {"key": "P1", "name": "工艺", "max_score": "30", "kind": "judgement", "scale": "wsi3",
         "descriptors": ["未达标", "达标", "良好", "优秀"]},
        {"key": "P2", "name": "尺寸", "max_score": "20", "kind": "measurement", "step": "0.25"},
        {"key": "P3", "name": "安全", "max_score": "10", "kind": "judgement", "step": "0.5"}]}]}


@pytest.fixture
def jworld(make_user, make_org, make_competition):
    """An event (theory imported, practical judged) with 6 approved entries: 2 from a college, 4
    from a company; judges: one from the college (recused from its entries), two independent; a
    chief judge, a supervisor, the organizer."""
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    company = make_org("西藏天路股份有限公司", kind="enterprise", region_code="540100")
    independent = make_org("日喀则市职业技术学校", kind="college", region_code="540200")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    event = comps.create_event(comp, event_payload(name="电工", scheme=SCHEME, max_entrants=None), organizer)
    comps.change_status(comp, "registration_open", organizer)
    entries = []
    for i, org in enumerate([college, college, company, company, company, company]):
        reg = regs.register(event, {"person": person(f"选手{'一二三四五六'[i]}"), "organization_id": org.id},
                            organizer, "organizer")
        regs.review(reg, "approve", None, organizer)
        entries.append(reg)
    comps.change_status(comp, "registration_closed", organizer)
    db.session.commit()
    judges = [make_user("judge", organization=college, username="judge_college", name="平措"),
              make_user("judge", organization=independent, username="judge_b", name="罗布"),
              make_user("judge", username="judge_c", name="赵刚")]
    supervisor = make_user("supervisor", organization=host, username="supervisor")
    comps.assign_supervisor(comp, supervisor, organizer)
    db.session.commit()
    return {"comp": comp, "event": event, "entries": entries, "organizer": organizer, "judges": judges,
            "chief": make_user("chief_judge", organization=independent, username="chief", name="达瓦"),
            "supervisor": supervisor, "college": college, "company": company, "host": host}


@pytest.fixture
def drawn(jworld, api_as):
    """jworld with the panel set, codes drawn (seed 'fixed') and the competition in judging."""
    api = api_as(jworld["organizer"])
    for j in jworld["judges"]:
        assert api.post(f"/events/{jworld['event'].id}/panel", json={"user_id": j.id, "role": "judge"}).status_code == 201
    assert api.post(f"/events/{jworld['event'].id}/panel",
                    json={"user_id": jworld["chief"].id, "role": "chief_judge"}).status_code == 201
    assert api.post(f"/events/{jworld['event'].id}/draw", json={"seed": "fixed"}).get_json() == {"drawn": 6}
    assert api.post(f"/competitions/{jworld['comp'].id}/status", json={"status": "judging"}).status_code == 200
    return jworld
