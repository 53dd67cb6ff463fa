"""Results (成绩): aggregation, ranking, awards, publicity, appeals, the public portal."""
from flask import Blueprint

bp = Blueprint("results", __name__)

from . import operations, views  # noqa: E402,F401  (operations registers life-cycle hooks)
