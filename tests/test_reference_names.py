"""Every value of reference data shown to users has an official Chinese name and an English one
(issue 23): awards, levels, tracks, entitlement kinds and statuses, registration statuses, skill
grades, the 56 ethnic groups and the titles the policies (and the demo) grant. Pages and API labels
follow the reader's language; Chinese stays the default."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from app.domain import person_file, refdata

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize("kind", refdata.NAMED_KINDS)
def test_every_value_has_a_chinese_and_an_english_name(kind):
    zh, en = refdata.names(kind, "zh_CN"), refdata.names(kind, "en")
    assert zh and set(zh) == set(en), f"{kind}: values named in one language only: {set(zh) ^ set(en)}"
    for key in zh:
        assert zh[key] and CJK.search(zh[key]), f"{kind} {key!r}: no Chinese name"
        assert en[key] and not CJK.search(en[key]) and en[key].strip() == en[key], f"{kind} {key!r}: no English name"


def test_the_56_ethnic_groups_have_english_names():
    en = refdata.ethnic_groups_en()
    assert len(en) == len(refdata.ethnic_groups()) == 56
    assert en["01"] == "Han" and en["04"] == "Tibetan" and en["05"] == "Uygur" and en["08"] == "Zhuang"
    assert len(set(en.values())) == 56


def test_enumerations_and_their_chinese_tables_name_the_same_values():
    pairs = [(refdata.AWARD_LABELS, refdata.AWARD_ZH), (refdata.LEVELS, refdata.LEVEL_ZH),
             (refdata.TRACKS, refdata.TRACK_ZH), (refdata.ENTITLEMENT_KINDS, refdata.ENTITLEMENT_KIND_ZH),
             (refdata.ENTITLEMENT_STATUSES, refdata.ENTITLEMENT_STATUS_ZH),
             (refdata.REGISTRATION_STATUSES, refdata.REGISTRATION_STATUS_ZH),
             (refdata.SKILL_GRADES, refdata.SKILL_GRADE_ZH),
             (person_file.TRAINING_KINDS, person_file.TRAINING_KIND_ZH)]
    for english, chinese in pairs:
        assert set(english) == {k for k in chinese if k is not None}


def _policy_titles() -> set[str]:
    titles = set()
    for path in (ROOT / "app/policies").glob("*.yaml"):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            if rule.get("entitlement", {}).get("title"):
                titles.add(rule["entitlement"]["title"])
    return titles


def test_every_title_the_policies_and_the_demo_grant_has_an_english_name():
    demo = set(re.findall(r'award_title"?\s*[:=]\s*"([^"]+)"', (ROOT / "app/demo/__init__.py").read_text(encoding="utf-8")))
    titles = _policy_titles() | set(person_file.STUDIO_TITLES) | demo
    assert "全国技术能手" in titles and "西藏工匠" in titles
    missing = sorted(t for t in titles if t not in refdata.TITLE_EN)
    assert not missing, f"titles without an English name (add them to refdata.TITLE_EN): {missing}"


def test_name_falls_back_to_the_value_for_a_title_typed_by_an_organizer():
    assert refdata.name("title", "西藏工匠", "en") == "Tibet Craftsman"
    assert refdata.name("title", "西藏工匠", "zh_CN") == "西藏工匠"
    assert refdata.name("title", "某某能手", "en") == "某某能手"
    assert refdata.name("award", None, "en") == ""


def test_results_page_names_awards_in_the_readers_language(final, login):
    client = login(final["organizer"])
    url = f"/manage/competitions/{final['comp'].id}/results"
    zh = client.get(url).get_data(as_text=True)
    assert "一等奖" in zh
    client.get("/lang/en")
    en = client.get(url).get_data(as_text=True)
    assert "First prize" in en and "一等奖" not in en


def test_people_page_names_ethnic_groups_in_the_readers_language(world, login, db):
    from app.people.operations import create_person
    create_person({"name": "次仁", "id_type": "resident_id", "id_number": "11010519491231002X",
                   "gender": "female", "ethnicity": "04", "organization_id": world["organizer"].organization_id},
                  world["organizer"])
    db.session.commit()
    client = login(world["organizer"])
    assert "藏族" in client.get("/manage/people?q=次仁").get_data(as_text=True)
    client.get("/lang/en")
    en = client.get("/manage/people?q=次仁").get_data(as_text=True)
    assert "Tibetan" in en and "藏族" not in en


def test_certificate_verification_names_the_award_in_the_readers_language(final, app):
    from sqlalchemy import select

    from app.certificates.models import Certificate
    from app.extensions import db
    from tests.conftest import new_client
    cert = db.session.scalar(select(Certificate).where(Certificate.award == "first").limit(1))
    visitor = new_client(app)
    assert "一等奖" in visitor.get(f"/verify/{cert.code}").get_data(as_text=True)
    visitor.get("/lang/en")
    en = visitor.get(f"/verify/{cert.code}").get_data(as_text=True)
    assert "First prize" in en and "一等奖" not in en
