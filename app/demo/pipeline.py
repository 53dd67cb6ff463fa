"""Demo data for issue 21 (the talent pipeline), added after the analytics demo by one line of
app/demo.py's loader: the candidate 次仁多吉's electronic record with grades in two occupations
(one with its history), a title that opens a 技能大师工作室, a training record and a 破格 application
waiting for another organizer; a sponsor of last year's regional competition with an acknowledgement
on its bulletins; a delegation for the national competition selected from that competition's
results, with a coach, two camp sessions and their marks (ready to nominate); an invitation of that
competition's top two into an open event of the Guangxi organizer, waiting for its answer."""
from __future__ import annotations

from sqlalchemy import select

from ..accounts.models import User
from ..competitions.models import Competition, Event
from ..extensions import db
from ..people.models import Person


def load() -> int:
    """Adds the demo rows; returns how many parts were added (0 when the demo's accounts are missing)."""
    one = db.session.scalar
    organizer = one(select(User).where(User.username == "organizer_xz"))
    cand_user = one(select(User).where(User.username == "candidate"))
    if organizer is None or organizer.organization_id is None or cand_user is None:
        return 0
    person = one(select(Person).where(Person.user_id == cand_user.id))
    parts = 0
    from ..records import operations as records
    if person is not None:
        for occ, grade, day, cert in (("电工", "4", "2019-07-15", "S000054000119"), ("电工", "3", "2022-06-30", "S000054000622"),
                                      ("唐卡制作", "4", "2023-11-20", "Y000054001123")):
            records.add_grade(person, {"occupation": occ, "grade": grade, "awarded_on": day, "certificate_number": cert},
                              organizer)
        records.add_title(person, {"title": "西藏技术能手", "conferred_by": "西藏自治区人力资源和社会保障厅",
                                   "conferred_on": "2024-12-20", "certificate_number": "XZJSNS-2024-031"}, organizer)
        records.add_training(person, {"program": "唐卡绘制技艺提升研修班", "provider": "西藏大学艺术学院", "kind": "high_skill",
                                      "occupation": "唐卡制作", "started_on": "2024-03-04", "ended_on": "2024-04-26",
                                      "hours": "160", "certificate_number": "PX2024-0457"}, organizer)
        records.apply_exception(person, {"occupation": "电工", "kind": "exceptional", "grade_to": "2",
                                         "reason": "在电力检修一线工作十年，主持完成变电站检修工艺改进三项，获自治区级一类职业技能大赛二等奖。"},
                                organizer)
        parts += 1
    comp = one(select(Competition).where(Competition.host_organization_id == organizer.organization_id,
                                         Competition.status == "final", Competition.level == "provincial_1")
               .order_by(Competition.year.desc(), Competition.id))
    if comp is None:
        return parts
    from ..sponsors import operations as sponsors
    sponsors.add(comp, {"sponsor_name": "西藏高争建材集团有限公司", "kind": "money", "amount": "200000",
                        "purpose": "决赛场地、耗材与获奖选手奖金", "received_on": f"{comp.year}-05-10",
                        "acknowledgement": "感谢西藏高争建材集团有限公司对本届大赛的大力支持", "print_on_bulletin": True},
                 None, organizer)
    sponsors.add(comp, {"sponsor_name": "拉萨电力设备有限公司", "kind": "goods", "amount": "36000",
                        "description": "低压配电实训台四套", "purpose": "电工赛项比赛设备"}, None, organizer)
    parts += 1
    event = one(select(Event).where(Event.competition_id == comp.id).order_by(Event.id))
    if event is None:
        return parts
    from ..delegations import operations as delegations
    d = delegations.create({"name": f"西藏代表团·{event.occupation or event.name}", "target_competition": "中华人民共和国第三届职业技能大赛",
                            "target_level": "national_1", "year": str(comp.year + 1), "occupation": event.occupation or event.name,
                            "members_quota": "2"}, organizer)
    db.session.flush()
    delegations.select_squad(d, {"events": [{"event_id": event.id, "top_n": 3}]}, organizer)
    if person is not None and all(m.person_id != person.id for m in d.members):
        delegations.add_member(d, {"person_id": person.id, "role": "coach",
                                   "reason": "西藏技术能手，电工高级工，承担集训实操指导"}, organizer)
    training = delegations.add_session(d, {"title": "集训第一周：规范与安全", "kind": "training",
                                           "held_on": f"{comp.year}-10-12"}, organizer)
    test = delegations.add_session(d, {"title": "第一次内部考核", "kind": "assessment", "held_on": f"{comp.year}-10-19",
                                       "max_score": "100"}, organizer)
    squad = delegations.athletes(d)
    delegations.save_marks(training, {"marks": [{"person_id": m.person_id, "present": i != 1}
                                                for i, m in enumerate(squad)]}, organizer)
    delegations.save_marks(test, {"marks": [{"person_id": m.person_id, "present": True, "score": s}
                                            for m, s in zip(squad, ("78.5", "91", "84"))]}, organizer)
    parts += 1
    return parts + _invitation(organizer, event) + _project_contest(organizer)


