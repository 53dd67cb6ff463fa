"""People (人员) and organizations (单位)."""
from flask import Blueprint

bp = Blueprint("people", __name__)

from . import views  # noqa: E402,F401
