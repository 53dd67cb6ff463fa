"""Totals of an event from its stored scores: judges' sheets (submitted or locked) and imported
scores, aggregated per DESIGN.md §5. Recomputing from the same rows gives the same answer.

Mean and trimmed mean are aggregated inside the database as exact integers (sums of hundredths,
counts, minimum and maximum per contestant and criterion — scores have at most two decimals), so
a million score rows never cross into Python one by one; the rest is exact rational arithmetic.
The median: PostgreSQL's percentile_cont per criterion; on SQLite every value crosses as integer
hundredths and they are grouped in Python.
"""
from __future__ import annotations

import gc
import math
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import BigInteger, case, cast, func, select

from ..competitions.models import Event
from ..domain import scoring
from ..domain.scoring import Ratio, TotalBreakdown
from ..extensions import db
from ..judging.models import ImportedScore, Score, Sheet
from ..registration.models import Registration, ranked_clause

COUNTED = ("submitted", "locked")


@contextmanager
def gc_paused():
    """Ranking a large event allocates ~10 small objects per contestant, none of them in a cycle;
    left on, the cyclic collector would walk the application's whole heap (~160,000 objects after
    start-up) again and again meanwhile — measured at a third of the time for 10,000 contestants
    (bench/ranking.py). Paused for the computation only, and restored even on error."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _hundredths(column):
    # Exact on both databases: NUMERIC(8,2) × 100 is a whole number (SQLite's REAL is rounded back).
    return cast(func.round(column * 100), BigInteger)


def _sum_hundredths(weight=None, when=None):
    """SUM of the scores (× an integer weight, where `when` holds) as integer hundredths.
    PostgreSQL sums NUMERIC exactly and converts once per group; SQLite stores REAL, so each value
    is rounded back to its hundredths before it is added."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    term = Score.value if postgres else _hundredths(Score.value)
    if weight is not None:
        term = term * weight
    if when is not None:
        term = case((when, term), else_=0)
    return _hundredths(func.sum(term)) if postgres else func.sum(term)


def _key_in(keys):
    """`criterion_key IN (…)` written so that SQLite filters the rows it scans instead of seeking
    the (sheet_id, criterion_key) index once per key and sheet (measured: 1M rows 1.0 s → 0.7 s)."""
    return Score.criterion_key.concat("").in_(list(keys))


def _ratio(value) -> Ratio:
    f = Fraction(value)
    return f.numerator, f.denominator


def _judged_marks(event: Event, criteria: dict[str, dict], method: str) -> dict[tuple[int, str], Ratio]:
    """(registration, criterion) → marks as an exact ratio of integers."""
    out: dict[tuple[int, str], Ratio] = {}
    if method == "median":
        # Every value is needed: fetched as integer hundredths (no Decimal per row), grouped here.
        values: dict[tuple[int, str], list[int]] = defaultdict(list)
        for rid, key, value in db.session.connection().execute(
                select(Sheet.registration_id, Score.criterion_key, _hundredths(Score.value))
                .select_from(Score).join(Sheet, Sheet.id == Score.sheet_id)
                .where(Sheet.event_id == event.id, Sheet.status.in_(COUNTED), Score.value.is_not(None),
                       _key_in(criteria))):
            values[(rid, key)].append(value)
        for (rid, key), vals in values.items():
            vals.sort()
            out[(rid, key)] = scoring.marks_ratio(criteria[key], *scoring.median_ratio(vals))
        return out
    if not criteria:
        return out
    rows = db.session.connection().execute(
        select(Sheet.registration_id, Score.criterion_key, _sum_hundredths(), func.count(),
               _hundredths(func.min(Score.value)), _hundredths(func.max(Score.value)))
        .select_from(Score).join(Sheet, Sheet.id == Score.sheet_id)
        .where(Sheet.event_id == event.id, Sheet.status.in_(COUNTED), Score.value.is_not(None),
               _key_in(criteria))
        .group_by(Sheet.registration_id, Score.criterion_key))
    for rid, key, total, n, lo, hi in rows:
        crit = criteria.get(key)
        if crit is None or not n:
            continue
        out[(rid, key)] = scoring.marks_ratio(crit, *scoring.aggregate_from_sums(method, int(total), n, int(lo), int(hi)))
    return out


