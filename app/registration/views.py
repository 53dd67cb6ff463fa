"""Registration pages: candidate sign-up and page, entry forms, org contact list, organizer
queue with bulk review, import with every bad row listed, template and export downloads."""
from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..competitions.access import managed_competition, managed_event
from ..competitions.models import Competition, Event
from ..domain.errors import N_, DomainError, FieldError, ValidationFailed
from ..domain.refdata import EDUCATION, GENDERS, ID_TYPES, SKILL_GRADES, regions
from ..extensions import db, limiter
from ..forms_util import apply_errors, perform, submit_form
from ..i18n import error_message, label, names, translate
from ..people import claims
from ..people.models import Organization, Person
from ..accounts import operations as account_ops
from ..security import mark_authenticated, public, roles
from . import bp, exports, operations
from .access import managed_registration, withdrawable_registration
from .forms import BulkReviewForm, ClaimDecisionForm, ClaimForm, EntryForm, ImportForm, ReviewForm, SignupForm
from .importer import ImportRejected, import_registrations
from .template import template_xlsx
from .models import Registration
from .queries import open_competitions, person_view, registrations_query

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 50


def _choices(form) -> None:
    none = [("", _("— not given —"))]
    form.id_type.choices = [(k, label(ID_TYPES, k)) for k in ID_TYPES]
    form.gender.choices = none + [(k, label(GENDERS, k)) for k in GENDERS]
    if hasattr(form, "ethnicity"):
        form.ethnicity.choices = none + list(names("ethnic_group").items())
        form.education.choices = none + [(k, label(EDUCATION, k)) for k in EDUCATION]
        form.skill_grade.choices = none + [(str(k), label(SKILL_GRADES, k)) for k in SKILL_GRADES]
    if hasattr(form, "organization_id"):
        orgs = db.session.scalars(select(Organization).order_by(Organization.name)).all()
        form.organization_id.choices = [("", _("— none —"))] + [(str(o.id), o.name) for o in orgs]
    if hasattr(form, "members"):
        for row in form.members:
            row.form.id_type.choices = form.id_type.choices
            row.form.gender.choices = form.gender.choices


def _person_data(form) -> dict:
    data = {"name": form.name.data, "id_type": form.id_type.data or "resident_id",
            "id_number": form.id_number.data or "", "gender": form.gender.data or None,
            "birth_date": form.birth_date.data or None}
    if getattr(form, "name_bo", None) is not None and form.name_bo.data:
        data["name_bo"] = form.name_bo.data
    for key in ("ethnicity", "phone", "education", "skill_grade"):
        if hasattr(form, key):
            data[key] = form[key].data or None
    return data


# ---- candidates -------------------------------------------------------------------------------

def signup_limit() -> str:
    # A whole class may sign up from one school network: per client, but generous.
    from flask import current_app
    return current_app.config.get("SIGNUP_RATE_LIMIT", "60 per hour")


@bp.route("/signup", methods=["GET", "POST"])
@public
@limiter.limit(signup_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("registration.me"))
    form = SignupForm()
    _choices(form)
    if form.validate_on_submit():
        data = {**_person_data(form), "username": form.username.data, "password": form.password.data,
                "organization_id": form.organization_id.data or None,
                "is_frontline_worker": form.is_frontline_worker.data}
        created = {}
        # One answer whether the ID number was on file or not (no existence oracle).
        if submit_form(form, lambda: created.setdefault("user", _signup_checked(form, data))):
            user = created["user"]
            session.clear()
            session["sid"] = account_ops.start_session(user)
            login_user(user)
            mark_authenticated()
            flash(_("Your account is ready."), "success")
            _glyph_warning(form.name.data or "")
            return redirect(url_for("registration.me"))
    return render_template("registration/signup.html", form=form)


def _signup_checked(form, data: dict):
    """The sign-up operation, refused (with every other field error) when the two passwords
    differ; the request rolls back whatever the operation wrote."""
    differ = (form.password.data or "") != (form.password_confirm.data or "")
    mismatch = FieldError("password_confirm", N_("The two passwords differ: type the same password twice."), {})
    try:
        user = operations.signup_candidate(data)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.errors + ([mismatch] if differ else [])) from None
    if differ:
        raise ValidationFailed([mismatch])
    return user


