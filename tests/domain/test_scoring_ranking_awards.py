"""Aggregation, exact totals, ranking with tie-breaks and awards — with property tests."""
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import awards
from app.domain.ranking import Entry, rank, unresolved_ties
from app.domain.scoring import (ScoreError, aggregate, criterion_marks, disagreement, parse_value, round_half_up,
                                total_for)

D = Decimal
SCHEME = {"components": [
    {"key": "theory", "weight": "0.3", "criteria": [{"key": "T1", "max_score": "100"}]},
    {"key": "practical", "weight": "0.7", "criteria": [
        {"key": "P1", "max_score": "30", "kind": "judgement", "scale": "wsi3"},
        {"key": "P2", "max_score": "20", "kind": "measurement", "step": "0.25"}]}]}


def test_aggregation_methods():
    vals = [D("7"), D("8"), D("9"), D("10"), D("2")]
    assert aggregate(vals, "mean") == Fraction(36, 5)
    assert aggregate(vals, "trimmed_mean") == Fraction(8)          # drops 2 and 10
    assert aggregate(vals[:4], "trimmed_mean") == Fraction(34, 4)  # fewer than 5: the mean
    assert aggregate(vals, "median") == 8
    assert aggregate(vals[:4], "median") == Fraction(17, 2)


def test_wsi3_converts_the_aggregate_to_marks():
    crit = {"max_score": "30", "scale": "wsi3"}
    assert criterion_marks(crit, [D(2), D(2), D(3)], "mean") == Fraction(7, 3) / 3 * 30
    assert criterion_marks(crit, [D(3)] * 3, "mean") == 30


def test_total_is_exact_and_rounded_half_up_only_at_the_end():
    marks = {"T1": Fraction(85), "P1": Fraction(70, 3), "P2": Fraction(1525, 100)}
    b = total_for(SCHEME, marks)
    assert b.components["theory"] == 85
    assert b.components["practical"] == (Fraction(70, 3) + Fraction(61, 4)) / 50 * 100
    assert round_half_up(Fraction(12345, 1000)) == D("12.35")   # 12.345 → 12.35, half up
    assert round_half_up(Fraction(-12345, 1000)) == D("-12.35")
    assert round_half_up(Fraction(1, 3)) == D("0.33")


@given(st.lists(st.decimals(min_value=0, max_value=20, places=2), min_size=1, max_size=9),
       st.sampled_from(["mean", "trimmed_mean", "median"]), st.randoms())
