"""One unit of work per request (and per command or job): the only place that commits.

Operations change objects and flush; nothing below the request commits. `JiangXuan.dispatch_request`
commits once when the view answered below 400 and rolls back otherwise; an error raised by the
commit itself (a unique index losing a race) goes through the same error handlers as one raised
by the view. Work that must follow a commit (dispatching a background job that reads the rows
just written) registers with `on_commit`; a rollback forgets it.
CLI commands, background jobs and the demo loader, which run outside a request, end their steps
with `commit()` too.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db
from .jsonio import StrictJSONProvider

_KEY = "jx_on_commit"


def on_commit(fn: Callable[[], None]) -> None:
    """Run `fn` once the current unit of work has committed (never if it rolls back)."""
    db.session.info.setdefault(_KEY, []).append(fn)


def commit() -> None:
    callbacks = db.session.info.pop(_KEY, [])
    db.session.commit()
    for fn in callbacks:
        fn()


@event.listens_for(Session, "after_soft_rollback")
def _forget_callbacks(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole unit of work, not a savepoint inside it
        session.info.pop(_KEY, None)


class JiangXuan(Flask):
    """The application class: each view's successful answer commits its unit of work; JSON is
    read strictly (app/jsonio.py)."""

    json_provider_class = StrictJSONProvider

    def dispatch_request(self):
        rv = super().dispatch_request()
        response = self.make_response(rv)
        if response.status_code < 400:
            commit()
        else:
            db.session.rollback()
        return response
