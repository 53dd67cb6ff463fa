"""The JSON API (/api/v1): parses, checks access, calls the same operations as the web UI."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import (analytics, auth, certificates, competitions, judging, judging_day, nominations, openapi,  # noqa: E402,F401
               reference, registrations, results, selection)
