"""Queued scores from a judge's phone: the device token, Idempotency-Key (a retried operation
is applied once, with one audit record), stale queued saves answered with both values, photos."""
import io
import threading
import uuid

from PIL import Image
from sqlalchemy import func, select

from app.accounts.models import ApiToken, IdempotencyKey
from app.audit.models import AuditEvent
from app.extensions import db
from app.judging.models import Sheet, SheetPhoto
from tests.conftest import Api, csrf_from
from tests.scenarios import my_sheets


def device_api(login, judge, event_id):
    """A web session of the judge, and an Api client holding the device token it minted."""
    web = login(judge)
    page = web.get(f"/judge/events/{event_id}")
    r = web.post(f"/judge/events/{event_id}/device-token", headers={"X-CSRFToken": csrf_from(page.data)})
    assert r.status_code == 200, r.data[:300]
    return web, Api(web, r.get_json()["token"])


def audits(action):
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_same_operation_id_twice_is_applied_once(drawn, login, api_as):
    event = drawn["event"]
    judge = drawn["judges"][1]
    _web, device = device_api(login, judge, event.id)
    code, sheet = sorted(my_sheets(api_as(judge), event.id).items())[0]
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"scores": {"P1": "2", "P2": "10"}, "version": sheet["version"]}
    first = device.put(f"/events/{event.id}/sheets/{code}", json=body, headers=key)
    assert first.status_code == 200, first.get_json()
    # The answer was lost on the way: the phone sends the very same request again.
    again = device.put(f"/events/{event.id}/sheets/{code}", json=body, headers=key)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    assert first.get_json()["version"] == sheet["version"] + 1
    assert audits("sheet.save") == 1
    # The same id with another request is refused, not applied.
    other = device.put(f"/events/{event.id}/sheets/{code}", json={**body, "scores": {"P1": "3"}}, headers=key)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    # Submitting with its own id, twice: one submission, one audit record.
    sub = {"Idempotency-Key": str(uuid.uuid4())}
    device.put(f"/events/{event.id}/sheets/{code}", json={"scores": {"P3": "5"}, "version": first.get_json()["version"]},
               headers={"Idempotency-Key": str(uuid.uuid4())})
    version = my_sheets(api_as(judge), event.id)[code]["version"]
    for _ in range(2):
        r = device.post(f"/events/{event.id}/sheets/{code}/submit", json={"version": version}, headers=sub)
        assert r.status_code == 200 and r.get_json()["status"] == "submitted"
    assert audits("sheet.submit") == 1


def test_concurrent_attempts_with_one_operation_id_change_once(drawn, login, api_as):
    event = drawn["event"]
    judge = drawn["judges"][1]
    web, device = device_api(login, judge, event.id)
    code, sheet = sorted(my_sheets(api_as(judge), event.id).items())[0]
    key = str(uuid.uuid4())
    clients = [Api(web.application.test_client(), device.token) for _ in range(10)]
    barrier = threading.Barrier(len(clients))
    statuses = [None] * len(clients)

    def run(i):
        barrier.wait()
        statuses[i] = clients[i].put(f"/events/{event.id}/sheets/{code}", headers={"Idempotency-Key": key},
                                     json={"scores": {"P2": "7.25"}, "version": sheet["version"]}).status_code
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert 200 in statuses and set(statuses) <= {200, 409, 503}, statuses
    assert audits("sheet.save") == 1
    assert my_sheets(api_as(judge), event.id)[code]["version"] == sheet["version"] + 1
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_stale_queued_save_is_refused_with_both_values(drawn, login, api_as):
    event = drawn["event"]
    judge = drawn["judges"][1]
    _web, device = device_api(login, judge, event.id)
    code, sheet = sorted(my_sheets(api_as(judge), event.id).items())[0]
    # Saved from another device meanwhile.
    assert api_as(judge).put(f"/events/{event.id}/sheets/{code}",
                             json={"scores": {"P1": "1", "P2": "3"}, "version": sheet["version"]}).status_code == 200
    r = device.put(f"/events/{event.id}/sheets/{code}", headers={"Idempotency-Key": str(uuid.uuid4())},
                   json={"scores": {"P1": "3", "P2": "4.5"}, "version": sheet["version"]})
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert error["code"] == "stale_version"
    assert error["server"] == {"status": "draft", "version": sheet["version"] + 1,
                               "scores": {"P1": "1", "P2": "3", "P3": None}}
    assert error["yours"] == {"P1": "3", "P2": "4.5"}
    assert my_sheets(api_as(judge), event.id)[code]["scores"]["P1"] == "1"  # nothing overwritten
    # "Keep mine": a new operation on the server's version.
    r = device.put(f"/events/{event.id}/sheets/{code}", headers={"Idempotency-Key": str(uuid.uuid4())},
                   json={"scores": error["yours"], "version": error["server"]["version"]})
    assert r.status_code == 200 and r.get_json()["scores"]["P1"] == "3"


