"""The scheme-template library: every template passes the scheme rules (as at start-up), opens in
the event form, and an event created from it keeps its scheme; an organization saves its own."""
import pytest
import yaml
from sqlalchemy import select

from app import rubrics
from app.competitions.models import Event, SchemeTemplate
from app.extensions import db
from tests.conftest import csrf_from

CRAFTS = {"thangka", "tibetan_carving", "tibetan_carpet", "tibetan_incense", "tibetan_painting", "folk_dance"}
# Seed 004 五(一) names the market trades too: 家政, 养老服务, 托幼, 保安, 电商, 汽修, 电工, 快递, 美发;
# the issue adds 焊工.
TRADES = {"electrician", "welder", "auto_repair", "ecommerce", "housekeeping", "elderly_care", "childcare",
          "security_guard", "courier", "hairdressing"}
# Where a criterion follows a national occupational standard, the template cites it for that criterion.
CITED = {"electrician": "电工", "welder": "焊工", "auto_repair": "汽车维修工", "ecommerce": "电子商务师",
         "housekeeping": "家政服务员", "elderly_care": "养老护理员"}


def test_the_library_has_the_crafts_of_seed_004_and_common_trades():
    library = rubrics.load()
    assert CRAFTS | TRADES <= set(library)
    assert {k for k, t in library.items() if t["group"] == "craft"} >= CRAFTS
    for t in library.values():
        judged = [c for comp in t["scheme"]["components"] if comp["entry"] == "judges" for c in comp["criteria"]]
        assert any(c["scale"] == "wsi3" and len(c["descriptors"]) == 4 and all(c["descriptors"]) for c in judged), t["key"]
        assert t["basis"]
        if t["group"] == "craft":
            assert not t["standards"] and "不引用国家职业技能标准" in t["basis"], t["key"]
    for key, occupation in CITED.items():
        cited = library[key]["standards"]
        assert cited and all(f"《国家职业技能标准·{occupation}》" in s["citation"] for s in cited), key


def test_a_citation_must_name_a_criterion_and_the_standard(tmp_path, monkeypatch):
    for standards, problem in (({"P9": "《国家职业技能标准·焊工》"}, "standards.P9: no such criterion"),
                               ({"P1": "焊工标准"}, "standards.P1: cite the national occupational standard")):
        bad = yaml.safe_load((rubrics.FOLDER / "welder.yaml").read_text(encoding="utf-8"))
        bad["standards"] = standards
        (tmp_path / "welder.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
        with pytest.raises(rubrics.TemplateError, match=problem):
            rubrics._check(tmp_path / "welder.yaml")


def test_a_bad_template_stops_the_start_naming_file_and_field(tmp_path, monkeypatch):
    bad = yaml.safe_load((rubrics.FOLDER / "welder.yaml").read_text(encoding="utf-8"))
    bad["key"] = "broken"
    bad["scheme"]["components"][0]["weight"] = "0.5"   # weights no longer add up to 1
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(rubrics, "FOLDER", tmp_path)
    rubrics.load.cache_clear()
    try:
        with pytest.raises(rubrics.TemplateError, match=r"broken.yaml: .*scheme.components"):
            rubrics.load()
    finally:
        monkeypatch.undo()
        rubrics.load.cache_clear()


@pytest.mark.parametrize("key", sorted(rubrics.load()))
def test_every_template_opens_in_the_event_form_and_saves(key, make_user, make_org, make_competition, login):
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    client = login(organizer)
    page = client.get(f"/manage/competitions/{comp.id}/events/new?template={key}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    template = rubrics.load()[key]
    first = template["scheme"]["components"][-1]["criteria"][0]
    assert first["name"] in html
    for cited in template["standards"]:                  # each criterion's standard, shown to the organizer
        assert cited["citation"] in html
    # Submitting the filled form as it stands creates the event with the template's scheme.
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data, self._select, self._textarea = {}, None, None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") == "checkbox":
                    if "checked" in a:
                        self.data[a["name"]] = a.get("value", "y")
                else:
                    self.data[a["name"]] = a.get("value", "")
            elif tag == "select" and a.get("name") != "template":
                self._select = a.get("name")
            elif tag == "option" and self._select and ("selected" in a or self._select not in self.data):
                self.data[self._select] = a.get("value", "")
            elif tag == "textarea":
                self._textarea = a.get("name")
                self.data[self._textarea] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self._select = None
            if tag == "textarea":
                self._textarea = None

        def handle_data(self, data):
            if self._textarea:
                self.data[self._textarea] += data
    fields = Fields()
    fields.feed(html)
    data = {**fields.data, "track": "staff", "csrf_token": csrf_from(html)}
    data.pop("template", None)
    r = client.post(f"/manage/competitions/{comp.id}/events/new", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    event = db.session.scalar(select(Event).where(Event.competition_id == comp.id))
    assert event.scheme["components"] == template["scheme"]["components"]
    assert event.tiebreak == template["tiebreak"]


def test_an_organization_saves_its_events_scheme_as_its_own_template(make_user, make_org, make_competition, login):
    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    other = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    organizer = make_user("organizer", organization=host, username="organizer")
    outsider = make_user("organizer", organization=other, username="outsider")
    comp = make_competition(organizer, events=1)
    event = comp.events[0]
    client = login(organizer)
    page = client.get(f"/manage/competitions/{comp.id}")
    r = client.post(f"/manage/events/{event.id}/save-template", data={"csrf_token": csrf_from(page.data),
                                                                       "name": "我们的电工标准"})
    assert r.status_code == 302
    row = db.session.scalar(select(SchemeTemplate))
    assert row.organization_id == host.id and row.scheme == event.scheme
    html = client.get(f"/manage/competitions/{comp.id}/events/new?template=org-{row.id}").get_data(as_text=True)
    assert "我们的电工标准" in html and "安装" in html
    # Another organization neither sees nor uses it.
    other_comp = make_competition(outsider, events=0, name="2026年广西壮族自治区职业技能大赛", jurisdiction="CN-GX")
    html = login(outsider).get(f"/manage/competitions/{other_comp.id}/events/new?template=org-{row.id}").get_data(as_text=True)
    assert "我们的电工标准" not in html and "安装" not in html
