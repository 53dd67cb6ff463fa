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
from tests.scenarios import my_sheets


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
                                              .join(Score).where(Sheet.event_id == event.id,
                                                                 Sheet.status.in_(("submitted", "locked")),
                                                                 Score.value.is_not(None))):
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

    from app.results.compute import _component_sums
    _random_scores(drawn, api_as, seed=5)
    event = db.session.get(Event, drawn["event"].id)
    victim = db.session.scalars(select(Score).join(Sheet).where(Sheet.event_id == event.id,
                                                                 Score.criterion_key == "P2")).first()
    db.session.execute(delete(Score).where(Score.id == victim.id))
    db.session.commit()
    judged = next(c for c in event.scheme["components"] if c.get("entry", "judges") != "import")
    for method in ("mean", "trimmed_mean"):
        event.scheme = {**event.scheme, "aggregation": method}
        db.session.commit()
        assert _component_sums(event, judged, {"P1"}, method) is None
        fast = event_breakdowns(event, {"P1"})
        assert {r: b.total for r, b in fast.items()} == _reference(event)


def test_trimmed_mean_in_the_database_matches_the_rows(drawn, make_user):
    """Six judges per entry (so the highest and the lowest are dropped), a 0–3 criterion among
    marks criteria: the database-side trimmed mean equals the row-by-row path and the pure functions."""
    from app.models_base import utcnow
    rng = random.Random(23)
    event = db.session.get(Event, drawn["event"].id)
    judges = [make_user("judge", username=f"judge_t{i}") for i in range(6)]
    for reg in drawn["entries"]:
        for judge in judges:
            sheet = Sheet(event_id=event.id, registration_id=reg.id, judge_id=judge.id, status="submitted",
                          version=1, updated_at=utcnow())
            db.session.add(sheet)
            db.session.flush()
            for key, value in (("P1", rng.randint(0, 3)), ("P2", Decimal(rng.randint(0, 80)) / 4),
                               ("P3", Decimal(rng.randint(0, 20)) / 2)):
                db.session.add(Score(sheet_id=sheet.id, criterion_key=key, value=Decimal(value)))
        db.session.add(ImportedScore(event_id=event.id, registration_id=reg.id, criterion_key="T1",
                                     value=Decimal(rng.randint(0, 200)) / 2))
    # A row under a key the scheme does not have (left by an old scheme, say) counts for nothing.
    db.session.add(Score(sheet_id=sheet.id, criterion_key="OLD", value=Decimal("99")))
    db.session.commit()
    judged = next(c for c in event.scheme["components"] if c.get("entry", "judges") != "import")
    for method in ("mean", "trimmed_mean", "median"):
        event.scheme = {**event.scheme, "aggregation": method}
        db.session.commit()
        if method != "median" or db.engine.dialect.name == "postgresql":  # SQLite has no median in SQL
            assert _component_sums_paths(event, judged, method)
        fast = event_breakdowns(event, {"P1", "P2"})
        general = event_breakdowns(event)
        assert {r: b.total for r, b in fast.items()} == {r: b.total for r, b in general.items()} == _reference(event)
        for key in ("P1", "P2"):
            assert {r: b.criteria[key] for r, b in fast.items()} == {r: b.criteria[key] for r, b in general.items()}


def _component_sums_paths(event, comp, method):
    from app.results.compute import _component_sums
    return _component_sums(event, comp, {"P1", "P2"}, method) is not None


def test_trimmed_mean_below_five_judges_is_the_plain_mean_and_is_flagged(drawn, api_as, make_user):
    """trim_fallback "mean": with 2 or 3 sheets per entry every path gives the plain mean (the
    domain oracle agrees), and every such entry carries aggregation_note "mean_below_5"; entries
    with 5 or more sheets are trimmed and carry no note."""
    from app.models_base import utcnow
    from app.results.operations import compute
    _random_scores(drawn, api_as, seed=31)
    event = db.session.get(Event, drawn["event"].id)
    event.scheme = {**event.scheme, "aggregation": "trimmed_mean", "trim_fallback": "mean"}
    db.session.commit()
    fast, general, reference = event_breakdowns(event, {"P1"}), event_breakdowns(event), _reference(event)
    assert {r: b.total for r, b in fast.items()} == {r: b.total for r, b in general.items()} == reference
    plain = {**event.scheme, "aggregation": "mean"}
    event.scheme = plain
    db.session.commit()
    assert {r: b.total for r, b in event_breakdowns(event).items()} == reference  # the same as the mean
    event.scheme = {**plain, "aggregation": "trimmed_mean", "trim_fallback": "mean"}
    db.session.commit()
    assert {row["aggregation_note"] for row in compute(event)} == {"mean_below_5"}
    # Three more judges for one entry: 5 or 6 sheets, so it is trimmed and not flagged.
    rng = random.Random(3)
    lucky = drawn["entries"][2]
    for i in range(3):
        judge = make_user("judge", username=f"judge_more{i}")
        sheet = Sheet(event_id=event.id, registration_id=lucky.id, judge_id=judge.id, status="submitted",
                      version=1, updated_at=utcnow())
        db.session.add(sheet)
        db.session.flush()
        for key, value in (("P1", rng.randint(0, 3)), ("P2", Decimal(rng.randint(0, 80)) / 4),
                           ("P3", Decimal(rng.randint(0, 20)) / 2)):
            db.session.add(Score(sheet_id=sheet.id, criterion_key=key, value=Decimal(value)))
    db.session.commit()
    fast, general, reference = event_breakdowns(event, {"P1"}), event_breakdowns(event), _reference(event)
    assert {r: b.total for r, b in fast.items()} == {r: b.total for r, b in general.items()} == reference
    notes = {row["registration_id"]: row["aggregation_note"] for row in compute(event)}
    assert notes[lucky.id] is None and {n for r, n in notes.items() if r != lucky.id} == {"mean_below_5"}
