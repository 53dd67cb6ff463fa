"""Certificates (证书) and the other PDF documents: admission tickets, result bulletins, rosters."""
from flask import Blueprint

bp = Blueprint("certificates", __name__)

from . import models  # noqa: E402,F401
