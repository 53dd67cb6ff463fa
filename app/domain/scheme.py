"""Scoring schemes, award settings, tie-break chains and eligibility rules of an event.

Each parser takes the JSON-shaped input of API.md, reports every problem at once through a
Collector (field paths such as ``scheme.components[1].criteria[0].max_score``) and returns a
normalized copy with decimals as canonical strings. Weights must sum to exactly 1 (decimal
arithmetic, never floats).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .errors import N_, Collector
from .scoring import TRIM_MIN
from .tiebreak import parse as parse_tiebreak  # noqa: F401 (the chain is parsed in domain/tiebreak.py)
from .refdata import ORG_KINDS, SKILL_GRADES

KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,31}$")
AGGREGATIONS = ("mean", "trimmed_mean", "median")
# What a trimmed mean does for an entry with fewer than TRIM_MIN_JUDGES sheets: the plain mean
# (flagged on the results), or refuse the lock until enough judges have scored it.
TRIM_FALLBACKS = ("mean", "refuse")
TRIM_MIN_JUDGES = TRIM_MIN  # the one threshold, app/domain/scoring.py
CRITERION_KINDS = ("measurement", "judgement")
SCALES = ("marks", "wsi3")
COMPONENT_ENTRIES = ("judges", "import")
AWARD_PRESETS = ("prizes", "medals")
DEFAULT_SHARES = ("0.10", "0.20", "0.30")
DEFAULT_MIN_TOTAL = "60"
DEFAULT_STEP = "0.01"
MAX_SCORE_LIMIT = Decimal("1000")


def to_decimal(value) -> Decimal | None:
    """Parse a decimal given as a string or int (floats are refused: they are not exact)."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return None
    return d


def canonical(d: Decimal) -> str:
    """A decimal as a plain string without exponent or trailing zeros ('0.30' → '0.3')."""
    text = format(d.normalize(), "f")
    return text


def _text(value, max_length=100) -> str:
    return str(value).strip()[:max_length] if value is not None else ""


