"""Building blocks of judge consistency: leave-one-out deviations, the permutation test, the
bootstrap, Krippendorff's α and Kendall's W (pure numpy/scipy)."""
from __future__ import annotations

import math
import warnings
from itertools import combinations

import krippendorff
import numpy as np

from .figures import ALPHA_RELIABLE, ALPHA_TENTATIVE, MIN_CI_ENTRIES, Figures, Panel, Reliability

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
    from scipy import stats  # imported on first use: ~0.7 s and ~80 MB per process otherwise

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
        qs = stats.false_discovery_control(ps[testable], method="bh")
        for i, j in enumerate(testable):
            figures[j].p, figures[j].q = float(ps[j]), float(qs[i])
    return figures, d


def _bootstrap(per_entry_sum: np.ndarray, per_entry_n: np.ndarray, rng: np.random.Generator,
               resamples: int) -> tuple[tuple[float, float] | None, float | None]:
    """BCa interval and standard error of Σsum ÷ Σn over entries resampled with replacement."""
    from scipy import stats  # imported on first use: ~0.7 s and ~80 MB per process otherwise

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
        res = stats.bootstrap((sums, ns), ratio, paired=True, vectorized=True, n_resamples=resamples,
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
    from scipy import stats  # imported on first use: ~0.7 s and ~80 MB per process otherwise

    if len(a) < 3 or np.all(a == a[0]) or np.all(b == b[0]):
        return None
    return _opt(stats.spearmanr(a, b).statistic)


