"""Glue between WTForms (rendering, CSRF) and the domain parsers (the one set of rules)."""
from __future__ import annotations

from flask_wtf import FlaskForm

from .domain.errors import ValidationFailed
from .i18n import translate


def apply_errors(form: FlaskForm, exc: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    """Attach each domain field error to the matching form field (or the form's top)."""
    aliases = aliases or {}
    form.form_errors = list(getattr(form, "form_errors", []))
    for err in exc.errors:
        name = aliases.get(err.field, err.field)
        field = _find_field(form, name)
        message = translate(err.message, err.params)
        if field is not None:
            field.errors = list(field.errors) + [message]
        else:
            form.form_errors.append(message)


def _find_field(form, dotted: str):
    """'eligibility.min_age' → form.eligibility_min_age or form['min_age'];
    'criteria-3-max_score' → the max_score field of row 3 of the criteria FieldList."""
    parts = dotted.split("-", 2)
    if len(parts) == 3 and parts[0] in form._fields and parts[1].isdigit():
        entries = form[parts[0]].entries
        index = int(parts[1])
        if index < len(entries) and parts[2] in entries[index].form._fields:
            return entries[index].form[parts[2]]
        return None
    for candidate in (dotted, dotted.replace(".", "_"), dotted.split(".")[-1]):
        if candidate in form._fields:
            return form[candidate]
    return None


def perform(action, success: str | None = None) -> bool:
    """Run one operation for a page's action button: flash `success` (the request commits), or
    roll back and flash every error in the user's language. Returns whether it succeeded."""
    from flask import flash

    from .domain.errors import DomainError
    from .extensions import db
    from .i18n import error_message

    try:
        action()
    except ValidationFailed as exc:
        db.session.rollback()
        flash("; ".join(translate(e.message, e.params) for e in exc.errors), "error")
        return False
    except DomainError as exc:
        db.session.rollback()
        flash(error_message(exc), "error")
        return False
    db.session.flush()
    if success:
        flash(success, "success")
    return True


def submit_form(form: FlaskForm, action, success: str | None = None, aliases: dict[str, str] | None = None) -> bool:
    """Run one operation for a submitted form: flash `success` (the request commits), or roll back
    and put the errors beside the form's fields (a rule's refusal at the form's top). Returns
    whether it succeeded; the caller redirects on success and re-renders the form otherwise."""
    from flask import flash

    from .domain.errors import DomainError
    from .extensions import db
    from .i18n import error_message

    try:
        action()
    except ValidationFailed as exc:
        db.session.rollback()
        apply_errors(form, exc, aliases)
        return False
    except DomainError as exc:
        db.session.rollback()
        form.form_errors = [error_message(exc)]
        return False
    db.session.flush()
    if success:
        flash(success, "success")
    return True


def max_upload_bytes() -> int:
    """MAX_UPLOAD_MB (MAX_CONTENT_LENGTH): the request limit is also each uploaded file's limit."""
    from flask import current_app
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
