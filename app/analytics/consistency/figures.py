"""The figures of judge consistency: thresholds, statuses and the result records (see the
package docstring for the rules)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...domain.errors import N_

Q_LEVEL = 0.05
DELTA_SHARE = 0.05        # δ on a marks criterion: 5% of its maximum
DELTA_WSI3_POINTS = 0.2   # δ on a 0–3 criterion: 0.2 points
MIN_CI_ENTRIES = 10
PERMUTATIONS = 2000
RESAMPLES = 1999
EXACT_LIMIT = 100_000
MIN_AFFINITY, MIN_OTHERS = 3, 5
ALPHA_RELIABLE, ALPHA_TENTATIVE = 0.800, 0.667
SE_FLOOR = 0.01

# Statuses shown to the chief judge and the supervisor (no p-values on the first screen).
DISCUSS, LOOK, NONE, INSUFFICIENT = "discuss", "look", "none", "insufficient"


@dataclass(frozen=True)
class Criterion:
    key: str
    name: str
    max_score: float
    wsi3: bool = False
    kind: str = "judgement"

    @property
    def factor(self) -> float:
        """Marks per unit of the judge's value (0–3 points → marks)."""
        return self.max_score / 3 if self.wsi3 else 1.0

    @property
    def delta_share(self) -> float:
        return DELTA_WSI3_POINTS / 3 if self.wsi3 else DELTA_SHARE


@dataclass
class Panel:
    """values[j, e, c]: judge j's value for entry e on criterion c (NaN: not scored or recused)."""
    judges: list[int]
    entries: list[int]
    criteria: list[Criterion]
    values: np.ndarray
    judge_regions: dict[int, str | None] = field(default_factory=dict)
    entry_regions: dict[int, str | None] = field(default_factory=dict)
    disagreement_share: float = 0.2

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=float)
        if self.values.shape != (len(self.judges), len(self.entries), len(self.criteria)):
            raise ValueError(f"values {self.values.shape} do not match the judges, entries and criteria")


@dataclass
class Figures:
    """A judge's leniency at one step: marks, share of maximum, SDs; permutation p and BH q."""
    marks: float | None = None
    share: float | None = None
    sd: float | None = None
    cells: int = 0
    p: float | None = None
    q: float | None = None


@dataclass
class JudgeResult:
    judge_id: int
    sheets: int                 # entries the judge scored
    cells: int                  # cells with a leave-one-out reference
    raw: Figures                # against every other judge (first pass)
    adjusted: Figures           # at the step flagged, or against the panel without flagged judges
    delta_share: float | None   # δ for this judge's cells (share of maximum)
    ci_marks: tuple[float, float] | None = None
    ci_sd: tuple[float, float] | None = None
    se_sd: float | None = None  # bootstrap standard error of `adjusted.sd` (for pooling events)
    entries_compared: int = 0  # entries behind the adjusted figures (a cell with ≥ 2 other judges)
    flagged: bool = False
    flag_step: int | None = None
    status: str = NONE
    rho: float | None = None    # Spearman: the judge's entry totals vs the rest of the panel's
    rho_entries: int = 0
    judgement_cells: int = 0
    disagreement_cells: int = 0  # flagged cells the judge scored
    outlier_cells: int = 0       # … where the judge was furthest from the median


@dataclass
class Reliability:
    alpha: float | None
    judges: int
    entries: int
    pairable: int               # values in units scored by at least two judges
    band: str                   # reliable | tentative | low | not_computable

    @property
    def meaning(self) -> str:
        return ALPHA_MEANINGS[self.band]


@dataclass
class AffinityResult:
    judge_id: int
    kind: str                   # prefecture | province
    region: str
    affinity_entries: int
    other_entries: int
    affinity_mean: float | None  # mean deviation (share of maximum) on own-region entries
    other_mean: float | None
    difference: float | None     # affinity − other
    p: float | None = None
    q: float | None = None
    status: str = NONE           # discuss | look | none | insufficient (too few to judge)


@dataclass
class EventAnalysis:
    judges: list[JudgeResult]
    criteria: dict[str, Reliability]
    event: Reliability
    kendall_w: float | None
    affinity: list[AffinityResult]
    flagged: list[int]
    entries: int
    steps: int


ALPHA_MEANINGS = {
    "reliable": N_("Reliable (α ≥ 0.800): the judges agree well; the differences between judges on the same "
                   "work are small next to the differences between the works."),
    "tentative": N_("Tentative (0.667 ≤ α < 0.800): the judges broadly agree, but a noticeable part of the "
                    "differences in scores comes from who judged rather than from the work."),
    "low": N_("Low (α < 0.667): the judges' scores for the same work differ almost as much as the scores of "
              "different works; the criterion or the judges' shared understanding needs attention."),
    "not_computable": N_("Not computable: too few values scored by two or more judges, or every value is the same."),
}
ALPHA_EXPLANATION = N_("Krippendorff's α compares how much judges differ on the same work with how much scores "
                       "differ overall: 1 is perfect agreement, 0 is no more agreement than chance, below 0 "
                       "systematic disagreement. It uses every sheet, also where a judge was recused.")




@dataclass
class Pooled:
    events: int
    weighted_events: int
    sd: float | None
    se: float | None
    ci: tuple[float, float] | None

