"""Analytics fixtures: a Tibet HR department's year with judged competitions (one judge adds
2 marks to every score), a Guangxi competition of another tenant, and an event still in judging."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.demo.analytics import judged_competition
from app.domain.idcard import make_resident_id
from app.extensions import db
from app.people.models import Person

SCHEME = {"aggregation": "mean", "min_judges": 3, "components": [
    {"key": "practical", "name": "实操", "weight": "1", "criteria": [
        {"key": "P1", "name": "工艺", "max_score": "20", "kind": "judgement", "step": "0.5"},
        {"key": "P2", "name": "规范", "max_score": "20", "kind": "judgement", "step": "0.5"},
        {"key": "P3", "name": "尺寸", "max_score": "10", "kind": "measurement", "step": "0.5"}]}]}
LENIENT_BONUS = 2


def event_spec(name: str, track: str = "staff") -> dict:
    return {"name": name, "occupation": name, "track": track, "team_size": 1, "scheme": SCHEME,
            "awards": {"preset": "prizes"}, "tiebreak": []}


_seq = itertools.count(1)


def people(n: int, orgs: list, start_year: int = 1980) -> list[Person]:
    out = []
    for k in range(n):
        i = next(_seq)
        birth = date(start_year + (k * 3) % 30, 1 + k % 12, 1 + k % 27)
        org = orgs[k % len(orgs)]
        p = Person(name="选手" + "".join("零一二三四五六七八九"[int(d)] for d in str(i)), id_type="resident_id", id_number=make_resident_id(org.region_code, birth, (i * 2 + k % 2) % 1000),
                   gender="male" if k % 2 else "female", birth_date=birth, ethnicity="04" if k % 3 else "01",
                   organization_id=org.id)
        db.session.add(p)
        out.append(p)
    db.session.flush()
    return out


def score_fn(lenient_id: int | None):
    """Every judge gives an entry the same value (its person's position), the lenient one 2 more."""
    def score(judge, registration, criterion):
        base = 4 + (registration.person_id * 7) % 12  # 4 … 15, whole marks
        base = min(base, int(criterion["max_score"]) - LENIENT_BONUS)
        return str(base + (LENIENT_BONUS if judge.id == lenient_id else 0))
    return score


@pytest.fixture
def aworld(request):
    """The analytics year (a scenario snapshot: tests/snapshots.py); see _build_aworld."""
    from tests import snapshots
    return snapshots.scenario("aworld", lambda: _build_aworld(request.getfixturevalue("make_user"),
                                                              request.getfixturevalue("make_org")))


def _build_aworld(make_user, make_org):
    """Tenant A (Tibet): the HR department's organizer, admin, chief judge, supervisor, four judges
    from four prefectures (judge 4 lenient), two final competitions held in 2025 (Q2 provincial, Q4
    municipal) and one in judging (2025 Q3); tenant B (Guangxi): one final competition of its own."""
    hr = make_org("西藏自治区人力资源和社会保障厅", kind="government", region_code="540000")
    lhasa_hr = make_org("拉萨市人力资源和社会保障局", kind="government", region_code="540100")
    company = make_org("西藏天路股份有限公司", kind="enterprise", region_code="540100")
    college = make_org("日喀则市职业技术学校", kind="college", region_code="540200")
    shannan = make_org("山南市建筑公司", kind="enterprise", region_code="540500")
    jorgs = [make_org(f"裁判单位{i}", kind="college", region_code=rc)
             for i, rc in enumerate(("540100", "540200", "540300", "540400"))]
    admin = make_user("admin", username="a_admin")
    organizer = make_user("organizer", organization=hr, username="a_organizer")
    lhasa_organizer = make_user("organizer", organization=lhasa_hr, username="a_lhasa")
    college_organizer = make_user("organizer", organization=college, username="a_college")
    chief = make_user("chief_judge", organization=jorgs[0], username="a_chief", name="达瓦")
    supervisor = make_user("supervisor", organization=hr, username="a_supervisor")
    judges = [make_user("judge", organization=o, username=f"a_judge{i + 1}", name=n)
              for i, (o, n) in enumerate(zip(jorgs, ("平措", "罗布", "白玛", "扎西")))]
    lenient = judges[3]
    entrants = people(24, [company, college, shannan])
    common = dict(jurisdiction="CN-XZ", host=hr, organizer=organizer, admin=admin, judges=judges, chief=chief,
                  supervisor=supervisor, score=score_fn(lenient.id))
    q2 = judged_competition(name="2025年西藏自治区职业技能大赛", year=2025, level="provincial_1", kind="skills",
                            events=[event_spec("焊工"), event_spec("数控车", "student")],
                            entrants=[entrants[:12], [p for p in entrants[12:] if p.organization_id == college.id]],
                            held=date(2025, 5, 20), **common)
    q4 = judged_competition(name="=2025年拉萨市岗位练兵", year=2025, level="municipal", kind="workplace",
                            events=[event_spec("电工")], entrants=[entrants[12:22]], held=date(2025, 11, 3), **common)
    open_comp = judged_competition(name="2025年西藏传统技艺大赛", year=2025, level="provincial_1", kind="traditional",
                                   events=[event_spec("藏香")], entrants=[entrants[:10]], held=date(2025, 8, 8),
                                   stage="judging", award_title="技术能手", **common)
    # Tenant B: Guangxi.
    gx_hr = make_org("广西壮族自治区人力资源和社会保障厅", kind="government", region_code="450000")
    gx_company = make_org("柳州五菱汽车工业有限公司", kind="enterprise", region_code="450200")
    gx_judge_orgs = [make_org(f"广西裁判单位{i}", kind="college", region_code="450100") for i in range(3)]
    gx_organizer = make_user("organizer", organization=gx_hr, username="b_organizer")
    gx_judges = [make_user("judge", organization=o, username=f"b_judge{i}") for i, o in enumerate(gx_judge_orgs)]
    gx_chief = make_user("chief_judge", organization=gx_judge_orgs[0], username="b_chief")
    gx = judged_competition(name="2025年广西职业技能大赛", year=2025, level="provincial_1", kind="skills",
                            jurisdiction="CN-GX", host=gx_hr, organizer=gx_organizer, admin=admin,
                            events=[event_spec("汽车维修")], entrants=[people(8, [gx_company])], judges=gx_judges,
                            chief=gx_chief, supervisor=None, score=score_fn(None), held=date(2025, 6, 1))
    db.session.commit()
    return {"admin": admin, "organizer": organizer, "lhasa_organizer": lhasa_organizer,
            "college_organizer": college_organizer, "chief": chief, "supervisor": supervisor, "judges": judges,
            "lenient": lenient, "q2": q2, "q4": q4, "open": open_comp, "gx": gx, "gx_organizer": gx_organizer,
            "gx_judges": gx_judges, "hr": hr, "college": college}
