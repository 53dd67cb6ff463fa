"""Registration (报名): self-registration, organization entries, imports, review and withdrawal."""
from flask import Blueprint

bp = Blueprint("registration", __name__)

from . import photos, views  # noqa: E402,F401
