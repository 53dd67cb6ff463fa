"""Demo data for analytics: a year of competitions (last year, every quarter, several levels and
kinds, taken to final with results, awards, entitlements and certificates) judged by a panel with
one lenient judge (扎西, +8% of the maximum on everything) and one who favours entries of their
own prefecture (罗布, 日喀则), so the statistics, the judge pool and the event pages show
something on `make run`.

`load()` is called by one line from app/demo/__init__.py's loader; it finds the demo's organizations and
accounts by name. `judged_competition()` is also used by the tests to build known panels.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select, update

from ..accounts.models import User
from ..accounts.operations import create_user
from ..competitions import operations as competitions
from ..domain.idcard import make_resident_id
from ..extensions import db
from ..people.models import Organization, Person
from ..people.operations import create_organization

ScoreFn = Callable[[User, object, dict], str]


def _entry(p: Person) -> dict:
    return {"name": p.name, "id_type": p.id_type, "id_number": p.id_number}


def judged_competition(*, name: str, year: int, level: str, kind: str, jurisdiction: str, host: Organization,
                       organizer: User, admin: User, events: list[dict], entrants: list[list[Person]],
                       judges: list[User], chief: User, supervisor: User | None, score: ScoreFn, held: date,
                       stage: str = "final", award_title: str | None = None) -> object:
    """A competition taken through registration, draw, judging (every sheet scored by `score`),
    lock and decryption to `stage` (judging, publicity or final), held on `held`."""
    from ..certificates.models import Certificate
    from ..judging import operations as judging
    from ..judging import queries as jq
    from ..registration import operations as reg_ops
    from ..results.models import Result
    from ..selection.models import Entitlement

    now = datetime.now(timezone.utc)
    data = {"name": name, "year": year, "level": level, "kind": kind, "jurisdiction": jurisdiction,
            "host_organization_id": host.id, "registration_opens_at": (now - timedelta(days=1)).isoformat(),
            "registration_closes_at": (now + timedelta(days=1)).isoformat(), "publicity_days": 0,
            "appeal_window_hours": 0, "allow_multiple_events": False}
    if award_title:
        data["award_title"] = award_title
    comp = competitions.create_competition(data, organizer)
    made = [competitions.create_event(comp, spec, organizer) for spec in events]
    competitions.change_status(comp, "registration_open", organizer)
    for event, people in zip(made, entrants):
        for person in people:
            reg = reg_ops.register(event, {"person": _entry(person), "organization_id": person.organization_id},
                                   organizer, "organizer")
            reg_ops.review(reg, "approve", None, organizer)
    competitions.change_status(comp, "registration_closed", organizer)
    if supervisor is not None:
        competitions.assign_supervisor(comp, supervisor, organizer)
    for event in made:
        for judge in judges:
            judging.add_panel_member(event, judge, "judge", admin)
        judging.add_panel_member(event, chief, "chief_judge", admin)
        judging.draw_codes(event, f"analytics-{event.id}", organizer)
    competitions.change_status(comp, "judging", organizer)
    by_id = {j.id: j for j in judges}
    for event in made:
        crits = jq.judge_criteria(event)
        for sheet in jq.all_sheets(event):
            judge = by_id[sheet.judge_id]
            values = {c["key"]: score(judge, sheet.registration, c) for c in crits}
            judging.save_sheet(sheet, values, sheet.version, judge)
            db.session.flush()
            judging.submit_sheet(sheet, sheet.version, judge)
        db.session.flush()
        if stage != "judging":
            judging.lock_event(event, chief)
            judging.decrypt(event, chief, "chief_judge")
            judging.decrypt(event, supervisor or admin, "supervisor")
    at = datetime(held.year, held.month, held.day, 1)  # 09:00 Beijing time, stored as naive UTC
    if stage in ("publicity", "final"):
        competitions.change_status(comp, "publicity", organizer, reason="成绩公示")
        # Published three days after the competition (before final freezes the results).
        db.session.execute(update(Result).where(Result.competition_id == comp.id).values(
            computed_at=at + timedelta(days=3)))
    if stage == "final":
        competitions.change_status(comp, "final", organizer, reason="公示期满，无待决申诉")
        # What final issued is dated when it would have happened (the audit trail keeps the day
        # the demo was loaded: it is append-only and tells the truth).
        db.session.flush()
        db.session.execute(update(Certificate).where(Certificate.competition_id == comp.id).values(
            issued_at=at + timedelta(days=4)))
        db.session.execute(update(Entitlement).where(Entitlement.competition_id == comp.id).values(
            granted_at=at + timedelta(days=4), status_changed_at=at + timedelta(days=4)))
    comp.registration_opens_at = at - timedelta(days=37)
    comp.registration_closes_at = at - timedelta(days=7)
    comp.starts_on = comp.ends_on = held
    comp.status_changed_at = at + timedelta(days=4)
    if stage == "final":
        comp.finalized_at = at + timedelta(days=4)
    for event in made:
        if event.locked_at is not None:
            event.locked_at = event.decrypted_at = at + timedelta(hours=11)
    db.session.flush()
    return comp


def scaled(fraction: float, criterion: dict) -> str:
    """A value at `fraction` (0–1) of the criterion's range, on its scale and step."""
    fraction = min(max(fraction, 0.0), 1.0)
    if criterion.get("scale") == "wsi3":
        return str(int(round(fraction * 3)))
    step = Decimal(criterion.get("step") or "0.5")
    raw = Decimal(str(fraction)) * Decimal(criterion["max_score"])
    return str((raw / step).quantize(Decimal(1)) * step)


