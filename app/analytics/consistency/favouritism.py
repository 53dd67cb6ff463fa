"""Favouritism: does a judge score entries of their own prefecture (or province) higher than
their other entries, against a reference panel without judges of the entry's own region?"""
from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from .blocks import _nanmean, _opt
from .figures import (DISCUSS, EXACT_LIMIT, INSUFFICIENT, LOOK, MIN_AFFINITY, MIN_OTHERS, NONE, Q_LEVEL,
                      AffinityResult, Panel)


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
        from scipy import stats  # imported on first use (see blocks.py)
        qs = stats.false_discovery_control([r.p for r in tested], method="bh")
        delta = float(np.mean([c.delta_share for c in panel.criteria]))
        for r, q in zip(tested, qs):
            r.q = float(q)
            big, sig = r.difference >= delta, r.q < Q_LEVEL
            r.status = DISCUSS if big and sig else LOOK if big or sig else NONE
    return out
