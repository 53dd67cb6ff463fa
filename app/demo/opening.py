"""The demo's two competitions open for registration (open.yaml) and their registrations in every
state."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from ..competitions import operations as competitions
from ..extensions import db
from .common import assign_supervisor, entry, event_spec, user


def open_competition(spec: dict, orgs: dict):
    """Create one competition of open.yaml with its events and open its registration."""
    organizer = user(spec["organizer"])
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
        competitions.create_event(comp, event_spec(event), organizer)
    competitions.change_status(comp, "registration_open", organizer, reason="按竞赛通知开放报名")
    if spec.get("supervised"):
        assign_supervisor(comp, organizer)
    return comp


def registrations(xz, gx, xz_people, gx_people, own, students, org_xz, org_gx, candidate) -> None:
    """Registrations in every state: submitted, approved, rejected (with a reason), withdrawn;
    `own` registers themselves (the candidate account)."""
    from ..registration import operations as reg_ops

    def enter(event, person, actor, source="organizer", **extra):
        try:
            with db.session.begin_nested():
                return reg_ops.register(event, {"person": entry(person),
                                                "organization_id": person.organization_id, **extra}, actor, source)
        except reg_ops.RegistrationRefused:
            return None  # e.g. too old for the student track: the demo skips them like a real check would

    thangka, carving, electric = xz.events
    repair, ecommerce = gx.events
    regs = [enter(thangka, own, candidate, source="self")]
    regs += [enter(thangka, p, org_xz) for p in xz_people[:10] if p is not own]
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
            reg_ops.register(ecommerce, {"person": entry(college[0]), "organization_id": college[0].organization_id,
                                         "team_name": "电商创客队", "members": [entry(p) for p in college[1:]]},
                             org_gx, "organizer")
