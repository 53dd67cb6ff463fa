"""Judge consistency on one event's panel: leniency/severity, rank agreement, disagreement
involvement, inter-rater reliability and a favouritism check — pure functions over a
judges × entries × criteria array (numpy, scipy, krippendorff; no Flask, no SQLAlchemy).

The rules (shared/research/judge-analytics.md):
- A judge's deviation on a cell (entry × criterion) is their value minus the mean of the *other*
  judges present on that cell (leave-one-out), counted where at least two others scored it.
  Leniency L = the mean deviation over the judge's cells, reported in marks (a 0–3 criterion's
  points × max ÷ 3), as a share of the criterion's maximum, and in standard deviations (each
  deviation ÷ the criterion's pooled within-cell SD).
- Significance: a permutation test that shuffles the values among the judges present in each
  cell (exchangeable when no judge has an effect; recusal gaps stay where they are).
- The flag rule steps down: take the judge with the largest |L|; flag them only if their
  Benjamini–Hochberg q < 0.05 *and* |L| ≥ δ (5% of the maximum on marks, 0.2 points on 0–3);
  drop them from the reference panel and repeat while at least three judges remain. A single
  pass would flag the innocent: one judge's +b moves every other judge's figure by −b/(k−1).
  The figures shown for a judge are those of the step they were flagged at, or of the last step
  (against the panel without the flagged judges); the first pass is kept as `raw`.
- CI: bootstrap over entries (cells of one entry are correlated), BCa; none below 10 entries.
- Reliability: Krippendorff's α (interval), which takes any number of judges and missing values
  (recusal), per criterion and for the event (all cells, as shares of the maximum).
- Favouritism: per judge, the mean deviation on entries of their own prefecture (or province)
  minus the mean on their other entries, against a reference panel without judges of the entry's
  own region (a regional bloc would mask itself); a one-sided permutation of the labels, exact
  when there are at most 100,000 arrangements; tested only with ≥ 3 such entries and ≥ 5 others.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from itertools import combinations

import krippendorff
import numpy as np

from ..domain.errors import N_

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


# ---- building blocks ---------------------------------------------------------------------------

def _stats():
    """scipy.stats, imported by the first analysis that needs it: ~87 MB that every web and RQ
    worker otherwise carried from its start (issue 22: ≤ 300 MB per worker)."""
    from scipy import stats
    return stats


def _cells(panel: Panel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, maxima, factors) with x as judges × cells (cell = entry-major, criterion-minor)."""
    j, e, c = panel.values.shape
    x = panel.values.reshape(j, e * c)
    maxima = np.tile(np.array([cr.max_score for cr in panel.criteria], dtype=float), e)
    factors = np.tile(np.array([cr.factor for cr in panel.criteria], dtype=float), e)
    return x, maxima, factors