def _invitation(organizer, source: Event) -> int:
    """Advancement into another organizer's event (issue 21): the Tibet organizer invites the top
    two of its final regional event into an open event of the Guangxi organizer, who sees it
    waiting under 邀请 (accept or decline)."""
    from ..domain.errors import DomainError
    from ..selection import invitations
    other = db.session.scalar(select(User).where(User.username == "organizer_gx"))
    if other is None or other.organization_id is None:
        return 0
    target = db.session.scalar(select(Event).join(Competition, Competition.id == Event.competition_id).where(
        Competition.host_organization_id == other.organization_id, Competition.status == "registration_open",
        Event.team_size == source.team_size).order_by(Event.id))
    if target is None:
        return 0
    try:
        with db.session.begin_nested():
            invitations.invite(source, {"target_event_id": target.id, "mode": "top_n", "n": 2,
                                        "message": "我区选拔赛前两名，请贵单位接收参加本届比赛。"}, organizer)
    except DomainError:
        return 0
    return 1


PLAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _project_contest(organizer) -> int:
    """An entrepreneurship contest open for entries, two projects (one with its business plan) and a sponsor."""
    from datetime import date, datetime, timedelta, timezone

    from ..competitions import operations as competitions
    from ..projects import operations as projects
    from ..registration import operations as registration
    from ..sponsors import operations as sponsors
    today = date.today()
    year = (today + timedelta(days=51)).year
    comp = competitions.create_competition({
        "name": f"{year}年西藏自治区创业大赛", "year": year, "level": "provincial_1",
        "kind": "entrepreneurship", "jurisdiction": "CN-XZ", "host_organization_id": organizer.organization_id,
        "registration_opens_at": (datetime.now(timezone.utc) - timedelta(days=3)).isoformat(),
        "registration_closes_at": (datetime.now(timezone.utc) + timedelta(days=40)).isoformat(),
        "starts_on": (today + timedelta(days=50)).isoformat(), "ends_on": (today + timedelta(days=51)).isoformat(),
        "publicity_days": 7, "appeal_window_hours": 2, "allow_multiple_events": False,
        "description": "依据桂政发〔2019〕16号（五）等文件精神，对优胜项目予以重点支持。"}, organizer)
    event = competitions.create_event(comp, {
        "name": "创业组", "occupation": None, "track": "staff", "team_size": 3, "max_entrants": 40,
        "scheme": {"aggregation": "mean", "min_judges": 3, "components": [
            {"key": "pitch", "name": "项目路演", "weight": "1", "criteria": [
                {"key": "P1", "name": "商业模式", "max_score": "40", "kind": "judgement", "step": "0.5"},
                {"key": "P2", "name": "团队", "max_score": "30", "kind": "judgement", "step": "0.5"},
                {"key": "P3", "name": "带动就业", "max_score": "30", "kind": "judgement", "step": "0.5"}]}]},
        "awards": {"preset": "prizes"}, "tiebreak": []}, organizer)
    competitions.change_status(comp, "registration_open", organizer, reason="按大赛通知开放报名")
    people = db.session.scalars(select(Person).where(Person.organization_id.is_not(None)).order_by(Person.id).limit(6)).all()
    if len(people) < 6:
        return 0
    for team, (name, sector, summary) in zip((people[0:3], people[3:6]), (
            ("藏香非遗工坊", "文化创意", "以合作社带动农牧民就业的藏香制作工坊，年产藏香十二万支。"),
            ("高原光伏运维服务", "新能源", "为牧区户用光伏提供巡检与维修，已签约三个乡镇。"))):
        entry = [{"name": p.name, "id_type": p.id_type, "id_number": p.id_number} for p in team]
        reg = registration.register(event, {"team_name": name, "organization_id": team[0].organization_id,
                                            "person": entry[0], "members": entry[1:]}, organizer, "organizer")
        projects.save_project(reg, {"name": name, "sector": sector, "summary": summary}, organizer)
        if sector == "文化创意":
            projects.add_file(reg, "business_plan", ("藏香非遗工坊商业计划书.pdf", PLAN), organizer)
    sponsors.add(comp, {"sponsor_name": "西藏银行股份有限公司", "kind": "services", "amount": "50000",
                        "description": "获奖项目创业贷款绿色通道与财务辅导", "purpose": "优胜项目后续扶持",
                        "acknowledgement": "感谢西藏银行股份有限公司支持本届创业大赛", "print_on_bulletin": True},
                 None, organizer)
    return 1