@bp.route("/signup/name-check")
@public
def name_check():
    """Which characters of a typed name no certificate font can print, while the candidate types
    (the sign-up page asks as soon as the name is entered; nothing is stored)."""
    from ..pdf.fonts import missing_glyphs
    name = (request.args.get("name") or "")[:100]
    missing = missing_glyphs(name)
    message = (_("Certificates cannot print these characters of your name: %(chars)s. Check the name is exactly as on "
                 "your ID document; the organizer will arrange how it is printed.", chars=" ".join(missing))
               if missing else "")
    return jsonify({"missing": missing, "message": message})


@bp.route("/me/claim", methods=["POST"])
@roles("candidate")
@limiter.limit("10 per hour")
def claim():
    """The candidate enters the claim code that links the account to their record."""
    form = ClaimForm()
    if form.validate_on_submit():
        perform(lambda: claims.redeem(current_user, form.code.data),
                _("Your account is now linked to your record."))
    return redirect(url_for("registration.me"))


# ---- claims awaiting a decision (organization contacts, organizers) -----------------------------

@bp.route("/claims")
@roles("admin", "organizer", "org_contact")
def claims_index():
    page = db.paginate(claims.claims_query(current_user), per_page=PER_PAGE, error_out=False)
    return render_template("registration/claims.html", page=page, form=ClaimDecisionForm(),
                           person_view=person_view)


@bp.route("/claims/<int:claim_id>", methods=["POST"])
@roles("admin", "organizer", "org_contact")
def claim_decide(claim_id: int):
    item = claims.decidable_claim(claim_id)
    form = ClaimDecisionForm()
    if form.validate_on_submit():
        perform(lambda: claims.decide(item, form.decision.data, form.reason.data, current_user),
                _("Decision saved."))
    return redirect(url_for("registration.claims_index"))


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@roles("candidate", "org_contact")
def register(event_id: int):
    event = db.get_or_404(Event, event_id)
    is_candidate = current_user.has_role("candidate") and not current_user.has_role("org_contact")
    done = url_for("registration.me" if is_candidate else "registration.org_index")
    if not operations.window_open(event.competition):
        flash(_("Registration for this competition is not open now."), "error")
        return redirect(done)
    person = db.session.scalar(select(Person).where(Person.user_id == current_user.id)) if is_candidate else None
    if is_candidate and person is None:
        abort(403)
    return _entry_page(event, "self" if is_candidate else "org_contact", person, done)


@bp.route("/manage/events/<int:event_id>/register", methods=["GET", "POST"])
@roles("admin", "organizer")
def manage_register(event_id: int):
    """An organizer enters a contestant (or a team) by hand, as an organization's contact can:
    the same operation and rules, with the organization chosen from the list."""
    event = managed_event(event_id)
    done = url_for("registration.queue", competition_id=event.competition_id, event_id=event.id)
    if not operations.window_open(event.competition):
        flash(_("Registration for this competition is not open now."), "error")
        return redirect(done)
    return _entry_page(event, "organizer", None, done)


