"""Title-selection fixtures: a 2026 西藏工匠 selection open for nominations by two workshops."""
import io

import pytest

from app.competitions import operations as comps
from tests.conftest import PASSWORD, event_payload  # noqa: F401

SCHEME = {"aggregation": "mean", "min_judges": 2, "components": [
    {"key": "dossier", "name": "事迹材料评审", "weight": "1", "criteria": [
        {"key": "D1", "name": "事迹", "max_score": "40", "kind": "judgement"},
        {"key": "D2", "name": "创新", "max_score": "30", "kind": "judgement"},
        {"key": "D3", "name": "传承", "max_score": "30", "kind": "judgement"}]}]}

PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
DOSSIER = {"achievements": "从事唐卡绘制三十年，主持修复寺庙壁画十余处。", "innovations": "改良矿物颜料研磨工艺。",
           "honours": "2024年自治区技术能手。", "apprentices": "带徒二十三人，其中五人获技师职业技能等级。"}


def upload(api, registration_id, content, filename="材料.pdf"):
    """POST a file to a dossier through the API (multipart, field 'file')."""
    return api.client.post(f"/api/v1/registrations/{registration_id}/dossier/attachments",
                           data={"file": (io.BytesIO(content), filename)}, headers=api._headers(),
                           content_type="multipart/form-data")


@pytest.fixture
def tworld(make_user, make_org, make_competition):
    """A CN-XZ provincial_1 title selection (award title 西藏工匠, no publicity days) with one
    category; two nominating workshops with their contacts; a judge from workshop A (recused
    from A's nominees), two independent judges, a judge not on the panel, a chief judge."""
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    org_a = make_org("拉萨市城关区唐卡画院", kind="enterprise", region_code="540102")
    org_b = make_org("日喀则市藏毯厂", kind="enterprise", region_code="540202")
    organizer = make_user("organizer", organization=host, username="ts_organizer")
    comp = make_competition(organizer, events=0, name="2026年西藏工匠评选", kind="title_selection",
                            award_title="西藏工匠", publicity_days=0)
    event = comps.create_event(comp, event_payload(
        name="西藏工匠·传统技艺类", occupation="传统技艺", scheme=SCHEME, tiebreak=[], max_entrants=None,
        awards={"preset": "prizes", "shares": ["0.5", "0", "0"], "min_total": "60"}), organizer)
    comps.change_status(comp, "registration_open", organizer)
    from app.extensions import db
    db.session.commit()
    return {
        "comp": comp, "event": event, "organizer": organizer, "org_a": org_a, "org_b": org_b,
        "contact_a": make_user("org_contact", organization=org_a, username="contact_a"),
        "contact_b": make_user("org_contact", organization=org_b, username="contact_b"),
        "judge_a": make_user("judge", organization=org_a, username="ts_judge_a", name="平措"),
        "judge_x": make_user("judge", username="ts_judge_x", name="罗布"),
        "judge_y": make_user("judge", username="ts_judge_y", name="赵刚"),
        "judge_off": make_user("judge", username="ts_judge_off", name="旁观"),
        "chief": make_user("chief_judge", username="ts_chief", name="达瓦"),
        "supervisor": make_user("supervisor", username="ts_supervisor"),
    }
