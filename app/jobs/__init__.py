"""Background jobs: run in a thread of the app, or on RQ workers when REDIS_URL is set."""
from flask import Blueprint

bp = Blueprint("jobs", __name__)

from . import models, views  # noqa: E402,F401
from ..storage import models as _storage_models  # noqa: E402,F401  (stored_files: the job outputs)