def _component_sums(event: Event, comp: dict, chain: set[str], method: str) -> dict[int, tuple[Ratio, dict[str, Ratio]]] | None:
    """Mean, trimmed mean or (PostgreSQL) median, one component: Σ criterion marks per contestant as an exact ratio,
    summed inside the database. Every counted sheet carries every criterion (a sheet is submitted
    only when complete), so each criterion has the same n values; its marks are T_k / (100·m)
    with T_k the sum of its hundredths (less the lowest and the highest when trimming, n ≥ 5) and
    m = n (n − 2 when trimming), and Σ_k f_k·T_k/(100·m) (f_k = max/3 for a 0–3 criterion, else 1)
    is one integer sum per contestant. Returns None when a contestant's rows are irregular (a
    sheet without a criterion): the caller then takes the general path."""
    keys = [c["key"] for c in comp["criteria"]]
    factors = {c["key"]: scoring.scale_factor(c) for c in comp["criteria"]}
    scale = math.lcm(*(f.denominator for f in factors.values()))
    weights = {k: int(f * scale) for k, f in factors.items()}
    counted = (Sheet.event_id == event.id, Sheet.status.in_(COUNTED))
    sheet_counts = dict(db.session.connection().execute(
        select(Sheet.registration_id, func.count()).where(*counted).group_by(Sheet.registration_id)).all())
    chain_keys = [k for k in keys if k in chain]  # the tie-break chain's criteria ride along
    if method == "mean":
        # One pass over the rows, grouped by contestant (the scan meets the rows in that order).
        # Marks-scale criteria all weigh 1: a plain SUM spares the database a CASE per row.
        weight = None if set(weights.values()) == {1} else case(weights, value=Score.criterion_key, else_=0)
        query = (select(Sheet.registration_id, _sum_hundredths(weight), func.count(),
                        *(_sum_hundredths(when=Score.criterion_key == k) for k in chain_keys))
                 .select_from(Score).join(Sheet, Sheet.id == Score.sheet_id)
                 .where(*counted, Score.value.is_not(None), _key_in(keys))
                 .group_by(Sheet.registration_id))
    else:
        # Per criterion first (sum, count, lowest, highest — or twice the median), then per
        # contestant: the same two levels as the SQL baseline. The criteria are picked at the
        # second level, over 20× fewer rows (a filter on the rows themselves costs a third of the time).
        if method == "median":
            # PostgreSQL only: percentile_cont works in double precision, but twice the median of
            # values in hundredths is a whole number of hundredths, and for any score a
            # NUMERIC(8,2) holds the float lands within 1e-7 of it: rounding it back is exact.
            middle = _hundredths(func.percentile_cont(0.5).within_group(Score.value) * 2)
            parts = (middle.label("s"), func.count().label("n"))
        else:
            parts = (_sum_hundredths().label("s"), func.count().label("n"),
                     # rounding is monotone: the lowest value's hundredths are the lowest hundredths
                     _hundredths(func.min(Score.value)).label("lo"),
                     _hundredths(func.max(Score.value)).label("hi"))
        inner = (select(Sheet.registration_id.label("rid"), Score.criterion_key.label("k"), *parts)
                 .select_from(Score).join(Sheet, Sheet.id == Score.sheet_id)
                 .where(*counted, Score.value.is_not(None))
                 .group_by(Sheet.registration_id, Score.criterion_key)).subquery()
        mine = inner.c.k.in_(keys)
        if method == "median":
            value = inner.c.s
        else:
            value = case((inner.c.n >= scoring.TRIM_MIN, inner.c.s - inner.c.lo - inner.c.hi), else_=inner.c.s)
        weighted = value if set(weights.values()) == {1} else value * case(weights, value=inner.c.k, else_=0)
        query = (select(inner.c.rid, func.sum(case((mine, weighted), else_=0)),
                        func.count(case((mine, 1))), func.min(case((mine, inner.c.n))), func.max(case((mine, inner.c.n))),
                        *(func.sum(case((inner.c.k == k, value), else_=0)) for k in chain_keys))
                 .group_by(inner.c.rid))
    rows = db.session.connection().execute(query)
    out: dict[int, tuple[Ratio, dict[str, Ratio]]] = {}
    for rid, total, count_, *rest in rows:
        sheets = sheet_counts.get(rid, 0)
        if method == "mean":
            if count_ != sheets * len(keys):
                return None
            m = sheets
        else:
            lo_n, hi_n, *rest = rest
            if count_ != len(keys) or lo_n != sheets or hi_n != sheets:
                return None
            if method == "median":
                m = 2  # the database gave twice the median
            else:
                m = sheets - 2 if scoring.trims(method, sheets) else sheets
        chain_marks = {}
        for key, t_k in zip(chain_keys, rest):
            f = factors[key]
            chain_marks[key] = (int(t_k) * f.numerator, 100 * m * f.denominator)
        out[rid] = ((int(total), 100 * m * scale), chain_marks)
    return out


