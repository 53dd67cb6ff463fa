"""Delegation pages: the list and the form that forms one; a delegation's page (selection from
published results, manual picks, camp sessions and their marks, the ranking, nomination, xlsx,
outside results back into each member's record)."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.access import managed_competitions
from ..competitions.models import Competition, Event
from ..domain import delegation as rules
from ..extensions import db
from ..forms_util import perform
from ..people.access import people_query
from ..people.models import Person
from ..registration.exports import attachment
from ..security import roles
from ..spreadsheets import write_xlsx
from .exports import nomination_response
from . import access, bp, operations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/manage/delegations")
@roles("admin", "organizer")
def index():
    rows = db.session.scalars(access.delegations_for(current_user)).all()
    return render_template("delegations/index.html", rows=rows, levels=rules.TARGET_LEVELS)


@bp.route("/manage/delegations", methods=["POST"])
@roles("admin", "organizer")
def create():
    made = {}
    ok = perform(lambda: made.setdefault("d", operations.create(request.form.to_dict(), current_user)),
                 _("Delegation formed."))
    if ok:
        return redirect(url_for("delegations.show", delegation_id=made["d"].id))
    return redirect(url_for("delegations.index"))


def published_events(user):
    comps = select(Competition.id).where(Competition.id.in_(managed_competitions(user).with_only_columns(Competition.id)),
                                         Competition.status.in_(operations.PUBLISHED))
    return db.session.scalars(select(Event).where(Event.competition_id.in_(comps)).order_by(Event.id.desc()).limit(200)).all()


@bp.route("/manage/delegations/<int:delegation_id>")
@roles("admin", "organizer")
def show(delegation_id: int):
    d = access.managed_delegation(delegation_id)
    ranking = {r["person_id"]: r for r in operations.squad_ranking(d)}
    marks = {(m.session_id, m.person_id): m for s in d.sessions for m in s.marks}
    return render_template("delegations/show.html", d=d, rules=rules, ranking=ranking, marks=marks,
                           athletes=operations.athletes(d), events=published_events(current_user),
                           people=db.session.scalars(people_query(current_user).order_by(Person.name).limit(500)).all())


def _back(d_id: int, anchor: str = ""):
    return redirect(url_for("delegations.show", delegation_id=d_id) + anchor)


@bp.route("/manage/delegations/<int:delegation_id>/select", methods=["POST"])
@roles("admin", "organizer")
def select_squad(delegation_id: int):
    d = access.managed_delegation(delegation_id)
    perform(lambda: operations.select_squad(d, request.form.to_dict(), current_user), _("Squad selected."))
    return _back(d.id, "#squad")


@bp.route("/manage/delegations/<int:delegation_id>/members", methods=["POST"])
@roles("admin", "organizer")
def member_add(delegation_id: int):
    d = access.managed_delegation(delegation_id)
    perform(lambda: operations.add_member(d, request.form.to_dict(), current_user), _("Added to the delegation."))
    return _back(d.id, "#squad")


@bp.route("/manage/delegation-members/<int:member_id>/remove", methods=["POST"])
@roles("admin", "organizer")
def member_remove(member_id: int):
    m = access.managed_member(member_id)
    d_id = m.delegation_id
    perform(lambda: operations.remove_member(m, current_user), _("Removed from the delegation."))
    return _back(d_id, "#squad")


@bp.route("/manage/delegations/<int:delegation_id>/sessions", methods=["POST"])
@roles("admin", "organizer")
def session_add(delegation_id: int):
    d = access.managed_delegation(delegation_id)
    perform(lambda: operations.add_session(d, request.form.to_dict(), current_user), _("Session added."))
    return _back(d.id, "#camp")


@bp.route("/manage/camp-sessions/<int:session_id>/marks", methods=["POST"])
@roles("admin", "organizer")
def session_marks(session_id: int):
    s = access.managed_session(session_id)
    marks = [{"person_id": m.person_id, "present": request.form.get(f"present-{m.person_id}") == "1",
              "score": request.form.get(f"score-{m.person_id}")} for m in operations.athletes(s.delegation)]
    perform(lambda: operations.save_marks(s, {"marks": marks}, current_user), _("Marks saved."))
    return _back(s.delegation_id, "#camp")


@bp.route("/manage/delegations/<int:delegation_id>/nominate", methods=["POST"])
@roles("admin", "organizer")
def nominate(delegation_id: int):
    d = access.managed_delegation(delegation_id)
    perform(lambda: operations.nominate(d, current_user), _("Nomination made final."))
    return _back(d.id)


@bp.route("/manage/delegations/<int:delegation_id>/nomination.xlsx")
@roles("admin", "organizer")
def export(delegation_id: int):
    return nomination_response(access.managed_delegation(delegation_id))


@bp.route("/manage/delegation-members/<int:member_id>/outcome", methods=["POST"])
@roles("admin", "organizer")
def outcome(member_id: int):
    m = access.managed_member(member_id)
    upload = request.files.get("evidence")
    evidence = (upload.filename, upload.read()) if upload and upload.filename else None
    perform(lambda: operations.record_outcome(m, request.form.to_dict(), evidence, current_user),
            _("Result recorded in the member's record. Another organizer of your organization reviews it."))
    return _back(m.delegation_id, "#squad")
