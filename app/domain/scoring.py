"""Scores: validation of a judge's value, aggregation of the judges' values, component scores,
the weighted total, disagreement flags (DESIGN.md §5).

Arithmetic is exact: values are Decimals, intermediate results are Fractions (a mean of three
values is not a terminating decimal), and only the final figures are rounded half up to 2 places.

This module is the one source of the rules: the trimming threshold, the 0–3 conversion and the
component and total formulas. The database path (app/results/compute.py) only aggregates rows
(sums, counts, lowest, highest, medians) and finishes every figure with the functions below, in
their integer-ratio form (`Ratio`), so that a million rows never turn into a million Fractions.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from .errors import N_

TWO_PLACES = Decimal("0.01")
# The trimmed mean drops one highest and one lowest value from this many values on; below it the
# event's rule applies (app/domain/scheme.py trim_fallback: the plain mean, or the lock refused).
TRIM_MIN = 5
Ratio = tuple[int, int]  # an exact non-negative rational as (numerator, denominator)


class ScoreError(ValueError):
    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def parse_value(criterion: dict, raw) -> Decimal | None:
    """A judge's entry for a criterion: None (empty) or a Decimal in range and on the step."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ScoreError(N_('Send scores as decimal strings such as "2.5", not as binary floating-point numbers.'))
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ScoreError(N_("Enter a number.")) from None
    if not value.is_finite():
        raise ScoreError(N_("Enter a number."))
    if criterion.get("scale") == "wsi3":
        if value not in (0, 1, 2, 3) or value != value.to_integral_value():
            raise ScoreError(N_("Enter a whole point from 0 to 3."))
        return Decimal(int(value))
    maximum = Decimal(criterion["max_score"])
    if value < 0 or value > maximum:
        raise ScoreError(N_("Enter a value from 0 to %(max)s."), max=criterion["max_score"])
    step = Decimal(criterion.get("step") or "0.01")
    if value % step != 0:
        raise ScoreError(N_("The value must be a multiple of %(step)s."), step=criterion.get("step") or "0.01")
    return value.quantize(TWO_PLACES)


def plain(value: Decimal | None) -> str | None:
    """A score as a decimal string without trailing zeros ("2.00" → "2", "17.50" → "17.5")."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def trims(method: str, n: int) -> bool:
    """Does the aggregation drop the highest and the lowest of these n values?"""
    return method == "trimmed_mean" and n >= TRIM_MIN


def aggregate_from_sums(method: str, total: int, n: int, lowest: int, highest: int, unit: int = 100) -> Ratio:
    """Mean or trimmed mean of n values from their sum, lowest and highest (all in 1/unit): the
    form the database hands over."""
    if trims(method, n):
        return total - lowest - highest, unit * (n - 2)
    return total, unit * n


def median_ratio(sorted_values: list[int], unit: int = 100) -> Ratio:
    """The median of values in 1/unit, as a ratio."""
    mid = len(sorted_values) // 2
    if len(sorted_values) % 2:
        return sorted_values[mid], unit
    return sorted_values[mid - 1] + sorted_values[mid], 2 * unit


def scale_factor(criterion: dict) -> Fraction:
    """Marks per point of a criterion's aggregate: a 0–3 (WorldSkills) criterion scores
    aggregate ÷ 3 × its maximum, a marks criterion its aggregate itself."""
    if criterion.get("scale") == "wsi3":
        return Fraction(Decimal(criterion["max_score"])) / 3
    return Fraction(1)


def marks_ratio(criterion: dict, num: int, den: int) -> Ratio:
    f = scale_factor(criterion)
    return num * f.numerator, den * f.denominator


def component_max(component: dict) -> Fraction:
    return sum((Fraction(Decimal(c["max_score"])) for c in component["criteria"]), Fraction(0))


def component_score_ratio(marks: Ratio, maximum: Fraction) -> Ratio:
    """A component's score on a 0–100 scale: Σ criterion marks ÷ Σ maxima × 100."""
    return marks[0] * 100 * maximum.denominator, marks[1] * maximum.numerator


def add_weighted(total: Ratio, weight: Fraction, score: Ratio) -> Ratio:
    """total + weight × score, as integer ratios."""
    (tn, td), (sn, sd) = total, score
    return tn * weight.denominator * sd + weight.numerator * sn * td, td * weight.denominator * sd


def aggregate(values: list[Decimal], method: str) -> Fraction:
    """mean; trimmed_mean (drop one highest and one lowest with TRIM_MIN or more values, else
    mean); median."""
    if not values:
        raise ValueError("no values to aggregate")
    xs = sorted(Fraction(v) for v in values)
    if trims(method, len(xs)):
        xs = xs[1:-1]
    if method == "median":
        n = len(xs)
        mid = n // 2
        return xs[mid] if n % 2 else (xs[mid - 1] + xs[mid]) / 2
    return sum(xs, Fraction(0)) / len(xs)


def criterion_marks(criterion: dict, values: list[Decimal], method: str) -> Fraction:
    """The criterion's marks from its judges' values; a wsi3 criterion scores aggregate ÷ 3 × max."""
    return aggregate(values, method) * scale_factor(criterion)


def round_half_up(x: Fraction | Decimal, places: int = 2) -> Decimal:
    q = Decimal(1).scaleb(-places)
    if isinstance(x, Fraction):
        # Exact: scale, round the rational half up, scale back (integers only: this runs per entry).
        n, d = x.numerator * 10 ** places, x.denominator
        sign = -1 if n < 0 else 1
        whole, rem = divmod(abs(n), d)
        if rem * 2 >= d:
            whole += 1
        return Decimal(sign * whole).scaleb(-places)  # exponent -places already: 1 → 0.01, 100 → 1.00
    return x.quantize(q, rounding=ROUND_HALF_UP)


@dataclass
class TotalBreakdown:
    components: dict[str, Fraction]   # component key → its score on a 0–100 scale (unrounded)
    criteria: dict[str, Fraction]     # criterion key → marks (unrounded)
    total: Fraction                   # Σ weight × component score (0–100), unrounded


def total_for(scheme: dict, marks: dict[str, Fraction]) -> TotalBreakdown:
    """Component score = Σ criterion marks ÷ Σ max × 100; total = Σ weight × component score.
    Every criterion must have marks (missing → KeyError: the caller decides what that means)."""
    components: dict[str, Fraction] = {}
    total: Ratio = (0, 1)
    for comp in scheme["components"]:
        got = sum((marks[c["key"]] for c in comp["criteria"]), Fraction(0))
        score = component_score_ratio((got.numerator, got.denominator), component_max(comp))
        components[comp["key"]] = Fraction(*score)
        total = add_weighted(total, Fraction(Decimal(comp["weight"])), score)
    return TotalBreakdown(components=components, criteria=dict(marks), total=Fraction(*total))


def disagreement(criterion: dict, values: list[Decimal], share: Decimal = Decimal("0.2")) -> bool:
    """Judges disagree on a judgement criterion when their values differ by more than 1 point on
    the 0–3 scale, or by more than `share` of the maximum on a marks scale."""
    if criterion.get("kind") != "judgement" or len(values) < 2:
        return False
    spread = max(values) - min(values)
    if criterion.get("scale") == "wsi3":
        return spread > 1
    return spread > Decimal(criterion["max_score"]) * share
