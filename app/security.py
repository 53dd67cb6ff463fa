"""Who may use which route: every view declares it, and one hook enforces it.

A view without a declaration is refused (fail closed), and the access-matrix test fails on it.
Declarations:  @public  ·  @login_required_any  ·  @roles("organizer", "admin")
Object-level checks (this competition, this organization) stay in the view, through
permission predicates such as `Competition.can_manage(user)`.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, g, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import AnonymousUserMixin, current_user

from .models_base import utcnow


@dataclass(frozen=True)
class Access:
    public: bool = False
    roles: frozenset[str] = frozenset()  # empty with public=False: any signed-in user


def _declare(view, access: Access):
    view._access = access
    return view


def public(view):
    return _declare(view, Access(public=True))


def login_required_any(view):
    return _declare(view, Access())


def roles(*names: str):
    def wrap(view):
        return _declare(view, Access(roles=frozenset(names)))
    return wrap


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def bearer_user_loader(fn):
    """Set how an API call's bearer token finds its user (web.init_app sets the accounts area's
    `token_user`): this house tool knows no area's models."""
    global _bearer_user
    _bearer_user = fn
    return fn


def _bearer_user():
    return None  # until web.init_app sets the loader: no token is valid


# A device token (scope "sheets", minted from a judge's signed-in page for one event) reaches
# only these API routes, only for that event, and only the judge's own sheets (no ?judge_id=).
DEVICE_ENDPOINTS = frozenset({"api.sheets_save", "api.sheets_submit", "api.sheet_photos_create", "api.token_delete"})


def device_token_refusal():
    """None when the request's token may do this, else the 403 answer."""
    token = g.get("api_token")
    if token is None or token.scope is None:
        return None
    args = request.view_args or {}
    allowed = (token.scope == "sheets" and request.endpoint in DEVICE_ENDPOINTS and "judge_id" not in request.args
               and (request.endpoint == "api.token_delete" or args.get("event_id") == token.event_id))
    if allowed:
        return None
    return api_error(403, "forbidden", _("This device token only saves and submits your own sheets of its event."))


def api_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    body["error"].update(extra)
    return jsonify(body), status


def enforce_access():
    """before_request: authenticate API calls by bearer token, then apply the view's declaration."""
    if request.endpoint is None:
        return None  # 404/405 handled by Flask
    if is_api_request():
        # The API never uses the session cookie (no CSRF on the API): only the bearer token.
        g._login_user = _bearer_user() or AnonymousUserMixin()
        refused = device_token_refusal()
        if refused is not None:
            return refused
    view = current_app.view_functions.get(request.endpoint)
    access: Access | None = getattr(view, "_access", None)
    if request.endpoint == "static":
        return None
    if access is None:
        current_app.logger.error("route %s declares no access rule; refused", request.endpoint)
        return _forbidden()
    if access.public:
        return None
    if not current_user.is_authenticated:
        if is_api_request():
            return api_error(401, "unauthorized", _("Sign in first: send a valid bearer token."))
        return redirect(url_for("accounts.login", next=request.full_path if request.query_string else request.path))
    if access.roles and not current_user.has_role(*access.roles):
        return _forbidden()
    return None


def _forbidden():
    if is_api_request():
        return api_error(403, "forbidden", _("You are not allowed to do this."))
    from flask import render_template
    return render_template("errors/403.html"), 403


# ---- re-authentication ("sudo mode") before lock, publish and finalize ------------------------
# The web session records when the password was last typed (sign-in or re-authentication); an
# API token counts as confirmed while it is younger than the same window (tokens are only issued
# against a password). Older than REAUTH_MINUTES: the web asks for the password again and then
# repeats the action; the API answers 401 `reauth_required`.

# Competition moves that publish results (→ publicity) or freeze them (→ final).
REAUTH_STATUSES = frozenset({"publicity", "final"})


def reauth_minutes() -> int:
    return int(current_app.config.get("REAUTH_MINUTES", 10))


def mark_authenticated() -> None:
    """The user has just typed their password (sign-in or re-authentication)."""
    session["auth_at"] = int(time.time())


def recently_authenticated() -> bool:
    if is_api_request():
        token = g.get("api_token")
        return token is not None and token.created_at >= utcnow() - timedelta(minutes=reauth_minutes())
    at = session.get("auth_at")
    return isinstance(at, int) and 0 <= time.time() - at <= reauth_minutes() * 60


def requires_recent_auth(when=None):
    """Decorator: the action needs a password typed in the last REAUTH_MINUTES. `when()` narrows
    it to some requests (e.g. only the status changes that publish or finalize)."""
    def wrap(view):
        @functools.wraps(view)
        def inner(*args, **kwargs):
            if (when is None or when()) and not recently_authenticated():
                return _reauth_required()
            return view(*args, **kwargs)
        inner._reauth = True  # the API document states the 401 reauth_required
        return inner
    return wrap


def _reauth_required():
    minutes = reauth_minutes()
    if is_api_request():
        return api_error(401, "reauth_required", _(
            "This action needs a recent sign-in: request a new token with your password "
            "(POST /api/v1/auth/token) and repeat it within %(minutes)d minutes.", minutes=minutes),
            reauth_minutes=minutes)
    if request.method == "GET":
        return redirect(url_for("accounts.reauth", next=request.full_path if request.query_string else request.path))
    # Keep the action (its URL and fields, never the CSRF token) to repeat it after the password.
    session["reauth_pending"] = {
        "url": request.path,
        "fields": [[k, v] for k, v in request.form.items(multi=True) if k != "csrf_token"][:50],
    }
    return redirect(url_for("accounts.reauth"))
