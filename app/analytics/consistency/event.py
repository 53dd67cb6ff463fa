"""One event's analysis (the step-down leniency rule, rank agreement, disagreement involvement,
reliability, favouritism) and the pooling across events."""
from __future__ import annotations

import math

import numpy as np

from .blocks import _bootstrap, _cells, _entry_sums, _nanmean, _opt, _spearman, _step, _within_sd, alpha, kendall_w
from .favouritism import favouritism
from .figures import (DISCUSS, INSUFFICIENT, LOOK, NONE, PERMUTATIONS, Q_LEVEL, RESAMPLES, SE_FLOOR,
                      EventAnalysis, Figures, JudgeResult, Panel, Pooled)

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
