"""Published results: the list of competitions and each competition's page (cached for results
day), and the candidate lookup by name and ID number (rate-limited). Endpoints of the results
blueprint."""
from __future__ import annotations

from flask import abort, make_response, render_template, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from .. import cache
from ..extensions import limiter
from ..results import bp
from ..results.forms import LookupForm
from ..results.lookup import lookup, lookup_limit
from ..results.public import public_competitions, public_results
from ..security import public


@bp.route("/results")
@public
def public_index():
    return render_template("results/public_index.html", competitions=public_competitions())


def award_labels() -> dict[str, str]:
    return {"first": _("First prize"), "second": _("Second prize"), "third": _("Third prize"),
            "gold": _("Gold medal"), "silver": _("Silver medal"), "bronze": _("Bronze medal"),
            "merit": _("Merit award")}


@bp.route("/results/<int:competition_id>")
@public
def public_page(competition_id: int):
    # Anonymous visitors with nothing pending in their session get the whole page from the cache
    # (results-day traffic): it carries public data only, no token, no message, no name.
    anonymous = not current_user.is_authenticated and not session.get("_flashes")
    page_key = f"{cache.results_key(competition_id)}:page:{get_locale()}"
    if anonymous:
        page = cache.get_bytes(page_key)
        if page is not None:
            return page
    data = public_results(competition_id)
    if data is None:
        abort(404)
    # The results body is cached as rendered HTML per language; the page around it (navigation
    # for a signed-in user, flash messages) is rendered per request.
    key = f"{cache.results_key(competition_id)}:html:{get_locale()}"
    body = cache.get(key)
    if body is None:
        body = render_template("results/_public_body.html", data=data, award_labels=award_labels())
        cache.set(key, body)
    # `body` is our own template rendered with autoescape (above or from the cache we filled).
    page = render_template("results/public.html", data=data, body=Markup(body))  # nosec B704
    if anonymous:
        cache.set(page_key, page)
    return page


@bp.route("/lookup", methods=["GET", "POST"])
@public
@limiter.limit(lookup_limit, methods=["POST"])
def public_lookup():
    form = LookupForm()
    found, searched = None, False
    if form.validate_on_submit():
        searched = True
        found = lookup(form.name.data, form.id_number.data)
    response = make_response(render_template("results/lookup.html", form=form, found=found, searched=searched))
    response.headers["Cache-Control"] = "no-store"
    return response