def parse_scheme(data, errors: Collector, path: str = "scheme") -> dict:
    if not isinstance(data, dict):
        errors.add(path, N_("The scoring scheme is required."))
        return {}
    out: dict = {}
    aggregation = data.get("aggregation") or "mean"
    if aggregation not in AGGREGATIONS:
        errors.add(f"{path}.aggregation", N_("Unknown aggregation method."))
    out["aggregation"] = aggregation
    if aggregation == "trimmed_mean":
        fallback = data.get("trim_fallback")
        if fallback not in TRIM_FALLBACKS:
            errors.add(f"{path}.trim_fallback", N_(
                "Say what the trimmed mean does below 5 judges: the plain mean (mean) or refuse the lock (refuse)."))
        out["trim_fallback"] = fallback

    min_judges = data.get("min_judges", 3)
    if isinstance(min_judges, str) and min_judges.strip().isdigit():
        min_judges = int(min_judges)
    if not isinstance(min_judges, int) or isinstance(min_judges, bool) or not 1 <= min_judges <= 20:
        errors.add(f"{path}.min_judges", N_("The number of judges must be between 1 and 20."))
        min_judges = 3
    out["min_judges"] = min_judges

    share = to_decimal(data.get("disagreement_share") if data.get("disagreement_share") not in (None, "") else "0.2")
    if share is None or not (Decimal(0) < share <= 1):
        errors.add(f"{path}.disagreement_share", N_("The disagreement limit is a share of the maximum, above 0 and at most 1."))
    out["disagreement_share"] = canonical(share) if share is not None else data.get("disagreement_share")

    components = data.get("components")
    if not isinstance(components, list) or not components:
        errors.add(f"{path}.components", N_("Add at least one component."))
        out["components"] = []
        return out

    weight_sum = Decimal(0)
    weights_ok = True
    component_keys: set[str] = set()
    criterion_keys: set[str] = set()
    parsed_components = []
    for ci, comp in enumerate(components):
        cpath = f"{path}.components[{ci}]"
        if not isinstance(comp, dict):
            errors.add(cpath, N_("Each component must be an object."))
            continue
        key = _text(comp.get("key"), 32)
        if not KEY_RE.match(key):
            errors.add(f"{cpath}.key", N_("A key starts with a letter and has at most 32 letters, digits, '_', '.' or '-'."))
        elif key in component_keys:
            errors.add(f"{cpath}.key", N_("The key %(key)s is used twice."), key=key)
        component_keys.add(key)
        name = _text(comp.get("name"), 100)
        if not name:
            errors.add(f"{cpath}.name", N_("The name is required."))
        weight = to_decimal(comp.get("weight"))
        if weight is None or not (Decimal(0) < weight <= Decimal(1)):
            errors.add(f"{cpath}.weight", N_("The weight must be a decimal greater than 0 and at most 1."))
            weights_ok = False
        else:
            weight_sum += weight
        entry = comp.get("entry") or "judges"
        if entry not in COMPONENT_ENTRIES:
            errors.add(f"{cpath}.entry", N_("Unknown way of entering scores."))

        criteria = comp.get("criteria")
        parsed_criteria = []
        if not isinstance(criteria, list) or not criteria:
            errors.add(f"{cpath}.criteria", N_("Add at least one criterion to this component."))
            criteria = []
        for ki, crit in enumerate(criteria):
            kpath = f"{cpath}.criteria[{ki}]"
            if not isinstance(crit, dict):
                errors.add(kpath, N_("Each criterion must be an object."))
                continue
            parsed_criteria.append(_parse_criterion(crit, kpath, errors, criterion_keys))
        parsed_components.append({
            "key": key, "name": name,
            "weight": canonical(weight) if weight is not None else comp.get("weight"),
            "entry": entry, "criteria": parsed_criteria,
        })
    if weights_ok and weight_sum != Decimal(1):
        errors.add(f"{path}.components", N_("The component weights must add up to 1 (now %(sum)s)."),
                   sum=canonical(weight_sum))
    out["components"] = parsed_components
    return out


def _parse_criterion(crit: dict, kpath: str, errors: Collector, seen: set[str]) -> dict:
    key = _text(crit.get("key"), 32)
    if not KEY_RE.match(key):
        errors.add(f"{kpath}.key", N_("A key starts with a letter and has at most 32 letters, digits, '_', '.' or '-'."))
    elif key in seen:
        errors.add(f"{kpath}.key", N_("The key %(key)s is used twice."), key=key)
    seen.add(key)
    name = _text(crit.get("name"), 200)
    if not name:
        errors.add(f"{kpath}.name", N_("The name is required."))
    kind = crit.get("kind") or "measurement"
    if kind not in CRITERION_KINDS:
        errors.add(f"{kpath}.kind", N_("The kind must be measurement or judgement."))
    scale = crit.get("scale") or "marks"
    if scale not in SCALES:
        errors.add(f"{kpath}.scale", N_("Unknown scale."))
    elif scale == "wsi3" and kind != "judgement":
        errors.add(f"{kpath}.scale", N_("The 0–3 scale is only for judgement criteria."))
    max_score = to_decimal(crit.get("max_score"))
    if max_score is None or not (Decimal(0) < max_score <= MAX_SCORE_LIMIT):
        errors.add(f"{kpath}.max_score", N_("The maximum score must be greater than 0 and at most 1000."))
    out = {"key": key, "name": name, "kind": kind, "scale": scale,
           "max_score": canonical(max_score) if max_score is not None else crit.get("max_score")}
    if scale == "marks":
        step = to_decimal(crit.get("step") if crit.get("step") not in (None, "") else DEFAULT_STEP)
        if step is None or not (Decimal("0.01") <= step) or step.as_tuple().exponent < -2:
            errors.add(f"{kpath}.step", N_("The step must be a decimal of at least 0.01 with at most 2 places."))
        elif max_score is not None and max_score % step != 0:
            errors.add(f"{kpath}.step", N_("The maximum score must be a multiple of the step."))
        out["step"] = canonical(step) if step is not None else crit.get("step")
    else:
        descriptors = crit.get("descriptors") or []
        if not isinstance(descriptors, list) or len(descriptors) not in (0, 4) or not all(
            isinstance(d, str) for d in descriptors
        ):
            errors.add(f"{kpath}.descriptors", N_("Give four descriptors, one for each point 0 to 3."))
            descriptors = []
        out["descriptors"] = [d.strip()[:500] for d in descriptors]
    return out


