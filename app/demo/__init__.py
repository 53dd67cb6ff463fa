"""The demo data set: two regional competitions open for registration (accounts and competitions
as data: open.yaml), organizations, users of every role, candidates, past competitions judged to
final, a title selection, and analytics' year of competitions (analytics.py)."""
from __future__ import annotations

import random
from decimal import Decimal
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from sqlalchemy import select

from .. import uow
from ..accounts.models import User
from ..accounts.operations import create_user
from .analytics import load as load_analytics_demo
from ..audit.models import AuditHead
from ..audit.operations import GENESIS
from ..competitions import operations as competitions
from ..domain.idcard import make_resident_id
from ..extensions import db
from ..people.models import Person
from ..people.operations import create_organization

# The documented password of the demo accounts (README); bandit B105 justified.
DEMO_PASSWORD = "Demo-2026-jx"  # nosec B105

ORGS = [
    # name, kind, region
    ("西藏自治区人力资源和社会保障厅", "government", "540000"),
    ("广西壮族自治区人力资源和社会保障厅", "government", "450000"),
    ("拉萨职业技术学院", "college", "540100"),
    ("日喀则市职业技术学校", "college", "540200"),
    ("西藏天路股份有限公司", "enterprise", "540100"),
    ("昌都市唐卡艺术传习所", "training", "540300"),
    ("林芝市藏式雕刻合作社", "enterprise", "540400"),
    ("柳州五菱汽车工业有限公司", "enterprise", "450200"),
    ("南宁职业技术学院", "college", "450100"),
    ("桂林市电子商务产业园", "enterprise", "450300"),
    ("玉林市第一职业中等专业学校", "college", "450900"),
]

TIBETAN_NAMES = ["བསྟན་འཛིན་ནོར་བུ", "ཚེ་རིང་སྒྲོལ་མ", "བཀྲ་ཤིས་དོན་གྲུབ", "པདྨ་ལྷ་མོ", "དབང་ཕྱུག་རྡོ་རྗེ",
                 "སྒྲོལ་དཀར", "ནོར་བུ་ཚེ་རིང", "ལྷ་སྒྲོན"]
XZ_CHINESE_NAMES = ["次仁多吉", "扎西顿珠", "央金拉姆", "格桑卓玛", "旦增平措", "德吉央宗", "索朗次仁",
                    "普布卓嘎", "边巴次仁", "拉巴卓玛", "尼玛扎西", "白玛曲珍"]
# The Tibetan-script names of Tibetan entrants whose ID cards carry the Chinese transliteration.
BO_NAMES = {"次仁多吉": "ཚེ་རིང་རྡོ་རྗེ", "扎西顿珠": "བཀྲ་ཤིས་དོན་གྲུབ", "央金拉姆": "དབྱངས་ཅན་ལྷ་མོ",
            "格桑卓玛": "སྐལ་བཟང་སྒྲོལ་མ", "旦增平措": "བསྟན་འཛིན་ཕུན་ཚོགས", "德吉央宗": "བདེ་སྐྱིད་དབྱངས་འཛོམས",
            "索朗次仁": "བསོད་ནམས་ཚེ་རིང"}
GX_NAMES = ["韦志强", "覃海燕", "黄丽娟", "蒙文杰", "陆晓峰", "梁美玲", "黎建国", "莫春燕", "卢家豪",
            "罗秀英", "谭永明", "农丽华", "李明轩", "周雅婷"]
VETERAN_NAMES = ["洛桑平措", "次旦卓嘎", "ཀུན་དགའ་རྒྱ་མཚོ", "强巴曲杰", "卓玛央宗", "尼玛次仁", "多吉扎西", "巴桑拉姆",
                 "ཡེ་ཤེས་སྒྲོལ་མ", "格桑旺堆", "白玛多吉", "达娃卓玛", "平措旺杰", "益西卓玛", "顿珠次仁", "拉巴次仁",
                 "旦增曲珍", "索朗多吉", "次仁央金", "扎西平措", "米玛卓嘎", "贡觉次仁", "阿旺晋美", "仁增卓玛",
                 "丹增尼玛", "德庆卓嘎", "土登平措", "次珍", "洛桑旦增", "卓嘎"]
