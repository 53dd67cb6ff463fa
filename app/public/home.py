"""Home page (public), the health check and the language switch (blueprint `main`)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from ..competitions.models import Competition
from ..competitions.views import PUBLIC_ORDER
from ..extensions import db
from ..security import public
from . import bp


@bp.route("/")
@public
def index():
    open_now = db.session.scalars(
        select(Competition).where(Competition.status.in_(("registration_open", "publicity", "judging",
                                                          "registration_closed", "final")))
        .order_by(*PUBLIC_ORDER).limit(20)).all()
    return render_template("main/index.html", competitions=open_now)


@bp.route("/healthz")
@public
def healthz():
    """Liveness for load balancers (and the benchmarks' trivial endpoint): no database work."""
    return jsonify({"status": "ok"})


@bp.route("/readyz")
@public
def readyz():
    """Readiness for load balancers and orchestrators: the database and Redis answer (200), or
    503 naming what is down. Not cached."""
    from ..observability import readiness
    body, status = readiness(current_app)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.route("/metrics")
@public
def metrics():
    """Prometheus metrics, for the monitoring network only (METRICS_ALLOW / METRICS_TOKEN; 404 to
    anyone else)."""
    from ..observability import metrics_response
    return metrics_response(current_app)


@bp.route("/lang/<code>", methods=["GET", "POST"])
@public
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.locale = code  # the request commits it
    parts = urlsplit(request.values.get("next") or request.referrer or "")
    target = url_for("main.index")
    if parts.netloc in ("", request.host) and parts.path.startswith("/") and not parts.path.startswith("//"):
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect(target)
