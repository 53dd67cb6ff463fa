"""API for advancement into an event hosted by another organizer: invitations (send, list, read,
accept or decline, withdraw). Only the two organizations concerned see an invitation."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from flask import abort, jsonify
from flask_login import current_user
from pydantic import Field

from .. import timeutil
from ..competitions.models import Event
from ..domain.masking import mask_id_number
from ..extensions import db
from ..security import roles
from ..selection import invitations as operations
from ..selection.access import managed_invitation
from ..selection.models import INVITATION_STATUSES, Invitation
from . import bp
from .contract import DateTime, Id, Int, Model, Out, PageQuery, body, choice, doc, page_of, query
from .util import paginate


class InvitedMember(Out):
    person_id: int
    name: str
    id_number_masked: str | None


class InvitationEntryOut(Out):
    source_registration_id: int
    rank: int | None
    team_name: str | None
    organization: str | None
    members: list[InvitedMember]
    registration_id: int | None = Field(description="The registration made in the target event on acceptance.")


class InvitationSide(Out):
    organization_id: int
    organization: str
    competition_id: int
    competition: str
    event_id: int
    event: str


class InvitationOut(Out):
    id: int
    status: choice(INVITATION_STATUSES)
    source: InvitationSide
    target: InvitationSide
    message: str
    entries: list[InvitationEntryOut]
    created_at: DateTime | None
    decided_at: DateTime | None
    decision_reason: str | None


class InvitationsQuery(PageQuery):
    direction: Literal["incoming", "outgoing"] | None = None
    status: choice(INVITATION_STATUSES) | None = None


class InvitationIn(Model):
    target_event_id: Id
    message: str = Field(min_length=1, max_length=2000)
    registration_ids: list[Id] | None = Field(None, max_length=500, description="Entries of the source event "
                                              "with a published result; or give a rule (mode …) instead.")
    mode: Literal["top_n", "threshold", "quota"] | None = None
    n: Int | None = Field(None, ge=1, le=100_000)
    min_total: Decimal | None = Field(None, ge=0, le=100)
    by: Literal["organization", "region"] | None = None


class InvitationDecisionIn(Model):
    decision: Literal["accept", "decline"]
    reason: str | None = Field(None, max_length=2000)


def _side(org, event: Event) -> dict:
    return {"organization_id": org.id, "organization": org.name, "competition_id": event.competition_id,
            "competition": event.competition.name, "event_id": event.id, "event": event.name}


def invitation_json(inv: Invitation) -> dict:
    entries = []
    for e in inv.entries:
        reg = e.source_registration
        entries.append({"source_registration_id": e.source_registration_id, "rank": e.rank,
                        "team_name": reg.team_name, "organization": reg.organization.name if reg.organization else None,
                        "members": [{"person_id": m.person_id, "name": m.person.name,
                                     "id_number_masked": mask_id_number(m.person.id_number)} for m in reg.members],
                        "registration_id": e.registration_id})
    return {"id": inv.id, "status": inv.status, "source": _side(inv.source_organization, inv.source_event),
            "target": _side(inv.target_organization, inv.target_event), "message": inv.message, "entries": entries,
            "created_at": timeutil.iso(inv.created_at), "decided_at": timeutil.iso(inv.decided_at),
            "decision_reason": inv.decision_reason}


@bp.route("/invitations", methods=["GET"])
@roles("admin", "organizer")
@doc(query=InvitationsQuery, ok=page_of(InvitationOut))
def invitations_list():
    """Invitations your organization received (incoming: it hosts the target event) or sent (outgoing)."""
    q = query()
    stmt = operations.invitations_for(current_user, q.direction)
    if q.status:
        stmt = stmt.where(Invitation.status == q.status)
    return jsonify(paginate(stmt, invitation_json, q))


@bp.route("/events/<int:event_id>/invitations", methods=["POST"])
@roles("admin", "organizer")
@doc(body=InvitationIn, ok=(201, InvitationOut), errors=(409,),
     example={"target_event_id": 12, "mode": "top_n", "n": 3, "message": "我区选拔前三名，请接收参加全国决赛。"})
def invitations_create(event_id: int):
    """Invite entries of this event (published results) into an event another organizer hosts."""
    source = db.session.get(Event, event_id)
    if source is None or not source.competition.can_manage(current_user):
        abort(404)
    inv = operations.invite(source, body(), current_user)
    return jsonify(invitation_json(inv)), 201


@bp.route("/invitations/<int:invitation_id>", methods=["GET"])
@roles("admin", "organizer")
@doc(ok=InvitationOut)
def invitations_get(invitation_id: int):
    """One invitation, with its entries and status."""
    return jsonify(invitation_json(managed_invitation(invitation_id)))


@bp.route("/invitations/<int:invitation_id>/decision", methods=["POST"])
@roles("admin", "organizer")
@doc(body=InvitationDecisionIn, ok=InvitationOut, errors=(409,), example={"decision": "accept"})
def invitations_decision(invitation_id: int):
    """Accept (every invited entry is registered in the target event, approved; the event's rules
    apply, all or nothing) or decline with a reason. The target event's organizer only."""
    inv = managed_invitation(invitation_id)
    operations.decide(inv, body(), current_user)
    return jsonify(invitation_json(inv))


@bp.route("/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@roles("admin", "organizer")
@doc(ok=InvitationOut, errors=(409,))
def invitations_withdraw(invitation_id: int):
    """Withdraw an invitation that waits for an answer. The inviting organizer only."""
    inv = managed_invitation(invitation_id)
    operations.withdraw(inv, current_user)
    return jsonify(invitation_json(inv))
