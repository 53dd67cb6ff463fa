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

from .blocks import _loo, _nanmean, alpha, kendall_w
from .event import analyse, pool
from .favouritism import favouritism
from .figures import (ALPHA_EXPLANATION, ALPHA_MEANINGS, ALPHA_RELIABLE, ALPHA_TENTATIVE, DELTA_SHARE,
                      DELTA_WSI3_POINTS, DISCUSS, EXACT_LIMIT, INSUFFICIENT, LOOK, MIN_AFFINITY, MIN_CI_ENTRIES,
                      MIN_OTHERS, NONE, PERMUTATIONS, Q_LEVEL, RESAMPLES, SE_FLOOR, AffinityResult, Criterion,
                      EventAnalysis, Figures, JudgeResult, Panel, Pooled, Reliability)

__all__ = ["ALPHA_EXPLANATION", "ALPHA_MEANINGS", "ALPHA_RELIABLE", "ALPHA_TENTATIVE", "DELTA_SHARE",
           "DELTA_WSI3_POINTS", "DISCUSS", "EXACT_LIMIT", "INSUFFICIENT", "LOOK", "MIN_AFFINITY", "MIN_CI_ENTRIES",
           "MIN_OTHERS", "NONE", "PERMUTATIONS", "Q_LEVEL", "RESAMPLES", "SE_FLOOR", "AffinityResult", "Criterion",
           "EventAnalysis", "Figures", "JudgeResult", "Panel", "Pooled", "Reliability", "_loo", "_nanmean", "alpha",
           "analyse", "favouritism", "kendall_w", "pool"]
