"""The person's electronic record (电子档案): grades per occupation, 破格/越级 applications, titles and
the 技能大师工作室 they open, training records, outside results; the candidate's own record and PDF."""
from flask import Blueprint

bp = Blueprint("records", __name__)

from . import views  # noqa: E402,F401
