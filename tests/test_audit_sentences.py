"""The audit log reads as sentences (issue 23): who did what to which object, each change as
old → new with the field in the reader's words, the reason, Beijing time, the raw record one
click away (a <details> under each entry)."""
from __future__ import annotations

from sqlalchemy import select

from app.audit.describe import ACTIONS, changes, describe, names_for
from app.audit.models import AuditEvent
from app.competitions import operations as comps
from app.extensions import db
from app.timeutil import local_text


def test_every_recorded_action_has_a_sentence():
    import pathlib
    import re
    root = pathlib.Path(__file__).resolve().parents[1] / "app"
    recorded = set()
    for path in root.rglob("*.py"):
        recorded |= set(re.findall(r'record\(\s*"([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert recorded and not recorded - set(ACTIONS), sorted(recorded - set(ACTIONS))


def test_changes_read_old_to_new_in_the_users_words(app):
    from flask_babel import force_locale
    with app.test_request_context(), force_locale("en"):
        rows = changes({"status": "publicity", "publicity_days": 7, "x": 1}, {"status": "final", "publicity_days": 0, "x": 1})
        assert rows == [{"field": "Status", "old": "Publicity", "new": "Final"},
                        {"field": "Publicity days", "old": "7", "new": "0"}]
        assert changes(None, {"roles": ["judge"]}) == [{"field": "Roles", "old": "—", "new": "Judge"}]
        # Codes and ids stay in the raw record; values with names read as names.
        assert changes(None, {"user_id": 8, "role": "chief_judge", "scheme": {"min_judges": 3}}) == [
            {"field": "Role", "old": "—", "new": "Chief judge"}]


def test_the_audit_page_tells_who_did_what_with_old_and_new(login, make_user, make_competition):
    organizer = make_user("organizer", name="卓玛")
    admin = make_user("admin")
    comp = make_competition(organizer, name="审计句子竞赛")
    comps.update_competition(comp, {"version": comp.version, "publicity_days": 5, "reason": "按文件调整公示期"}, organizer)
    db.session.commit()
    ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "competition.update")).one()
    with_names = describe(ev, names_for([ev]))
    assert with_names["who"] == organizer.username and "审计句子竞赛" in with_names["did"]
    assert with_names["reason"] == "按文件调整公示期"
    client = login(admin)
    client.get("/lang/en")
    page = client.get("/manage/audit").get_data(as_text=True)
    assert f"<strong>{organizer.username}</strong> edited the competition 「审计句子竞赛」" in page
    assert "Publicity days：<span class=\"old\">7</span> → <span class=\"new\">5</span>" in page
    assert "Reason: 按文件调整公示期" in page
    assert local_text(ev.created_at) in page  # Beijing time in the sentence
    # The raw record, one click away: the action code and the stored JSON, inside <details>.
    raw = page.split('<details class="audit-raw">', 1)[1].split("</details>", 1)[0]
    assert "competition.update" in raw and "&#34;publicity_days&#34;: 5" in raw or '"publicity_days": 5' in raw
    # Filtering by what was done, in words.
    filtered = client.get("/manage/audit?action=competition.").get_data(as_text=True)
    assert "edited the competition" in filtered and 'value="competition." selected' in filtered
