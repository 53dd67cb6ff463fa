"""The JSON API (/api/v1): parses, checks access, calls the same operations as the web UI."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import (analytics, auth, certificates, competitions, delegations, judging, judging_day,  # noqa: E402,F401
               invitations, judging_sheets, nominations, openapi, projects, records, reference, registrations,
               results, selection, sponsors)