XZ_COUNTIES = ["540102", "540103", "540202", "540302", "540402"]
GX_COUNTIES = ["450102", "450103", "450202", "450302", "450902"]


def reset_all() -> None:
    """Wipe the database and build the schema again through the migrations.

    The database itself refuses to delete audit events and final results (append-only trail,
    frozen results: migration 0009), and the demo gets no way around that: it drops the tables
    instead, as `flask db downgrade base` would, and migrates from empty."""
    from flask_migrate import upgrade
    from sqlalchemy import MetaData

    db.session.remove()
    engine = db.engine
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction, where it takes effect
        meta = MetaData()
        meta.reflect(bind=conn)
        meta.drop_all(bind=conn)
        conn.commit()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    engine.dispose()
    upgrade()
    if db.session.get(AuditHead, 1) is None:
        db.session.add(AuditHead(id=1, seq=0, hash=GENESIS))
    db.session.flush()


def _utc(y, m, d, h=9) -> str:
    return datetime(y, m, d, h, tzinfo=timezone(timedelta(hours=8))).isoformat()


def _scheme(practical_criteria: list[dict], theory_weight="0.30") -> dict:
    practical_weight = str(1 - Decimal(theory_weight))
    return {
        "aggregation": "mean", "min_judges": 3,
        "components": [
            {"key": "theory", "name": "理论知识", "weight": theory_weight, "entry": "import",
             "criteria": [{"key": "T1", "name": "理论考试", "max_score": "100", "kind": "measurement", "step": "0.5"}]},
            {"key": "practical", "name": "技能操作", "weight": practical_weight, "criteria": practical_criteria},
        ],
    }


WSI3 = ["未达到行业标准", "达到行业标准", "达到并在某些方面超过行业标准", "全面超过行业标准，表现卓越"]


