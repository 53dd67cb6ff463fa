"""Request plumbing shared by every blueprint: access hook, error pages, headers, template helpers."""
from __future__ import annotations

import json
import logging

from flask import Flask, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from . import observability, timeutil
from .domain import lifecycle, refdata
from .domain.errors import DomainError, ValidationFailed
from .extensions import db, login_manager
from .i18n import error_message, field_errors, label, translate
from .i18n import name as i18n_name
from .i18n import names as i18n_names
from .accounts.access import token_user
from .security import api_error, bearer_user_loader, enforce_access, is_api_request

logger = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(user_id: str):
    from flask import session

    from .accounts.operations import live_session_user

    try:
        uid, version = (int(p) for p in user_id.split(":", 1))
    except ValueError:
        return None
    if not 0 < uid < 2**63:
        return None
    # None: this browser session was signed out (or never started here), or no such user.
    user = live_session_user(uid, session.get("sid"))
    if user is None or not user.is_enabled or user.session_version != version:
        return None  # revoked: logout everywhere, password change or disabled account
    return user


def _signed_in() -> bool:
    """Whether the request came from a signed-in user, without reading the user again (see
    observability.loaded_user_id); a request that never loaded its user counts as signed in when
    its session names one (Cache-Control: no-store then errs on the private side)."""
    from flask import session

    if "_login_user" in g:
        return observability.loaded_user_id() is not None
    return "_user_id" in session


