"""Sign-in and out, password change, and user management pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..domain.refdata import ROLES
from ..extensions import db, limiter
from ..forms_util import submit_form
from ..i18n import error_message, label
from ..people.models import Organization
from ..security import login_required_any, mark_authenticated, public, reauth_minutes, requires_recent_auth, roles
from . import bp, operations
from .access import can_edit, editable_user, grantable_roles, search_users, users_query
from .forms import LoginForm, PasswordForm, ReauthForm, UserForm
from .models import User
from .throttle import AccountLocked


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.username.data, form.password.data)
        except AccountLocked as exc:
            form.password.errors = [error_message(exc)]
            status = 429
        else:
            if user is None:
                form.password.errors = [_("Wrong user name or password.")]
            else:
                session.clear()
                session["sid"] = operations.start_session(user)
                login_user(user)
                session.permanent = True
                mark_authenticated()
                return redirect(_safe_next(request.args.get("next")) or landing(user))
    return render_template("accounts/login.html", form=form), status


def landing(user) -> str:
    """Where a sign-in without `next` lands: each role on its own tasks — organizers and admins
    on the competitions they manage, a judge on their panels, a supervisor on the competitions
    they supervise, an organization's contact on its registrations, a candidate on their own
    page; anyone else on the home page."""
    if user.has_role("admin", "organizer"):
        return url_for("competitions.manage_index")
    if user.has_role("judge", "chief_judge"):
        return url_for("judging.home")
    if user.has_role("supervisor"):
        return url_for("judging.supervise_home")
    if user.has_role("org_contact") and user.organization_id is not None:
        return url_for("registration.org_index")
    if user.has_role("candidate"):
        return url_for("registration.me")
    return url_for("main.index")


@bp.route("/account/reauth", methods=["GET", "POST"])
@login_required_any
@limiter.limit("10 per minute", methods=["POST"])
def reauth():
    """Confirm the password again before a sensitive action, then repeat that action."""
    pending = session.get("reauth_pending")
    form = ReauthForm()
    status = 200
    if form.validate_on_submit():
        try:
            ok = operations.confirm_password(current_user, form.password.data)
        except AccountLocked as exc:
            form.password.errors = [error_message(exc)]
            status = 429
        else:
            if not ok:
                form.password.errors = [_("Wrong password.")]
                current_app.logger.warning("re-authentication failed for user %s", current_user.id)
            else:
                mark_authenticated()
                session.pop("reauth_pending", None)
                if pending and _safe_next(pending.get("url")):
                    # 307 repeats the POST with this form's fields (the kept ones and the CSRF token).
                    return redirect(pending["url"], code=307)
                return redirect(_safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("accounts/reauth.html", form=form, pending=pending,
                           minutes=reauth_minutes()), status


@bp.route("/logout", methods=["POST"])
@login_required_any
def logout():
    operations.end_session(session.get("sid"))  # a copy of the cookie no longer signs anyone in
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    response = redirect(url_for("main.index"))
    # The browser's HTTP and back-forward caches may hold a judge's pages (app/judging/offline.py
    # kept_page): gone with the session. (Not "storage": a judge's unsent scores stay queued.)
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required_any
def change_password():
    form = PasswordForm()
    if form.validate_on_submit() and submit_form(
            form, lambda: operations.change_password(current_user, form.current_password.data, form.new_password.data),
            _("Your password has been changed. Other sessions have been signed out.")):
        login_user(current_user._get_current_object())  # keep this session; the others have ended
        mark_authenticated()
        return redirect(url_for("main.index"))
    return render_template("accounts/password.html", form=form)


def _fill_choices(form: UserForm) -> None:
    form.roles.choices = [(r, label(ROLES, r)) for r in grantable_roles(current_user)]
    if current_user.has_role("admin"):
        orgs = db.session.scalars(select(Organization).order_by(Organization.name)).all()
        form.organization_id.choices = [("", _("— none —"))] + [(str(o.id), o.name) for o in orgs]
    else:  # an organizer's accounts belong to the organizer's own organization
        own = db.session.get(Organization, current_user.organization_id) if current_user.organization_id else None
        form.organization_id.choices = [(str(own.id), own.name)] if own else [("", _("— none —"))]


@bp.route("/manage/users")
@roles("admin", "organizer")
def users():
    role = request.args.get("role") or None
    role = role if role in ROLES else None
    text = (request.args.get("q") or "").strip()
    page = db.paginate(search_users(users_query(current_user), text, role).options(selectinload(User.organization)),
                       per_page=50, error_out=False)
    return render_template("accounts/users.html", page=page, users=page.items, role=role, q=text,
                           can_edit=lambda u: can_edit(u, current_user))


@bp.route("/manage/users/new", methods=["GET", "POST"])
@roles("admin", "organizer")
@requires_recent_auth(when=lambda: request.method == "POST")  # granting roles
def user_new():
    form = UserForm()
    _fill_choices(form)
    if form.validate_on_submit():
        data = {"username": form.username.data, "name": form.name.data, "password": form.password.data,
                "roles": form.roles.data, "organization_id": form.organization_id.data}
        if submit_form(form, lambda: operations.create_user(data, actor=current_user),
                       _("User %(username)s created.", username=operations.normalize_username(form.username.data))):
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/manage/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles("admin", "organizer")
@requires_recent_auth(when=lambda: request.method == "POST")  # granting or removing roles
def user_edit(user_id: int):
    user = editable_user(user_id)
    form = UserForm(obj=None if request.method == "POST" else user)
    _fill_choices(form)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.organization_id.data = str(user.organization_id or "")
    if form.validate_on_submit():
        data = {"name": form.name.data, "roles": form.roles.data,
                "organization_id": form.organization_id.data, "is_enabled": form.is_enabled.data}
        if form.password.data:
            data["password"] = form.password.data
        if user.id == current_user.id and (not form.is_enabled.data or "admin" not in form.roles.data):
            form.roles.errors = [_("You cannot remove your own administrator access.")]
        elif submit_form(form, lambda: operations.update_user(user, data, actor=current_user),
                         _("User %(username)s saved.", username=user.username)):
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user)