# ---- the demo's year of competitions -----------------------------------------------------------

WSI3 = ["未达到行业标准", "达到行业标准", "达到并在某些方面超过行业标准", "全面超过行业标准，表现卓越"]
CRITERIA = [
    {"key": "P1", "name": "工艺质量", "max_score": "40", "kind": "judgement", "step": "0.5"},
    {"key": "P2", "name": "操作规范", "max_score": "30", "kind": "judgement", "step": "0.5"},
    {"key": "P3", "name": "作品完整度", "max_score": "30", "kind": "judgement", "scale": "wsi3", "descriptors": WSI3},
]
YEAR_PLAN = [
    # name, level, kind, (month, day), events: (name, occupation, track, entrants), award title
    ("拉萨市岗位练兵技术比武", "municipal", "workplace", (3, 18), [("电工", "电工", "staff", 12)], None),
    ("西藏自治区第二届职业技能大赛", "provincial_1", "skills", (5, 22),
     [("焊工", "焊工", "staff", 14), ("汽车维修", "汽车维修工", "staff", 12)], None),
    ("西藏自治区职业院校技能大赛", "provincial_2", "college_skills", (7, 9), [("数控车", "车工", "student", 14)], None),
    ("西藏传统技艺大赛", "provincial_1", "traditional", (8, 26), [("藏香制作", "藏香制作工", "staff", 12)], "技术能手"),
    ("西藏天路职工技能竞赛", "enterprise", "workplace", (10, 15), [("筑路机械操作", "筑路机械操作工", "staff", 12)], None),
    ("西藏工艺美术大赛", "provincial_2", "arts_crafts", (11, 20), [("藏式木雕", "木雕工", "teacher", 10)], "西藏工艺美术大师"),
]
NAMES = ["次仁", "扎西", "卓玛", "格桑", "旦增", "央金", "索朗", "普布", "边巴", "拉巴", "尼玛", "白玛", "达瓦", "德吉",
         "平措", "多吉", "米玛", "曲珍", "顿珠", "益西", "王建", "李娜", "张强", "刘洋", "陈静", "杨帆"]
COUNTIES = ["540102", "540103", "540202", "540302", "540402", "540502"]


def _people(rng: random.Random, orgs: list[Organization], n: int, year: int) -> list[Person]:
    out = []
    for k in range(n):
        birth = date(rng.randint(1968, year - 17), rng.randint(1, 12), rng.randint(1, 28))
        seq = 800 + k
        han = k % 5 == 4
        person = Person(name=NAMES[k % len(NAMES)] + NAMES[(k * 7 + 3) % len(NAMES)], id_type="resident_id",
                        id_number=make_resident_id(COUNTIES[k % len(COUNTIES)], birth, seq),
                        gender="male" if seq % 2 else "female", birth_date=birth, ethnicity="01" if han else "04",
                        education=rng.choice(["senior_high", "associate", "bachelor"]),
                        skill_grade=rng.choice([None, 4, 3, 3, 2]), is_frontline_worker=rng.random() < 0.6,
                        organization_id=orgs[k % len(orgs)].id)
        db.session.add(person)
        out.append(person)
    db.session.flush()
    return out


