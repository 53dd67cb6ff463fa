"""Locale choice and translation of domain messages (zh_CN first, en switchable)."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import gettext
from flask_login import current_user

from .domain import lifecycle
from .domain.errors import DomainError, ValidationFailed
from .domain.refdata import ENTITLEMENT_STATUSES, REGISTRATION_STATUSES


@lru_cache(maxsize=16)
def _parsed(identifier: str) -> Locale:
    # Flask-Babel parses the selector's answer on every request, and babel's parse scans its
    # whole locale list each time (a third of a cached page's cost); a Locale passes through.
    return Locale.parse(identifier)


def select_locale() -> Locale:
    return _parsed(_select_locale())


def _select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    if request.path.startswith("/api/"):
        # The API follows Accept-Language; Chinese unless English is preferred.
        best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh-CN")
        return "en" if best == "en" else "zh_CN"
    lang = session.get("lang")
    if lang in supported:
        return lang
    user = current_user if current_user else None
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in supported:
        return user.locale
    return default


_STATUS_PARAMS = ("current", "target", "status")


def translate(message: str, params: dict | None = None) -> str:
    params = dict(params or {})
    for key in _STATUS_PARAMS:
        value = params.get(key)
        if value in lifecycle.STATUSES:
            params[key] = gettext(lifecycle.STATUSES[value])
        elif value in REGISTRATION_STATUSES:
            params[key] = gettext(REGISTRATION_STATUSES[value])
        elif value in ENTITLEMENT_STATUSES:
            params[key] = gettext(ENTITLEMENT_STATUSES[value])
    field_label = params.get("field")
    if isinstance(field_label, str):
        params["field"] = gettext(field_label)  # a field's label (a message id) named in the error
    text = gettext(message)
    return text % params if params else text


def error_message(exc: DomainError) -> str:
    return translate(exc.message, exc.params)


def field_errors(exc: ValidationFailed) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for err in exc.errors:
        out.setdefault(err.field, []).append(translate(err.message, err.params))
    return out


def label(mapping: dict, key) -> str:
    """Translated label of an enumeration value (refdata); the key itself if unknown."""
    value = mapping.get(key)
    return gettext(value) if value else ("" if key is None else str(key))


def current_locale() -> str:
    """The locale of this request ('zh_CN' or 'en'); the default outside a request."""
    from flask_babel import get_locale
    loc = get_locale() if has_request_context() else None
    return str(loc) if loc else current_app.config["BABEL_DEFAULT_LOCALE"]


def names(kind: str) -> dict:
    """The values of a kind of reference data (award, level, ethnic_group, title …) named in the
    request's language: the official Chinese names by default, English when the UI is English."""
    from .domain.refdata import names as _names
    return _names(kind, current_locale())


def name(kind: str, key) -> str:
    """One value's name in the request's language (see names)."""
    from .domain.refdata import name as _name
    return _name(kind, key, current_locale())
