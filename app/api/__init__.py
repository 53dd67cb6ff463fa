"""The JSON API (/api/v1): parses, checks access, calls the same operations as the web UI."""
from flask import Blueprint

bp = Blueprint("api", __name__)

from . import (auth, certificates, competitions, judging, nominations, openapi, reference,  # noqa: E402,F401
               registrations, results, selection)
