"""Registration pages: sign-up, candidate and contact entry, organizer queue with bulk review, import."""
import io

from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db
from app.people.models import Person
from app.registration.models import Registration
from tests.conftest import csrf_from
from tests.scenarios import person, resident_id


def test_signup_then_register_through_the_web(client, world):
    page = client.get("/signup")
    number = resident_id()
    r = client.post("/signup", data={"csrf_token": csrf_from(page.data), "username": "tashi", "password": "Tashi-2026-pw",
                                     "password_confirm": "Tashi-2026-pw",
                                     "name": "扎西顿珠", "id_type": "resident_id", "id_number": number,
                                     "ethnicity": "04", "organization_id": str(world["company"].id)})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    user = db.session.scalar(select(User).where(User.username == "tashi"))
    assert user.roles == {"candidate"}
    me = client.get("/me").get_data(as_text=True)
    assert "扎西顿珠" in me and "电工" in me and number in me  # the person sees their own number
    page = client.get(f"/events/{world['event'].id}/register")
    r = client.post(f"/events/{world['event'].id}/register", data={
        "csrf_token": csrf_from(page.data), "organization_id": str(world["company"].id)})
    assert r.status_code == 302, r.get_data(as_text=True)[-1500:]
    reg = db.session.scalar(select(Registration))
    assert reg.source == "self" and reg.person.user_id == user.id
    assert "待审核" in client.get("/me").get_data(as_text=True)


def test_signup_errors_are_shown_and_nothing_saved(client, world):
    page = client.get("/signup")
    r = client.post("/signup", data={"csrf_token": csrf_from(page.data), "username": "x", "password": "123",
                                     "name": "", "id_type": "resident_id", "id_number": "123"})
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    for m in ("用户名为 3 至 64", "密码至少需要 8 个字符", "请填写姓名", "居民身份证号码应为 18 位"):
        assert m in text
    assert db.session.scalar(select(User).where(User.username == "x")) is None


