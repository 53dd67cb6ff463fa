"""The database-side fast path (mean) and the row-by-row path give exactly the same figures, and
both agree with the pure domain functions applied to the raw values."""
import random
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from app.competitions.models import Event
from app.domain.scoring import criterion_marks, total_for
from app.extensions import db
from app.judging.models import ImportedScore, Score, Sheet
from app.results.compute import event_breakdowns
from tests.judging.test_sheets import my_sheets


def _random_scores(drawn, api_as, seed):
    rng = random.Random(seed)
    event = drawn["event"]
    for judge in drawn["judges"]:
        api = api_as(judge)
        for code, sheet in my_sheets(api, event.id).items():
            scores = {"P1": str(rng.randint(0, 3)), "P2": str(Decimal(rng.randint(0, 80)) / 4),
                      "P3": str(Decimal(rng.randint(0, 20)) / 2)}
            api.put(f"/events/{event.id}/sheets/{code}", json={"scores": scores, "version": sheet["version"]})
            api.post(f"/events/{event.id}/sheets/{code}/submit")
    for reg_id in {s.registration_id for s in db.session.scalars(select(Sheet))}:
        db.session.add(ImportedScore(event_id=event.id, registration_id=reg_id, criterion_key="T1",
                                     value=Decimal(rng.randint(0, 200)) / 2))
    db.session.commit()


def _reference(event):
    """Straight from the rows with the pure functions."""
    values = defaultdict(list)
    for rid, key, value in db.session.execute(select(Sheet.registration_id, Score.criterion_key, Score.value)
                                              .join(Score).where(Sheet.event_id == event.id)):
        values[(rid, key)].append(value)
    imported = {(r, k): v for r, k, v in db.session.execute(
        select(ImportedScore.registration_id, ImportedScore.criterion_key, ImportedScore.value))}
    crits = {c["key"]: c for comp in event.scheme["components"] for c in comp["criteria"]}
    out = {}
    for rid in {r for r, _ in values}:
        marks = {k: (criterion_marks(crits[k], values[(rid, k)], event.scheme["aggregation"]) if k != "T1"
                     else __import__("fractions").Fraction(imported[(rid, k)])) for k in crits}
        out[rid] = total_for(event.scheme, marks).total
    return out


def test_fast_and_general_paths_agree_exactly(drawn, api_as):
    _random_scores(drawn, api_as, seed=11)
    event = db.session.get(Event, drawn["event"].id)
    for method in ("mean", "trimmed_mean", "median"):
        event.scheme = {**event.scheme, "aggregation": method}
        db.session.commit()
        fast = event_breakdowns(event, {"P1"})      # database-side sums for the mean
        general = event_breakdowns(event)           # every criterion, row by row
        reference = _reference(event)
        assert {r: b.total for r, b in fast.items()} == {r: b.total for r, b in general.items()} == reference
        assert {r: b.criteria["P1"] for r, b in fast.items()} == {r: b.criteria["P1"] for r, b in general.items()}


def test_irregular_rows_fall_back_to_the_general_path(drawn, api_as):
    """A counted sheet missing one criterion's row (damaged data) must not be summed as if whole:
    the database-side sums are refused and the row-by-row path gives the reference figures."""
    from sqlalchemy import delete

    from app.results.compute import _component_sums_mean
    _random_scores(drawn, api_as, seed=5)
    event = db.session.get(Event, drawn["event"].id)
    victim = db.session.scalars(select(Score).join(Sheet).where(Sheet.event_id == event.id,
                                                                 Score.criterion_key == "P2")).first()
    db.session.execute(delete(Score).where(Score.id == victim.id))
    db.session.commit()
    judged = next(c for c in event.scheme["components"] if c.get("entry", "judges") != "import")
    assert _component_sums_mean(event, judged, {"P1"}) is None
    fast = event_breakdowns(event, {"P1"})
    assert {r: b.total for r, b in fast.items()} == _reference(event)
