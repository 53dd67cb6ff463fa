"""Advancement into an event hosted by another organizer, by invitation and acceptance (跨主办方晋级).

Advancement within one organizer (app/results/advancement.py) enters people directly. Into another
organizer's event it cannot: that organizer decides who enters its competitions. So the source
organizer invites people selected from its published results (publicity or final) — the entries it
picks, or those a rule selects (top N, threshold, quota) — into the target event, with a message.
The target's organizers see the invitation and accept it (every invited entry is registered in the
target event, approved, through app/registration/invited.py, with that area's rules: registration
window, one registration per person, eligibility, team size, capacity — all or nothing) or
decline it with a reason. The source may withdraw it while it waits. Both sides see its status;
every step is audited."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from ..audit.operations import record
from ..competitions.models import Event
from ..domain.errors import N_, Collector, DomainError, Forbidden
from ..extensions import db
from ..models_base import utcnow
from ..registration.invited import enter_invited
from ..registration.models import Registration
from ..results.advancement import parse_rule, select_advancing
from ..results.models import Result
from . import access
from .models import Invitation, InvitationEntry

PUBLISHED = ("publicity", "final")
# The target competition takes entries (acceptance needs its registration window open as well). A
# draft competition is not public: another organizer cannot name it.
TARGET_OPEN = ("registration_open",)


class InvitationStateError(DomainError):
    code = "wrong_state"


def _int_list(raw, errors: Collector, field: str) -> list[int]:
    if isinstance(raw, str):
        raw = [x for x in raw.replace("，", ",").split(",") if x.strip()]
    if not isinstance(raw, list):
        errors.add(field, N_("Give a list of entry numbers."))
        return []
    out = []
    for x in raw:
        try:
            value = int(str(x).strip())
            if not 0 < value < 2**63:
                raise ValueError
            out.append(value)
        except (TypeError, ValueError):
            errors.add(field, N_("Give a list of entry numbers."))
            return []
    return list(dict.fromkeys(out))


def _target(raw, errors: Collector, actor) -> Event | None:
    try:
        target_id = int(raw)
        target = db.session.get(Event, target_id) if 0 < target_id < 2**63 else None
    except (TypeError, ValueError):
        target = None
    if target is not None and target.competition.status == "draft" and not target.competition.can_manage(actor):
        target = None
    if target is None:
        errors.add("target_event_id", N_("Choose the event the people are invited to."))
    return target


def _chosen(source: Event, data: dict, errors: Collector) -> list[tuple[Registration, Result]]:
    """The source entries to invite: registration_ids (entries of the source event with a result),
    or the entries a rule selects (mode top_n | threshold | quota, as for advancement)."""
    if data.get("registration_ids") not in (None, "", []):
        ids = _int_list(data.get("registration_ids"), errors, "registration_ids")
        rows = db.session.execute(select(Registration, Result).join(Result, Result.registration_id == Registration.id)
                                  .where(Result.event_id == source.id, Registration.id.in_(ids))
                                  .order_by(Result.rank, Registration.id)).all() if ids else []
        if ids and len(rows) != len(ids):
            errors.add("registration_ids", N_("Invite entries of this event that have a published result."))
        return [(reg, res) for reg, res in rows]
    if data.get("mode") in (None, ""):
        errors.add("registration_ids", N_("Pick the entries to invite, or give a selection rule."))
        return []
    try:
        return select_advancing(source, parse_rule(data))
    except DomainError as exc:
        for err in getattr(exc, "errors", []):
            errors.add(err.field, err.message, **err.params)
        return []


def invite(source: Event, data: dict, actor) -> Invitation:
    """The source's organizer invites entries of `source` (with published results) into an event
    another organizer hosts."""
    if not source.competition.can_manage(actor):
        raise Forbidden(N_("You do not manage this event."))
    errors = Collector()
    target = _target(data.get("target_event_id"), errors, actor)
    message = str(data.get("message") or "").strip()
    if not message:
        errors.add("message", N_("Write a message to the organizer of the target event."))
    elif len(message) > 2000:
        errors.add("message", N_("At most %(n)d characters."), n=2000)
    chosen = _chosen(source, data, errors)
    errors.raise_if_any()
    src_host, tgt_comp = source.competition.host_organization_id, target.competition
    if source.competition.status not in PUBLISHED:
        raise InvitationStateError(N_("Invitations name people selected from published results: the source "
                                      "competition is not in publicity or final."))
    if src_host is None or tgt_comp.host_organization_id is None:
        raise InvitationStateError(N_("Both competitions need a host organization."))
    if tgt_comp.host_organization_id == src_host:
        raise InvitationStateError(N_("The target event is your own organization's: advance the people directly."))
    if tgt_comp.status not in TARGET_OPEN:
        raise InvitationStateError(N_("The target competition no longer takes entries."))
    if not chosen:
        raise InvitationStateError(N_("No entry of this event is selected."))
    taken = set(db.session.scalars(select(InvitationEntry.source_registration_id).join(Invitation).where(
        Invitation.target_event_id == target.id, Invitation.status.in_(("pending", "accepted")),
        InvitationEntry.source_registration_id.in_([reg.id for reg, _r in chosen]))))
    if taken:
        raise InvitationStateError(N_("%(n)d of these entries are invited to that event already."), n=len(taken))
    for reg, _res in chosen:
        if len(reg.members) != target.team_size:
            raise InvitationStateError(N_("The target event takes entries of %(n)d people; entry %(id)d has %(m)d."),
                                       n=target.team_size, id=reg.id, m=len(reg.members))
    inv = Invitation(source_event_id=source.id, source_organization_id=src_host, target_event_id=target.id,
                     target_organization_id=tgt_comp.host_organization_id, message=message, status="pending",
                     created_by_id=actor.id)
    inv.entries = [InvitationEntry(source_registration_id=reg.id, person_id=reg.person_id, rank=res.rank)
                   for reg, res in chosen]
    db.session.add(inv)
    db.session.flush()
    record("invitation.create", inv, actor=actor, competition_id=source.competition_id, event_id=source.id,
           after={"target_event_id": target.id, "target_organization_id": inv.target_organization_id,
                  "registrations": [e.source_registration_id for e in inv.entries], "message": message})
    return inv


def decide(inv: Invitation, data: dict, actor) -> Invitation:
    """The target's organizer accepts (every invited entry is registered, approved) or declines
    (with a reason the source sees)."""
    if not access.can_decide_invitation(inv, actor):
        raise Forbidden(N_("Only the organizer of the target event accepts or declines this invitation."))
    errors = Collector()
    decision = data.get("decision")
    reason = str(data.get("reason") or "").strip()[:2000] or None
    if decision not in ("accept", "decline"):
        errors.add("decision", N_("The decision must be accept or decline."))
    elif decision == "decline" and not reason:
        errors.add("reason", N_("Give the reason for declining; the inviting organizer will see it."))
    errors.raise_if_any()
    if inv.status != "pending":
        raise InvitationStateError(N_("This invitation is %(status)s and cannot be decided again."), status=inv.status)
    created = []
    if decision == "accept":
        groups = [{"people": [m.person for m in e.source_registration.members],
                   "organization": e.source_registration.organization,
                   "team_name": e.source_registration.team_name} for e in inv.entries]
        created = enter_invited(inv.target_event, groups, actor)
        for entry, reg in zip(inv.entries, created):
            entry.registration_id = reg.id
    inv.status = "accepted" if decision == "accept" else "declined"
    inv.decided_by_id, inv.decided_at, inv.decision_reason = actor.id, utcnow(), reason
    db.session.flush()
    target = inv.target_event
    record("invitation.decision", inv, actor=actor, before={"status": "pending"}, reason=reason,
           after={"status": inv.status, "registrations": [r.id for r in created]},
           competition_id=target.competition_id, event_id=target.id)
    return inv


def withdraw(inv: Invitation, actor) -> Invitation:
    """The source's organizer withdraws an invitation that waits for an answer."""
    if not access.can_withdraw_invitation(inv, actor):
        raise Forbidden(N_("Only the inviting organizer withdraws this invitation."))
    if inv.status != "pending":
        raise InvitationStateError(N_("This invitation is %(status)s and cannot be withdrawn."), status=inv.status)
    inv.status, inv.decided_by_id, inv.decided_at = "withdrawn", actor.id, utcnow()
    record("invitation.withdraw", inv, actor=actor, before={"status": "pending"}, after={"status": "withdrawn"},
           competition_id=inv.source_event.competition_id, event_id=inv.source_event_id)
    return inv


def invitations_for(user, direction: str | None = None):
    """A select of the invitations the user's organization sent or received, newest first."""
    # Listed with both events' competitions and units: read for the list, not per invitation.
    stmt = select(Invitation).options(
        selectinload(Invitation.source_event).selectinload(Event.competition),
        selectinload(Invitation.target_event).selectinload(Event.competition),
        selectinload(Invitation.source_organization), selectinload(Invitation.target_organization),
    ).order_by(Invitation.created_at.desc(), Invitation.id.desc())
    return access.restrict_invitations(stmt, user, direction)


def open_targets(user) -> list[Event]:
    """Events of other organizers' competitions that take entries (what the source may invite to)."""
    from ..competitions.models import Competition
    stmt = (select(Event).join(Competition, Competition.id == Event.competition_id)
            .options(contains_eager(Event.competition).selectinload(Competition.host_organization))
            .where(Competition.status.in_(TARGET_OPEN), Competition.host_organization_id.is_not(None))
            .order_by(Competition.id.desc(), Event.id))
    if user.organization_id is not None:
        stmt = stmt.where(Competition.host_organization_id != user.organization_id)
    return list(db.session.scalars(stmt.limit(200)))
