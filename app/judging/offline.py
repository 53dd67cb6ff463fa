"""Score entry through a bad network: the judge's device token, the service worker and its
offline page (design: shared/research/offline-entry.md).

The sheet page keeps every change in IndexedDB (static/js/offline.js) and sends saves and
submissions through the API with a device token and one `Idempotency-Key` per operation. The
token is minted here by a CSRF-protected POST from the judge's signed-in page; it works only on
the judge's own sheets of that event (app/security.py DEVICE_ENDPOINTS), until the end of the
day, and signing out revokes it.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

from flask import abort, current_app, jsonify, render_template, session, url_for
from flask_login import current_user

from .. import timeutil
from ..accounts import operations as accounts
from ..extensions import db
from ..security import public, roles
from . import bp
from . import evidence
from .access import panel_event
from .models import SheetPhoto

STATIC = Path(__file__).resolve().parent.parent / "static"
# What the worker precaches: the judge's pages need nothing else.
PRECACHE = ("css/app.css", "js/app.js", "js/offline.js")


def end_of_day(now: datetime | None = None) -> datetime:
    """The next local midnight (the end of the event day), as naive UTC."""
    tz = timeutil.app_tz()
    local = (now.replace(tzinfo=timezone.utc) if now else datetime.now(timezone.utc)).astimezone(tz)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=tz)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


@bp.route("/judge/events/<int:event_id>/device-token", methods=["POST"])
@roles("judge")
def device_token(event_id: int):
    """Mint this browser's device token for the event (JSON; the page keeps it in IndexedDB)."""
    event, _role = panel_event(event_id, "judge")
    token, row = accounts.issue_device_token(current_user, event, session.get("sid"), end_of_day())
    return jsonify({"token": token, "event_id": event.id, "expires_at": timeutil.iso(row.expires_at)})


KEEP_HEADER = "X-Offline-Keep"


def kept_page(html: str):
    """A judge's page that the worker keeps for offline use (tasks, an event's list, a sheet).
    It is stored on the phone anyway, so it is sent `private, no-cache` rather than `no-store`:
    the browser may then keep it in its back-forward cache, and Back is instant on a slow
    network (Chromium never keeps a no-store page that made network requests from script).
    Signing out clears the browser's caches (Clear-Site-Data) and the worker's kept pages."""
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers[KEEP_HEADER] = "1"  # the worker keeps only pages that say so (not a chief judge's)
    return response


def worker_version() -> str:
    """Changes with every deploy of the worker or the assets it precaches (so browsers update)."""
    h = hashlib.sha256()
    for name in (*PRECACHE, "js/sw.js"):
        h.update((STATIC / name).read_bytes())
    return h.hexdigest()[:16]


@bp.route("/sw.js")
@public
def service_worker():
    """Served from the root so that it may control the judge's pages: its scope is the tasks
    page /judge, a prefix of every page under /judge/ too ("/judge/" would leave out the page
    judges land on; a worker under /static/js/ could only control that folder)."""
    source = (STATIC / "js" / "sw.js").read_text(encoding="utf-8")
    assets = ", ".join(f'"/static/{name}"' for name in PRECACHE)
    body = (source.replace("__VERSION__", worker_version()).replace('"__ASSETS__"', assets)
            .replace("__OFFLINE__", url_for("judging.offline_page")).replace("__SCOPE__", url_for("judging.home"))
            .replace("__KEEP_HEADER__", KEEP_HEADER))
    response = current_app.response_class(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/judge/offline")
@public
def offline_page():
    """What a page not yet kept on this phone shows without a network (no personal data)."""
    return render_template("judging/offline.html")


@bp.route("/judge/photos/<int:photo_id>")
@roles("judge", "chief_judge", "supervisor")
def photo(photo_id: int):
    """A photo of the work: for the judge who took it, the chief judge, the supervisors."""
    item = db.get_or_404(SheetPhoto, photo_id)
    if not evidence.can_see(item, current_user):
        abort(403)
    response = current_app.response_class(item.data, mimetype=item.content_type)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = f'inline; filename="photo-{item.id}.jpg"'
    return response