def test_order_of_the_values_never_changes_a_total(values, method, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert aggregate(values, method) == aggregate(shuffled, method)
    assert round_half_up(aggregate(values, method)) == round_half_up(aggregate(shuffled, method))


def test_the_float_trap_from_pitfalls_does_not_happen():
    # Summed as binary floats, the same five scores give 356.40000000000003 in this order and
    # 356.4 with the 71.2 last (PITFALLS.md); the aggregate gives one exact value in both orders.
    values = [D("71.3"), D("71.3"), D("71.2"), D("71.3"), D("71.3")]
    other_order = [D("71.3"), D("71.3"), D("71.3"), D("71.3"), D("71.2")]
    assert sum(map(float, values)) != sum(map(float, other_order))  # the trap is real
    assert aggregate(values, "mean") * 5 == Fraction(3564, 10) == aggregate(other_order, "mean") * 5
    assert round_half_up(aggregate(values, "mean")) == round_half_up(aggregate(other_order, "mean"))


@pytest.mark.parametrize("crit, raw, ok", [
    ({"max_score": "20", "step": "0.25"}, "19.75", D("19.75")),
    ({"max_score": "20", "step": "0.25"}, "19.8", None),
    ({"max_score": "20", "step": "0.25"}, "20.25", None),
    ({"max_score": "20", "step": "0.25"}, "-1", None),
    ({"max_score": "20", "step": "0.25"}, 7, D("7")),
    ({"max_score": "20", "step": "0.25"}, 7.5, None),
    ({"max_score": "20", "step": "0.25"}, "abc", None),
    ({"max_score": "20", "step": "0.25"}, "NaN", None),
    ({"max_score": "30", "scale": "wsi3"}, "3", D(3)),
    ({"max_score": "30", "scale": "wsi3"}, "2.5", None),
    ({"max_score": "30", "scale": "wsi3"}, "4", None),
    ({"max_score": "20"}, "", None),
])
def test_parse_value(crit, raw, ok):
    if raw == "":
        assert parse_value(crit, raw) is None
    elif ok is None:
        with pytest.raises(ScoreError):
            parse_value(crit, raw)
    else:
        assert parse_value(crit, raw) == ok


def test_disagreement_limits():
    wsi3 = {"kind": "judgement", "scale": "wsi3", "max_score": "30"}
    assert disagreement(wsi3, [D(1), D(3)]) and not disagreement(wsi3, [D(1), D(2), D(2)])
    marks = {"kind": "judgement", "max_score": "10"}
    assert disagreement(marks, [D(5), D("7.5")]) and not disagreement(marks, [D(5), D(7)])
    assert not disagreement({"kind": "measurement", "max_score": "10"}, [D(0), D(10)])


# ---- ranking -----------------------------------------------------------------------------------

def test_standard_competition_ranking_and_tie_break_chain():
    entries = [Entry(1, D("90"), (D("80"), 600)), Entry(2, D("95"), (D("70"), 500)),
               Entry(3, D("90"), (D("85"), 700)), Entry(4, D("90"), (D("80"), 550)), Entry(5, D("80"))]
    no_chain = {r.id: r.rank for r in rank([Entry(e.id, e.total) for e in entries])}
    assert no_chain == {2: 1, 1: 2, 3: 2, 4: 2, 5: 5}  # 1, 2, 2, 2, 5
    chained = {r.id: r.rank for r in rank(entries, ("desc", "asc"))}
    # 3 wins the component; 1 and 4 tie on it and 4 was faster.
    assert chained == {2: 1, 3: 2, 4: 3, 1: 4, 5: 5}


def test_unknown_time_counts_as_slowest():
    ranked = {r.id: r.rank for r in rank([Entry(1, D(90), (None,)), Entry(2, D(90), (900,))], ("asc",))}
    assert ranked == {2: 1, 1: 2}


def test_no_shared_ranks_blocks_until_the_chief_resolves():
    entries = [Entry(1, D(90)), Entry(2, D(90)), Entry(3, D(80))]
    ranked = rank(entries, no_shared_ranks=True)
    assert unresolved_ties(ranked) == [(1, 2)]
    resolved = rank(entries, no_shared_ranks=True, resolutions={frozenset({1, 2}): [2, 1]})
    assert {r.id: r.rank for r in resolved} == {2: 1, 1: 2, 3: 3} and not unresolved_ties(resolved)


entry_lists = st.lists(st.tuples(st.decimals(min_value=0, max_value=100, places=2), st.integers(0, 3)),
                       min_size=1, max_size=40).map(
    lambda xs: [Entry(i + 1, t, (D(c),)) for i, (t, c) in enumerate(xs)])


@given(entry_lists, st.randoms())
def test_ranking_is_a_function_of_the_scores(entries, rnd):
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    a = {r.id: r.rank for r in rank(entries, ("desc",))}
    b = {r.id: r.rank for r in rank(shuffled, ("desc",))}
    assert a == b


@given(entry_lists)
def test_ranks_are_monotone_in_total_and_standard(entries):
    ranked = rank(entries, ("desc",))
    by_id = {e.id: e for e in entries}
    for x in ranked:
        for y in ranked:
            if by_id[x.id].total > by_id[y.id].total:
                assert x.rank < y.rank
    # Standard competition ranking: a rank r is held by entries at positions r-1 …; the next
    # rank equals 1 + the number of entries ahead.
    for r in ranked:
        ahead = sum(1 for o in ranked if o.rank < r.rank)
        assert r.rank == ahead + 1


# ---- awards ------------------------------------------------------------------------------------

SHARES = [D("0.10"), D("0.20"), D("0.30")]


def ranked_list(totals):
    entries = [Entry(i + 1, D(t)) for i, t in enumerate(totals)]
    return [(r.id, r.rank, r.total) for r in rank(entries)]


def test_prize_counts_from_the_design_example():
    assert awards.tier_counts(12, SHARES) == [1, 2, 4]
    assert awards.tier_counts(3, SHARES) == [1, 1, 1]
    assert awards.tier_counts(1, SHARES) == [1, 0, 0]  # at least one first prize


def test_prizes_ties_across_a_boundary_get_the_better_award_and_minimum_total():
    got = awards.prizes(ranked_list([95, 90, 90, 85, 80, 70, 65, 61, 60, 59.99, 50, 40]), SHARES, D(60))
    assert [got[i] for i in range(1, 13)] == [
        "first", "second", "second", "third", "third", "third", "third", None, None, None, None, None]
    tie = awards.prizes(ranked_list([95, 95, 80, 70, 60, 50, 40, 30, 20, 10]), SHARES, D(0))
    assert tie[1] == tie[2] == "first" and tie[3] == "second"  # both at position 0
    low = awards.prizes(ranked_list([59, 58, 57]), SHARES, D(60))
    assert set(low.values()) == {None}  # quota not passed on


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=60))
@settings(max_examples=150)
def test_prize_counts_match_the_shares_without_ties(totals):
    distinct = sorted(set(totals), reverse=True)
    got = awards.prizes(ranked_list(distinct), SHARES, D(0))
    c1, c2, c3 = awards.tier_counts(len(distinct), SHARES)
    values = list(got.values())
    assert values.count("first") == c1
    assert values.count("second") == min(c2, max(len(distinct) - c1, 0))
    assert values.count("third") == min(c3, max(len(distinct) - c1 - c2, 0))


@pytest.mark.parametrize("n, expected", [
    (3, []), (4, ["gold"]), (5, ["gold", "silver"]), (6, ["gold", "silver", "bronze"]),
    (10, ["gold", "silver", "bronze", "merit", "merit"]),
])
def test_medal_minimum_field_sizes(n, expected):
    got = awards.medals(ranked_list(list(range(100, 100 - n, -1))))
    assert [a for a in got.values() if a] == expected


@given(st.integers(1, 60))
def test_medal_rules_hold_for_any_field(n):
    got = awards.medals(ranked_list(list(range(200, 200 - n, -1))))
    values = list(got.values())
    assert values.count("gold") == (1 if n > 3 else 0)
    assert values.count("silver") == (1 if n >= 5 else 0)
    assert values.count("bronze") == (1 if n >= 6 else 0)
    assert sum(1 for v in values if v) <= max(n // 2, 1 if n > 3 else 0)


def test_standardized_score_puts_the_median_at_700():
    std = awards.standardized({1: D(50), 2: D(60), 3: D(70)})
    assert std[2] == 700 and std[3] > 700 > std[1]
    assert awards.standardized({1: D(60), 2: D(60)}) == {1: 700, 2: 700}