def _entry_page(event: Event, source: str, person: Person | None, done: str):
    """The entry form for a candidate (their own record), an organization's contact or an
    organizer (the person typed here); one service, operations.register, behind all three."""
    comp = event.competition
    is_candidate = source == "self"
    form = EntryForm()
    while len(form.members.entries) < event.team_size - 1:
        form.members.append_entry()
    _choices(form)
    if request.method == "GET" and person is not None:
        form.organization_id.data = str(person.organization_id or "")
    if form.validate_on_submit():
        if is_candidate:
            person_data = {"name": person.name, "id_type": person.id_type, "id_number": person.id_number}
        else:
            person_data = _person_data(form)
        data = {"person": person_data}
        if source in ("self", "organizer"):
            data["organization_id"] = form.organization_id.data or None
        if event.team_size > 1:
            data["team_name"] = form.team_name.data
            data["members"] = [{"name": r.form.name.data, "id_type": r.form.id_type.data or "resident_id",
                                "id_number": r.form.id_number.data or "", "gender": r.form.gender.data or None,
                                "birth_date": r.form.birth_date.data or None} for r in form.members]
        try:
            reg = operations.register(event, data, current_user, source)
            db.session.flush()
        except ValidationFailed as exc:
            db.session.rollback()
            aliases = {f"person.{k}": k for k in ("name", "name_bo", "id_type", "id_number", "gender", "birth_date", "ethnicity",
                                                   "phone", "education", "skill_grade")}
            for i in range(event.team_size - 1):
                for k in ("name", "id_type", "id_number", "gender", "birth_date"):
                    aliases[f"members[{i}].{k}"] = f"members-{i}-{k}"
            apply_errors(form, exc, aliases)
        except operations.RegistrationRefused as exc:
            db.session.rollback()
            form.form_errors = [translate(r.message, r.params) for r in exc.refusals]
        except DomainError as exc:
            db.session.rollback()
            form.form_errors = [error_message(exc)]
        else:
            if source == "organizer":
                flash(_("Registration added to %(event)s; it awaits review below.", event=event.name), "success")
            else:
                flash(_("Registration submitted for %(event)s. The organizer will review it.", event=event.name), "success")
            for m in reg.members:
                _glyph_warning(m.person.name)
            return redirect(done)
    return render_template("registration/register.html", form=form, event=event, competition=comp,
                           person=person, is_candidate=is_candidate, source=source, back=done)


def _glyph_warning(name: str) -> None:
    from ..pdf.fonts import missing_glyphs
    if missing := missing_glyphs(name):
        flash(_("The name %(name)s has characters no certificate font can print (%(chars)s): "
                "the organizer will check it with you.", name=name, chars=" ".join(missing)), "warning")


@bp.route("/registrations/<int:registration_id>/withdraw", methods=["POST"])
@roles("candidate", "org_contact", "organizer", "admin")
def withdraw(registration_id: int):
    reg = withdrawable_registration(registration_id)
    # CSRFProtect has checked the token of this POST already.
    perform(lambda: operations.withdraw(reg, current_user), _("The registration has been withdrawn."))
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")
    return redirect(target)


# ---- organization contacts ------------------------------------------------------------------

@bp.route("/org/registrations")
@roles("org_contact")
def org_index():
    if current_user.organization_id is None:
        abort(403)
    status = request.args.get("status") or None
    text = (request.args.get("q") or "").strip()[:64]
    stmt = registrations_query(organization_id=current_user.organization_id, status=status, q=text or None)
    # Each row names its event and competition: read for the page in one query each.
    stmt = stmt.options(selectinload(Registration.event).selectinload(Event.competition))
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    return render_template("registration/org_index.html", page=page, status=status, q=text,
                           competitions=open_competitions(), person_view=person_view, claim_code=claims.claim_code,
                           organization=db.session.get(Organization, current_user.organization_id))


# ---- organizers -------------------------------------------------------------------------------

