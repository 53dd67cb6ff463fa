"""Talent selection (人才选拔): policy rules, entitlements, rosters, talent records."""
from flask import Blueprint

bp = Blueprint("selection", __name__)

from . import operations, views  # noqa: E402,F401  (operations registers the final-status hook)