def parse_awards(data, errors: Collector, path: str = "awards") -> dict:
    data = data or {}
    if not isinstance(data, dict):
        errors.add(path, N_("The award settings must be an object."))
        return {"preset": "prizes", "shares": list(DEFAULT_SHARES), "min_total": DEFAULT_MIN_TOTAL}
    preset = data.get("preset") or "prizes"
    if preset not in AWARD_PRESETS:
        errors.add(f"{path}.preset", N_("The award preset must be prizes or medals."))
    out: dict = {"preset": preset, "standardized": bool(data.get("standardized", False))}
    if preset == "prizes":
        shares = data.get("shares") or list(DEFAULT_SHARES)
        parsed = [to_decimal(s) for s in shares] if isinstance(shares, list) else [None]
        if len(parsed) != 3 or any(s is None or not (Decimal(0) <= s <= 1) for s in parsed):
            errors.add(f"{path}.shares", N_("Give three shares between 0 and 1 for first, second and third prizes."))
        elif sum(parsed) > 1:
            errors.add(f"{path}.shares", N_("The prize shares add up to more than 1."))
        elif parsed[0] == 0:
            errors.add(f"{path}.shares", N_("The share of first prizes must be greater than 0."))
        out["shares"] = [canonical(s) if s is not None else None for s in parsed]
    min_total = to_decimal(data.get("min_total") if data.get("min_total") not in (None, "") else DEFAULT_MIN_TOTAL)
    if min_total is None or not (Decimal(0) <= min_total <= 100):
        errors.add(f"{path}.min_total", N_("The minimum total must be between 0 and 100."))
    out["min_total"] = canonical(min_total) if min_total is not None else data.get("min_total")
    return out


def _int_or_none(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return "bad"
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return "bad"


def parse_eligibility(data, errors: Collector, path: str = "eligibility") -> dict:
    """Eligibility limits are off unless set (Guangxi policy, seed 000 (十))."""
    data = data or {}
    if not isinstance(data, dict):
        errors.add(path, N_("The eligibility rules must be an object."))
        return {}
    out: dict = {}
    min_age = _int_or_none(data.get("min_age"))
    max_age = _int_or_none(data.get("max_age"))
    for name, value in (("min_age", min_age), ("max_age", max_age)):
        if value == "bad" or (value is not None and not 0 <= value <= 120):
            errors.add(f"{path}.{name}", N_("An age limit is a whole number from 0 to 120."))
        elif value is not None:
            out[name] = value
    if "min_age" in out and "max_age" in out and out["min_age"] > out["max_age"]:
        errors.add(f"{path}.max_age", N_("The maximum age must not be below the minimum age."))
    grade = _int_or_none(data.get("min_skill_grade"))
    if grade == "bad" or (grade is not None and grade not in SKILL_GRADES):
        errors.add(f"{path}.min_skill_grade", N_("Unknown skill grade."))
    elif grade is not None:
        out["min_skill_grade"] = grade
    kinds = data.get("organization_kinds") or []
    if not isinstance(kinds, list) or any(k not in ORG_KINDS for k in kinds):
        errors.add(f"{path}.organization_kinds", N_("Unknown organization kind."))
    elif kinds:
        out["organization_kinds"] = list(dict.fromkeys(kinds))
    return out


def criteria_of(scheme: dict) -> list[dict]:
    """Every criterion of a normalized scheme, with its component key."""
    return [dict(crit, component=comp["key"]) for comp in scheme.get("components", [])
            for crit in comp.get("criteria", [])]
