"""`Idempotency-Key` on the API writes a judge's phone retries (sheet save, submit, photos).

The client makes one operation id per operation and sends it with every attempt. The key is
claimed (a row of `idempotency_keys`, unique per user and key) in the same transaction as the
operation, and the answer is stored in that row before the request commits — so the operation
and its key commit together or not at all:

- the same key with the same request (method, path, body) → the stored answer, nothing applied
  again, no second audit record (header `Idempotent-Replayed: true`);
- the same key with another request → 422 `idempotency_key_reused`;
- the same key while the first attempt is still running → 409 `idempotency_in_progress` (on
  PostgreSQL the second attempt waits on the unique index and then gets the stored answer);
- an attempt that failed (4xx, 5xx) stores nothing: its retry runs again.
Device tokens (scope "sheets") must send a key; other clients may. Keys are kept KEEP_HOURS.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import timedelta

from flask import current_app, g, jsonify, request
from flask_login import current_user
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import IdempotencyKey
from ..domain.errors import N_, DomainError
from ..extensions import db
from ..models_base import utcnow

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[\x21-\x7e]{8,255}$")  # printable ASCII: UUIDs and the like
KEEP_HOURS = 72


class KeyMissing(DomainError):
    status = 400
    code = "idempotency_key_required"


class KeyInvalid(DomainError):
    status = 400
    code = "idempotency_key_invalid"


class KeyReused(DomainError):
    status = 422
    code = "idempotency_key_reused"


class KeyInProgress(DomainError):
    status = 409
    code = "idempotency_in_progress"


def fingerprint() -> str:
    """SHA-256 over the method, the path with its query and the body: canonical JSON for JSON
    bodies, fields and each file's SHA-256 for multipart uploads, else the raw bytes."""
    h = hashlib.sha256()
    h.update(f"{request.method} {request.full_path}\n".encode())
    if request.is_json:
        body = request.get_json(silent=True)
        h.update(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode())
    elif request.files or request.form:
        # A part whose name Werkzeug cannot read comes as None: "" sorts with the others.
        for name, value in sorted((k or "", v or "") for k, v in request.form.items(multi=True)):
            h.update(f"f:{name}={value}\n".encode())
        for name, upload in sorted(request.files.items(multi=True), key=lambda kv: kv[0]):
            data = upload.stream.read()
            upload.stream.seek(0)
            h.update(f"u:{name}={hashlib.sha256(data).hexdigest()}\n".encode())
    else:
        h.update(request.get_data(cache=True))
    return h.hexdigest()


def _replay(row: IdempotencyKey, digest: str):
    if row.request_sha256 != digest or row.method != request.method or row.path != request.path:
        raise KeyReused(N_("This operation id was already used for another request; send a new one."))
    if row.state != "done":
        raise KeyInProgress(N_("This operation is still being applied; try again in a moment."))
    response = jsonify(row.response_json) if row.response_json is not None else current_app.response_class(b"")
    response.status_code = row.response_status or 200
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _find(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                          IdempotencyKey.key == key))


def idempotent(view):
    """Decorator for API writes: apply a retried request once (see the module docstring)."""
    @functools.wraps(view)
    def inner(*args, **kwargs):
        key = request.headers.get(HEADER)
        token = g.get("api_token")
        if key is None:
            if token is not None and token.scope == "sheets":
                raise KeyMissing(N_("Send an Idempotency-Key header (one new id per operation)."))
            return view(*args, **kwargs)
        key = key.strip()
        if not KEY_RE.match(key):
            raise KeyInvalid(N_("The Idempotency-Key must be 8 to 255 printable ASCII characters."))
        user_id, now = current_user.id, utcnow()
        digest = fingerprint()
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.user_id == user_id,
                                                        IdempotencyKey.expires_at < now))
        row = _find(user_id, key)
        if row is not None:
            return _replay(row, digest)
        row = IdempotencyKey(user_id=user_id, key=key, method=request.method, path=request.path[:255],
                             request_sha256=digest, state="in_progress", expires_at=now + timedelta(hours=KEEP_HOURS))
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:
            # Another attempt with this key claimed it first; it has committed by now (PostgreSQL
            # waits on the unique index), or it is still running.
            db.session.rollback()
            row = _find(user_id, key)
            if row is not None:
                return _replay(row, digest)
            raise KeyInProgress(N_("This operation is still being applied; try again in a moment.")) from None
        response = current_app.make_response(view(*args, **kwargs))
        if response.status_code < 400:
            row.state, row.response_status = "done", response.status_code
            row.response_json = response.get_json(silent=True) if response.is_json else None
            db.session.flush()
        return response
    return inner
