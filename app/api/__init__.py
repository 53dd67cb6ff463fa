"""The JSON API (/api/v1): parses, checks access, calls the same operations as the web UI."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import auth, competitions, judging, nominations, reference, registrations, results, selection  # noqa: E402,F401