def event_breakdowns(event: Event, chain_criteria: set[str] | None = None) -> dict[int, TotalBreakdown | None]:
    """registration id → its breakdown, or None while any criterion lacks a value. The breakdown's
    `criteria` holds the marks of the criteria in `chain_criteria` (default: every criterion)."""
    scheme = event.scheme
    method = scheme.get("aggregation", "mean")
    judged_criteria = {}
    for comp in scheme["components"]:
        if comp.get("entry", "judges") == "import":
            continue
        for c in comp["criteria"]:
            judged_criteria[c["key"]] = c
    keep_all = chain_criteria is None
    fast: dict[str, dict[int, tuple[Ratio, dict[str, Ratio]]]] = {}
    in_database = ("mean", "trimmed_mean", "median") if db.session.get_bind().dialect.name == "postgresql" \
        else ("mean", "trimmed_mean")
    if method in in_database and not keep_all:
        for comp in scheme["components"]:
            if comp.get("entry", "judges") != "import":
                sums = _component_sums(event, comp, chain_criteria, method)
                if sums is None:
                    fast = {}
                    break
                fast[comp["key"]] = sums
    marks_judged = {} if fast else _judged_marks(event, judged_criteria, method)
    imported = {(rid, key): _ratio(value) for rid, key, value in db.session.execute(
        select(ImportedScore.registration_id, ImportedScore.criterion_key, ImportedScore.value)
        .where(ImportedScore.event_id == event.id))}
    plan = []  # (component key, weight, component max, [(criterion key, source)])
    for comp in scheme["components"]:
        source = imported if comp.get("entry") == "import" else marks_judged
        plan.append((comp["key"], Fraction(Decimal(comp["weight"])), scoring.component_max(comp),
                     [(c["key"], source) for c in comp["criteria"]]))
    keep = chain_criteria if chain_criteria is not None else {k for _c, _w, _m, cs in plan for k, _s in cs}
    out: dict[int, TotalBreakdown | None] = {}
    # Entries marked absent or disqualified (confirmed) are not ranked: they get no breakdown.
    regs = db.session.scalars(select(Registration.id).where(Registration.event_id == event.id,
                                                            Registration.status == "approved",
                                                            Registration.code.is_not(None),
                                                            ranked_clause())).all()
    lcm = math.lcm
    for rid in regs:
        marks: dict[str, Fraction] = {}
        components: dict[str, Fraction] = {}
        total: Ratio = (0, 1)
        complete = True
        for comp_key, weight, maximum, crits in plan:
            # Σ marks with integers over a common denominator: one Fraction per component.
            num, den = 0, 1
            if comp_key in fast:
                summed = fast[comp_key].get(rid)
                if summed is None:
                    complete = False
                    break
                (num, den), chain_marks = summed
                for key, value in chain_marks.items():
                    marks[key] = Fraction(*value)
                crits = ()
            for key, source in crits:
                value = source.get((rid, key))
                if value is None:
                    complete = False
                    break
                n, d = value
                common = lcm(den, d)
                num = num * (common // den) + n * (common // d)
                den = common
                if key in keep:
                    marks[key] = Fraction(n, d)
            if not complete:
                break
            # The domain's formulas, on integer ratios (one Fraction per component).
            score = scoring.component_score_ratio((num, den), maximum)
            components[comp_key] = Fraction(*score)
            total = scoring.add_weighted(total, weight, score)
        out[rid] = TotalBreakdown(components=components, criteria=marks,
                                  total=Fraction(*total)) if complete else None
    return out


def mean_fallback_entries(event: Event) -> set[int]:
    """Entries of a trimmed-mean event whose criteria were aggregated by the plain mean, because
    fewer than 5 judges' sheets counted (the event's trim_fallback "mean"): the results say so."""
    from ..domain.scheme import TRIM_MIN_JUDGES
    scheme = event.scheme or {}
    if scheme.get("aggregation") != "trimmed_mean" or not any(
            c.get("entry", "judges") != "import" for c in scheme.get("components", [])):
        return set()
    counts = dict(db.session.execute(select(Sheet.registration_id, func.count()).where(
        Sheet.event_id == event.id, Sheet.status.in_(COUNTED)).group_by(Sheet.registration_id)).all())
    rids = db.session.scalars(select(Registration.id).where(Registration.event_id == event.id,
                                                            Registration.status == "approved")).all()
    return {rid for rid in rids if counts.get(rid, 0) < TRIM_MIN_JUDGES}


def totals_ranked(event: Event) -> list[tuple[int, Decimal]]:
    """(registration id, total rounded to 2 places), best first; ties by registration id."""
    from ..domain.scoring import round_half_up
    rows = [(rid, round_half_up(b.total)) for rid, b in event_breakdowns(event).items() if b is not None]
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows
