"""Competition and event pages: public listing, and set-up under /manage/ for organizers."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import timeutil
from ..domain import lifecycle
from ..domain.refdata import JURISDICTIONS, KINDS, jurisdiction_name, LEVELS, ORG_KINDS, SKILL_GRADES, TRACKS
from ..domain.scheme import AGGREGATIONS
from ..extensions import db
from ..forms_util import perform, submit_form
from ..i18n import label
from ..people.models import Organization
from ..security import REAUTH_STATUSES, requires_recent_auth, public, roles
from .. import signals
from ..rubrics import operations as rubric_ops
from . import bp, operations
from .access import manages, managed_competition, managed_competitions, managed_event, supervisors_of
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
    return render_template("competitions/manage_index.html",
                           competitions=db.session.scalars(stmt).all(), status=status)


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

def _event_choices(form: EventForm) -> None:
    form.track.choices = [("", _("— choose —"))] + [(k, label(TRACKS, k)) for k in TRACKS]
    names = {"mean": _("Mean"), "trimmed_mean": _("Trimmed mean (drop highest and lowest with 5 or more judges)"),
             "median": _("Median")}
    form.aggregation.choices = [(k, names[k]) for k in AGGREGATIONS]
    form.award_preset.choices = [("prizes", _("Prizes: first, second, third by shares")),
                                 ("medals", _("Medals: gold, silver, bronze and merit"))]
    form.min_skill_grade.choices = [("", _("— no limit —"))] + [(str(k), label(SKILL_GRADES, k)) for k in SKILL_GRADES]
    form.organization_kinds.choices = [(k, label(ORG_KINDS, k)) for k in ORG_KINDS]


def _blank(row: dict) -> bool:
    return not any(str(v or "").strip() for k, v in row.items()
                   if k not in ("kind", "scale", "entry", "csrf_token", "component", "key"))


def _new_key(prefix: str, used: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    used.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def event_form_to_data(form: EventForm) -> tuple[dict, dict[str, str], list[int]]:
    """Build the API-shaped event from the form; return it with error-path aliases to form fields.
    The organizer types no codes: a component or criterion without one gets one made from its row
    (c1, c2 … and k1, k2 …); a criterion names its component by the row chosen from the list; the
    tie-break chain is chosen from the rows too ("component#1", "criterion#0", "time_used")."""
    aliases: dict[str, str] = {}
    components = []
    index_of: dict[str, int] = {}  # a component's row position (or, from older clients, its key) → index
    used = {(r.form.key.data or "").strip() for r in form.components.entries} | {
        (r.form.key.data or "").strip() for r in form.criteria.entries}
    comp_key_of_row: dict[int, str] = {}
    for i, row in enumerate(form.components.entries):
        d = row.data
        if _blank(d):
            continue
        ci = len(components)
        key = (d["key"] or "").strip() or _new_key("c", used)
        comp_key_of_row[i] = key
        index_of.setdefault(str(i), ci)
        index_of.setdefault(key, ci)
        for f in ("key", "name", "weight", "entry"):
            aliases[f"scheme.components[{ci}].{f}"] = f"components-{i}-{'name' if f == 'key' else f}"
        aliases[f"scheme.components[{ci}].criteria"] = f"components-{i}-name"
        components.append({"key": key, "name": d["name"], "weight": d["weight"],
                           "entry": d["entry"], "criteria": []})
    unassigned = []
    crit_key_of_row: dict[int, str] = {}
    for i, row in enumerate(form.criteria.entries):
        d = row.data
        if _blank(d):
            continue
        key = (d["key"] or "").strip() or _new_key("k", used)
        crit_key_of_row[i] = key
        crit = {"key": key, "name": d["name"], "max_score": d["max_score"], "kind": d["kind"],
                "scale": d["scale"]}
        if d["scale"] == "wsi3":
            lines = [ln.strip() for ln in (d["descriptors"] or "").splitlines() if ln.strip()]
            crit["descriptors"] = lines
        else:
            crit["step"] = d["step"]
        ci = index_of.get((d["component"] or "").strip())
        if ci is None:
            unassigned.append(i)
            continue
        ki = len(components[ci]["criteria"])
        for f in ("key", "name", "max_score", "kind", "scale", "step", "descriptors"):
            aliases[f"scheme.components[{ci}].criteria[{ki}].{f}"] = f"criteria-{i}-{'name' if f == 'key' else f}"
        components[ci]["criteria"].append(crit)
    aliases["scheme.components"] = "components-0-weight"
    chain = []
    for j, entry in enumerate(form.tiebreak.entries):
        value = (entry.data or "").strip()
        kind, _sep, pos = value.partition("#")
        if not value:
            continue
        if kind == "component" and pos.isdigit():
            value = f"component:{comp_key_of_row.get(int(pos), '?')}"
        elif kind == "criterion" and pos.isdigit():
            value = f"criterion:{crit_key_of_row.get(int(pos), '?')}"
        aliases[f"tiebreak[{len(chain)}]"] = f"tiebreak-{j}"
        chain.append(value)
    if not chain and request.form.get("tiebreak"):  # an older client's typed chain
        chain = [t.strip() for t in request.form["tiebreak"].split(",") if t.strip()]
        for j in range(len(chain)):
            aliases[f"tiebreak[{j}]"] = "tiebreak-0"
    aliases["tiebreak"] = "tiebreak-0"
    kinds = [part.strip() for k in (form.organization_kinds.data or []) for part in str(k).split(",") if part.strip()]
    data = {
        "name": form.name.data, "occupation": form.occupation.data, "track": form.track.data,
        "team_size": form.team_size.data, "max_entrants": form.max_entrants.data or None,
        "starts_at": form.starts_at.data, "ends_at": form.ends_at.data, "venue": form.venue.data,
        "scheme": {"aggregation": form.aggregation.data, "min_judges": form.min_judges.data,
                   **({"trim_fallback": form.trim_fallback.data or None} if form.aggregation.data == "trimmed_mean" else {}),
                   "components": components},
        "awards": {"preset": form.award_preset.data, "min_total": form.min_total.data,
                   "standardized": form.standardized.data,
                   **({"shares": [form.share_first.data, form.share_second.data, form.share_third.data]}
                      if form.award_preset.data == "prizes" else {})},
        "tiebreak": chain,
        "no_shared_ranks": form.no_shared_ranks.data,
        "two_layer": form.two_layer.data,
        "eligibility": {"min_age": form.min_age.data, "max_age": form.max_age.data,
                        "min_skill_grade": form.min_skill_grade.data or None,
                        "organization_kinds": kinds},
    }
    for name in ("min_age", "max_age", "min_skill_grade", "organization_kinds"):
        aliases[f"eligibility.{name}"] = name
    aliases.update({"awards.shares": "share_first", "awards.preset": "award_preset", "awards.min_total": "min_total",
                    "scheme.aggregation": "aggregation", "scheme.min_judges": "min_judges",
                    "scheme.trim_fallback": "trim_fallback"})
    return data, aliases, unassigned


def scheme_choices(form: EventForm) -> None:
    """The lists the scheme tables choose from, made from the rows on the form (static/js/app.js
    rebuilds them as rows are typed): each criterion's component, and the tie-break chain."""
    comps = []
    for i, row in enumerate(form.components.entries):
        name = (row.form.name.data or "").strip()
        if name or (row.form.key.data or "").strip():
            comps.append((str(i), name or _("Component %(n)d", n=i + 1)))
    crits = [(str(i), (row.form.name.data or "").strip()) for i, row in enumerate(form.criteria.entries)
             if (row.form.name.data or "").strip()]
    for row in form.criteria.entries:
        row.form.component.choices = [("", _("— choose —"))] + comps
    chain = ([("", _("— nothing more —"))] + [(f"component#{i}", _("Total of %(name)s", name=n)) for i, n in comps]
             + [(f"criterion#{i}", _("Criterion: %(name)s", name=n)) for i, n in crits]
             + [("time_used", _("Less time used"))])
    for entry in form.tiebreak.entries:
        entry.choices = chain
        if entry.data and entry.data not in {v for v, _l in chain}:
            entry.choices = chain + [(entry.data, entry.data)]


