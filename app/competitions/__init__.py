"""Competitions (竞赛) and events (赛项): set-up and life cycle."""
from flask import Blueprint

bp = Blueprint("competitions", __name__)

from . import template_views, views  # noqa: E402,F401
