"""Judge consistency on constructed panels whose answers are known (app/analytics/consistency.py)."""
from __future__ import annotations

import numpy as np
import pytest

from app.analytics.consistency import (DISCUSS, INSUFFICIENT, NONE, Criterion, Panel, alpha, analyse, kendall_w,
                                       pool)

MARKS = [Criterion(f"C{i}", f"评分项{i}", 20.0) for i in range(5)]
WSI3 = [Criterion(f"W{i}", f"主观{i}", 30.0, wsi3=True) for i in range(4)]


def panel(values, criteria=MARKS, judge_regions=None, entry_regions=None) -> Panel:
    values = np.asarray(values, dtype=float)
    return Panel(judges=list(range(1, values.shape[0] + 1)), entries=list(range(100, 100 + values.shape[1])),
                 criteria=criteria, values=values, judge_regions=judge_regions or {}, entry_regions=entry_regions or {})


def base_scores(entries=20, criteria=5, seed=1, low=4, high=16):
    return np.random.default_rng(seed).integers(low, high, size=(entries, criteria)).astype(float)


def by_judge(result):
    return {r.judge_id: r for r in result.judges}


def test_a_judge_adding_two_marks_everywhere_is_flagged_with_sign_and_size():
    base = base_scores()
    values = np.stack([base] * 4)
    values[2] += 2  # judge 3
    result = analyse(panel(values), seed=7)
    judges = by_judge(result)
    lenient = judges[3]
    assert lenient.flagged and lenient.status == DISCUSS and result.flagged == [3]
    assert lenient.raw.marks == pytest.approx(2.0) and lenient.adjusted.marks == pytest.approx(2.0)
    assert lenient.adjusted.share == pytest.approx(0.1)  # 2 of 20 marks
    assert lenient.adjusted.sd > 0 and lenient.ci_marks == (pytest.approx(2.0), pytest.approx(2.0))
    for j in (1, 2, 4):
        # The single pass moves the innocent by −b/(k−1); the step-down figures do not.
        assert judges[j].raw.marks == pytest.approx(-2 / 3)
        assert judges[j].adjusted.marks == pytest.approx(0.0)
        assert not judges[j].flagged and judges[j].status == NONE
    # A constant offset changes no ranking: every judge agrees on the order.
    assert all(r.rho == pytest.approx(1.0) for r in result.judges)
    assert result.kendall_w == pytest.approx(1.0)


def test_a_severe_judge_is_flagged_with_a_negative_sign():
    values = np.stack([base_scores()] * 5)
    values[0] -= 3
    judges = by_judge(analyse(panel(values), seed=1))
    assert judges[1].flagged and judges[1].adjusted.marks == pytest.approx(-3.0)
    assert [j for j, r in judges.items() if r.flagged] == [1]


def test_identical_judges_agree_perfectly_and_nobody_is_flagged():
    values = np.stack([base_scores()] * 4)
    result = analyse(panel(values), seed=2)
    assert result.event.alpha == pytest.approx(1.0) and result.event.band == "reliable"
    assert all(rel.alpha == pytest.approx(1.0) for rel in result.criteria.values())
    assert not result.flagged and all(r.status == NONE for r in result.judges)
    assert result.kendall_w == pytest.approx(1.0)


def test_identical_judges_with_recusal_gaps_still_agree_perfectly():
    values = np.stack([base_scores(seed=3)] * 5)
    gaps = np.random.default_rng(4).random(values.shape[:2]) < 0.2
    values[gaps] = np.nan  # whole sheets missing, as recusal leaves them
    result = analyse(panel(values), seed=2)
    assert result.event.alpha == pytest.approx(1.0)
    # Every entry still counts (no listwise deletion of entries with a missing sheet).
    assert all(rel.entries == 20 for rel in result.criteria.values())
    assert not result.flagged


@pytest.mark.parametrize("seed", range(8))
def test_one_lenient_judge_does_not_get_the_others_flagged(seed):
    rng = np.random.default_rng(100 + seed)
    base = base_scores(seed=seed)
    values = np.stack([base + rng.normal(0, 1.0, size=base.shape) for _ in range(4)]).round(1)
    values[1] += 2.5
    gaps = rng.random(values.shape[:2]) < 0.1
    gaps[1] = False
    values[gaps] = np.nan
    result = analyse(panel(values), seed=seed)
    assert result.flagged == [2]
    judges = by_judge(result)
    assert all(judges[j].raw.marks < -0.4 for j in (1, 3, 4))  # what a single pass would have blamed
    assert all(judges[j].status != DISCUSS for j in (1, 3, 4))


