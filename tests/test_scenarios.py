"""The scenario builders (tests/scenarios.py) take their steps through the operations; the same steps
over the HTTP API must leave the same state behind, step by step: panel and codes, sheets,
imported scores, lock, results, publication, final ranks, certificates, entitlements and the
audit trail's actions. This is the HTTP test of every step the builders skip."""
from collections import Counter

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.certificates.models import Certificate
from app.competitions.models import Competition, Event
from app.extensions import db
from app.judging.models import ImportedScore, PanelMember, Sheet
from app.registration.models import Registration
from app.results.models import Result
from app.selection.models import Entitlement
from tests import scenarios
from tests.conftest import _clean


def _state(w: dict) -> dict:
    """What a step leaves behind, in terms that do not depend on ids, times or ID numbers."""
    db.session.expire_all()
    entries = [db.session.get(Registration, r.id) for r in w["entries"]]
    index = {r.id: i for i, r in enumerate(entries)}
    code = {r.id: r.code for r in entries}
    event = db.session.get(Event, w["event"].id)
    comp = db.session.get(Competition, w["comp"].id)
    return {
        "status": comp.status,
        "codes": [r.code for r in entries],
        "panel": sorted((pm.role, pm.user.username) for pm in db.session.scalars(select(PanelMember))),
        "sheets": sorted((code[s.registration_id], s.judge.username, s.status, s.version,
                          tuple(sorted((x.criterion_key, str(x.value)) for x in s.scores)))
                         for s in db.session.scalars(select(Sheet))),
        "imported": sorted((code[i.registration_id], i.criterion_key, str(i.value))
                           for i in db.session.scalars(select(ImportedScore))),
        "locked": event.locked_at is not None,
        "results": sorted((index[r.registration_id], r.rank, r.award, str(r.total), r.is_final)
                          for r in db.session.scalars(select(Result))),
        "certificates": sorted((index[c.registration_id], c.serial, c.award, c.status)
                               for c in db.session.scalars(select(Certificate))),
        "entitlements": sorted((index[e.registration_id], e.rule_id, e.kind, e.status)
                               for e in db.session.scalars(select(Entitlement))),
        "audit": Counter(db.session.scalars(select(AuditEvent.action))),
    }


def test_the_builders_leave_what_the_http_path_leaves(app, make_user, make_org, make_competition, api_as):
    over_http = []
    w = scenarios.jworld(make_user, make_org, make_competition)
    scenarios.http_draw(w, api_as)
    over_http.append(_state(w))
    codes = scenarios.http_setup_scores(w, api_as)
    over_http.append(_state(w))
    scenarios.http_publish(w, api_as)
    over_http.append(_state(w))
    scenarios.http_finalize(w, api_as)
    over_http.append(_state(w))

    _clean(app)  # the same world again, on an empty database, through the operations
    w = scenarios.jworld(make_user, make_org, make_competition)

    def score(w):
        assert scenarios.setup_scores(w) == codes

    steps = [scenarios.draw, score, scenarios.publish, scenarios.finalize]
    for step, expected, name in zip(steps, over_http, ["draw", "score", "publish", "final"]):
        step(w)
        got = _state(w)
        assert got == expected, (name, {k: (got[k], expected[k]) for k in got if got[k] != expected[k]})
    # The chain reached the end: ranks 1–6 in code order, four awards, certificates and entitlements.
    last = over_http[-1]
    assert last["status"] == "final" and sorted(r[1] for r in last["results"]) == [1, 2, 3, 4, 5, 6]
    assert len(last["certificates"]) == 4 and last["entitlements"] and all(r[4] for r in last["results"])