def test_contact_registers_a_team_through_the_web(login, world):
    client = login(world["contact"])
    event = world["team_event"]
    page = client.get(f"/events/{event.id}/register")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.data), "name": "次仁", "id_type": "resident_id", "id_number": resident_id(),
            "team_name": "拉职一队"}
    for i, name in enumerate(["央金", "格桑"]):
        data.update({f"members-{i}-name": name, f"members-{i}-id_type": "resident_id",
                     f"members-{i}-id_number": resident_id()})
    data["members-1-id_number"] = "bad"
    r = client.post(f"/events/{event.id}/register", data=data)
    assert "居民身份证号码应为 18 位" in r.get_data(as_text=True)
    data["members-1-id_number"] = resident_id()
    r = client.post(f"/events/{event.id}/register", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    listing = client.get("/org/registrations").get_data(as_text=True)
    assert "次仁、央金、格桑" in listing and "待审核" in listing and "********" in listing


def test_refusals_are_named_on_the_page(login, world, api_as):
    api_as(world["organizer"]).patch(f"/events/{world['event'].id}", json={"eligibility": {"min_skill_grade": 2}})
    client = login(world["contact"])
    page = client.get(f"/events/{world['event'].id}/register")
    r = client.post(f"/events/{world['event'].id}/register", data={
        "csrf_token": csrf_from(page.data), "name": "次仁", "id_type": "resident_id", "id_number": resident_id(),
        "skill_grade": "4"})
    assert "本赛项要求职业技能等级达到 2 级或以上" in r.get_data(as_text=True)


def test_organizer_queue_filters_and_bulk_review(login, world, api_as):
    api = api_as(world["organizer"])
    ids = [api.post(f"/events/{world['event'].id}/registrations",
                    json={"person": person(n), "organization_id": org.id}).get_json()["id"]
           for n, org in [("甲", world["college"]), ("乙", world["company"]), ("丙", world["company"])]]
    client = login(world["organizer"])
    page = client.get(f"/manage/competitions/{world['comp'].id}/registrations?organization_id={world['company'].id}")
    text = page.get_data(as_text=True)
    assert "乙" in text and "丙" in text and ">甲<" not in text
    region = client.get(f"/manage/competitions/{world['comp'].id}/registrations?region=450000").get_data(as_text=True)
    assert "乙" in region and ">甲<" not in region
    # Bulk rejection needs a reason; nothing changes without one.
    url = f"/manage/competitions/{world['comp'].id}/registrations"
    r = client.post(url, data={"csrf_token": csrf_from(page.data), "decision": "reject", "reason": "", "ids": ids[1:]})
    assert db.session.scalars(select(Registration.status)).all() == ["submitted"] * 3
    # The first step only shows what will happen: how many, whom; nothing changes yet.
    r = client.post(url, data={"csrf_token": csrf_from(page.data), "decision": "approve", "ids": ids[1:]})
    confirm = r.get_data(as_text=True)
    assert r.status_code == 200 and 'name="confirmed" value="1"' in confirm and "乙" in confirm and "丙" in confirm
    assert ">甲<" not in confirm
    assert db.session.scalars(select(Registration.status)).all() == ["submitted"] * 3
    r = client.post(url, data={"csrf_token": csrf_from(page.data), "decision": "approve", "ids": ids[1:], "confirmed": "1"})
    assert r.status_code == 302
    db.session.expire_all()
    statuses = {reg.id: reg.status for reg in db.session.scalars(select(Registration))}
    assert statuses == {ids[0]: "submitted", ids[1]: "approved", ids[2]: "approved"}
    detail = client.get(f"/manage/registrations/{ids[0]}")
    r = client.post(f"/manage/registrations/{ids[0]}", data={"csrf_token": csrf_from(detail.data), "decision": "reject",
                                                             "reason": "身份证明材料不全"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, ids[0]).review_reason == "身份证明材料不全"


def test_import_page_lists_problems(login, world):
    from tests.registration.test_import_export import xlsx
    client = login(world["organizer"])
    page = client.get(f"/manage/events/{world['event'].id}/import")
    r = client.post(f"/manage/events/{world['event'].id}/import", data={
        "csrf_token": csrf_from(page.data),
        "file": (io.BytesIO(xlsx([["次仁", "居民身份证", "540102", "", "", "", "", "", "", ""]])), "a.xlsx")},
        content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    assert "文件未导入" in text and "证件号码" in text and "居民身份证号码应为 18 位" in text
    # The template as downloaded has a header and no data rows (its example sits on 填写说明).
    template = client.get(f"/manage/events/{world['event'].id}/registrations/template.xlsx")
    r = client.post(f"/manage/events/{world['event'].id}/import", data={
        "csrf_token": csrf_from(page.data), "file": (io.BytesIO(template.data), "template.xlsx")},
        content_type="multipart/form-data")
    assert r.status_code == 200 and "文件未导入" in r.get_data(as_text=True)
    assert db.session.scalar(select(Person).where(Person.name == "扎西顿珠")) is None


def test_bulk_rejection_is_confirmed_with_its_count_and_reason_before_it_applies(login, world, api_as):
    api = api_as(world["organizer"])
    ids = [api.post(f"/events/{world['event'].id}/registrations",
                    json={"person": person(n), "organization_id": world["company"].id}).get_json()["id"]
           for n in ("戊", "己")]
    client = login(world["organizer"])
    url = f"/manage/competitions/{world['comp'].id}/registrations"
    page = client.get(url)
    assert page.get_data(as_text=True).index("data-selected-count") < page.get_data(as_text=True).index("<tbody>")
    data = {"csrf_token": csrf_from(page.data), "decision": "reject", "reason": "缺少单位推荐表", "ids": ids}
    r = client.post(url, data=data)
    confirm = r.get_data(as_text=True)
    assert r.status_code == 200 and "缺少单位推荐表" in confirm and "btn danger" in confirm
    assert "2" in confirm.split('class="flash flash-warning"')[1].split("</p>")[0]
    assert db.session.scalars(select(Registration.status)).all() == ["submitted"] * 2
    r = client.post(url, data={**data, "confirmed": "1"})
    assert r.status_code == 302
    db.session.expire_all()
    regs = db.session.scalars(select(Registration)).all()
    assert {g.status for g in regs} == {"rejected"} and {g.review_reason for g in regs} == {"缺少单位推荐表"}
    # A confirmed rejection without a reason is still refused.
    again = client.post(url, data={**data, "reason": " ", "decision": "reject", "confirmed": "1"})
    assert again.status_code == 302
