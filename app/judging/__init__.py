"""Judging (评判): panels, recusal, draws, score sheets, sign-off, re-check."""
from flask import Blueprint

bp = Blueprint("judging", __name__)

from . import offline, paper_views, views  # noqa: E402,F401
