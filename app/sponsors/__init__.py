"""Sponsors and donations per competition (赞助/捐赠)."""
from flask import Blueprint

bp = Blueprint("sponsors", __name__)

from . import views  # noqa: E402,F401
