"""Judging pages: the judge's mobile score entry, the chief judge's overview (flags, missing,
corrections, lock, decryption), the organizer's panel/draw/import page, the supervisor's
re-check, and the event audit."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserRole
from ..audit.models import AuditEvent
from .. import uow
from ..competitions.access import managed_event, supervised_competitions, supervised_event
from ..competitions.models import Competition, Event
from ..domain.errors import DomainError, ValidationFailed
from ..domain.scoring import plain
from ..extensions import db
from ..forms_util import apply_errors, perform, submit_form
from ..i18n import error_message, translate
from ..security import requires_recent_auth, roles
from ..spreadsheets import ImportRejected
from . import bp, offline, operations as ops, progress
from . import queries
from .access import overseen_event, panel_event
from .forms import (ConflictForm, DrawForm, PanelForm, RecheckForm, RecheckMarkForm, ScoreImportForm,
                    make_sheet_form)
from .models import PanelMember, RecheckItem
from .queries import (all_sheets, audit_item, judge_pool, my_panels, my_sheets, panel_audit_filter, recheck_of,
                      sealed_audit, sees_code_map, sheet_by_code)
from .score_import import import_scores


# ---- judges and chief judges ---------------------------------------------------------------

@bp.route("/judge")
@roles("judge", "chief_judge")
def home():
    panels = my_panels(current_user)
    scores = progress.progress_by_event([ev.id for pm, ev in panels if pm.role == "judge"], current_user.id)
    html = render_template("judging/home.html", panels=panels, progress=scores)
    return offline.kept_page(html) if scores else html


@bp.route("/judge/events/<int:event_id>")
@roles("judge", "chief_judge")
def event_page(event_id: int):
    event, role = panel_event(event_id, "judge", "chief_judge")
    if role == "judge":
        sheets = my_sheets(event, current_user)
        return offline.kept_page(render_template("judging/my_sheets.html", event=event, sheets=sheets,
                                                 names=queries.names_visible_to_panel(event),
                                                 progress=progress.progress(event, current_user.id)))
    return _overview(event, "judging/chief.html")


def _overview(event: Event, template: str, **extra):
    sheets = all_sheets(event)
    judges = [pm for pm in queries.panel(event, "judge")]
    codes = sorted({s.registration.code for s in sheets if s.registration.code})
    matrix = {(s.registration.code, s.judge_id): s for s in sheets}
    regs = {r.code: r for r in queries.approved(event, with_names=True) if r.code}
    marked = [r for r in sorted(regs.values(), key=lambda r: r.code) if r.attendance]
    return render_template(template, event=event, judges=judges, codes=codes, matrix=matrix, regs=regs,
                           flags=queries.disagreements(event), missing=queries.missing_work(event),
                           names=queries.names_visible_to_panel(event), criteria=queries.judge_criteria(event),
                           problems=queries.lock_problems(event), marked=marked,
                           decryption=queries.decryption_state(event), progress=progress.progress_by_judge(event),
                           evidence=progress.photos_by_code(event), judge_names={pm.user_id: pm.user.name for pm in judges}, **extra)


def _sheet_form(sheet, criteria):
    """The score form for this sheet, filled with its stored values on first display."""
    form = make_sheet_form(criteria)
    if request.method == "GET":
        form.version.data = sheet.version
        for key, value in sheet.values().items():
            if f"score_{key}" in form._fields and value is not None:
                form[f"score_{key}"].data = plain(value)
    return form


@bp.route("/judge/events/<int:event_id>/sheets/<code>", methods=["GET", "POST"])
@roles("judge")
def sheet(event_id: int, code: str):
    event, _role = panel_event(event_id, "judge")
    sheet = sheet_by_code(event, code, current_user.id)
    if sheet is None:
        abort(403)  # recused, or not a code of this event: the same answer
    criteria = queries.judge_criteria(event)
    form = _sheet_form(sheet, criteria)
    if form.validate_on_submit():
        scores = {c["key"]: form[f"score_{c['key']}"].data for c in criteria}
        try:
            ops.save_sheet(sheet, scores, form.version.data, current_user)
            if request.form.get("action") == "submit":
                db.session.flush()
                ops.submit_sheet(sheet, sheet.version, current_user)
            db.session.flush()
        except ValidationFailed as exc:
            db.session.rollback()
            apply_errors(form, exc, {f"scores.{c['key']}": f"score_{c['key']}" for c in criteria})
        except DomainError as exc:
            db.session.rollback()
            form.form_errors = [error_message(exc)]
        else:
            if request.form.get("action") == "submit":
                flash(_("Sheet %(code)s submitted.", code=code), "success")
                following = progress.next_code(event, current_user.id, code)
                return redirect(url_for("judging.sheet", event_id=event.id, code=following) if following
                                else url_for("judging.event_page", event_id=event.id))
            flash(_("Draft of %(code)s saved.", code=code), "success")
            return redirect(url_for("judging.sheet", event_id=event.id, code=code))
    html = render_template("judging/sheet.html", event=event, sheet=sheet, form=form, criteria=criteria,
                           names=queries.names_visible_to_panel(event), photos=progress.photos_of(sheet),
                           next_code=progress.next_code(event, current_user.id, code),
                           progress=progress.progress(event, current_user.id))
    return offline.kept_page(html) if request.method == "GET" else html


@bp.route("/judge/events/<int:event_id>/sheets/<code>/correct/<int:judge_id>", methods=["GET", "POST"])
@roles("chief_judge")
def correct(event_id: int, code: str, judge_id: int):
    event, _role = panel_event(event_id, "chief_judge")
    sheet = sheet_by_code(event, code, judge_id)
    if sheet is None:
        abort(404)
    criteria = queries.judge_criteria(event)
    form = _sheet_form(sheet, criteria)
    if form.validate_on_submit():
        scores = {c["key"]: form[f"score_{c['key']}"].data for c in criteria}
        if submit_form(form, lambda: ops.correct_sheet(sheet, scores, form.version.data, form.reason.data, current_user),
                       _("Correction of %(code)s saved.", code=code),
                       {f"scores.{c['key']}": f"score_{c['key']}" for c in criteria}):
            return redirect(url_for("judging.event_page", event_id=event.id))
    return render_template("judging/sheet.html", event=event, sheet=sheet, form=form, criteria=criteria,
                           names=queries.names_visible_to_panel(event), correcting=True,
                           photos=progress.photos_of(sheet))


@bp.route("/judge/events/<int:event_id>/lock", methods=["POST"])
@roles("chief_judge")
@requires_recent_auth()
def lock(event_id: int):
    event, _role = panel_event(event_id, "chief_judge")
    perform(lambda: ops.lock_event(event, current_user), _("The event is locked."))
    return redirect(url_for("judging.event_page", event_id=event.id))


def _decrypt(event: Event, role: str) -> None:
    """Request or confirm the two-person decryption; a seal mismatch is refused, and recorded."""
    outcome = {}
    try:
        outcome["state"] = ops.decrypt(event, current_user, role)
    except ops.SealMismatch as exc:
        uow.commit()  # keep the audit record of the refusal
        flash(error_message(exc), "error")
        return
    except DomainError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return
    if outcome["state"] == "decrypted":
        flash(_("Names are now shown to the panel."), "success")
    else:
        flash(_("Your decryption request is recorded; names are shown once a supervisor confirms.")
              if role == "chief_judge" else
              _("Your decryption request is recorded; names are shown once the chief judge confirms."), "info")


@bp.route("/judge/events/<int:event_id>/decrypt", methods=["POST"])
@roles("chief_judge")
@requires_recent_auth()
def decrypt(event_id: int):
    event, _role = panel_event(event_id, "chief_judge")
    _decrypt(event, "chief_judge")
    return redirect(url_for("judging.event_page", event_id=event.id))


@bp.route("/judge/events/<int:event_id>/time-used", methods=["POST"])
@roles("chief_judge")
def time_used(event_id: int):
    event, _role = panel_event(event_id, "chief_judge")
    reg = queries.entry_by_code(event, request.form.get("code") or "")
    if reg is None:
        abort(404)
    perform(lambda: ops.set_time_used(reg, request.form.get("time_used"), current_user))
    return redirect(url_for("judging.event_page", event_id=event.id))


@bp.route("/judge/events/<int:event_id>/entries/<code>/attendance", methods=["POST"])
@roles("chief_judge")
def attendance(event_id: int, code: str):
    event, _role = panel_event(event_id, "chief_judge")
    reg = queries.entry_by_code(event, code)
    if reg is None:
        abort(404)
    status = request.form.get("status") or None
    messages = {"absent": _("%(code)s is marked absent.", code=code),
                "disqualified": _("%(code)s is marked disqualified; the supervisor confirms it.", code=code)}
    perform(lambda: ops.mark_attendance(event, reg, status, request.form.get("reason"), current_user),
            messages.get(status, _("The mark of %(code)s is cleared.", code=code)))
    return redirect(url_for("judging.event_page", event_id=event.id))


# ---- organizers -------------------------------------------------------------------------------

def _user_choices(event: Event, role_name: str):
    users = db.session.scalars(judge_pool(event, role_name).options(selectinload(User.organization))).all()
    return [(str(u.id), f"{u.name}（{u.username}）{' · ' + u.organization.name if u.organization else ''}")
            for u in users]


@bp.route("/manage/events/<int:event_id>/judging")
@roles("admin", "organizer")
def manage(event_id: int):
    event = managed_event(event_id)
    panel_form = PanelForm()
    panel_form.user_id.choices = _user_choices(event, "judge") + _user_choices(event, "chief_judge")
    conflict_form = ConflictForm()
    # Each list read once (the page names the panel's members and the entries several times).
    panel = queries.panel(event, with_units=True)
    judges = [pm for pm in panel if pm.role == "judge"]
    registrations = queries.approved(event, with_names=True)
    conflict_form.user_id.choices = [(str(pm.user_id), pm.user.name) for pm in judges]
    conflict_form.registration_id.choices = [(str(r.id), (r.team_name or r.person.name) + (f"（{r.organization.name}）" if r.organization else "")
                                              + (f" · {r.code}" if r.code else ""))
                                             for r in registrations]
    from .models import Conflict, Draw
    recusals = queries.recusals(event)
    judge_names = {pm.user_id: pm.user.name for pm in judges}
    recused_by: dict[int, list[str]] = {}
    for (judge_id, registration_id) in recusals:
        recused_by.setdefault(registration_id, []).append(judge_names.get(judge_id, ""))
    return render_template(
        "judging/manage.html", event=event, panel=panel, panel_form=panel_form,
        conflict_form=conflict_form, draw_form=DrawForm(), import_form=ScoreImportForm(),
        conflicts=db.session.scalars(select(Conflict).where(Conflict.event_id == event.id)).all(),
        draws={d.kind: d for d in db.session.scalars(select(Draw).where(Draw.event_id == event.id))},
        registrations=registrations, recusals=recusals,
        coverage=queries.coverage(event, judges=[pm.user_id for pm in judges], rec=recusals),
        regs_by_id={r.id: r for r in registrations}, recused_by=recused_by,
        names={r.id: r.team_name or r.person.name for r in registrations},
        imported=queries.imported_criteria(event),
        users={pm.user_id: pm.user for pm in panel},
        problems=None)


def _back(event: Event):
    return redirect(url_for("judging.manage", event_id=event.id))


def _run(event: Event, fn, success: str):
    perform(fn, success)
    return _back(event)


@bp.route("/manage/events/<int:event_id>/panel", methods=["POST"])
@roles("admin", "organizer")
def panel_add(event_id: int):
    event = managed_event(event_id)
    user = db.session.get(User, request.form.get("user_id", type=int) or 0)
    return _run(event, lambda: ops.add_panel_member(event, user, request.form.get("role", ""), current_user),
                _("Panel updated."))


@bp.route("/manage/events/<int:event_id>/panel/<int:user_id>/remove", methods=["POST"])
@roles("admin", "organizer")
def panel_remove(event_id: int, user_id: int):
    event = managed_event(event_id)
    pm = db.session.scalar(select(PanelMember).where(PanelMember.event_id == event.id, PanelMember.user_id == user_id))
    if pm is None:
        abort(404)
    return _run(event, lambda: ops.remove_panel_member(pm, current_user), _("Panel updated."))


@bp.route("/manage/events/<int:event_id>/conflicts", methods=["POST"])
@roles("admin", "organizer")
def conflict_add(event_id: int):
    event = managed_event(event_id)
    data = {k: request.form.get(k) for k in ("user_id", "registration_id", "kind", "note")}
    return _run(event, lambda: ops.declare_conflict(event, data, current_user), _("Conflict recorded; the judge is recused."))


@bp.route("/manage/events/<int:event_id>/draw", methods=["POST"])
@roles("admin", "organizer")
def draw(event_id: int):
    event = managed_event(event_id)
    kind = request.form.get("kind", "codes")
    fn = ops.draw_stations if kind == "stations" else ops.draw_codes
    return _run(event, lambda: fn(event, request.form.get("seed"), current_user), _("Draw recorded."))


@bp.route("/manage/events/<int:event_id>/scores/import", methods=["POST"])
@roles("admin", "organizer")
def scores_import(event_id: int):
    event = managed_event(event_id)
    upload = request.files.get("file")
    if not upload:
        flash(_("Choose a file to upload."), "error")
        return _back(event)
    try:
        n = import_scores(event, upload.read(), current_user, upload.filename or "")
        db.session.flush()
    except ImportRejected as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        for p in exc.extra(translate)["rows"][:50]:
            flash(_("Line %(row)s, %(column)s: %(message)s", row=p["row"], column=p["column"] or "", message=p["message"]), "warning")
    except DomainError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
    else:
        flash(_("%(n)d contestants' scores imported.", n=n), "success")
    return _back(event)


# ---- supervisors ------------------------------------------------------------------------------

@bp.route("/supervise")
@roles("supervisor")
def supervise_home():
    comps = db.session.scalars(supervised_competitions(current_user).options(selectinload(Competition.events))
                               .where(Competition.status.in_(("registration_closed", "judging", "publicity",
                                                              "final")))).all()
    return render_template("judging/supervise_home.html", competitions=comps)


@bp.route("/supervise/events/<int:event_id>")
@roles("supervisor")
def supervise(event_id: int):
    event = supervised_event(event_id)
    recheck = recheck_of(event)
    return _overview(event, "judging/supervise.html", recheck=recheck, recheck_form=RecheckForm(),
                     mark_form=RecheckMarkForm(), error_rate=queries.error_rate(recheck) if recheck else None)


@bp.route("/supervise/events/<int:event_id>/decrypt", methods=["POST"])
@roles("supervisor")
@requires_recent_auth()
def supervise_decrypt(event_id: int):
    event = supervised_event(event_id)
    _decrypt(event, "supervisor")
    return redirect(url_for("judging.supervise", event_id=event.id))


@bp.route("/supervise/events/<int:event_id>/entries/<code>/attendance/confirm", methods=["POST"])
@roles("supervisor")
def attendance_confirm(event_id: int, code: str):
    event = supervised_event(event_id)
    reg = queries.entry_by_code(event, code)
    if reg is None:
        abort(404)
    perform(lambda: ops.confirm_disqualification(event, reg, current_user),
            _("The disqualification of %(code)s is confirmed.", code=code))
    return redirect(url_for("judging.supervise", event_id=event.id))


@bp.route("/supervise/recheck-items/<int:item_id>", methods=["POST"])
@roles("supervisor")
def recheck_mark(item_id: int):
    item = db.get_or_404(RecheckItem, item_id)
    event_id = supervised_event(item.recheck.event_id).id
    perform(lambda: ops.mark_recheck(item, request.form.get("status", ""), request.form.get("note"), current_user))
    return redirect(url_for("judging.supervise", event_id=event_id))


# ---- audit of an event ------------------------------------------------------------------------

@bp.route("/events/<int:event_id>/audit")
@roles("chief_judge", "supervisor", "organizer", "admin")
def audit(event_id: int):
    event = overseen_event(event_id)
    stmt = select(AuditEvent).where(AuditEvent.event_id == event.id).order_by(AuditEvent.seq.desc())
    sheet_id = request.args.get("sheet", type=int)
    if sheet_id:
        stmt = stmt.where(AuditEvent.object_type == "sheets", AuditEvent.object_id == sheet_id)
    sealed = not sees_code_map(event, current_user)
    if sealed:
        stmt = stmt.where(panel_audit_filter())
    page = db.paginate(stmt, per_page=100, error_out=False)
    items = [audit_item(ev) for ev in page.items]
    if sealed:
        # The chief judge before decryption: the panel-visible audit (domain.anonymity).
        items = sealed_audit(event, items)
    from ..audit.describe import describe, names_for
    names = names_for(items)
    return render_template("judging/audit.html", event=event, page=page, items=items, sheet_id=sheet_id,
                           rows=[(ev, describe(ev, names)) for ev in items],
                           sealed=sealed)