def load(rng: random.Random | None = None) -> list[tuple[str, str, list[str]]]:
    """Last year's competitions in Tibet for the analytics pages (see the module docstring);
    returns the demo accounts it added, as the loader lists them."""
    # Demo data, the same on every machine: not for secrets (bandit B311 justified).
    rng = rng or random.Random(17)  # nosec B311
    one = db.session.scalar
    admin = one(select(User).where(User.username == "admin"))
    organizer = one(select(User).where(User.username == "organizer_xz"))
    chief = one(select(User).where(User.username == "chief"))
    supervisor = one(select(User).where(User.username == "supervisor"))
    if None in (admin, organizer, chief, supervisor) or organizer.organization is None:
        return []  # not the demo's accounts: nothing to add to
    host = organizer.organization
    orgs = {o.name: o for o in db.session.scalars(select(Organization))}
    judge1 = one(select(User).where(User.username == "judge1"))
    judge2 = one(select(User).where(User.username == "judge2"))
    shannan = orgs.get("山南市职业技术学校") or create_organization(
        {"name": "山南市职业技术学校", "kind": "college", "region_code": "540500"})
    chamdo = orgs.get("昌都市唐卡艺术传习所") or create_organization(
        {"name": "昌都市唐卡艺术传习所", "kind": "training", "region_code": "540300"})
    lenient = create_user({"username": "judge5", "password": _password(), "name": "扎西",
                           "roles": ["judge"], "organization_id": chamdo.id})
    judge6 = create_user({"username": "judge6", "password": _password(), "name": "白玛",
                          "roles": ["judge"], "organization_id": shannan.id})
    panel = [j for j in (judge1, judge2, lenient, judge6) if j is not None]
    shigatse = orgs.get("日喀则市桑珠孜区建筑工程公司") or create_organization(
        {"name": "日喀则市桑珠孜区建筑工程公司", "kind": "enterprise", "region_code": "540202"})
    entrant_orgs = [o for o in orgs.values() if o.region_code.startswith("54") and o.kind != "government"]
    entrant_orgs += [shigatse, shigatse, shigatse]  # many entrants from 日喀则, where judge2 comes from
    year = date.today().year - 1
    people = _people(rng, entrant_orgs, 90, year)
    skill = {p.id: rng.uniform(0.35, 0.95) for p in people}
    regions = {o.id: o.region_code for o in [*orgs.values(), shigatse]}
    kinds = {o.id: o.kind for o in [*orgs.values(), shigatse, shannan, chamdo]}
    rng.shuffle(people)

    def score(judge: User, registration, criterion: dict) -> str:
        base = skill.get(registration.person_id, 0.6) + rng.gauss(0, 0.05)
        if judge.username == "judge5":
            base += 0.08  # lenient on everything
        elif judge.username == "judge2" and regions.get(registration.organization_id, "")[:4] == "5402":
            base += 0.10  # generous to entries from 日喀则, the judge's own prefecture
        return scaled(base, criterion)

    pool = list(people)
    for name, level, kind, (month, day), events, title in YEAR_PLAN:
        specs, entrants = [], []
        for ev_name, occupation, track, n in events:
            specs.append({"name": ev_name, "occupation": occupation, "track": track, "team_size": 1,
                          "scheme": {"aggregation": "mean", "min_judges": 3, "components": [
                              {"key": "practical", "name": "技能操作", "weight": "1", "criteria": CRITERIA}]},
                          "awards": {"preset": "prizes"}, "tiebreak": ["criterion:P1"]})
            schooled = track in ("student", "teacher")  # entered through a college or training institution
            fits = [p for p in people if not schooled or kinds[p.organization_id] in ("college", "training")]
            chosen = [p for p in pool if p in fits][:n]
            if len(chosen) < n:
                pool = list(people)
                rng.shuffle(pool)
                chosen = [p for p in pool if p in fits][:n]
            entrants.append(chosen)
            pool = [p for p in pool if p not in chosen]
        judged_competition(name=f"{year}年{name}", year=year, level=level, kind=kind, jurisdiction="CN-XZ",
                           host=host, organizer=organizer, admin=admin, events=specs, entrants=entrants,
                           judges=panel, chief=chief, supervisor=supervisor, score=score, held=date(year, month, day),
                           award_title=title)
    # Entitlements in every state, as a year of use leaves them (through the audited status moves).
    from ..selection.models import Entitlement
    from ..selection.operations import update_status
    steps = {"confirmed": ["confirmed"], "used": ["confirmed", "used"], "expired": ["expired"]}
    ents = db.session.scalars(select(Entitlement).where(Entitlement.year == year).order_by(Entitlement.id)).all()
    for i, ent in enumerate(ents):
        for status in steps.get(("eligible", "confirmed", "confirmed", "used", "expired")[i % 5], []):
            update_status(ent, status, f"{year}年度人才工作台账核对", organizer)
    db.session.flush()
    return [(u.username, _password(), ["judge"]) for u in (lenient, judge6)]


def _password() -> str:
    from . import DEMO_PASSWORD
    return DEMO_PASSWORD
