"""Title selections (称号评选): nominations by organizations with a dossier (事迹材料), read by
the panel from its score sheets."""
from flask import Blueprint

bp = Blueprint("nominations", __name__)

from . import models, views  # noqa: E402,F401
