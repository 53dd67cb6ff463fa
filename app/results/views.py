"""Results pages: the public portal (results, lookup), the organizer's result tables and
statistics, the candidate's appeal, the supervisor's appeal decisions, the chief's tie order."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..competitions.access import (managed_competition, managed_competitions, managed_event,
                                   supervised_competition_ids, supervised_event)
from ..competitions.models import Competition, Event
from ..extensions import db
from ..forms_util import perform, submit_form
from ..i18n import names
from ..judging import queries as jq
from ..judging.access import panel_event
from ..registration.exports import attachment
from ..registration.models import Registration
from ..security import requires_recent_auth, roles
from . import bp, exports, operations, queries
from .forms import AppealForm, DecisionForm, TieForm
from .models import Appeal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- organizers -------------------------------------------------------------------------------

@bp.route("/manage/competitions/<int:competition_id>/results")
@roles("admin", "organizer")
def manage(competition_id: int):
    comp = managed_competition(competition_id)
    tables = []
    rows_by_event = {}
    regs = {}
    for event in comp.events:
        if event.locked_at is None and not operations.stored(event):
            tables.append({"event": event, "rows": [], "status": None, "histogram": []})
            continue
        rows, status = queries.event_rows(event)
        rows_by_event[event] = rows
        for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id)):
            regs[r.id] = r
        tables.append({"event": event, "rows": rows, "status": status, "histogram": exports.histogram(rows),
                       "excluded": operations.excluded_entries(event)})
    counts = exports.award_counts(rows_by_event, regs)
    appeals = db.session.scalars(select(Appeal).where(Appeal.competition_id == comp.id).order_by(Appeal.id.desc())).all()
    targets = [e for c in db.session.scalars(managed_competitions(current_user).where(
        Competition.status.in_(("draft", "registration_open", "registration_closed")))) for e in c.events]
    return render_template("results/manage.html", competition=comp, tables=tables, regs=regs, counts=counts,
                           appeals=appeals, award_names=names("award"), targets=targets)


@bp.route("/manage/events/<int:event_id>/results.xlsx")
@roles("admin", "organizer")
def export(event_id: int):
    event = managed_event(event_id)
    rows, _status = queries.event_rows(event)
    regs = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))}
    return Response(exports.results_xlsx(event, rows, regs, operations.excluded_entries(event)), mimetype=XLSX,
                    headers={"Content-Disposition": attachment(f"成绩-{event.name}.xlsx", "results.xlsx")})


@bp.route("/manage/events/<int:event_id>/advance", methods=["POST"])
@roles("admin", "organizer")
def advance(event_id: int):
    from flask import request
    from .advancement import advance as run_advance
    source = managed_event(event_id)
    target_id = request.form.get("target_event_id", type=int) or 0
    target = db.session.get(Event, target_id) if 0 < target_id < 2**63 else None
    if target is not None and not target.competition.can_manage(current_user):
        abort(403)
    if target is None:
        flash(_("Choose the event the contestants advance to."), "error")
        return redirect(url_for("results.manage", competition_id=source.competition_id))
    data = {k: request.form.get(k) for k in ("mode", "n", "min_total", "by")}
    dry = request.form.get("dry_run") == "1"
    outcome = {}

    def action():
        outcome.update(run_advance(source, target, data, current_user, dry_run=dry))
    if perform(action):
        message = _("Preview: %(n)d would advance to %(event)s; %(s)d are registered there already.") if dry else \
            _("%(n)d advanced to %(event)s; %(s)d were registered there already.")
        flash(message % {"n": len(outcome["advanced"]), "event": target.name, "s": len(outcome["skipped"])}, "info")
    return redirect(url_for("results.manage", competition_id=source.competition_id))


# ---- chief judge: tie order ---------------------------------------------------------------------

@bp.route("/judge/events/<int:event_id>/ties", methods=["GET", "POST"])
@roles("chief_judge")
def ties(event_id: int):
    event, _role = panel_event(event_id, "chief_judge")
    form = TieForm()
    if form.validate_on_submit():
        # The chief judge orders the tied entries by their codes (registration ids stay sealed).
        codes = [x.strip() for x in (form.order.data or "").replace("，", ",").split(",") if x.strip()]
        if submit_form(form, lambda: operations.resolve_tie(event, operations.ids_for_codes(event, codes),
                                                            form.reason.data, current_user),
                       _("The order of the tied entries is recorded.")):
            return redirect(url_for("results.ties", event_id=event.id))
    groups = operations.unresolved(event) if event.locked_at is not None else []
    regs = {r.id: r for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))}
    return render_template("results/ties.html", event=event, form=form, groups=groups, regs=regs,
                           rows=operations.compute(event) if event.locked_at is not None else [],
                           names=jq.names_visible_to_panel(event))


# ---- candidates and contacts: appeals -------------------------------------------------------

@bp.route("/registrations/<int:registration_id>/appeal", methods=["GET", "POST"])
@roles("candidate", "org_contact")
def appeal(registration_id: int):
    reg = db.get_or_404(Registration, registration_id)
    if not operations.can_appeal(reg, current_user):
        abort(403)
    form = AppealForm()
    is_open, _kind = operations.appeal_window(reg)
    if form.validate_on_submit():
        if submit_form(form, lambda: operations.file_appeal(reg, form.reason.data, current_user),
                       _("Your appeal has been filed; the supervisor will decide it.")):
            return redirect(url_for("registration.me" if current_user.has_role("candidate") else "registration.org_index"))
    appeals = db.session.scalars(select(Appeal).where(Appeal.registration_id == reg.id).order_by(Appeal.id)).all()
    return render_template("results/appeal.html", reg=reg, form=form, is_open=is_open, appeals=appeals)


# ---- supervisors: decisions ---------------------------------------------------------------------

@bp.route("/supervise/appeals")
@roles("supervisor")
def appeals():
    rows = db.session.scalars(select(Appeal).where(Appeal.competition_id.in_(supervised_competition_ids(current_user)))
                              .order_by(Appeal.status != "open", Appeal.id.desc())).all()
    from ..judging.progress import photos_of_registration
    evidence = {a.registration_id: photos_of_registration(a.registration_id) for a in rows}
    return render_template("results/appeals.html", appeals=rows, form=DecisionForm(), evidence=evidence)


@bp.route("/supervise/appeals/<int:appeal_id>", methods=["POST"])
@roles("supervisor")
def decide(appeal_id: int):
    item = db.get_or_404(Appeal, appeal_id)
    supervised_event(item.event_id)
    form = DecisionForm()
    if form.validate_on_submit():
        perform(lambda: operations.decide_appeal(item, form.decision.data, form.note.data, current_user),
                _("Decision recorded."))
    return redirect(url_for("results.appeals"))


@bp.route("/supervise/events/<int:event_id>/recheck", methods=["POST"])
@roles("supervisor")
def recheck_draw(event_id: int):
    from flask import request
    event = supervised_event(event_id)
    perform(lambda: operations.draw_recheck(event, request.form.get("seed"), request.form.get("top_n"),
                                            request.form.get("share"), current_user), _("Re-check drawn."))
    return redirect(url_for("judging.supervise", event_id=event.id))


@bp.route("/supervise/events/<int:event_id>/final-correction", methods=["POST"])
@roles("supervisor")
@requires_recent_auth()
def final_correction(event_id: int):
    from flask import request
    event = supervised_event(event_id)
    perform(lambda: operations.open_final_correction(event, request.form.get("reason"), current_user),
            _("The event is reopened for correction."))
    return redirect(url_for("judging.supervise", event_id=event.id))
