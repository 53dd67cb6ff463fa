"""Delegations (参赛队/集训队) for outside competitions: selection from published results, members and
staff, the training camp with attendance and internal assessments, the nomination and its xlsx."""
from flask import Blueprint

bp = Blueprint("delegations", __name__)

from . import views  # noqa: E402,F401