def _nul_field(value, path: str = "") -> str | None:
    """The name of the first field whose text holds U+0000 (PostgreSQL cannot store it; no
    legitimate text has it), or None."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _nul_field(str(k), path) if "\x00" in str(k) else _nul_field(v, f"{path}.{k}" if path else str(k))
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _nul_field(v, f"{path}[{i}]")
            if found:
                return found
    return None


def refuse_nul_characters():
    """before_request: refuse text with NUL characters in the query, a form or a JSON body, naming
    the field, before any handler (or the database) sees it."""
    field = None
    for source in (request.args, request.form):
        for key, value in source.items(multi=True):
            key, value = key or "", value or ""  # a multipart part may come without a name
            if "\x00" in key or "\x00" in value:
                field = key.replace("\x00", "")
                break
        if field:
            break
    if field is None and request.is_json:
        field = _nul_field(request.get_json(silent=True))
    if field is None:
        return None
    message = _("The text contains a NUL character, which is not allowed.")
    if is_api_request():
        return api_error(400, "bad_request", message, {field: [message]})
    return render_template("errors/error.html", status=400, message=f"{field}: {message}"), 400


class BoundedInt(IntegerConverter):
    """`<int:…>` in routes: ids beyond what the databases store match no route → 404 (ids are
    INTEGER columns: PostgreSQL stores at most 2^31 - 1, so a larger id is nobody's)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def install_converters(app: Flask) -> None:
    """Before any route is registered."""
    app.url_map.converters["int"] = BoundedInt


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    bearer_user_loader(token_user)
    app.before_request(enforce_access)
    app.before_request(refuse_nul_characters)

    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                     "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        # HSTS only means something over TLS (behind a proxy, TRUSTED_PROXIES makes is_secure true).
        if request.is_secure or app.config.get("SESSION_COOKIE_SECURE"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # Personal data: signed-in pages, the API, and every answer to a form (e.g. the lookup,
        # the sign-up) are never stored by browsers or proxies.
        if is_api_request() or request.method not in ("GET", "HEAD") or _signed_in():
            h.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        db.session.rollback()
        if is_api_request():
            fields = field_errors(exc) if isinstance(exc, ValidationFailed) else None
            return api_error(exc.status, exc.code, error_message(exc), fields, **exc.extra(translate))
        return render_template("errors/error.html", status=exc.status, message=error_message(exc)), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        logger.warning("CSRF refused on %s: %s", request.path, exc.description)
        return render_template("errors/error.html", status=400,
                               message=_("The form has expired or was not sent from this site. Reload the page and try again.")), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if is_api_request():
            codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
                     405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited"}
            messages = {
                404: _("Not found."), 403: _("You are not allowed to do this."),
                405: _("This method is not allowed here."), 413: _("The upload is too large."),
                429: _("Too many requests; wait a minute and try again."),
                400: _("The request could not be read."),
            }
            return api_error(exc.code or 500, codes.get(exc.code, "error"),
                             messages.get(exc.code, exc.description or ""))
        template = {403: "errors/403.html", 404: "errors/404.html"}.get(exc.code, "errors/error.html")
        messages = {429: _("Too many requests; wait a minute and try again."),
                    413: _("The upload is too large."), 405: _("This method is not allowed here.")}
        return render_template(template, status=exc.code,
                               message=messages.get(exc.code, exc.description)), exc.code

    @app.errorhandler(IntegrityError)
    def integrity_conflict(exc: IntegrityError):
        # A unique or foreign-key rule of the database refused a write that raced another one.
        db.session.rollback()
        logger.warning("integrity conflict on %s %s: %s", request.method, request.path, exc.orig)
        message = _("This change conflicts with another one made at the same moment; reload and try again.")
        if is_api_request():
            return api_error(409, "conflict", message)
        return render_template("errors/error.html", status=409, message=message), 409

    @app.errorhandler(DataError)
    def data_refused(exc: DataError):
        # A value the database cannot store (too long for its column, out of range): a refusal,
        # never a 500. Field checks normally catch these first.
        db.session.rollback()
        logger.warning("database refused a value on %s %s: %s", request.method, request.path, exc.orig)
        message = _("A value is too long or not valid for storage; check the fields and try again.")
        if is_api_request():
            return api_error(422, "invalid_value", message)
        return render_template("errors/error.html", status=422, message=message), 422

    @app.errorhandler(OverflowError)
    def number_too_large(exc: OverflowError):
        # A number in a query, form or body beyond what the database stores (SQLite raises this
        # before SQL runs; PostgreSQL answers DataError, handled above).
        db.session.rollback()
        message = _("A number is too large.")
        if is_api_request():
            return api_error(400, "bad_request", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(OperationalError)
    def database_busy(exc: OperationalError):
        # SQLite under write contention ("database is locked"): ask the client to retry, not a 500.
        db.session.rollback()
        text = str(exc.orig).lower()
        unavailable = exc.connection_invalidated or any(s in text for s in (
            "shutting down", "starting up", "could not connect", "connection refused", "server closed",
            "terminating connection", "connection failed", "consuming input failed"))
        if "locked" not in text and "busy" not in text and not unavailable:
            return server_error(exc)
        logger.warning("database unavailable or busy on %s %s: %s", request.method, request.path, exc.orig)
        message = _("The server is busy; please try again in a moment.")
        if is_api_request():
            return api_error(503, "busy", message)
        return render_template("errors/error.html", status=503, message=message), 503

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if is_api_request():
            return api_error(500, "server_error", _("Something went wrong on our side; please try again."))
        return render_template("errors/500.html"), 500

    @app.context_processor
    def template_helpers():
        return {
            "label": label,
            "names": i18n_names,
            "name_of": i18n_name,
            "refdata": refdata,
            "statuses": lifecycle.STATUSES,
            "current_locale": str(get_locale()),
            "jurisdiction_name": lambda code: refdata.jurisdiction_name(code, str(get_locale())),
        }

    app.json.ensure_ascii = False
    app.jinja_env.filters["pretty_json"] = lambda v: "" if v is None else json.dumps(
        v, ensure_ascii=False, sort_keys=True, default=str)
    from .pdf.fonts import missing_glyphs
    app.jinja_env.filters["missing_glyphs"] = missing_glyphs
    app.jinja_env.filters["local_dt"] = timeutil.local_text
    app.jinja_env.filters["local_input"] = timeutil.local_input