def _loo(x: np.ndarray, min_judges: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Leave-one-out deviations (judges × cells; NaN where the judge is absent or fewer than
    `min_judges` judges scored the cell) and the number of judges per cell. Works on a stack
    (…, J, C) too."""
    present = ~np.isnan(x)
    n = present.sum(axis=-2, keepdims=True)
    s = np.where(present, x, 0.0).sum(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = (n * x - s) / (n - 1)  # x − mean of the others
    d = np.where(present & (n >= min_judges), d, np.nan)
    return d, n


def _within_sd(panel: Panel) -> np.ndarray:
    """Per criterion: the pooled within-cell SD (judges' values on the same entry), in the judge's
    units; NaN where no cell varies."""
    out = np.full(len(panel.criteria), np.nan)
    for c in range(len(panel.criteria)):
        block = panel.values[:, :, c]  # judges × entries
        counts = (~np.isnan(block)).sum(axis=0)
        ok = counts >= 2
        if not ok.any():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = np.nanvar(block[:, ok], axis=0, ddof=1)
        dof = counts[ok] - 1
        pooled = float((var * dof).sum() / dof.sum())
        if pooled > 0:
            out[c] = math.sqrt(pooled)
    return out


def _permute_cells(x: np.ndarray, rng: np.random.Generator, times: int) -> np.ndarray:
    """`times` copies of x (judges × cells) with each cell's values shuffled among the judges
    present in it; missing positions stay missing."""
    missing = np.isnan(x)
    base = np.argsort(missing, axis=0, kind="stable")  # present judges first, in index order
    keys = rng.random((times, *x.shape))
    keys[:, missing] = 2.0                              # missing positions sort last
    order = np.argsort(keys, axis=1)
    cols = np.arange(x.shape[1])
    out = np.empty((times, *x.shape))
    for t in range(times):
        out[t][base, cols] = x[order[t], cols]
    return out


def _nanmean(a: np.ndarray, axis=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=axis)


def _opt(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


# ---- leniency with the step-down rule ----------------------------------------------------------

def _step(x: np.ndarray, maxima: np.ndarray, factors: np.ndarray, sd_cells: np.ndarray,
          rng: np.random.Generator, permutations: int, min_judges: int = 3) -> tuple[list[Figures], np.ndarray]:
    """Figures for every row of x (the active judges) against each other, and the deviations."""
    d, _n = _loo(x, min_judges)
    per_share = factors / maxima  # a judge's unit as a share of the criterion's maximum
    share = d * per_share
    obs = _nanmean(share, axis=1)
    figures = []
    for j in range(x.shape[0]):
        cells = int((~np.isnan(d[j])).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            z = d[j] / sd_cells
        figures.append(Figures(marks=_opt(_nanmean(d[j] * factors)), share=_opt(obs[j]),
                               sd=_opt(_nanmean(np.where(np.isfinite(z), z, np.nan))), cells=cells))
    testable = [j for j, f in enumerate(figures) if f.cells > 0]
    if testable and permutations > 0:
        exceed = np.zeros(x.shape[0])
        done = 0
        while done < permutations:
            chunk = min(250, permutations - done)
            perm = _permute_cells(x, rng, chunk)
            dp, _ = _loo(perm)
            stat = _nanmean(dp * per_share, axis=2)  # chunk × judges
            exceed += (np.abs(stat) >= np.abs(obs) - 1e-12).sum(axis=0)
            done += chunk
        ps = (exceed + 1) / (permutations + 1)
        qs = _stats().false_discovery_control(ps[testable], method="bh")
        for i, j in enumerate(testable):
            figures[j].p, figures[j].q = float(ps[j]), float(qs[i])
    return figures, d


def _bootstrap(per_entry_sum: np.ndarray, per_entry_n: np.ndarray, rng: np.random.Generator,
               resamples: int) -> tuple[tuple[float, float] | None, float | None]:
    """BCa interval and standard error of Σsum ÷ Σn over entries resampled with replacement."""
    keep = per_entry_n > 0
    sums, ns = per_entry_sum[keep], per_entry_n[keep]
    if len(sums) < MIN_CI_ENTRIES:
        return None, None
    point = sums.sum() / ns.sum()
    if np.allclose(sums / ns, point):
        return (float(point), float(point)), 0.0  # no spread: the interval is the point

    def ratio(s, n, axis=-1):
        return s.sum(axis=axis) / n.sum(axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = _stats().bootstrap((sums, ns), ratio, paired=True, vectorized=True, n_resamples=resamples,
                              method="BCa", random_state=rng)
    low, high = res.confidence_interval
    if not (np.isfinite(low) and np.isfinite(high)):
        return None, _opt(res.standard_error)
    return (float(low), float(high)), _opt(res.standard_error)


def _entry_sums(d_row: np.ndarray, scale: np.ndarray, n_entries: int, n_criteria: int):
    v = (d_row * scale).reshape(n_entries, n_criteria)
    present = ~np.isnan(v)
    return np.where(present, v, 0.0).sum(axis=1), present.sum(axis=1)


# ---- reliability -------------------------------------------------------------------------------

def alpha(data: np.ndarray) -> Reliability:
    """Krippendorff's α (interval) of a judges × units array with NaN for missing values."""
    data = np.asarray(data, dtype=float)
    judges = int((~np.isnan(data)).any(axis=1).sum())
    per_unit = (~np.isnan(data)).sum(axis=0)
    pairable_units = per_unit >= 2
    pairable = int(per_unit[pairable_units].sum())
    entries = int(pairable_units.sum())
    value = None
    if judges >= 2 and entries >= 2:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                value = _opt(krippendorff.alpha(reliability_data=data[:, pairable_units],
                                                level_of_measurement="interval"))
        except (ValueError, ZeroDivisionError):
            value = None
    if value is None:
        band = "not_computable"
    elif value >= ALPHA_RELIABLE - 1e-9:
        band = "reliable"
    elif value >= ALPHA_TENTATIVE - 1e-9:
        band = "tentative"
    else:
        band = "low"
    return Reliability(alpha=value, judges=judges, entries=entries, pairable=pairable, band=band)


def kendall_w(totals: np.ndarray) -> float | None:
    """Generalised Kendall's W from the mean pairwise Spearman ρ of judges' entry totals
    (judges × entries, NaN where recused): W = (1 + ρ̄(k − 1)) / k."""
    k = totals.shape[0]
    rhos = []
    for a, b in combinations(range(k), 2):
        both = ~np.isnan(totals[a]) & ~np.isnan(totals[b])
        if both.sum() < 3:
            continue
        r = _spearman(totals[a][both], totals[b][both])
        if r is not None:
            rhos.append(r)
    if k < 2 or not rhos:
        return None
    return float((1 + float(np.mean(rhos)) * (k - 1)) / k)


def _spearman(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    return _opt(_stats().spearmanr(a, b).statistic)


# ---- favouritism -------------------------------------------------------------------------------

def _prefix(region: str | None, kind: str) -> str | None:
    if not region or len(region) < 4:
        return None
    return region[:4] if kind == "prefecture" else region[:2]


def _label_pvalue(values: np.ndarray, labels: np.ndarray, observed: float, rng: np.random.Generator) -> float:
    """One-sided: the share of arrangements of the labels whose difference is ≥ the observed one."""
    n, m = len(values), int(labels.sum())
    total = values.sum()
    if math.comb(n, m) <= EXACT_LIMIT:
        sums = np.array([values[list(idx)].sum() for idx in combinations(range(n), m)])
    else:
        draws = 20_000
        idx = np.argsort(rng.random((draws, n)), axis=1)[:, :m]
        sums = np.concatenate([[values[labels].sum()], values[idx].sum(axis=1)])
    diffs = sums / m - (total - sums) / (n - m)
    return float((diffs >= observed - 1e-12).mean())


def favouritism(panel: Panel, rng: np.random.Generator, flagged: frozenset[int] = frozenset()) -> list[AffinityResult]:
    """`flagged`: indices of judges flagged for leniency, left out of every reference panel."""
    n_e = len(panel.entries)
    share_unit = np.array([c.factor / c.max_score for c in panel.criteria])
    out: list[AffinityResult] = []
    for kind in ("prefecture", "province"):
        entry_pre = [_prefix(panel.entry_regions.get(e), kind) for e in panel.entries]
        if len({p for p in entry_pre if p}) < 2:
            continue  # every entry from one region: nothing to compare
        judge_pre = [_prefix(panel.judge_regions.get(j), kind) for j in panel.judges]
        # The reference panel of an entry: judges not of the entry's own region.
        for j, jp in enumerate(judge_pre):
            if jp is None:
                continue
            dev = np.full(n_e, np.nan)
            for e, ep in enumerate(entry_pre):
                ref = [i for i in range(len(panel.judges))
                       if i != j and i not in flagged and (ep is None or judge_pre[i] != ep)]
                row = panel.values[j, e, :]
                if not ref or np.isnan(row).all():
                    continue
                others = _nanmean(panel.values[ref, e, :], axis=0)
                per_c = (row - others) * share_unit
                if not np.isnan(per_c).all():
                    dev[e] = _nanmean(per_c)
            scored = ~np.isnan(dev)
            labels = np.array([ep == jp for ep in entry_pre]) & scored
            m, n = int(labels.sum()), int(scored.sum())
            aff = _opt(dev[labels].mean()) if m else None
            oth = _opt(dev[scored & ~labels].mean()) if n - m else None
            result = AffinityResult(judge_id=panel.judges[j], kind=kind, region=jp, affinity_entries=m,
                                    other_entries=n - m, affinity_mean=aff, other_mean=oth,
                                    difference=(aff - oth) if aff is not None and oth is not None else None)
            if m == 0:
                continue  # no entry of the judge's own region: nothing to report
            if m < MIN_AFFINITY or n - m < MIN_OTHERS:
                result.status = INSUFFICIENT
            else:
                vals, lab = dev[scored], labels[scored]
                result.p = _label_pvalue(vals, lab, result.difference, rng)
            out.append(result)
    tested = [r for r in out if r.p is not None]
    if tested:
        qs = _stats().false_discovery_control([r.p for r in tested], method="bh")
        delta = float(np.mean([c.delta_share for c in panel.criteria]))
        for r, q in zip(tested, qs):
            r.q = float(q)
            big, sig = r.difference >= delta, r.q < Q_LEVEL
            r.status = DISCUSS if big and sig else LOOK if big or sig else NONE
    return out


# ---- the whole event ---------------------------------------------------------------------------

def analyse(panel: Panel, seed: int = 0, permutations: int = PERMUTATIONS, resamples: int = RESAMPLES) -> EventAnalysis:
    """Every figure of one event's panel (see the module docstring for the rules)."""
    rng = np.random.default_rng(seed)
    n_j, n_e, n_c = panel.values.shape
    x, maxima, factors = _cells(panel)
    sd = _within_sd(panel)
    sd_cells = np.tile(sd, n_e)
    delta_cells = np.tile(np.array([c.delta_share for c in panel.criteria]), n_e)

    active = list(range(n_j))
    flagged: list[int] = []
    adjusted: dict[int, Figures] = {}
    d_by_judge: dict[int, np.ndarray] = {}
    raw: list[Figures] | None = None
    steps = 0
    while len(active) >= 3:
        steps += 1
        figs, d = _step(x[active], maxima, factors, sd_cells, rng, permutations)
        raw = raw or figs
        candidates = [i for i, f in enumerate(figs) if f.share is not None]
        top = max(candidates, key=lambda i: abs(figs[i].share)) if candidates else None
        if top is not None:
            judge_delta = _nanmean(np.where(~np.isnan(d[top]), delta_cells, np.nan))
            if figs[top].q is not None and figs[top].q < Q_LEVEL and abs(figs[top].share) >= judge_delta - 1e-12:
                j = active[top]
                flagged.append(j)
                adjusted[j], d_by_judge[j] = figs[top], d[top]
                active = [a for a in active if a != j]
                continue
        for i, a in enumerate(active):
            adjusted[a], d_by_judge[a] = figs[i], d[i]
        break
    else:
        if flagged and len(active) == 2:
            # Two judges left after a flag: measured against each other, untested (a one-judge
            # reference cannot tell which of the two deviates).
            figs, d = _step(x[active], maxima, factors, sd_cells, rng, 0, min_judges=2)
            for i, a in enumerate(active):
                adjusted[a], d_by_judge[a] = figs[i], d[i]
    raw_full = raw if raw is not None else [Figures() for _ in range(n_j)]

    results = []
    crit_judgement = [c.kind == "judgement" for c in panel.criteria]
    for j in range(n_j):
        scored = ~np.isnan(panel.values[j]).all(axis=1)
        adj = adjusted.get(j, Figures())
        cells_delta = None
        r = JudgeResult(judge_id=panel.judges[j], sheets=int(scored.sum()), cells=raw_full[j].cells,
                        raw=raw_full[j], adjusted=adj, delta_share=None, flagged=j in flagged,
                        flag_step=(flagged.index(j) + 1) if j in flagged else None)
        d_row = d_by_judge.get(j)
        if d_row is not None:
            cells_delta = _opt(_nanmean(np.where(~np.isnan(d_row), delta_cells, np.nan)))
            r.delta_share = cells_delta
            sums, ns = _entry_sums(d_row, factors, n_e, n_c)
            r.entries_compared = int((ns > 0).sum())
            r.ci_marks, _se = _bootstrap(sums, ns, rng, resamples)
            with np.errstate(invalid="ignore", divide="ignore"):
                z = np.where(np.isfinite(d_row / sd_cells), d_row / sd_cells, np.nan)
            zs, zn = _entry_sums(z, np.ones_like(z), n_e, n_c)
            r.ci_sd, r.se_sd = _bootstrap(zs, zn, rng, resamples)
        if r.flagged:
            r.status = DISCUSS
        elif adj.share is None or adj.cells == 0:
            r.status = INSUFFICIENT
        else:
            big = cells_delta is not None and abs(adj.share) >= cells_delta - 1e-12
            sig = adj.q is not None and adj.q < Q_LEVEL
            r.status = LOOK if (big or sig) else NONE
        results.append(r)

    # Rank agreement: the judge's entry totals (marks) against the rest of the panel's.
    marks = panel.values * np.array([c.factor for c in panel.criteria])
    complete = ~np.isnan(panel.values).any(axis=2)  # a judge's full sheet for the entry
    totals = np.where(complete, np.nansum(marks, axis=2), np.nan)
    for j, r in enumerate(results):
        others = [i for i in range(n_j) if i != j]
        if not others:
            continue
        other_mean = _nanmean(totals[others], axis=0)
        both = ~np.isnan(totals[j]) & ~np.isnan(other_mean)
        r.rho_entries = int(both.sum())
        r.rho = _spearman(totals[j][both], other_mean[both])

    # Disagreement involvement on judgement criteria (the chief judge's flags).
    for c, crit in enumerate(panel.criteria):
        if not crit_judgement[c]:
            continue
        spread_limit = 1.0 if crit.wsi3 else crit.max_score * panel.disagreement_share
        for e in range(n_e):
            col = panel.values[:, e, c]
            present = ~np.isnan(col)
            for j in np.flatnonzero(present):
                results[j].judgement_cells += 1
            if present.sum() < 2:
                continue
            vals = col[present]
            if vals.max() - vals.min() <= spread_limit + 1e-9:
                continue
            dist = np.abs(col - np.median(vals))
            far = np.nanmax(dist)
            for j in np.flatnonzero(present):
                results[j].disagreement_cells += 1
                if dist[j] >= far - 1e-9:
                    results[j].outlier_cells += 1

    criteria = {crit.key: alpha(panel.values[:, :, c]) for c, crit in enumerate(panel.criteria)}
    event_rel = alpha(x * factors / maxima)
    return EventAnalysis(judges=results, criteria=criteria, event=event_rel, kendall_w=kendall_w(totals),
                         affinity=favouritism(panel, rng, frozenset(flagged)), flagged=[panel.judges[j] for j in flagged],
                         entries=n_e, steps=steps)


# ---- across events -----------------------------------------------------------------------------

@dataclass
class Pooled:
    events: int
    weighted_events: int
    sd: float | None
    se: float | None
    ci: tuple[float, float] | None


def pool(per_event: list[tuple[float | None, float | None]]) -> Pooled:
    """Inverse-variance weighted mean of per-event leniency in SDs: [(z, bootstrap SE)]. An event
    whose bootstrap shows no spread at all counts with SE_FLOOR (not an infinite weight); events
    without an SE (fewer than 10 entries) are counted but not pooled."""
    usable = [(z, max(se, SE_FLOOR)) for z, se in per_event if z is not None and se is not None]
    if not usable:
        return Pooled(events=len(per_event), weighted_events=0, sd=None, se=None, ci=None)
    w = np.array([1 / se ** 2 for _z, se in usable])
    z = np.array([z for z, _se in usable])
    mean = float((w * z).sum() / w.sum())
    se = float(math.sqrt(1 / w.sum()))
    return Pooled(events=len(per_event), weighted_events=len(usable), sd=mean, se=se,
                  ci=(mean - 1.959964 * se, mean + 1.959964 * se))