def test_device_token_reaches_only_its_judges_sheets_of_its_event(drawn, login, api_as, make_competition):
    event = drawn["event"]
    judge = drawn["judges"][1]
    web, device = device_api(login, judge, event.id)
    code, sheet = sorted(my_sheets(api_as(judge), event.id).items())[0]
    body = {"scores": {"P1": "2"}, "version": sheet["version"]}
    # Without an operation id a device token is refused: every queued request carries one.
    r = device.put(f"/events/{event.id}/sheets/{code}", json=body)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "idempotency_key_required"
    for method, path in (("get", f"/events/{event.id}/sheets"), ("get", "/me"), ("get", f"/events/{event.id}/panel"),
                         ("put", f"/events/{event.id + 1}/sheets/{code}"),
                         ("put", f"/events/{event.id}/sheets/{code}?judge_id={drawn['judges'][2].id}")):
        r = getattr(device, method)(path, **({"json": body} if method == "put" else {}),
                                    headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 403, (method, path, r.status_code)
    row = db.session.scalar(select(ApiToken).where(ApiToken.scope == "sheets"))
    assert row.event_id == event.id and row.user_id == judge.id and row.session_id is not None
    # Expires at the next local midnight (Beijing time is UTC+8: 16:00 UTC).
    assert row.expires_at.hour == 16 and row.expires_at.minute == 0
    # A minted token needs the signed-in page's CSRF token.
    assert web.post(f"/judge/events/{event.id}/device-token").status_code == 400
    # Another judge of the panel cannot mint one for an event they do not sit on.
    outsider = drawn["supervisor"]
    assert login(outsider).post(f"/judge/events/{event.id}/device-token").status_code in (400, 403)
    # Signing out revokes it.
    page = web.get("/account/password")
    web.post("/logout", data={"csrf_token": csrf_from(page.data)})
    r = device.put(f"/events/{event.id}/sheets/{code}", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 401


def _png(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "PNG")
    return out.getvalue()


def _jpeg_with_location() -> bytes:
    img = Image.new("RGB", (640, 480), (20, 90, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"          # Make
    gps = {1: "N", 2: (29.0, 39.0, 0.0), 3: "E", 4: (91.0, 7.0, 0.0)}  # Lhasa
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _huge_png_header(width=8900, height=8900) -> bytes:
    """A tiny file whose header declares 8,900 × 8,900 pixels (a decompression bomb's shape)."""
    import struct
    import zlib
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
            + chunk(b"IEND", b""))


def test_photos_are_cleaned_and_checked_before_decoding(drawn, login, api_as, monkeypatch):
    event = drawn["event"]
    judge = drawn["judges"][1]
    _web, device = device_api(login, judge, event.id)
    code = sorted(my_sheets(api_as(judge), event.id))[0]
    url = f"/events/{event.id}/sheets/{code}/photos"

    def post(data, criterion="P1", key=None):
        return device.client.post("/api/v1" + url, data={"criterion": criterion, "file": (io.BytesIO(data), "x.jpg")},
                                  headers={"Authorization": f"Bearer {device.token}",
                                           "Idempotency-Key": key or str(uuid.uuid4())})
    key = str(uuid.uuid4())
    r = post(_jpeg_with_location(), key=key)
    assert r.status_code == 201, r.get_json()
    assert post(_jpeg_with_location(), key=key).status_code == 201  # a retry: one photo
    photos = db.session.scalars(select(SheetPhoto)).all()
    assert len(photos) == 1
    kept = Image.open(io.BytesIO(photos[0].data))
    assert kept.format == "JPEG" and not kept.getexif() and "exif" not in kept.info
    # The pixel count is checked on the header: nothing is decoded.
    from PIL import ImageFile
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(1))
    r = post(_huge_png_header())
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    assert "8900" in r.get_json()["error"]["fields"]["file"][0] and not decoded
    monkeypatch.undo()
    r = post(b"%PDF-1.4 not a photo")
    assert r.status_code == 422
    assert post(_png(50, 50), criterion="T1").status_code == 422  # not a judged criterion
    # Seen by the judge who took it, the chief judge and the supervisor; not by another judge.
    sheet = db.session.get(Sheet, photos[0].sheet_id)
    assert sheet.judge_id == judge.id
    for user, status in ((judge, 200), (drawn["chief"], 200), (drawn["supervisor"], 200),
                         (drawn["judges"][2], 403), (drawn["organizer"], 403)):
        assert login(user).get(f"/judge/photos/{photos[0].id}").status_code == status, user.username


def test_time_used_takes_a_stopwatch_reading(drawn, api_as):
    event = drawn["event"]
    chief = api_as(drawn["chief"])
    code = sorted(my_sheets(api_as(drawn["judges"][1]), event.id))[0]
    r = chief.post(f"/events/{event.id}/entries/{code}/time-used", json={"time_used": "47:30"})
    assert r.status_code == 200 and r.get_json()["time_used"] == 2850
    r = chief.post(f"/events/{event.id}/entries/{code}/time-used", json={"time_used": "1:02:03"})
    assert r.get_json()["time_used"] == 3723
    r = chief.post(f"/events/{event.id}/entries/{code}/time-used", json={"time_used": "47:75"})
    assert r.status_code == 422 and "time_used" in r.get_json()["error"]["fields"]


def test_photos_may_follow_the_submission_until_the_event_is_locked(drawn, login, api_as):
    from tests import scenarios

    event = drawn["event"]
    judge = drawn["judges"][1]
    _web, device = device_api(login, judge, event.id)
    code = sorted(my_sheets(api_as(judge), event.id))[0]

    def post():
        return device.client.post(f"/api/v1/events/{event.id}/sheets/{code}/photos",
                                  data={"criterion": "P1", "file": (io.BytesIO(_png(64, 48)), "x.png")},
                                  headers={"Authorization": f"Bearer {device.token}",
                                           "Idempotency-Key": str(uuid.uuid4())})
    scenarios.setup_scores(drawn)          # every sheet submitted, theory imported, the event locked
    db.session.expire_all()
    assert db.session.get(type(drawn["event"]), event.id).locked_at is not None
    r = post()
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "wrong_state"
    # Before the lock, a submitted sheet still takes photos (the phone sends scores first).
    from app.judging.models import Sheet as SheetModel
    ev = db.session.get(type(drawn["event"]), event.id)
    ev.locked_at = None
    for s in db.session.scalars(select(SheetModel).where(SheetModel.event_id == event.id)):
        if s.status == "locked":
            s.status = "submitted"
    db.session.commit()
    sheet = db.session.scalar(select(SheetModel).where(SheetModel.judge_id == judge.id,
                                                       SheetModel.registration.has(code=code)))
    assert sheet.status == "submitted"
    r = post()
    assert r.status_code == 201, r.get_json()
    assert audits("sheet.photo") == 1
