"""API authentication: bearer tokens with expiry and revocation."""
from __future__ import annotations

from flask import current_app, g, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from .. import timeutil
from ..accounts import operations
from ..extensions import db, limiter
from ..security import api_error, login_required_any, public
from . import bp
from .util import json_body, user_json


@bp.route("/auth/token", methods=["POST"])
@public
@limiter.limit("10 per minute")
def token_create():
    data = json_body()
    user = operations.authenticate(str(data.get("username") or ""), str(data.get("password") or ""))
    if user is None:
        return api_error(401, "unauthorized", _("Wrong user name or password."))
    token, row = operations.issue_token(user, current_app.config["API_TOKEN_HOURS"])
    return jsonify({"token": token, "expires_at": timeutil.iso(row.expires_at), "user": user_json(user)})


@bp.route("/auth/token", methods=["DELETE"])
@login_required_any
def token_delete():
    operations.revoke_token(g.api_token)
    return "", 204


@bp.route("/me", methods=["GET"])
@login_required_any
def me():
    return jsonify(user_json(current_user))
