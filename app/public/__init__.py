"""The public face: the portal (home, published results), the candidate lookup, certificate
verification, and the candidate's own page (/me).

The views live here; they register on their areas' blueprints so that URLs and endpoint names
stay what they were (`main.index`, `results.public_page`, `results.public_lookup`,
`certificates.verify`, `certificates.public_bulletin`, `registration.me`). The reads they show
are the areas' own (results/public.py, results/lookup.py, certificates/queries.public_view).
create_app imports this package before registering the blueprints.
"""
from flask import Blueprint

bp = Blueprint("main", __name__)  # home, health check, language switch

from . import home, me, portal, verification  # noqa: E402,F401
