"""Form a delegation, select its squad from published results, add members and staff by hand
(with a reason), hold camp sessions and mark them, rank the squad, nominate, export the
nomination, and send a member's outside result back into their record."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from .. import timeutil
from ..audit.operations import record
from ..competitions.access import manages
from ..competitions.models import Competition, Event
from ..domain import delegation as rules
from ..domain.errors import N_, Collector, DomainError
from ..extensions import db
from ..models_base import utcnow
from ..people.access import can_see
from ..people.models import Person
from ..registration.models import Registration
from ..results.models import Result
from .models import CampMark, CampSession, Delegation, DelegationMember

PUBLISHED = ("final", "archived")


class DelegationStateError(DomainError):
    code = "wrong_state"


def _open(d: Delegation) -> None:
    if d.status == "nominated":
        raise DelegationStateError(N_("The delegation has been nominated: its squad is final."))


def create(data: dict, actor) -> Delegation:
    if not (actor.has_role("admin", "organizer") and actor.organization_id is not None):
        raise DelegationStateError(N_("Only an organizer who belongs to an organization can form a delegation."))
    clean = rules.parse_delegation(data)
    d = Delegation(organization_id=actor.organization_id, created_by_id=actor.id, status="forming", **clean)
    db.session.add(d)
    db.session.flush()
    record("delegation.create", d, actor=actor, after=clean)
    return d


def athletes(d: Delegation) -> list[DelegationMember]:
    return [m for m in d.members if m.role in rules.ATHLETE_ROLES]


def select_squad(d: Delegation, data: dict, actor) -> list[DelegationMember]:
    """Add the contestants that the rules pick from each event's final results (events of
    competitions the actor manages, final or archived). People already in the delegation stay as they are."""
    _open(d)
    event_rules = rules.parse_selection(data)
    errors = Collector()
    events = {}
    for i, r in enumerate(event_rules):
        ev = db.session.get(Event, r.event_id)
        if ev is None or not manages(ev.competition, actor):
            errors.add(f"events[{i}].event_id", N_("Choose an event of a competition you manage."))
        elif ev.competition.status not in PUBLISHED:
            errors.add(f"events[{i}].event_id", N_("Select from final results only (the competition is not final yet)."))
        else:
            events[r.event_id] = ev
    errors.raise_if_any()
    present = {m.person_id for m in d.members}
    added = []
    for r in event_rules:
        ranked = db.session.execute(select(Result.registration_id, Result.rank, Result.total)
                                    .where(Result.event_id == r.event_id).order_by(Result.rank, Result.id)).all()
        for reg_id, rank, total in rules.pick(r, [(a, b, c) for a, b, c in ranked]):
            reg = db.session.get(Registration, reg_id)
            for member in reg.members:
                if member.person_id in present:
                    continue
                present.add(member.person_id)
                m = DelegationMember(delegation_id=d.id, person_id=member.person_id, role="member", source="selection",
                                     source_event_id=r.event_id, source_rank=rank, source_total=total)
                db.session.add(m)
                added.append(m)
    db.session.flush()
    record("delegation.select", d, actor=actor,
           after={"rules": [r.__dict__ for r in event_rules], "added": [m.person_id for m in added]})
    return added


def add_member(d: Delegation, data: dict, actor) -> DelegationMember:
    """A manual pick: an athlete (member or reserve) needs a reason; staff (leader, coach, expert) too."""
    _open(d)
    errors = Collector()
    pid = data.get("person_id")
    if isinstance(pid, str) and pid.strip().isdigit():
        pid = int(pid.strip())
    person = db.session.get(Person, pid) if isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid < 2**31 else None
    if person is None or not can_see(person, actor):
        errors.add("person_id", N_("Choose a person of your competitions or organization."))
    role = data.get("role")
    if not isinstance(role, str) or role not in rules.ROLES:
        errors.add("role", N_("Choose member, reserve, team leader, coach or expert."))
    reason = data.get("reason")
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        errors.add("reason", N_("Give the reason for this pick."))
    elif len(reason) > 2000:
        errors.add("reason", N_("At most %(n)d characters."), n=2000)
    errors.raise_if_any()
    if any(m.person_id == person.id for m in d.members):
        raise DelegationStateError(N_("This person is in the delegation already."))
    m = DelegationMember(delegation_id=d.id, person_id=person.id, role=role, source="manual", reason=reason)
    db.session.add(m)
    db.session.flush()
    record("delegation.member_add", m, actor=actor, after={"delegation_id": d.id, "person_id": person.id,
                                                           "role": role, "reason": reason})
    return m


def remove_member(m: DelegationMember, actor) -> None:
    _open(m.delegation)
    record("delegation.member_remove", m, actor=actor, before={"delegation_id": m.delegation_id,
                                                               "person_id": m.person_id, "role": m.role})
    db.session.delete(m)
    db.session.flush()


def add_session(d: Delegation, data: dict, actor) -> CampSession:
    _open(d)
    clean = rules.parse_session(data, timeutil.to_local(utcnow()).date())
    s = CampSession(delegation_id=d.id, **clean)
    db.session.add(s)
    if d.status == "forming":
        d.status = "training"
    db.session.flush()
    record("camp_session.create", s, actor=actor, after={"delegation_id": d.id, **clean})
    return s


def save_marks(s: CampSession, data: dict, actor) -> None:
    _open(s.delegation)
    ids = {m.person_id for m in athletes(s.delegation)}
    marks = rules.parse_marks(data, ids, s.max_score if s.kind == "assessment" else None)
    existing = {m.person_id: m for m in s.marks}
    for pid, (present, score) in marks.items():
        row = existing.get(pid)
        if row is None:
            row = CampMark(session_id=s.id, person_id=pid)
            db.session.add(row)
            s.marks.append(row)
        row.present, row.score = present, score
    db.session.flush()
    record("camp_session.marks", s, actor=actor,
           after={str(pid): {"present": p, "score": sc} for pid, (p, sc) in marks.items()})


def squad_ranking(d: Delegation) -> list[dict]:
    marks = {(m.session_id, m.person_id): (m.present, m.score) for s in d.sessions for m in s.marks}
    return rules.ranking([m.person_id for m in athletes(d)], d.sessions, marks)


def nominate(d: Delegation, actor) -> list[DelegationMember]:
    """The final nomination: the camp ranking's first `members_quota` athletes become members, the
    rest reserves; scores and ranks are frozen; the squad can no longer change."""
    _open(d)
    ranking = squad_ranking(d)
    if not ranking:
        raise DelegationStateError(N_("The delegation has no members or reserves to nominate."))
    by_person = {m.person_id: m for m in athletes(d)}
    for row in ranking:
        m = by_person[row["person_id"]]
        m.camp_score, m.camp_rank = row["score"], row["rank"]
        m.role = "member" if row["rank"] <= d.members_quota else "reserve"
    d.status, d.nominated_at = "nominated", utcnow()
    db.session.flush()
    record("delegation.nominate", d, actor=actor,
           after={"members": [r["person_id"] for r in ranking if r["rank"] <= d.members_quota],
                  "reserves": [r["person_id"] for r in ranking if r["rank"] > d.members_quota]})
    return [by_person[r["person_id"]] for r in ranking]


ID_TYPE_ZH = {"resident_id": "居民身份证", "passport": "护照", "hk_macau_permit": "港澳居民居住证",
              "taiwan_permit": "台湾居民居住证"}
# The hand-off follows the layout of a national contest's 报名汇总表 (e.g. the 全国技能大赛 entry
# summary a provincial delegation files: one row per person, athletes first, then reserves and the
# staff, with 参赛项目 and 身份 columns) as closely as it is known: NO official template was
# available when this was written, so the columns are those such tables commonly carry; when the
# national organizer publishes its template, adjust NOMINATION_HEADERS and nomination_rows together.
NOMINATION_HEADERS = ["序号", "参赛项目", "姓名", "性别", "民族", "出生日期", "证件类型", "身份证号", "所在单位",
                      "身份", "技能等级", "联系电话", "选拔方式", "选拔依据", "集训成绩", "集训名次", "备注"]
# 身份 as the summary tables write it (选手/候补/领队/教练/专家).
IDENTITY_ZH = {"member": "选手", "reserve": "候补", "leader": "领队", "coach": "教练", "expert": "专家"}
GRADE_ZH = {5: "五级/初级工", 4: "四级/中级工", 3: "三级/高级工", 2: "二级/技师", 1: "一级/高级技师"}


def nomination_rows(d: Delegation):
    from ..domain.refdata import ethnic_groups
    ethnic = ethnic_groups()
    order = {"member": 0, "reserve": 1, "leader": 2, "coach": 3, "expert": 4}
    members = sorted(d.members, key=lambda m: (order[m.role], m.camp_rank or 9999, m.id))
    for i, m in enumerate(members, 1):
        p = m.person
        basis = (f"{m.source_event.competition.name} {m.source_event.name} 第{m.source_rank}名 {m.source_total}分"
                 if m.source == "selection" and m.source_event else (m.reason or ""))
        athlete = m.role in rules.ATHLETE_ROLES
        yield [i, d.occupation or d.target_competition, p.name, {"male": "男", "female": "女"}.get(p.gender, ""),
               ethnic.get(p.ethnicity, p.ethnicity or ""), p.birth_date.isoformat() if p.birth_date else "",
               ID_TYPE_ZH.get(p.id_type, p.id_type), p.id_number, p.organization.name if p.organization else "",
               IDENTITY_ZH[m.role], GRADE_ZH.get(p.skill_grade, ""), p.phone or "",
               ("按成绩选拔" if m.source == "selection" else "推荐") if athlete else "", basis if athlete else (m.reason or ""),
               str(m.camp_score) if m.camp_score is not None else "", m.camp_rank or "",
               "" if athlete else rules.ROLE_ZH[m.role]]


def record_outcome(m: DelegationMember, data: dict, evidence, actor):
    """The member's result at the outside competition, recorded as an outside result of their
    record (reviewed by another organizer; approved, it grants its entitlements)."""
    from ..selection import operations as selection
    d = m.delegation
    if m.role not in rules.ATHLETE_ROLES:
        raise DelegationStateError(N_("Only members and reserves have results."))
    if d.status != "nominated":
        raise DelegationStateError(N_("Record results once the delegation has been nominated."))
    fields = {"competition_name": d.target_competition, "level": d.target_level, "kind": "skills",
              "jurisdiction": "CN", "occupation": d.occupation, "track": "staff", **{
                  k: v for k, v in data.items() if k in ("result_date", "rank", "award", "certificate_number",
                                                         "track", "kind", "jurisdiction")}}
    result = selection.record_external(m.person, fields, evidence, actor)
    m.external_result_id = result.id
    db.session.flush()
    return result