def load_demo(reset: bool = False):
    """Load the demo set; returns the accounts created, or None if it was loaded already."""
    if reset:
        reset_all()
    elif db.session.scalar(select(User).where(User.username == "admin")):
        return None
    # Demo data, meant to be the same on every machine: not for secrets (bandit B311 justified).
    rng = random.Random(2026)  # nosec B311

    orgs = {}
    for name, kind, region in ORGS:
        orgs[name] = create_organization({"name": name, "kind": kind, "region_code": region})
    db.session.flush()
    xz_hr = orgs[ORGS[0][0]]

    data = _open_data()
    created = []
    for username, roles, name, org_name in data["accounts"]:
        org = orgs[org_name] if org_name else None
        create_user({"username": username, "password": DEMO_PASSWORD, "name": name, "roles": roles,
                     "organization_id": org.id if org else None})
        created.append((username, DEMO_PASSWORD, roles))
    org_xz = db.session.scalar(select(User).where(User.username == "organizer_xz"))
    org_gx = db.session.scalar(select(User).where(User.username == "organizer_gx"))

    # Every competition is labelled with the year it is held in, and its dates, certificates and
    # records fall in that year: this year's (or next year's) open competitions, last year's final.
    today = date.today()
    year = (today + timedelta(days=30)).year
    xz, gx = (_open_competition(spec, orgs) for spec in data["competitions"])

    # People: Tibetan and Chinese names, valid generated resident IDs.
    seq = 0
    xz_orgs = [orgs[n] for n in ("拉萨职业技术学院", "日喀则市职业技术学校", "西藏天路股份有限公司",
                                 "昌都市唐卡艺术传习所", "林芝市藏式雕刻合作社")]
    gx_orgs = [orgs[n] for n in ("柳州五菱汽车工业有限公司", "南宁职业技术学院", "桂林市电子商务产业园",
                                 "玉林市第一职业中等专业学校")]
    people = []
    for names, counties, org_pool, ethnicity in (
        (TIBETAN_NAMES + XZ_CHINESE_NAMES, XZ_COUNTIES, xz_orgs, "04"),
        (GX_NAMES, GX_COUNTIES, gx_orgs, None),
    ):
        for name in names:
            seq += 1
            birth = date(rng.randint(1975, 2005), rng.randint(1, 12), rng.randint(1, 28))
            sequence = rng.randint(0, 499) * 2 + (1 if rng.random() < 0.5 else 0)
            number = make_resident_id(rng.choice(counties), birth, sequence)
            eth = ethnicity or rng.choice(["01", "08", "08", "13"])
            person = Person(name=name, name_bo=BO_NAMES.get(name), id_type="resident_id", id_number=number,
                            gender="male" if sequence % 2 else "female", birth_date=birth, ethnicity=eth,
                            phone=f"13{rng.randint(100000000, 999999999)}",
                            education=rng.choice(["senior_high", "associate", "bachelor"]),
                            skill_grade=rng.choice([None, 4, 3, 3, 2]),
                            is_frontline_worker=rng.random() < 0.6,
                            organization_id=rng.choice(org_pool).id)
            db.session.add(person)
            people.append(person)
    # Young students of Lhasa Vocational and Technical College for the electrician student track.
    lasa_college = orgs["拉萨职业技术学院"]
    for name in ("索朗旺姆", "ཚེ་དབང་རིག་འཛིན", "巴桑次仁", "德央"):
        birth = date(rng.randint(2004, 2007), rng.randint(1, 12), rng.randint(1, 28))
        sequence = rng.randint(0, 999)
        db.session.add(Person(name=name, id_type="resident_id",
                              id_number=make_resident_id("540102", birth, sequence),
                              gender="male" if sequence % 2 else "female", birth_date=birth, ethnicity="04",
                              education="senior_high", organization_id=lasa_college.id))
    db.session.flush()
    students = db.session.scalars(select(Person).where(Person.organization_id == lasa_college.id,
                                                       Person.birth_date >= date(2004, 1, 1))).all()
    candidate = db.session.scalar(select(User).where(User.username == "candidate"))
    people[len(TIBETAN_NAMES)].user_id = candidate.id  # 次仁多吉 owns his record
    _demo_registrations(xz, gx, people, students, org_xz, org_gx, candidate)

    # Two past competitions: one final (results, appeals closed) and one being judged.
    judges = [db.session.scalar(select(User).where(User.username == u)) for u in ("judge1", "judge2", "judge3")]
    chief = db.session.scalar(select(User).where(User.username == "chief"))
    # Judged competitions: four judges, so that after recusal (judge1 and judge2 sit out their own
    # organizations' entries) every entry keeps the 3 judges the schemes require.
    panel = judges + [db.session.scalar(select(User).where(User.username == "judge4"))]
    veterans = []
    for k, name in enumerate(VETERAN_NAMES):
        birth = date(1975 + k % 20, 1 + k % 12, 1 + k % 27)
        person = Person(name=name, id_type="resident_id", id_number=make_resident_id(XZ_COUNTIES[k % 5], birth, 300 + k),
                        gender="male" if (300 + k) % 2 else "female", birth_date=birth, ethnicity="04",
                        skill_grade=rng.choice([3, 2]), is_frontline_worker=True,
                        organization_id=xz_orgs[k % len(xz_orgs)].id)
        db.session.add(person)
        veterans.append(person)
    db.session.flush()
    practical = [
        {"key": "P1", "name": "造型与构图", "max_score": "40", "kind": "judgement", "scale": "wsi3", "descriptors": WSI3},
        {"key": "P2", "name": "工艺精度", "max_score": "40", "kind": "measurement", "step": "0.5"},
        {"key": "P3", "name": "安全文明生产", "max_score": "20", "kind": "judgement", "step": "0.5"},
    ]
    _judged_competition(f"{year - 1}年西藏自治区职业技能大赛", year - 1, "provincial_1", "CN-XZ", xz_hr, org_xz, [
        {"name": "唐卡制作", "occupation": "工艺美术品制作工（唐卡）", "track": "staff", "max_entrants": 12,
         "scheme": _scheme(practical, theory_weight="0.20"), "awards": {"preset": "prizes"},
         "tiebreak": ["component:practical", "criterion:P1"]},
        {"name": "藏式雕刻", "occupation": "木雕工", "track": "staff", "max_entrants": 10,
         "scheme": _scheme(practical), "awards": {"preset": "prizes", "standardized": True},
         "tiebreak": ["component:practical"]},
    ], veterans[:22], panel, chief, rng, stage="final")
    municipal_year = (today - timedelta(days=10)).year
    _judged_competition(f"{municipal_year}年拉萨市职业技能竞赛", municipal_year, "municipal", "CN-XZ", xz_hr, org_xz, [
        {"name": "藏毯编织", "occupation": "地毯制作工", "track": "staff", "max_entrants": 8,
         "scheme": _scheme(practical), "awards": {"preset": "medals"}, "tiebreak": ["component:practical"]},
    ], veterans[22:], panel, chief, rng, stage="judging")
    contact = db.session.scalar(select(User).where(User.username == "contact_lasa"))
    _title_selection(today.year, xz_hr, org_xz, contact, orgs, judges, chief, rng)
    created += load_analytics_demo()  # issue 17: last year's competitions, a lenient judge (app/demo/analytics.py)
    uow.commit()
    return created