@bp.route("/manage/competitions/<int:competition_id>/registrations", methods=["GET", "POST"])
@roles("admin", "organizer")
def queue(competition_id: int):
    comp = managed_competition(competition_id)
    bulk = BulkReviewForm()
    if request.method == "POST" and bulk.validate_on_submit():
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        chosen = db.session.scalars(select(Registration).where(Registration.id.in_(ids),
                                                               Registration.competition_id == comp.id)
                                    .order_by(Registration.id)).all() if ids else []
        reason = (bulk.reason.data or "").strip()
        if not chosen:
            flash(_("Tick the registrations to decide first."), "warning")
            return redirect(request.full_path)
        if bulk.decision.data == "reject" and not reason:
            flash(_("Give the reason for the rejection: the contestants and their organizations read it."), "error")
            return redirect(request.full_path)
        if request.form.get("confirmed") != "1":
            # The second step: how many will be approved or rejected, whom, and why, before anything changes.
            return render_template("registration/bulk_confirm.html", competition=comp, bulk=bulk, chosen=chosen,
                                   reason=reason, back=request.full_path)
        done, skipped = 0, []
        for reg in chosen:
            try:
                with db.session.begin_nested():
                    operations.review(reg, bulk.decision.data, bulk.reason.data, current_user)
                done += 1
            except ValidationFailed as exc:
                flash("; ".join(translate(e.message, e.params) for e in exc.errors), "error")
                break
            except DomainError as exc:
                skipped.append(f"{reg.team_name or reg.person.name}: {error_message(exc)}")
        if done:
            flash(_("%(n)d registrations decided.", n=done), "success")
        for line in skipped[:20]:
            flash(line, "warning")
        return redirect(request.full_path)
    args = request.args
    event_id = args.get("event_id", type=int)
    org_id = args.get("organization_id", type=int)
    region = (args.get("region") or "").strip()
    status = args.get("status") or None
    q = (args.get("q") or "").strip() or None
    stmt = registrations_query(competition_id=comp.id, event_id=event_id, status=status, organization_id=org_id,
                               region_prefix=region.rstrip("0") or None, q=q)
    page = db.paginate(stmt, per_page=PER_PAGE, error_out=False)
    orgs = db.session.scalars(select(Organization).order_by(Organization.name)).all()
    return render_template("registration/queue.html", competition=comp, page=page, bulk=bulk, orgs=orgs,
                           filters={"event_id": event_id, "organization_id": org_id, "region": region,
                                    "status": status, "q": q or ""},
                           regions=regions(), person_view=person_view,
                           registration_open=operations.window_open(comp) and comp.kind != "title_selection")


@bp.route("/manage/registrations/<int:registration_id>", methods=["GET", "POST"])
@roles("admin", "organizer")
def detail(registration_id: int):
    reg = managed_registration(registration_id)
    form = ReviewForm()
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.review(reg, form.decision.data, form.reason.data, current_user),
            _("Decision saved.")):
        return redirect(url_for("registration.queue", competition_id=reg.competition_id))
    return render_template("registration/detail.html", reg=reg, form=form, person_view=person_view,
                           claim_code=claims.claim_code,
                           can_withdraw=reg.is_active and operations.window_open(db.session.get(Competition, reg.competition_id)))


@bp.route("/manage/events/<int:event_id>/import", methods=["GET", "POST"])
@roles("admin", "organizer")
def import_page(event_id: int):
    event = managed_event(event_id)
    form = ImportForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        if not upload:
            form.file.errors = [_("Choose a file to upload.")]
        else:
            try:
                outcome = import_registrations(event, upload.read(), current_user, upload.filename or "")
                db.session.flush()
            except ImportRejected as exc:
                db.session.rollback()
                problems = exc.extra(translate)["rows"]
                flash(error_message(exc), "error")
            except DomainError as exc:
                db.session.rollback()
                form.file.errors = [error_message(exc)]
            else:
                flash(_("%(n)d registrations imported.", n=len(outcome.ids)), "success")
                for skipped in outcome.skipped:
                    flash(translate(skipped.message, skipped.params), "warning")
                return redirect(url_for("registration.queue", competition_id=event.competition_id, event_id=event.id))
    return render_template("registration/import.html", event=event, form=form, problems=problems)


@bp.route("/manage/events/<int:event_id>/registrations/template.xlsx")
@roles("admin", "organizer")
def template(event_id: int):
    event = managed_event(event_id)
    return Response(template_xlsx(event), mimetype=XLSX,
                    headers={"Content-Disposition": exports.attachment(f"报名模板-{event.name}.xlsx", "registration-template.xlsx")})


@bp.route("/manage/events/<int:event_id>/registrations/export.xlsx")
@roles("admin", "organizer")
def export(event_id: int):
    event = managed_event(event_id)
    return Response(exports.registrations_xlsx(event), mimetype=XLSX,
                    headers={"Content-Disposition": exports.attachment(f"报名名单-{event.name}.xlsx", "registrations.xlsx")})
