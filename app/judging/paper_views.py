"""Organizers' pages for paper marking forms: print a judge's form (PDF) and type it in twice."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import pdf, timeutil, uow
from ..accounts.models import User
from ..competitions.access import managed_event
from ..competitions.models import Event
from ..downloads import pdf_response
from ..domain.errors import DomainError, ValidationFailed
from ..extensions import db
from ..i18n import error_message, translate
from ..security import roles
from . import bp, paper
from .models import PaperForm
from .queries import judge_criteria, panel


def _form(serial: str) -> PaperForm:
    form = db.session.scalar(select(PaperForm).where(PaperForm.serial == serial))
    if form is None:
        abort(404)
    managed_event(form.event_id)  # 403 for anyone who does not manage the competition
    return form


@bp.route("/manage/events/<int:event_id>/paper")
@roles("admin", "organizer")
def paper_index(event_id: int):
    event = managed_event(event_id)
    forms = db.session.scalars(select(PaperForm).where(PaperForm.event_id == event.id).order_by(PaperForm.id)).all()
    return render_template("judging/paper_index.html", event=event, judges=panel(event, "judge"), forms=forms)


@bp.route("/manage/events/<int:event_id>/paper", methods=["POST"])
@roles("admin", "organizer")
def paper_issue(event_id: int):
    event = managed_event(event_id)
    judge = db.session.get(User, request.form.get("judge_id", type=int) or 0)
    created = {}
    try:
        created["form"] = paper.issue_form(event, judge, current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(error_message(exc) if not isinstance(exc, ValidationFailed) else
              "; ".join(translate(e.message, e.params) for e in exc.errors), "error")
        return redirect(url_for("judging.paper_index", event_id=event.id))
    flash(_("Form %(serial)s issued: print it for the judge.", serial=created["form"].serial), "success")
    return redirect(url_for("judging.paper_index", event_id=event.id))


@bp.route("/manage/paper-forms/<serial>.pdf")
@roles("admin", "organizer")
def paper_pdf(serial: str):
    form = _form(serial)
    event = db.session.get(Event, form.event_id)
    criteria = judge_criteria(event)
    rows = [{"code": s.registration.code, "station": s.registration.station, "submitted": s.status != "draft"}
            for s in paper.form_sheets(form)]
    context = {"competition": event.competition.name, "event": event.name, "judge": form.judge.name,
               "serial": form.serial, "criteria": [{"key": c["key"], "name": c["name"], "max": c["max_score"],
                                                    "scale": c.get("scale"), "step": c.get("step"),
                                                    "descriptors": c.get("descriptors") or []} for c in criteria],
               "rows": rows, "printed": timeutil.to_local(datetime.now(timezone.utc).replace(tzinfo=None))}
    data = pdf.render("marking_form.html", f=context)
    return pdf_response(data, f"评分表-{event.name}-{form.judge.name}-{form.serial}.pdf",
                        ascii_name=f"marking-form-{form.serial}.pdf")


@bp.route("/manage/paper-forms/<serial>/entry", methods=["GET", "POST"])
@roles("admin", "organizer")
def paper_entry(serial: str):
    form = _form(serial)
    event = db.session.get(Event, form.event_id)
    criteria = judge_criteria(event)
    sheets = paper.form_sheets(form)
    typed, errors, mismatches = {}, {}, []
    if request.method == "POST":
        typed = {s.registration.code: {c["key"]: request.form.get(f"v-{s.registration.code}-{c['key']}", "")
                                       for c in criteria} for s in sheets}
        try:
            outcome = paper.enter(form, typed, current_user)
            db.session.flush()
        except paper.PaperMismatch as exc:
            uow.commit()  # keep this clerk's entry: only the cells that differ need typing again
            mismatches = exc.mismatches
            flash(error_message(exc), "error")
        except ValidationFailed as exc:
            db.session.rollback()
            errors = {e.field: translate(e.message, e.params) for e in exc.errors}
            flash(_("Check the cells marked below; nothing was stored."), "error")
        except DomainError as exc:
            db.session.rollback()
            flash(error_message(exc), "error")
        else:
            if outcome["state"] == "accepted":
                flash(_("Both entries agree: %(n)d sheets accepted and submitted.", n=outcome["sheets"]), "success")
            else:
                flash(_("Entry stored. A second clerk types the same form in; the sheets are accepted when both agree."),
                      "info")
            return redirect(url_for("judging.paper_entry", serial=form.serial))
    bad_cells = {(m["code"], m["criterion"]) for m in mismatches}
    return render_template("judging/paper_entry.html", event=event, form=form, criteria=criteria, sheets=sheets,
                           typed=typed, errors=errors, mismatches=mismatches, bad_cells=bad_cells,
                           mine=any(e.clerk_id == current_user.id for e in form.entries))
