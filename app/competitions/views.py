"""Competition and event pages: public listing, and set-up under /manage/ for organizers."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import timeutil
from ..domain import lifecycle
from ..domain.refdata import JURISDICTIONS, KINDS, jurisdiction_name, LEVELS, ORG_KINDS
from ..extensions import db
from ..forms_util import perform, submit_form
from ..i18n import label
from ..people.models import Organization
from ..security import REAUTH_STATUSES, requires_recent_auth, public, roles
from .. import signals
from ..rubrics import operations as rubric_ops
from . import bp, operations
from .access import manages, managed_competition, managed_competitions, managed_event, supervisors_of
from .event_form import default_scheme, event_choices, event_form_to_data, fill_event_form, fill_scheme, scheme_choices
from .forms import CompetitionForm, EventForm, StatusForm, SupervisorForm
from .models import Competition, CompetitionSupervisor, Event

PUBLIC_STATUSES = ("registration_open", "registration_closed", "judging", "publicity", "final", "archived")


# One order for every public list of competitions (the home page and /competitions alike):
# the latest registration deadline first.
PUBLIC_ORDER = (Competition.registration_closes_at.desc(), Competition.id.desc())


@bp.route("/competitions")
@public
def index():
    items = db.session.scalars(
        select(Competition).where(Competition.status.in_(PUBLIC_STATUSES)).order_by(*PUBLIC_ORDER)).all()
    return render_template("competitions/index.html", competitions=items)


@bp.route("/competitions/<int:competition_id>")
@public
def show(competition_id: int):
    comp = db.get_or_404(Competition, competition_id)
    if comp.status not in PUBLIC_STATUSES and not manages(comp, current_user):
        abort(404)
    from ..registration.operations import window_open
    from ..results.public import PUBLIC_STATUSES as RESULT_STATUSES
    registration_open = window_open(comp) and comp.kind != "title_selection"
    endpoint = None
    if current_user.is_authenticated:
        if manages(comp, current_user):
            endpoint = "registration.manage_register"
        elif current_user.has_role("candidate", "org_contact"):
            endpoint = "registration.register"
    return render_template("competitions/show.html", competition=comp, registration_open=registration_open,
                           register_endpoint=endpoint, results_public=comp.status in RESULT_STATUSES)


@bp.route("/manage/competitions")
@roles("admin", "organizer")
def manage_index():
    stmt = managed_competitions(current_user)
    status = request.args.get("status")
    if status in lifecycle.STATUSES:
        stmt = stmt.where(Competition.status == status)
    # Each competition lists its events: read in one query for the page, not one per competition.
    return render_template("competitions/manage_index.html",
                           competitions=db.session.scalars(stmt.options(selectinload(Competition.events))).all(),
                           status=status)


def _competition_choices(form: CompetitionForm) -> None:
    choose = [("", _("— choose —"))]
    form.level.choices = choose + [(k, label(LEVELS, k)) for k in LEVELS]
    form.kind.choices = choose + [(k, label(KINDS, k)) for k in KINDS]
    locale = str(get_locale())
    form.jurisdiction.choices = choose + [(k, f"{k} {jurisdiction_name(k, locale)}") for k in JURISDICTIONS]
    if current_user.has_role("admin"):
        orgs = db.session.scalars(select(Organization).order_by(Organization.name)).all()
        form.host_organization_id.choices = [("", _("— none (administrators only) —"))] + [
            (str(o.id), o.name) for o in orgs]
    else:  # an organizer's competitions are hosted by their own organization
        own = db.session.get(Organization, current_user.organization_id) if current_user.organization_id else None
        form.host_organization_id.choices = [(str(own.id), own.name)] if own else [("", _("— none —"))]


def _competition_data(form: CompetitionForm) -> dict:
    return {name: form[name].data for name in (
        "name", "year", "level", "kind", "jurisdiction", "host_organization_id", "registration_opens_at",
        "registration_closes_at", "starts_on", "ends_on", "publicity_days", "appeal_window_hours",
        "allow_multiple_events", "description", "award_title", "stage")}


@bp.route("/manage/competitions/new", methods=["GET", "POST"])
@roles("admin", "organizer")
def competition_new():
    form = CompetitionForm()
    _competition_choices(form)
    if request.method == "GET" and current_user.organization_id:
        form.host_organization_id.data = str(current_user.organization_id)
    created = {}
    if form.validate_on_submit() and submit_form(
            form, lambda: created.setdefault("comp", operations.create_competition(_competition_data(form), current_user)),
            _("Competition created. Now add its events.")):
        return redirect(url_for("competitions.manage", competition_id=created["comp"].id))
    return render_template("competitions/competition_form.html", form=form, competition=None)


@bp.route("/manage/competitions/<int:competition_id>")
@roles("admin", "organizer")
def manage(competition_id: int):
    comp = managed_competition(competition_id)
    targets = []
    for target in lifecycle.allowed_targets(comp.status):
        targets.append((target, operations.unmet_requirements(comp, target)))
    supervisor_form = SupervisorForm()
    supervisor_form.user_id.choices = _supervisor_choices(comp)
    policy_warnings = {}
    if "final" in dict(targets) and comp.stage != "preliminary":
        policy_warnings["final"] = _final_policy_texts(comp)
    previews = {target: signals.competition_preview.send(comp, key=target) for target, _unmet in targets}
    forward = next(((t, u) for t, u in targets if t != "registration_open" or comp.status == "draft"), None)
    return render_template("competitions/manage.html", competition=comp, targets=targets, previews=previews,
                           forward=forward,
                           status_form=StatusForm(version=comp.version), policy_warnings=policy_warnings,
                           publicity_ends_at=operations.publicity_ends_at(comp),
                           supervisors=supervisors_of(comp), supervisor_form=supervisor_form)


def _supervisor_choices(comp: Competition) -> list[tuple[str, str]]:
    """Supervisors the caller may assign: an admin any, the host's organizer their own organization's."""
    from ..accounts.models import User, UserRole
    stmt = (select(User).join(UserRole).where(UserRole.role == "supervisor", User.is_enabled)
            .order_by(User.username))
    if not current_user.has_role("admin"):
        stmt = stmt.where(User.organization_id == comp.host_organization_id)
    assigned = {row.user_id for row in supervisors_of(comp)}
    return [(str(u.id), f"{u.name}（{u.username}）") for u in db.session.scalars(stmt) if u.id not in assigned]


@bp.route("/manage/competitions/<int:competition_id>/supervisors", methods=["POST"])
@roles("admin", "organizer")
def supervisor_add(competition_id: int):
    from ..accounts.models import User
    comp = managed_competition(competition_id)
    form = SupervisorForm()
    if form.validate_on_submit():
        user = db.session.get(User, request.form.get("user_id", type=int) or 0)
        perform(lambda: operations.assign_supervisor(comp, user, current_user), _("Supervisor assigned."))
    return redirect(url_for("competitions.manage", competition_id=comp.id) + "#supervisors")


@bp.route("/manage/competitions/<int:competition_id>/supervisors/<int:user_id>/remove", methods=["POST"])
@roles("admin", "organizer")
def supervisor_remove(competition_id: int, user_id: int):
    comp = managed_competition(competition_id)
    row = db.session.scalar(select(CompetitionSupervisor).where(
        CompetitionSupervisor.competition_id == comp.id, CompetitionSupervisor.user_id == user_id))
    if row is None:
        abort(404)
    perform(lambda: operations.unassign_supervisor(row, current_user), _("Supervisor removed."))
    return redirect(url_for("competitions.manage", competition_id=comp.id) + "#supervisors")


def _final_policy_texts(comp: Competition) -> tuple[str, list[str]]:
    """Which policy sets will grant (or granted) the entitlements, and why none for a region
    (selection answers, app/wiring.py)."""
    answers = signals.competition_outlook.send(comp, key="final")
    return answers[0] if answers else ("", [])


@bp.route("/manage/competitions/<int:competition_id>/edit", methods=["GET", "POST"])
@roles("admin", "organizer")
def competition_edit(competition_id: int):
    comp = managed_competition(competition_id)
    form = CompetitionForm(obj=comp if request.method == "GET" else None)
    _competition_choices(form)
    if request.method == "GET":
        form.version.data = comp.version
        form.year.data = str(comp.year)
        form.host_organization_id.data = str(comp.host_organization_id or "")
        form.registration_opens_at.data = timeutil.local_input(comp.registration_opens_at)
        form.registration_closes_at.data = timeutil.local_input(comp.registration_closes_at)
        form.starts_on.data = comp.starts_on.isoformat() if comp.starts_on else ""
        form.ends_on.data = comp.ends_on.isoformat() if comp.ends_on else ""
        form.publicity_days.data = str(comp.publicity_days)
        form.appeal_window_hours.data = str(comp.appeal_window_hours)
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.update_competition(
                comp, {**_competition_data(form), "version": form.version.data, "reason": form.reason.data},
                current_user), _("Competition saved.")):
        return redirect(url_for("competitions.manage", competition_id=comp.id))
    return render_template("competitions/competition_form.html", form=form, competition=comp,
                           running=operations.running_periods(comp))


@bp.route("/manage/competitions/<int:competition_id>/status", methods=["POST"])
@roles("admin", "organizer")
@requires_recent_auth(when=lambda: request.form.get("status") in REAUTH_STATUSES)
def competition_status(competition_id: int):
    comp = managed_competition(competition_id)
    form = StatusForm()
    if form.validate_on_submit() and perform(lambda: operations.change_status(
            comp, form.status.data, current_user, reason=(form.reason.data or "").strip()[:500] or None,
            version=form.version.data)):
        flash(_("The competition is now: %(status)s.", status=label(lifecycle.STATUSES, comp.status)), "success")
        if comp.status == "final" and comp.stage != "preliminary":
            applied, warnings = _final_policy_texts(comp)
            flash(applied, "info")
            for warning in warnings:
                flash(_("No regional entitlements: %(reason)s", reason=warning), "warning")
    return redirect(url_for("competitions.manage", competition_id=comp.id))


# ---- events -------------------------------------------------------------------------------

def _save_event(form: EventForm, comp: Competition, event: Event | None):
    data, aliases, unassigned = event_form_to_data(form)
    if unassigned:
        for i in unassigned:
            form.criteria.entries[i].form.component.errors = [
                _("Choose one of the components above.")]
        return None
    saved = {}

    def save():
        if event is None:
            saved["event"] = operations.create_event(comp, data, current_user)
        else:
            saved["event"] = operations.update_event(event, {**data, "version": form.version.data}, current_user)
    return saved["event"] if submit_form(form, save, aliases=aliases) else None


@bp.route("/manage/competitions/<int:competition_id>/events/new", methods=["GET", "POST"])
@roles("admin", "organizer")
def event_new(competition_id: int):
    comp = managed_competition(competition_id)
    form = EventForm()
    event_choices(form)
    chosen = rubric_ops.find(request.args.get("template"), current_user) if request.method == "GET" else None
    if chosen:
        form.name.data, form.occupation.data = chosen["name"], chosen["occupation"]
        fill_scheme(form, chosen["scheme"], chosen["tiebreak"])
    elif request.method == "GET":
        default_scheme(form)
    if form.validate_on_submit():
        event = _save_event(form, comp, None)
        if event is not None:
            flash(_("Event %(name)s saved.", name=event.name), "success")
            return redirect(url_for("competitions.manage", competition_id=comp.id))
    scheme_choices(form)
    return render_template("competitions/event_form.html", form=form, competition=comp, event=None,
                           org_kinds=ORG_KINDS, templates=rubric_ops.choices(current_user), chosen=chosen)


@bp.route("/manage/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles("admin", "organizer")
def event_edit(event_id: int):
    event = managed_event(event_id)
    comp = event.competition
    form = EventForm()
    event_choices(form)
    if request.method == "GET":
        fill_event_form(form, event)
    if form.validate_on_submit():
        saved = _save_event(form, comp, event)
        if saved is not None:
            flash(_("Event %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("competitions.manage", competition_id=comp.id))
    scheme_choices(form)
    return render_template("competitions/event_form.html", form=form, competition=comp, event=event,
                           org_kinds=ORG_KINDS)