def test_a_noisy_panel_without_bias_flags_nobody_in_most_events():
    flags = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        base = base_scores(seed=seed)
        values = np.stack([base + rng.normal(0, 1.0, size=base.shape) for _ in range(4)]).round(1)
        flags += len(analyse(panel(values), seed=seed, permutations=500, resamples=500).flagged)
    assert flags <= 1  # at most 5% of 20 events


def test_plus_one_on_the_zero_to_three_scale_is_clipped_at_three():
    base = base_scores(criteria=4, low=0, high=4)
    values = np.stack([base] * 4)
    values[3] = np.minimum(base + 1, 3)
    judges = by_judge(analyse(panel(values, WSI3), seed=5))
    expected_points = float(np.mean(np.minimum(base + 1, 3) - base))
    assert judges[4].raw.marks == pytest.approx(expected_points * 10)  # 30 marks ÷ 3 points
    assert judges[4].flagged


def test_all_scores_the_same_is_not_computable_and_does_not_crash():
    values = np.full((4, 12, 5), 10.0)
    result = analyse(panel(values), seed=0)
    assert result.event.alpha is None and result.event.band == "not_computable"
    assert not result.flagged
    assert all(r.adjusted.sd is None for r in result.judges)


def test_krippendorff_reference_value():
    n = np.nan
    data = [[n, n, n, n, n, 3, 4, 1, 2, 1, 1, 3, 3, n, 3], [1, n, 2, 1, 3, 3, 4, 3, n, n, n, n, n, n, n],
            [n, n, 2, 1, 3, 4, 4, n, 2, 1, 1, 3, 3, n, 4]]
    assert alpha(np.array(data)).alpha == pytest.approx(0.810845, abs=1e-6)  # the library's documented value


def test_fewer_than_ten_entries_give_no_interval():
    values = np.stack([base_scores(entries=8)] * 4)
    values[0] += 2
    judges = by_judge(analyse(panel(values), seed=0))
    assert judges[1].ci_marks is None


def test_two_judges_cannot_be_told_apart():
    values = np.stack([base_scores()] * 2)
    values[0] += 2
    result = analyse(panel(values), seed=0)
    assert not result.flagged and all(r.status == INSUFFICIENT for r in result.judges)


def test_favouritism_towards_own_prefecture_is_detected():
    rng = np.random.default_rng(11)
    base = base_scores(entries=16, seed=11)
    values = np.stack([base + rng.normal(0, 0.3, size=base.shape) for _ in range(4)]).round(1)
    own = [0, 3, 7, 12]
    for e in own:
        values[0, e] += 2.0  # judge 1 favours Lhasa entries
    entry_regions = {100 + e: ("540102" if e in own else "540202" if e % 2 else "540302") for e in range(16)}
    judge_regions = {1: "540103", 2: "540402", 3: "540202", 4: "540302"}
    result = analyse(panel(values, judge_regions=judge_regions, entry_regions=entry_regions), seed=3)
    found = [a for a in result.affinity if a.judge_id == 1 and a.kind == "prefecture"]
    assert found and found[0].affinity_entries == 4 and found[0].difference > 0.05
    assert found[0].status == DISCUSS
    assert all(a.status != DISCUSS for a in result.affinity if a.judge_id != 1)


def test_favouritism_with_one_own_region_entry_is_too_few_to_judge():
    values = np.stack([base_scores(entries=16)] * 4)
    values[0, 5] += 3
    entry_regions = {100 + e: ("540102" if e == 5 else "540202") for e in range(16)}
    result = analyse(panel(values, judge_regions={1: "540100"}, entry_regions=entry_regions), seed=3)
    (only,) = [a for a in result.affinity if a.judge_id == 1]
    assert only.affinity_entries == 1 and only.status == INSUFFICIENT and only.p is None


def test_kendall_w_of_reversed_judges_is_low():
    totals = np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]], dtype=float)
    assert kendall_w(totals) == pytest.approx(0.0)


def test_pooling_weights_precise_events_more():
    pooled = pool([(1.0, 0.1), (0.0, 1.0), (None, None)])
    assert pooled.events == 3 and pooled.weighted_events == 2
    assert pooled.sd == pytest.approx(100 / 101)
    assert pooled.ci[0] < pooled.sd < pooled.ci[1]
    assert pool([(None, None)]).sd is None
