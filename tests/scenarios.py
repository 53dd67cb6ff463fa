"""The scenarios many tests start from, built through the operations (the layer every view calls),
in one place: an open competition (`world`), a judging-ready event (`jworld`), its panel drawn
(`draw`), sheets scored, theory imported and the event locked (`score`), published (`publish`),
final (`finalize`). The fixtures of the same names live in tests/conftest.py.

Each step is also taken over HTTP by at least one test, and tests/test_scenarios.py runs the
whole chain both ways and compares what they leave behind (ranks, awards, certificates,
entitlements, audit actions).

Helpers for the HTTP path that several areas share (a judge's sheets, an imported-scores upload)
are here too, so that no test module imports another.
"""
from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from app import uow
from app.domain.idcard import make_resident_id
from app.extensions import db

# ---- people ------------------------------------------------------------------------------------

_seq = iter(range(1, 100_000))


def resident_id(birth=date(1995, 3, 4), region="540102", male=True) -> str:
    n = next(_seq) % 500
    return make_resident_id(region, birth, n * 2 + (1 if male else 0))


def person(name="扎西", **over) -> dict:
    data = {"name": name, "id_type": "resident_id", "id_number": resident_id()}
    data.update(over)
    return data


# ---- an open competition (registration) --------------------------------------------------------

def world(make_user, make_org, make_competition) -> dict:
    """An organizer's open competition (events: 电工 individual, 电子商务 team of 3), a college, an
    enterprise, their contacts, and a candidate."""
    from app.competitions import operations as comps
    from tests.conftest import event_payload

    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    company = make_org("柳州五菱汽车工业有限公司", kind="enterprise", region_code="450200")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    individual = comps.create_event(comp, event_payload(name="电工", max_entrants=5), organizer)
    team = comps.create_event(comp, event_payload(name="电子商务", team_size=3, track="student"), organizer)
    comps.change_status(comp, "registration_open", organizer)
    uow.commit()
    return {
        "comp": comp, "event": individual, "team_event": team, "organizer": organizer,
        "college": college, "company": company, "host": host,
        "contact": make_user("org_contact", organization=college, username="contact"),
        "contact_other": make_user("org_contact", organization=company, username="contact_other"),
        "candidate": make_user("candidate", username="cand"),
        "judge": make_user("judge", organization=college, username="judge"),
    }


# ---- judging ------------------------------------------------------------------------------------

SCHEME = {"aggregation": "mean", "min_judges": 2, "components": [
    {"key": "theory", "name": "理论", "weight": "0.30", "entry": "import",
     "criteria": [{"key": "T1", "name": "理论考试", "max_score": "100", "kind": "measurement", "step": "0.5"}]},
    {"key": "practical", "name": "实操", "weight": "0.70", "criteria": [
        {"key": "P1", "name": "工艺", "max_score": "30", "kind": "judgement", "scale": "wsi3",
         "descriptors": ["未达标", "达标", "良好", "优秀"]},
        {"key": "P2", "name": "尺寸", "max_score": "20", "kind": "measurement", "step": "0.25"},
        {"key": "P3", "name": "安全", "max_score": "10", "kind": "judgement", "step": "0.5"}]}]}

FULL = {"P1": "2", "P2": "17.25", "P3": "8.5"}  # a complete practical sheet


def jworld(make_user, make_org, make_competition) -> dict:
    """An event (theory imported, practical judged) with 6 approved entries: 2 from a college, 4
    from a company; judges: one from the college (recused from its entries), two independent; a
    chief judge, a supervisor, the organizer."""
    from app.competitions import operations as comps
    from app.registration import operations as regs
    from tests.conftest import event_payload

    host = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    college = make_org("拉萨职业技术学院", kind="college", region_code="540100")
    company = make_org("西藏天路股份有限公司", kind="enterprise", region_code="540100")
    independent = make_org("日喀则市职业技术学校", kind="college", region_code="540200")
    organizer = make_user("organizer", organization=host, username="organizer")
    comp = make_competition(organizer, events=0)
    event = comps.create_event(comp, event_payload(name="电工", scheme=SCHEME, max_entrants=None), organizer)
    comps.change_status(comp, "registration_open", organizer)
    entries = []
    for i, org in enumerate([college, college, company, company, company, company]):
        reg = regs.register(event, {"person": person(f"选手{'一二三四五六'[i]}"), "organization_id": org.id},
                            organizer, "organizer")
        regs.review(reg, "approve", None, organizer)
        entries.append(reg)
    comps.change_status(comp, "registration_closed", organizer)
    uow.commit()
    judges = [make_user("judge", organization=college, username="judge_college", name="平措"),
              make_user("judge", organization=independent, username="judge_b", name="罗布"),
              make_user("judge", username="judge_c", name="赵刚")]
    supervisor = make_user("supervisor", organization=host, username="supervisor")
    comps.assign_supervisor(comp, supervisor, organizer)
    uow.commit()
    return {"comp": comp, "event": event, "entries": entries, "organizer": organizer, "judges": judges,
            "chief": make_user("chief_judge", organization=independent, username="chief", name="达瓦"),
            "supervisor": supervisor, "college": college, "company": company, "host": host}


