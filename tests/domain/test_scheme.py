"""Scoring-scheme, award, tie-break and eligibility validation (weights sum to 1, keys unique, max > 0)."""
import pytest

from app.domain.errors import Collector
from app.domain.scheme import parse_awards, parse_eligibility, parse_scheme, parse_tiebreak


def scheme(**over):
    data = {"aggregation": "mean", "components": [
        {"key": "theory", "name": "理论", "weight": "0.30",
         "criteria": [{"key": "T1", "name": "理论", "max_score": "100", "kind": "measurement"}]},
        {"key": "practical", "name": "实操", "weight": "0.70",
         "criteria": [{"key": "P1", "name": "A", "max_score": "20", "kind": "judgement", "scale": "wsi3",
                       "descriptors": ["0", "1", "2", "3"]},
                      {"key": "P2", "name": "B", "max_score": "50", "kind": "measurement", "step": "0.25"}]}]}
    data.update(over)
    return data


def fields(data, parser=parse_scheme):
    errors = Collector()
    out = parser(data, errors)
    return out, {e.field for e in errors.errors}


def test_valid_scheme_is_normalized():
    out, errs = fields(scheme())
    assert errs == set()
    assert out["components"][0]["weight"] == "0.3"
    assert out["components"][0]["criteria"][0]["step"] == "0.01"  # default step
    assert out["components"][1]["criteria"][0]["descriptors"] == ["0", "1", "2", "3"]
    assert out["min_judges"] == 3 and out["disagreement_share"] == "0.2"
    assert "scheme.disagreement_share" in fields(scheme(disagreement_share="1.5"))[1]


def test_weights_must_sum_to_exactly_one_in_decimals():
    data = scheme()
    data["components"][0]["weight"] = "0.1"
    data["components"][1]["weight"] = "0.2"
    _, errs = fields(data)
    assert "scheme.components" in errs
    # Three thirds written as decimals never sum to 1 exactly: refused, not rounded.
    data = scheme(components=[{"key": f"c{i}", "name": "x", "weight": "0.333",
                               "criteria": [{"key": f"k{i}", "name": "x", "max_score": "1"}]} for i in range(3)])
    assert "scheme.components" in fields(data)[1]
    # 0.1 + 0.2 + 0.7 is exactly 1 in decimals (it is not in binary floats).
    data = scheme(components=[{"key": f"c{i}", "name": "x", "weight": w,
                               "criteria": [{"key": f"k{i}", "name": "x", "max_score": "1"}]}
                              for i, w in enumerate(["0.1", "0.2", "0.7"])])
    assert fields(data)[1] == set()


def test_floats_are_refused_as_inexact():
    data = scheme()
    data["components"][0]["weight"] = 0.3
    assert "scheme.components[0].weight" in fields(data)[1]


def test_keys_unique_and_well_formed():
    data = scheme()
    data["components"][1]["criteria"][1]["key"] = "P1"
    data["components"][1]["key"] = "theory"
    data["components"][0]["criteria"][0]["key"] = "1bad key"
    errs = fields(data)[1]
    assert {"scheme.components[1].criteria[1].key", "scheme.components[1].key",
            "scheme.components[0].criteria[0].key"} <= errs


@pytest.mark.parametrize("max_score", ["0", "-5", "abc", "", None, "1001"])
def test_max_score_must_be_positive(max_score):
    data = scheme()
    data["components"][0]["criteria"][0]["max_score"] = max_score
    assert "scheme.components[0].criteria[0].max_score" in fields(data)[1]


def test_step_rules_and_wsi3_only_for_judgement():
    data = scheme()
    data["components"][1]["criteria"][1]["step"] = "0.3"  # 50 is not a multiple of 0.3
    data["components"][0]["criteria"][0]["scale"] = "wsi3"  # measurement cannot use 0-3
    data["components"][1]["criteria"][0]["descriptors"] = ["only one"]
    errs = fields(data)[1]
    assert {"scheme.components[1].criteria[1].step", "scheme.components[0].criteria[0].scale",
            "scheme.components[1].criteria[0].descriptors"} <= errs


def test_every_error_is_reported_at_once():
    data = {"aggregation": "mode", "min_judges": 0, "components": [
        {"key": "", "name": "", "weight": "2", "criteria": []}]}
    errs = fields(data)[1]
    assert {"scheme.aggregation", "scheme.min_judges", "scheme.components[0].key", "scheme.components[0].name",
            "scheme.components[0].weight", "scheme.components[0].criteria"} <= errs


def test_empty_or_missing_scheme():
    assert "scheme" in fields(None)[1]
    assert "scheme.components" in fields({"components": []})[1]


def test_awards_defaults_and_validation():
    out, errs = fields({}, parse_awards)
    assert errs == set() and out["preset"] == "prizes" and out["shares"] == ["0.1", "0.2", "0.3"]
    assert out["min_total"] == "60"
    assert fields({"preset": "medals"}, parse_awards)[1] == set()
    assert "awards.shares" in fields({"shares": ["0.5", "0.4", "0.3"]}, parse_awards)[1]
    assert "awards.shares" in fields({"shares": ["0", "0.4", "0.3"]}, parse_awards)[1]
    assert "awards.preset" in fields({"preset": "ribbons"}, parse_awards)[1]
    assert "awards.min_total" in fields({"min_total": "101"}, parse_awards)[1]


def test_tiebreak_must_reference_the_scheme():
    parsed, _ = fields(scheme())
    errors = Collector()
    assert parse_tiebreak(["component:practical", "criterion:P1", "time_used"], parsed, errors) == [
        "component:practical", "criterion:P1", "time_used"]
    assert not errors.errors
    parse_tiebreak(["component:nope", "criterion:P1", "criterion:P1", "luck"], parsed, errors)
    assert {e.field for e in errors.errors} == {"tiebreak[0]", "tiebreak[2]", "tiebreak[3]"}


def test_eligibility_limits_are_off_unless_set():
    out, errs = fields({}, parse_eligibility)
    assert out == {} and errs == set()
    out, errs = fields({"min_age": "16", "max_age": 35, "min_skill_grade": "3",
                        "organization_kinds": ["college"]}, parse_eligibility)
    assert errs == set() and out == {"min_age": 16, "max_age": 35, "min_skill_grade": 3,
                                     "organization_kinds": ["college"]}
    _, errs = fields({"min_age": 40, "max_age": 30, "min_skill_grade": 7, "organization_kinds": ["pub"]},
                     parse_eligibility)
    assert errs == {"eligibility.max_age", "eligibility.min_skill_grade", "eligibility.organization_kinds"}
