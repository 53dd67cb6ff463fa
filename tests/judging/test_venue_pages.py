"""The judge's pages at the venue (issue 16): the service worker and its scope, pages kept for
offline use (and sent so that Back may come from the browser's memory), sign-out clearing the
browser's caches, the tasks page after sign-in, the time used where the tie-break uses it, and
the chief judge's disagreement view naming the judges."""
import re

from sqlalchemy import select

from app.extensions import db
from app.registration.models import Registration
from tests.conftest import PASSWORD, csrf_from
from tests.judging.test_sheets import my_sheets


def test_the_worker_controls_the_tasks_page_and_everything_under_it(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "application/javascript"
    body = r.get_data(as_text=True)
    assert 'const SCOPE = "/judge";' in body and 'const OFFLINE = "/judge/offline";' in body
    assert '"/static/js/offline.js"' in body and "__" not in body.split("const ASSETS")[0]
    version = re.search(r'const VERSION = "([0-9a-f]{16})"', body)
    assert version, "the worker's bytes change with every deploy of what it precaches"
    assert r.headers["Cache-Control"] == "no-cache"
    assert "skipWaiting" not in body.replace("No skipWaiting()", "")
    offline = client.get("/judge/offline")
    assert offline.status_code == 200 and "没有网络" in offline.get_data(as_text=True)


def test_judge_lands_on_tasks_and_kept_pages_are_private_no_cache(drawn, client, login):
    judge = drawn["judges"][1]
    page = client.get("/login")
    r = client.post("/login", data={"csrf_token": csrf_from(page.data), "username": judge.username,
                                    "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"].endswith("/judge")
    event = drawn["event"]
    home = client.get("/judge")
    html = home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "private, no-cache" and home.headers["X-Offline-Keep"] == "1"
    # The tasks page registers the worker for /judge and has it keep the event's pages.
    assert 'data-worker-scope="/judge"' in html and "data-keep" in html and 'data-keep-depth="1"' in html
    listing = client.get(f"/judge/events/{event.id}")
    assert listing.headers["Cache-Control"] == "private, no-cache"
    assert 'class="sheet-link"' in listing.get_data(as_text=True)
    sheet_codes = re.findall(r'data-code="([^"]+)"', listing.get_data(as_text=True))
    sheet = client.get(f"/judge/events/{event.id}/sheets/{sheet_codes[0]}")
    assert sheet.headers["Cache-Control"] == "private, no-cache"
    # Everything else a signed-in person sees stays no-store.
    assert client.get("/account/password").headers["Cache-Control"] == "no-store"
    # Signing out clears the browser's HTTP and back-forward caches (not the queued scores).
    out = client.post("/logout", data={"csrf_token": csrf_from(html)})
    assert out.status_code == 302 and out.headers["Clear-Site-Data"] == '"cache"'
    # A chief judge who judges nothing gets no offline machinery on the tasks page.
    chief = login(drawn["chief"])
    chief_home = chief.get("/judge")
    assert "jx-offline" not in chief_home.get_data(as_text=True)
    assert chief_home.headers["Cache-Control"] == "no-store"
    assert "X-Offline-Keep" not in chief_home.headers       # the worker keeps only the judge's own pages
    assert "X-Offline-Keep" not in chief.get(f"/judge/events/{event.id}").headers
    assert 'const KEEP_HEADER = "X-Offline-Keep";' in client.get("/sw.js").get_data(as_text=True)


def _time_form(html: str) -> bool:
    return 'name="time_used"' in html


def test_time_used_is_entered_where_the_tie_break_uses_it(drawn, login):
    event = drawn["event"]
    chief = login(drawn["chief"])
    assert "time_used" in event.tiebreak
    html = chief.get(f"/judge/events/{event.id}").get_data(as_text=True)
    assert _time_form(html) and 'placeholder="mm:ss"' in html
    code = re.search(r'name="code" value="([^"]+)"', html).group(1)
    r = chief.post(f"/judge/events/{event.id}/time-used",
                   data={"csrf_token": csrf_from(html), "code": code, "time_used": "47:30"})
    assert r.status_code == 302
    reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id, Registration.code == code))
    assert reg.time_used == 2850
    # An event whose tie-break does not use it shows no such column (until a time is recorded).
    event.tiebreak = ["component:practical"]
    reg.time_used = None
    db.session.commit()
    assert not _time_form(chief.get(f"/judge/events/{event.id}").get_data(as_text=True))


def test_the_chief_judges_disagreement_view_names_the_judge_of_each_outlier(drawn, login, api_as):
    event = drawn["event"]
    judges = drawn["judges"]
    values = {}
    for n, judge in enumerate(judges):
        api = api_as(judge)
        for code, sheet in my_sheets(api, event.id).items():
            p1 = "0" if n == 2 else "3"
            r = api.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P1": p1, "P2": "10", "P3": "5"},
                                                                   "version": sheet["version"]})
            assert r.status_code == 200
            api.post(f"/events/{event.id}/sheets/{code}/submit", json={"version": r.get_json()["version"]})
            values.setdefault(code, {})[judge.name] = p1
    html = login(drawn["chief"]).get(f"/judge/events/{event.id}").get_data(as_text=True)
    flags = html[html.index("评分分歧") if "评分分歧" in html else 0:]
    outlier = judges[2]
    assert re.search(rf'class="flag-value outlier">{re.escape(outlier.name)}: <strong>0</strong>', flags), flags[:2000]
    assert f"/correct/{outlier.id}" in flags


def test_photos_reach_the_chief_the_supervisor_and_the_appeal_review_never_contestants(drawn, login, api_as,
                                                                                      make_user):
    import io
    import uuid

    from tests.judging.test_offline_api import _jpeg_with_location, device_api
    from tests import scenarios

    event, judge = drawn["event"], drawn["judges"][1]
    _web, device = device_api(login, judge, event.id)
    code = sorted(my_sheets(api_as(judge), event.id))[0]
    r = device.client.post(f"/api/v1/events/{event.id}/sheets/{code}/photos",
                           data={"criterion": "P1", "file": (io.BytesIO(_jpeg_with_location()), "work.jpg")},
                           headers={"Authorization": f"Bearer {device.token}", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.get_json()
    photo = f"/judge/photos/{r.get_json()['id']}"
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    assert photo in login(drawn["chief"]).get(f"/judge/events/{event.id}").get_data(as_text=True)
    supervisor = login(drawn["supervisor"])
    assert photo in supervisor.get(f"/supervise/events/{event.id}").get_data(as_text=True)
    reg = db.session.scalar(select(Registration).where(Registration.event_id == event.id, Registration.code == code))
    cand = make_user("candidate", username="cand_photo")
    reg.person.user_id = cand.id
    db.session.commit()
    assert api_as(cand).post(f"/registrations/{reg.id}/appeals", json={"reason": "作品工艺评分偏低，请复核"}).status_code == 201
    assert photo in supervisor.get("/supervise/appeals").get_data(as_text=True)      # the appeal review
    contestant = login(cand)
    assert photo not in contestant.get(f"/registrations/{reg.id}/appeal").get_data(as_text=True)
    assert contestant.get(photo).status_code == 403
    assert login(drawn["judges"][2]).get(photo).status_code == 403          # another judge of the panel