def draw(w: dict, seed: str = "fixed") -> dict:
    """The judges and the chief judge on the panel, codes drawn, the competition in judging."""
    from app.competitions import operations as comps
    from app.judging import operations as jops

    event, organizer = w["event"], w["organizer"]
    for judge in w["judges"]:
        jops.add_panel_member(event, judge, "judge", organizer)
    jops.add_panel_member(event, w["chief"], "chief_judge", organizer)
    assert jops.draw_codes(event, seed, organizer) == len(w["entries"])
    comps.change_status(w["comp"], "judging", organizer)
    uow.commit()
    return w


def all_codes(event_id: int) -> list[str]:
    from app.registration.models import Registration

    return sorted(c for (c,) in db.session.execute(select(Registration.code).where(Registration.event_id == event_id)))


def theory_file(rows, header=("参赛编号", "理论考试")) -> bytes:
    """An .xlsx of imported scores: (code, value) rows under the given header."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def fill_sheets(w: dict, scores_for=lambda code: FULL) -> None:
    """Every judge saves and submits every sheet of theirs (scores_for(code) → the sheet's scores)."""
    from app.judging import operations as jops
    from app.judging.queries import my_sheets as sheets_of

    event = w["event"]
    for judge in w["judges"]:
        for sheet in sheets_of(event, judge):
            jops.save_sheet(sheet, scores_for(sheet.registration.code), sheet.version, judge)
            jops.submit_sheet(sheet, sheet.version, judge)
        uow.commit()


def import_theory(w: dict, value_by_code: dict) -> None:
    from app.judging.score_import import import_scores

    import_scores(w["event"], theory_file(sorted(value_by_code.items())), w["organizer"], "theory.xlsx")
    uow.commit()


def lock(w: dict) -> None:
    from app.judging import operations as jops

    jops.lock_event(w["event"], w["chief"])
    uow.commit()


def score(w: dict, p2_by_code: dict, theory_by_code: dict) -> None:
    """Every sheet scored (P1 2, P2 as given, P3 8) and submitted, theory imported, the event locked."""
    fill_sheets(w, lambda code: {"P1": "2", "P2": p2_by_code[code], "P3": "8"})
    import_theory(w, theory_by_code)
    lock(w)


def scores_by_rank(codes: list[str], tie: bool = False) -> tuple[dict, dict]:
    """P2 and theory values that rank the codes in order (codes[1] and codes[2] equal on
    everything when tie)."""
    p2 = dict(zip(codes, ["20", "18", "16", "14", "12", "10"]))
    theory = dict(zip(codes, [90, 80, 70, 60, 50, 40]))
    if tie:
        p2[codes[2]], theory[codes[2]] = p2[codes[1]], theory[codes[1]]
    return p2, theory


def setup_scores(w: dict, tie: bool = False) -> list[str]:
    """The drawn event scored so that ranks follow the codes (1..6), locked; → the codes."""
    codes = all_codes(w["event"].id)
    score(w, *scores_by_rank(codes, tie))
    return codes


def fill_and_lock(w: dict) -> None:
    """Every sheet FULL, theory 60, 63, 66 … in code order, the event locked."""
    fill_sheets(w)
    import_theory(w, {c: 60 + i * 3 for i, c in enumerate(all_codes(w["event"].id))})
    lock(w)


def publish(w: dict) -> None:
    from app.competitions import operations as comps

    comps.change_status(w["comp"], "publicity", w["organizer"])
    uow.commit()


def finalize(w: dict) -> None:
    """The publicity period over (moved 30 days back), the competition final."""
    from app.competitions import operations as comps
    from app.competitions.models import Competition

    comp = db.session.get(Competition, w["comp"].id)
    comp.status_changed_at -= timedelta(days=30)
    uow.commit()
    comps.change_status(comp, "final", w["organizer"])
    uow.commit()


TIBETAN = "བཀྲ་ཤིས་"


def final(w: dict) -> dict:
    """The judged event, published and final: 6 ranked entries, 4 award winners. The first
    ranked entrant's name is Tibetan and Chinese."""
    from app.registration.models import Registration

    codes = setup_scores(w)
    first = db.session.scalar(select(Registration).where(Registration.code == codes[0]))
    first.person.name = TIBETAN + "扎西"
    uow.commit()
    publish(w)
    finalize(w)
    w["codes"] = codes
    return w


# ---- the HTTP path, shared by the areas' tests -------------------------------------------------

def my_sheets(api, event_id) -> dict:
    """code → sheet, as the judge behind `api` sees them over the API."""
    return {s["code"]: s for s in api.get(f"/events/{event_id}/sheets").get_json()["items"]}


def upload(api, event_id, data):
    """POST an imported-scores file over the API."""
    return api.client.post(f"/api/v1/events/{event_id}/scores/import", headers=api._headers(),
                           data={"file": (io.BytesIO(data), "theory.xlsx")}, content_type="multipart/form-data")


def pdf_text(data: bytes) -> str:
    """The PDF's text without white space (letter-spaced titles come out as 荣 誉 证 书)."""
    import subprocess

    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return "".join(out.stdout.decode().split())


# The same steps over the HTTP API, for the tests whose subject is that path (tests/test_scenarios.py
# runs the whole chain both ways).

def http_draw(w: dict, api_as, seed: str = "fixed") -> dict:
    api = api_as(w["organizer"])
    event_id = w["event"].id
    for judge in w["judges"]:
        assert api.post(f"/events/{event_id}/panel", json={"user_id": judge.id, "role": "judge"}).status_code == 201
    assert api.post(f"/events/{event_id}/panel", json={"user_id": w["chief"].id, "role": "chief_judge"}).status_code == 201
    assert api.post(f"/events/{event_id}/draw", json={"seed": seed}).get_json() == {"drawn": len(w["entries"])}
    assert api.post(f"/competitions/{w['comp'].id}/status", json={"status": "judging"}).status_code == 200
    return w


def http_score(w: dict, api_as, p2_by_code: dict, theory_by_code: dict) -> None:
    event_id = w["event"].id
    for judge in w["judges"]:
        api = api_as(judge)
        for code, sheet in my_sheets(api, event_id).items():
            scores = {"P1": "2", "P2": p2_by_code[code], "P3": "8"}
            assert api.put(f"/events/{event_id}/sheets/{code}", json={"scores": scores, "version": sheet["version"]}).status_code == 200
            assert api.post(f"/events/{event_id}/sheets/{code}/submit").status_code == 200
    assert upload(api_as(w["organizer"]), event_id, theory_file(sorted(theory_by_code.items()))).status_code == 201
    assert api_as(w["chief"]).post(f"/events/{event_id}/lock").status_code == 200


def http_setup_scores(w: dict, api_as, tie: bool = False) -> list[str]:
    codes = all_codes(w["event"].id)
    http_score(w, api_as, *scores_by_rank(codes, tie))
    return codes


def http_publish(w: dict, api_as) -> None:
    r = api_as(w["organizer"]).post(f"/competitions/{w['comp'].id}/status", json={"status": "publicity"})
    assert r.status_code == 200, r.get_json()


def http_finalize(w: dict, api_as) -> None:
    from app.competitions.models import Competition

    comp = db.session.get(Competition, w["comp"].id)
    comp.status_changed_at -= timedelta(days=30)
    db.session.commit()
    r = api_as(w["organizer"]).post(f"/competitions/{w['comp'].id}/status", json={"status": "final"})
    assert r.status_code == 200, r.get_json()
