"""Publicity days and the appeal window cannot be shortened once they run (lengthening needs a
reason, kept in the audit log); the move to final waits for the lengthened period."""
from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.competitions import operations as comps
from app.extensions import db
from app.models_base import utcnow
from tests.conftest import csrf_from
from tests import scenarios


def _in_publicity(drawn, api_as):
    scenarios.setup_scores(drawn)
    scenarios.publish(drawn)
    comp = drawn["comp"]
    db.session.refresh(comp)
    assert comp.status == "publicity" and comp.publicity_days == 7
    return comp


def test_publicity_days_cannot_be_shortened_during_publicity(drawn, api_as):
    comp = _in_publicity(drawn, api_as)
    api = api_as(drawn["organizer"])
    r = api.patch(f"/competitions/{comp.id}", json={"publicity_days": 0, "reason": "赶时间"})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert "不能缩短公示期" in fields["publicity_days"][0] and "7 天" in fields["publicity_days"][0]
    db.session.refresh(comp)
    assert comp.publicity_days == 7
    # the final move stays blocked: the 7 days have not passed
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "final"})
    assert r.status_code == 409


def test_appeal_window_cannot_be_shortened_during_publicity(drawn, api_as):
    comp = _in_publicity(drawn, api_as)
    r = api_as(drawn["organizer"]).patch(f"/competitions/{comp.id}", json={"appeal_window_hours": 1, "reason": "x"})
    assert r.status_code == 422 and "appeal_window_hours" in r.get_json()["error"]["fields"]
    assert "2 小时" in r.get_json()["error"]["fields"]["appeal_window_hours"][0]


def test_lengthening_publicity_needs_a_reason_and_the_reason_is_audited(drawn, api_as):
    comp = _in_publicity(drawn, api_as)
    api = api_as(drawn["organizer"])
    r = api.patch(f"/competitions/{comp.id}", json={"publicity_days": 10})
    assert r.status_code == 422 and "reason" in r.get_json()["error"]["fields"]
    r = api.patch(f"/competitions/{comp.id}", json={"publicity_days": 10, "appeal_window_hours": 4,
                                                    "reason": "应申诉人要求延长公示"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["publicity_days"] == 10
    ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "competition.update")
                            .order_by(AuditEvent.seq.desc())).first()
    assert ev.reason == "应申诉人要求延长公示"
    assert ev.before["publicity_days"] == 7 and ev.after["publicity_days"] == 10


def test_move_to_final_uses_the_lengthened_publicity_period(drawn, api_as):
    comp = _in_publicity(drawn, api_as)
    api = api_as(drawn["organizer"])
    assert api.patch(f"/competitions/{comp.id}", json={"publicity_days": 9, "reason": "延长"}).status_code == 200
    db.session.refresh(comp)
    assert comps.publicity_ends_at(comp) == comp.status_changed_at + timedelta(days=9)
    # 8 days into publicity: over under the old 7 days, not under the new 9
    comp.status_changed_at = utcnow() - timedelta(days=8)
    db.session.commit()
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "final"})
    assert r.status_code == 409, r.get_json()
    comp.status_changed_at = utcnow() - timedelta(days=9, minutes=1)
    db.session.commit()
    r = api.post(f"/competitions/{comp.id}/status", json={"status": "final"})
    assert r.status_code == 200, r.get_json()


def test_other_fields_stay_editable_during_publicity_without_a_reason(drawn, api_as):
    comp = _in_publicity(drawn, api_as)
    r = api_as(drawn["organizer"]).patch(f"/competitions/{comp.id}", json={"description": "公示期间补充说明"})
    assert r.status_code == 200, r.get_json()


def test_appeal_window_cannot_be_shortened_in_judging_once_an_event_has_ended(drawn, api_as):
    comp, event = drawn["comp"], drawn["event"]
    api = api_as(drawn["organizer"])
    # no event has ended: the window has not started and may be changed freely
    assert api.patch(f"/competitions/{comp.id}", json={"appeal_window_hours": 3}).status_code == 200
    event.ends_at = utcnow() - timedelta(minutes=30)
    db.session.commit()
    r = api.patch(f"/competitions/{comp.id}", json={"appeal_window_hours": 1, "reason": "x"})
    assert r.status_code == 422 and "appeal_window_hours" in r.get_json()["error"]["fields"]
    assert "赛项结束后 3 小时" in r.get_json()["error"]["fields"]["appeal_window_hours"][0]
    assert api.patch(f"/competitions/{comp.id}", json={"appeal_window_hours": 6}).status_code == 422
    assert api.patch(f"/competitions/{comp.id}", json={"appeal_window_hours": 6, "reason": "延长"}).status_code == 200
    # publicity days have not started yet: still free
    assert api.patch(f"/competitions/{comp.id}", json={"publicity_days": 3}).status_code == 200


def test_before_publicity_both_periods_may_be_shortened(make_user, make_competition, api_as):
    organizer = make_user("organizer")
    comp = make_competition(organizer)
    r = api_as(organizer).patch(f"/competitions/{comp.id}", json={"publicity_days": 0, "appeal_window_hours": 0})
    assert r.status_code == 200, r.get_json()


def test_edit_page_refuses_shortening_beside_the_field_and_asks_for_a_reason(drawn, api_as, login):
    comp = _in_publicity(drawn, api_as)
    client = login(drawn["organizer"])
    page = client.get(f"/manage/competitions/{comp.id}/edit")
    text = page.get_data(as_text=True)
    assert 'name="reason"' in text and "只能延长" in text
    form = {k: v for k, v in _form_values(text).items()}
    form.update(publicity_days="0", csrf_token=csrf_from(page.data))
    r = client.post(f"/manage/competitions/{comp.id}/edit", data=form)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "公示开始后不能缩短公示期" in text
    form.update(publicity_days="8", reason="")
    text = client.post(f"/manage/competitions/{comp.id}/edit", data=form).get_data(as_text=True)
    assert "请说明延长" in text
    form.update(publicity_days="8", reason="延长公示")
    r = client.post(f"/manage/competitions/{comp.id}/edit", data=form)
    assert r.status_code == 302
    db.session.refresh(comp)
    assert comp.publicity_days == 8


def _form_values(html: str) -> dict:
    """The values of the edit form's inputs and selected options, as a browser would send them."""
    import re
    values = {}
    for m in re.finditer(r'<input([^>]*)>', html):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if "name" in attrs and attrs.get("type") not in ("checkbox", "submit"):
            values[attrs["name"]] = attrs.get("value", "")
        elif attrs.get("type") == "checkbox" and "checked" in m.group(1):
            values[attrs["name"]] = "y"
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        sel = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', m.group(2))
        if sel:
            values[m.group(1)] = sel.group(1) or sel.group(2) or ""
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[m.group(1)] = m.group(2).strip()
    return values
