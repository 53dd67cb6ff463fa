"""Registration fixtures: an open competition with an individual and a team event."""
from datetime import date

import pytest

from app.domain.idcard import make_resident_id
from app.extensions import db
from tests.conftest import event_payload

_seq = iter(range(1, 100_000))


def resident_id(birth=date(1995, 3, 4), region="540102", male=True) -> str:
    n = next(_seq) % 500
    return make_resident_id(region, birth, n * 2 + (1 if male else 0))


def person(name="扎西", **over) -> dict:
    data = {"name": name, "id_type": "resident_id", "id_number": resident_id()}
    data.update(over)
    return data


@pytest.fixture
def world(make_user, make_org, make_competition):
    """An organizer's open competition (events: 电工 individual, 电子商务 team of 3), a college, an
    enterprise, their contacts, and a candidate."""
    from app.competitions import operations as comps

    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    company = make_org("柳州五菱汽车工业有限公司", kind="enterprise", region_code="450200")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    individual = comps.create_event(comp, event_payload(name="电工", max_entrants=5), organizer)
    team = comps.create_event(comp, event_payload(name="电子商务", team_size=3, track="student"), organizer)
    comps.change_status(comp, "registration_open", organizer)
    db.session.commit()
    return {
        "comp": comp, "event": individual, "team_event": team, "organizer": organizer,
        "college": college, "company": company, "host": host,
        "contact": make_user("org_contact", organization=college, username="contact"),
        "contact_other": make_user("org_contact", organization=company, username="contact_other"),
        "candidate": make_user("candidate", username="cand"),
        "judge": make_user("judge", organization=college, username="judge"),
    }
