"""Certificates (证书) and the other PDF documents: admission tickets, result bulletins, rosters."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from . import credential_views, models, operations, views  # noqa: E402,F401  (operations registers the final-status hook)
