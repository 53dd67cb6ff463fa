"""The public competition page links to its results and to registration, and shows where the
competition stands in its life cycle; the manage page says what the next move needs (issue 23)."""
from __future__ import annotations

import re

from tests.conftest import new_client


def _main(response) -> str:
    return response.get_data(as_text=True).split("<main", 1)[1]


def _current_step(html: str) -> str:
    m = re.search(r'<li class="current" aria-current="step">\s*<span class="step-dot">(\d)</span>', html)
    return m.group(1) if m else ""


def test_open_competition_page_leads_each_visitor_to_registration(app, world, login):
    comp, event = world["comp"], world["event"]
    anon = _main(new_client(app).get(f"/competitions/{comp.id}"))
    assert 'href="/signup"' in anon and f"/results/{comp.id}" not in anon
    assert _current_step(anon) == "2"  # registration open, the second of seven stages
    candidate = _main(login(world["candidate"]).get(f"/competitions/{comp.id}"))
    assert f'href="/events/{event.id}/register"' in candidate
    contact = _main(login(world["contact"]).get(f"/competitions/{comp.id}"))
    assert f'href="/events/{event.id}/register"' in contact
    organizer = _main(login(world["organizer"]).get(f"/competitions/{comp.id}"))
    assert f'href="/manage/events/{event.id}/register"' in organizer
    judge = _main(login(world["judge"]).get(f"/competitions/{comp.id}"))
    assert "/register" not in judge


def test_manage_page_shows_the_stepper_and_what_the_next_move_needs(world, login):
    html = login(world["organizer"]).get(f"/manage/competitions/{world['comp'].id}").get_data(as_text=True)
    assert _current_step(html) == "2" and 'class="hint stepper-next"' in html


def test_final_competition_page_links_to_its_results(app, final):
    comp = final["comp"]
    html = _main(new_client(app).get(f"/competitions/{comp.id}"))
    assert f'href="/results/{comp.id}"' in html and 'href="/signup"' not in html
    assert _current_step(html) == "6"


def test_home_page_and_competition_list_sort_alike(app, make_user, make_competition):
    from datetime import datetime, timedelta

    from app.competitions import operations as comps
    from app.extensions import db
    from tests.conftest import CN_TZ
    organizer = make_user("organizer")
    now = datetime.now(CN_TZ)
    names = []
    for i, days in enumerate((5, 30, 12)):
        comp = make_competition(organizer, name=f"排序测试竞赛{'甲乙丙'[i]}", registration_closes_at=(now + timedelta(days=days)).isoformat(),
                                starts_on=(now + timedelta(days=40)).date().isoformat(),
                                ends_on=(now + timedelta(days=41)).date().isoformat())
        comps.change_status(comp, "registration_open", organizer)
        names.append(comp.name)
    db.session.commit()
    client = new_client(app)

    def order(html):
        return sorted(names, key=html.index)
    assert order(_main(client.get("/"))) == order(_main(client.get("/competitions"))) == [names[1], names[2], names[0]]
