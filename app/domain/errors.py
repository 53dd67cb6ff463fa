"""Domain errors carry an untranslated message id and parameters.

The web and API layers translate them (Flask-Babel) into the user's language; `N_` marks
the message ids for extraction without translating them here.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark a message id for extraction; translation happens at the boundary."""
    return message


@dataclass
class FieldError:
    field: str
    message: str
    params: dict = field(default_factory=dict)


class DomainError(Exception):
    """A refusal by a business rule. `status` is the HTTP status it maps to."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params

    def extra(self, translate) -> dict:
        """Additional members of the API error body (translate: message id, params → text)."""
        return {}


class ValidationFailed(DomainError):
    """Input that breaks one or more field rules; carries every error found."""

    status = 422
    code = "validation_error"

    def __init__(self, errors: list[FieldError]):
        super().__init__(N_("Please correct the errors below."))
        self.errors = errors


class InvalidTransition(DomainError):
    code = "invalid_transition"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Collector:
    """Collects field errors so a form reports all of them at once."""

    def __init__(self):
        self.errors: list[FieldError] = []

    def add(self, field_name: str, message: str, **params) -> None:
        self.errors.append(FieldError(field_name, message, params))

    def has(self, field_name: str) -> bool:
        return any(e.field == field_name for e in self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
