"""The candidate's own page: their registrations, published results, valid certificates, the
claim of their person on file, and the competitions open for registration. Endpoint
`registration.me`."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import select

from ..certificates.models import Certificate
from ..competitions.models import Competition
from ..extensions import db
from ..people import claims
from ..people.models import Person
from ..registration import bp, operations
from ..registration.access import can_withdraw
from ..registration.forms import ClaimForm
from ..registration.queries import open_competitions, person_view, registrations_query
from ..results.models import Result
from ..results.operations import appeal_window
from ..results.public import PUBLIC_STATUSES
from ..security import roles


@bp.route("/me")
@roles("candidate")
def me():
    person = db.session.scalar(select(Person).where(Person.user_id == current_user.id))
    regs = db.session.scalars(registrations_query(person_user_id=current_user.id)).all()
    published = {r.registration_id: r for r in db.session.scalars(select(Result).where(
        Result.registration_id.in_([r.id for r in regs]))) if r.registration.event.competition.status in PUBLIC_STATUSES}
    certs = {c.registration_id: c for c in db.session.scalars(select(Certificate).where(
        Certificate.registration_id.in_([r.id for r in regs]), Certificate.status == "valid",
        Certificate.person_id == (person.id if person else None)))}
    return render_template("registration/me.html", person=person, registrations=regs, results=published,
                           certificates=certs, claim=None if person else claims.pending_claim(current_user),
                           claim_form=ClaimForm(),
                           appealable=lambda r: r.status == "approved" and appeal_window(r)[0],
                           competitions=open_competitions() if person else [], person_view=person_view,
                           can_withdraw=lambda r: can_withdraw(r, current_user)
                           and r.is_active and operations.window_open(db.session.get(Competition, r.competition_id)))
