"""API authentication: bearer tokens with expiry and revocation."""
from __future__ import annotations

from flask import current_app, g, jsonify
from flask_babel import gettext as _
from flask_login import current_user

from .. import timeutil
from ..accounts import operations
from ..extensions import db, limiter
from ..security import api_error, login_required_any, public
from pydantic import Field

from . import bp
from .contract import DateTime, Model, Out, body, doc
from .util import UserOut, user_json


class TokenIn(Model):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


class TokenOut(Out):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    expires_at: DateTime
    user: UserOut


@bp.route("/auth/token", methods=["POST"])
@public
@limiter.limit("10 per minute")
# The example's password is a placeholder shown in the documentation, not a credential (bandit B105).
@doc(body=TokenIn, ok=TokenOut, errors=(401,), rate_limited=True,
     example={"username": "organizer1", "password": "<password>"})  # nosec B105
def token_create():
    """Sign in: a bearer token for the user name and password (10 a minute per client; too many
    failures for one account lock it for a while: 429 account_locked)."""
    data = body()
    user = operations.authenticate(str(data.get("username") or ""), str(data.get("password") or ""))
    if user is None:
        return api_error(401, "unauthorized", _("Wrong user name or password."))
    token, row = operations.issue_token(user, current_app.config["API_TOKEN_HOURS"])
    return jsonify({"token": token, "expires_at": timeutil.iso(row.expires_at), "user": user_json(user)})


@bp.route("/auth/token", methods=["DELETE"])
@login_required_any
@doc(ok=None)
def token_delete():
    """Revoke the token sent."""
    operations.revoke_token(g.api_token)
    return "", 204


@bp.route("/me", methods=["GET"])
@login_required_any
@doc(ok=UserOut)
def me():
    """The signed-in user."""
    return jsonify(user_json(current_user))
