"""Analytics (统计分析): judge consistency per event and across competitions (裁判库), and the
statistics of a period and jurisdiction (季报/年报) as pages, .xlsx, PDF and API."""
from flask import Blueprint

bp = Blueprint("analytics", __name__)

from . import views  # noqa: E402,F401