def _open_data() -> dict:
    """The accounts and the competitions open for registration (app/demo/open.yaml)."""
    with open(Path(__file__).with_name("open.yaml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _open_competition(spec: dict, orgs: dict):
    """Create one competition of open.yaml with its events and open its registration."""
    organizer = db.session.scalar(select(User).where(User.username == spec["organizer"]))
    now, today, days = datetime.now(timezone.utc), date.today(), spec["days"]
    held = today + timedelta(days=days["held"])
    fields = {k: spec[k] for k in ("level", "kind", "jurisdiction", "publicity_days", "appeal_window_hours",
                                   "allow_multiple_events", "description")}
    comp = competitions.create_competition({
        **fields, "name": spec["name"].format(year=held.year), "year": held.year,
        "host_organization_id": orgs[spec["host"]].id,
        "registration_opens_at": (now + timedelta(days=days["registration_opens"])).isoformat(),
        "registration_closes_at": (now + timedelta(days=days["registration_closes"])).isoformat(),
        "starts_on": held.isoformat(), "ends_on": (today + timedelta(days=days["ends"])).isoformat(),
    }, organizer)
    for event in spec["events"]:
        event = dict(event)
        if "practical" in event:
            practical = [dict(c, descriptors=WSI3) if c.get("scale") == "wsi3" else c for c in event.pop("practical")]
            event["scheme"] = _scheme(practical, **({"theory_weight": event.pop("theory_weight")}
                                                    if "theory_weight" in event else {}))
        if "day" in event:
            day = (today + timedelta(days=event.pop("day"))).timetuple()[:3]
            event["starts_at"], event["ends_at"] = _utc(*day), _utc(*day, 17)
        competitions.create_event(comp, event, organizer)
    competitions.change_status(comp, "registration_open", organizer, reason="按竞赛通知开放报名")
    if spec.get("supervised"):
        _assign_supervisor(comp, organizer)
    return comp


def _assign_supervisor(comp, organizer) -> None:
    """The Tibet HR department's supervisor oversees its competitions."""
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    competitions.assign_supervisor(comp, supervisor, organizer)


def _entry(p: Person) -> dict:
    return {"name": p.name, "id_type": p.id_type, "id_number": p.id_number}


def _demo_registrations(xz, gx, people, students, org_xz, org_gx, candidate) -> None:
    """Registrations in every state: submitted, approved, rejected (with a reason), withdrawn."""
    from ..registration import operations as reg_ops

    def enter(event, person, actor, source="organizer", **extra):
        try:
            with db.session.begin_nested():
                return reg_ops.register(event, {"person": _entry(person),
                                                "organization_id": person.organization_id, **extra}, actor, source)
        except reg_ops.RegistrationRefused:
            return None  # e.g. too old for the student track: the demo skips them like a real check would

    thangka, carving, electric = xz.events
    repair, ecommerce = gx.events
    xz_people = people[:len(TIBETAN_NAMES) + len(XZ_CHINESE_NAMES)]
    gx_people = people[len(xz_people):]
    own = enter(thangka, xz_people[len(TIBETAN_NAMES)], candidate, source="self")
    regs = [own] + [enter(thangka, p, org_xz) for p in xz_people[:10] if p is not xz_people[len(TIBETAN_NAMES)]]
    regs += [enter(carving, p, org_xz) for p in xz_people[10:16]]
    regs += [enter(electric, p, org_xz) for p in students]
    regs += [enter(repair, p, org_gx) for p in gx_people[:8]]
    regs = [r for r in regs if r is not None]
    for i, reg in enumerate(regs):
        actor = org_xz if reg.competition_id == xz.id else org_gx
        if i % 7 == 3:
            reg_ops.review(reg, "reject", "单位推荐表未盖章，请补交后重新报名", actor)
        elif i % 7 == 5:
            reg_ops.withdraw(reg, actor)
        elif i % 7 != 6:
            reg_ops.review(reg, "approve", None, actor)
    # A team of three students for e-commerce, left for the organizer to review.
    college = [p for p in gx_people if p.organization and p.organization.kind == "college"][:3]
    if len(college) == 3:
        with db.session.begin_nested():
            reg_ops.register(ecommerce, {"person": _entry(college[0]), "organization_id": college[0].organization_id,
                                         "team_name": "电商创客队", "members": [_entry(p) for p in college[1:]]},
                             org_gx, "organizer")


def _judged_competition(name: str, year: int, level: str, jurisdiction: str, host, organizer, events_spec,
                        entrants, judges, chief, rng, stage: str):
    """A past competition taken through registration, draw and judging to `stage`
    (judging: sheets half filled; publicity or final: every sheet in, locked, published)."""
    from ..judging import operations as judging
    from ..judging import queries as jq
    from ..judging.queries import all_sheets
    from ..judging.models import ImportedScore
    from ..registration import operations as reg_ops

    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    now = datetime.now(timezone.utc)
    comp = competitions.create_competition({
        "name": name, "year": year, "level": level, "kind": "skills", "jurisdiction": jurisdiction,
        "host_organization_id": host.id, "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=1)).isoformat(), "publicity_days": 5,
        "appeal_window_hours": 2, "allow_multiple_events": False}, organizer)
    events = [competitions.create_event(comp, spec, organizer) for spec in events_spec]
    competitions.change_status(comp, "registration_open", organizer)
    pool = list(entrants)
    for event in events:
        for person in pool[:event.max_entrants or 10]:
            reg = reg_ops.register(event, {"person": _entry(person), "organization_id": person.organization_id},
                                   organizer, "organizer")
            reg_ops.review(reg, "approve", None, organizer)
        pool = pool[event.max_entrants or 10:]
    competitions.change_status(comp, "registration_closed", organizer)
    _assign_supervisor(comp, organizer)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    for event in events:
        for judge in judges:
            # A judge from another province is invited by an administrator (organizers choose
            # from the competition's own jurisdiction).
            judging.add_panel_member(event, judge, "judge", admin)
        judging.add_panel_member(event, chief, "chief_judge", organizer)
        judging.draw_codes(event, f"demo-{event.id}", organizer)
    competitions.change_status(comp, "judging", organizer)
    for event in events:
        crits = jq.judge_criteria(event)
        skill = {r.id: rng.random() for r in jq.approved(event)}
        sheets = all_sheets(event)
        for i, sheet in enumerate(sheets):
            if stage == "judging" and i % 2:
                continue
            values = {}
            for crit in crits:
                s = min(max(skill[sheet.registration_id] + rng.uniform(-0.12, 0.12), 0), 1)
                if crit.get("scale") == "wsi3":
                    values[crit["key"]] = str(round(s * 3))
                else:
                    step = Decimal(crit.get("step") or "0.01")
                    raw = Decimal(str(s)) * Decimal(crit["max_score"])
                    values[crit["key"]] = str((raw / step).quantize(Decimal(1)) * step)
            judge = next(j for j in judges if j.id == sheet.judge_id)
            judging.save_sheet(sheet, values, sheet.version, judge)
            db.session.flush()
            judging.submit_sheet(sheet, sheet.version, judge)
        for crit in jq.imported_criteria(event):
            for reg in jq.approved(event):
                value = Decimal(str(40 + skill[reg.id] * 58)).quantize(Decimal("0.5"))
                db.session.add(ImportedScore(event_id=event.id, registration_id=reg.id,
                                             criterion_key=crit["key"], value=value))
        db.session.flush()
        if stage != "judging":
            judging.lock_event(event, chief)
            # Two-person decryption: the chief judge asks, the supervisor confirms.
            judging.decrypt(event, chief, "chief_judge")
            judging.decrypt(event, supervisor, "supervisor")
    # Dates as they were, all in the year the competition is labelled with: registration closed
    # a week before it was held; a final one was published three days after and final once its
    # publicity was over.
    held = date(year, 9, 20) if stage == "final" else (now - timedelta(days=10)).date()
    if held.year != year:
        held = now.date()
    timeline = _timeline(held, comp.publicity_days)
    if stage in ("publicity", "final"):
        competitions.change_status(comp, "publicity", organizer, reason="成绩公示")
    if stage == "final":
        from sqlalchemy import update

        from ..results.models import Result
        # Published three days after the competition (before final freezes the results).
        db.session.execute(update(Result).where(Result.competition_id == comp.id).values(computed_at=timeline["publicity"]))
        comp.status_changed_at -= timedelta(days=comp.publicity_days + 1)
        competitions.change_status(comp, "final", organizer, reason="公示期满，无待决申诉")
    comp.registration_opens_at = timeline["registration_opens"]
    comp.registration_closes_at = timeline["registration_closes"]
    comp.starts_on = comp.ends_on = held
    if stage == "final":
        _backdate(comp, events, timeline)
    return comp


def _timeline(held: date, publicity_days: int) -> dict:
    """Naive-UTC moments (as stored) of a competition held on `held` (Beijing time)."""
    def at(day: date, hour: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, tzinfo=timezone(timedelta(hours=8))) \
            .astimezone(timezone.utc).replace(tzinfo=None)
    publicity = held + timedelta(days=3)
    return {"registration_opens": at(held - timedelta(days=37), 9), "registration_closes": at(held - timedelta(days=7), 18),
            "reviewed": at(held - timedelta(days=6), 10), "judged": at(held, 16), "locked": at(held, 20),
            "publicity": at(publicity, 9), "final": at(publicity + timedelta(days=publicity_days + 1), 9)}


def _backdate(comp, events, t: dict) -> None:
    """A final demo competition's records dated when they would have happened (the audit trail
    keeps the moment the demo was loaded: it is append-only and tells the truth)."""
    from sqlalchemy import update

    from ..certificates.models import Certificate
    from ..judging.models import ImportedScore, Sheet
    from ..registration.models import Registration
    from ..selection.models import Entitlement

    event_ids = [e.id for e in events]
    db.session.flush()
    db.session.execute(update(Registration).where(Registration.competition_id == comp.id).values(
        submitted_at=t["registration_opens"] + timedelta(days=3), reviewed_at=t["reviewed"]))
    db.session.execute(update(Sheet).where(Sheet.event_id.in_(event_ids)).values(
        submitted_at=t["judged"], updated_at=t["judged"]))
    db.session.execute(update(ImportedScore).where(ImportedScore.event_id.in_(event_ids)).values(imported_at=t["judged"]))
    for event in events:
        event.locked_at = t["locked"]
        if event.decrypted_at is not None:
            event.decrypted_at = t["locked"]
    db.session.execute(update(Certificate).where(Certificate.competition_id == comp.id).values(issued_at=t["final"]))
    from ..certificates import signing
    for cert in db.session.scalars(select(Certificate).where(Certificate.competition_id == comp.id,
                                                             Certificate.qr_payload.is_not(None))):
        db.session.refresh(cert)
        signing.sign_qr(cert)   # the signed date is the (backdated) date of issue
    db.session.execute(update(Entitlement).where(Entitlement.competition_id == comp.id).values(
        granted_at=t["final"], status_changed_at=t["final"]))
    comp.status_changed_at = t["final"]


TITLE_NOMINEES = [
    # name, organization, nominated by the contact (True) or the organizer, dossier
    ("洛桑尼玛", "拉萨职业技术学院", True, {
        "achievements": "从事唐卡绘制与教学二十六年，主持完成布达拉宫唐卡修复项目三项。",
        "innovations": "整理矿物颜料传统研磨工艺并编成校本教材。",
        "honours": "2023年西藏自治区技术能手。", "apprentices": "带徒三十一人，其中九人取得技师职业技能等级。"}),
    ("次仁旺姆", "昌都市唐卡艺术传习所", False, {
        "achievements": "噶玛嘎孜画派传承人，作品入藏国家博物馆。", "innovations": "",
        "honours": "全国工艺美术展金奖。", "apprentices": "在传习所带徒十八人。"}),
    ("扎西平措", "林芝市藏式雕刻合作社", False, {
        "achievements": "带领合作社四十余户农牧民以木雕增收。", "innovations": "设计雕刻辅助夹具，成品率提高三成。",
        "honours": "", "apprentices": "带徒十二人。"}),
    ("格桑曲珍", "西藏天路股份有限公司", False, {
        "achievements": "高原公路养护一线工作二十年，攻克冻土路基病害处治难题。", "innovations": "获实用新型专利两项。",
        "honours": "自治区五一劳动奖章。", "apprentices": "带徒八人。"}),
]


def _title_selection(year, host, organizer, contact, orgs, judges, chief, rng):
    """A 西藏工匠 title selection in judging: organizations' nominations with dossiers, read and
    scored by the panel (judge1 of 西藏天路 is recused from 天路's nominee), half the sheets in."""
    from ..judging import operations as judging
    from ..judging import queries as jq
    from ..judging.queries import all_sheets
    from ..nominations import operations as nominations
    from ..registration import operations as reg_ops

    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    now = datetime.now(timezone.utc)
    comp = competitions.create_competition({
        "name": f"{year}年西藏工匠评选", "year": year, "level": "provincial_1", "kind": "title_selection",
        "jurisdiction": "CN-XZ", "host_organization_id": host.id, "award_title": "西藏工匠",
        "registration_opens_at": (now - timedelta(days=1)).isoformat(),
        "registration_closes_at": (now + timedelta(days=1)).isoformat(), "publicity_days": 7,
        "appeal_window_hours": 48}, organizer)
    event = competitions.create_event(comp, {
        "name": "西藏工匠·传统技艺类", "occupation": "传统技艺", "track": "staff",
        "scheme": {"aggregation": "mean", "min_judges": 2, "components": [
            {"key": "dossier", "name": "事迹材料评审", "weight": "1", "criteria": [
                {"key": "D1", "name": "事迹", "max_score": "40", "kind": "judgement"},
                {"key": "D2", "name": "创新", "max_score": "30", "kind": "judgement"},
                {"key": "D3", "name": "传承", "max_score": "30", "kind": "judgement"}]}]},
        "awards": {"preset": "prizes", "shares": ["0.5", "0", "0"], "min_total": "60"},
        "tiebreak": ["criterion:D1"]}, organizer)
    competitions.change_status(comp, "registration_open", organizer)
    for k, (name, org_name, by_contact, dossier) in enumerate(TITLE_NOMINEES):
        birth = date(1970 + 3 * k, 2 + k, 10 + k)
        person = {"name": name, "id_type": "resident_id", "id_number": make_resident_id(XZ_COUNTIES[k], birth, 700 + k),
                  "ethnicity": "04"}
        actor = contact if by_contact else organizer
        reg = nominations.nominate(event, {"person": person, "organization_id": orgs[org_name].id,
                                           "dossier": {k2: v for k2, v in dossier.items() if v}}, actor)
        reg_ops.review(reg, "approve", None, organizer)
    competitions.change_status(comp, "registration_closed", organizer)
    _assign_supervisor(comp, organizer)
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    for judge in judges:
        judging.add_panel_member(event, judge, "judge", admin)
    judging.add_panel_member(event, chief, "chief_judge", organizer)
    judging.draw_codes(event, f"demo-title-{event.id}", organizer)
    competitions.change_status(comp, "judging", organizer)
    for i, sheet in enumerate(all_sheets(event)):
        if i % 2:
            continue
        judge = next(j for j in judges if j.id == sheet.judge_id)
        values = {c["key"]: str(int(Decimal(c["max_score"]) * Decimal(rng.randint(60, 95)) / 100))
                  for c in jq.judge_criteria(event)}
        judging.save_sheet(sheet, values, sheet.version, judge)
        db.session.flush()
        judging.submit_sheet(sheet, sheet.version, judge)
    past = now - timedelta(days=5)
    comp.registration_opens_at = (past - timedelta(days=30)).replace(tzinfo=None)
    comp.registration_closes_at = past.replace(tzinfo=None)
    return comp