def fill_event_form(form: EventForm, event: Event) -> None:
    """Load a stored event into the form (GET of the edit page)."""
    form.version.data = event.version
    for f in ("name", "occupation", "track", "venue", "no_shared_ranks", "two_layer"):
        form[f].data = getattr(event, f)
    form.team_size.data = str(event.team_size)
    form.max_entrants.data = str(event.max_entrants or "")
    form.starts_at.data = timeutil.local_input(event.starts_at)
    form.ends_at.data = timeutil.local_input(event.ends_at)
    fill_scheme(form, event.scheme or {}, event.tiebreak or [])
    awards = event.awards or {}
    form.award_preset.data = awards.get("preset", "prizes")
    shares = awards.get("shares") or ["0.10", "0.20", "0.30"]
    form.share_first.data, form.share_second.data, form.share_third.data = shares
    form.min_total.data = awards.get("min_total", "60")
    form.standardized.data = awards.get("standardized", False)
    elig = event.eligibility or {}
    form.min_age.data = str(elig.get("min_age", "")) if elig.get("min_age") is not None else ""
    form.max_age.data = str(elig.get("max_age", "")) if elig.get("max_age") is not None else ""
    form.min_skill_grade.data = str(elig.get("min_skill_grade") or "")
    form.organization_kinds.data = list(elig.get("organization_kinds", []))


