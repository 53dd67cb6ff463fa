"""Claims: linking a candidate account to a person record that was on file before it signed up.

Signing up with the name and ID number of a person already on file creates a pending claim and
nothing more (app/registration/operations.signup_candidate). The account is attached only after
proof:
- the person's one-time claim code, which their organization's contact and the competition's
  organizers see and the admission ticket prints; it changes once used (an HMAC of the person
  and a counter under the application's secret key, so nothing secret is stored); or
- the approval of someone who may see the person (their organization's contact, an organizer of
  a competition they entered, an admin).
A wrong code answers the same as no record at all, and every step is audited.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import select

from ..audit.operations import record
from ..domain.errors import N_, Collector, DomainError
from ..extensions import db
from ..models_base import utcnow
from .access import visibility_clause
from .models import Person, PersonClaim

CODE_LENGTH = 10


class ClaimStateError(DomainError):
    code = "wrong_state"


def claim_code(person: Person) -> str:
    """The person's current one-time claim code, e.g. 'K7QF2-9XWMA'."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"person-claim:{person.id}:{person.claim_nonce}".encode(), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode()[:CODE_LENGTH]
    return f"{text[:5]}-{text[5:]}"


def normalize_code(raw) -> str:
    text = re.sub(r"[\s\-–—_]", "", raw if isinstance(raw, str) else "").upper()
    return text.translate(str.maketrans("018", "OIB"))[:32]


def pending_claim(user) -> PersonClaim | None:
    return db.session.scalar(select(PersonClaim).where(PersonClaim.user_id == user.id,
                                                       PersonClaim.status == "pending")
                             .order_by(PersonClaim.id.desc()))


def redeem(user, code) -> Person:
    """The candidate enters a claim code: the account is attached to the record it names."""
    claim = pending_claim(user)
    given = normalize_code(code)
    if claim is None or len(given) != CODE_LENGTH or not hmac.compare_digest(
            normalize_code(claim_code(claim.person)), given):
        errors = Collector()
        errors.add("code", N_("This code does not match your details. Check it with your organization's contact "
                              "or on your admission ticket."))
        errors.raise_if_any()
    return _attach(claim, actor=user, how="code")


def decide(claim: PersonClaim, decision, reason, actor) -> PersonClaim:
    """A contact or organizer who sees the person approves or rejects a pending claim."""
    errors = Collector()
    reason = (reason if isinstance(reason, str) else "").strip()[:500]
    if decision not in ("approve", "reject"):
        errors.add("decision", N_("The decision must be approve or reject."))
    elif decision == "reject" and not reason:
        errors.add("reason", N_("Give the reason for the rejection."))
    errors.raise_if_any()
    if claim.status != "pending":
        raise ClaimStateError(N_("This claim has been decided already."))
    if decision == "approve":
        _attach(claim, actor=actor, how="approval", reason=reason or None)
    else:
        claim.status, claim.decided_by_id, claim.decided_at, claim.reason = "rejected", actor.id, utcnow(), reason
        record("person.claim_reject", claim, actor=actor, reason=reason, after={"user_id": claim.user_id})
    return claim


def _attach(claim: PersonClaim, actor, how: str, reason: str | None = None) -> Person:
    person = claim.person
    if db.session.scalar(select(Person.id).where(Person.user_id == claim.user_id, Person.id != person.id)):
        raise ClaimStateError(N_("This account is linked to another person record already."))
    previous = person.user_id
    person.user_id = claim.user_id
    person.claim_nonce += 1  # the code just used (or now unneeded) stops working
    now = utcnow()
    claim.status, claim.decided_by_id, claim.decided_at = "approved", actor.id, now
    claim.reason = reason
    for other in db.session.scalars(select(PersonClaim).where(PersonClaim.person_id == person.id,
                                                              PersonClaim.status == "pending",
                                                              PersonClaim.id != claim.id)):
        other.status, other.decided_at, other.reason = "rejected", now, "claimed by another account"
    record("person.claim", person, actor=actor, reason=reason,
           before={"user_id": previous}, after={"user_id": claim.user_id, "via": how, "claim_id": claim.id})
    return person


def claims_query(user):
    """Pending claims of the people this user may see, oldest first."""
    return (select(PersonClaim).join(Person, Person.id == PersonClaim.person_id)
            .where(PersonClaim.status == "pending", visibility_clause(user)).order_by(PersonClaim.id))


def decidable_claim(claim_id: int) -> PersonClaim:
    from flask import abort
    from flask_login import current_user
    claim = db.session.scalar(claims_query(current_user).where(PersonClaim.id == claim_id)) \
        if claim_id < 2**63 else None
    if claim is None:
        abort(404)
    return claim