def fill_scheme(form: EventForm, scheme: dict, tiebreak: list) -> None:
    """Load a scheme (a stored event's, or a template's) into the form's scheme rows."""
    form.aggregation.data = scheme.get("aggregation", "mean")
    form.min_judges.data = str(scheme.get("min_judges", 3))
    form.trim_fallback.data = scheme.get("trim_fallback") or ""
    comps = scheme.get("components", [])
    crits = [(c["key"], k) for c in comps for k in c.get("criteria", [])]
    while len(form.components.entries) < len(comps) + 1:
        form.components.append_entry()
    while len(form.criteria.entries) < len(crits) + 2:
        form.criteria.append_entry()
    row_of = {}
    for i, (row, comp) in enumerate(zip(form.components.entries, comps)):
        row.form.key.data, row.form.name.data = comp["key"], comp["name"]
        row.form.weight.data, row.form.entry.data = comp["weight"], comp.get("entry", "judges")
        row_of[f"component:{comp['key']}"] = f"component#{i}"
        row_of[comp["key"]] = str(i)
    for i, (row, (ckey, crit)) in enumerate(zip(form.criteria.entries, crits)):
        f = row.form
        f.component.data, f.key.data, f.name.data = row_of.get(ckey, ""), crit["key"], crit["name"]
        f.max_score.data, f.kind.data, f.scale.data = crit["max_score"], crit["kind"], crit["scale"]
        f.step.data = crit.get("step", "")
        f.descriptors.data = "\n".join(crit.get("descriptors", []))
        row_of[f"criterion:{crit['key']}"] = f"criterion#{i}"
    while len(form.tiebreak.entries) < len(tiebreak) + 1:
        form.tiebreak.append_entry()
    for entry in form.tiebreak.entries:
        entry.data = ""
    for entry, item in zip(form.tiebreak.entries, tiebreak):
        entry.data = row_of.get(item, item)


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
    _event_choices(form)
    chosen = rubric_ops.find(request.args.get("template"), current_user) if request.method == "GET" else None
    if chosen:
        form.name.data, form.occupation.data = chosen["name"], chosen["occupation"]
        fill_scheme(form, chosen["scheme"], chosen["tiebreak"])
    elif request.method == "GET":
        _default_scheme(form)
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
    _event_choices(form)
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


def _default_scheme(form: EventForm) -> None:
    """A starting point most events adapt: theory 30% and practical 70%."""
    rows = form.components.entries
    rows[0].form.key.data, rows[0].form.name.data, rows[0].form.weight.data = "theory", _("Theory"), "0.30"
    rows[0].form.entry.data = "import"
    rows[1].form.key.data, rows[1].form.name.data, rows[1].form.weight.data = "practical", _("Practical"), "0.70"
    crit = form.criteria.entries[0].form
    crit.component.data, crit.key.data, crit.name.data = "0", "T1", _("Theory exam")
    crit.max_score.data, crit.step.data = "100", "0.5"
