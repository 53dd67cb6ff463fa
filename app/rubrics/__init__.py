"""The library of scoring-scheme templates (评分标准模板): one YAML file per trade in this folder
(README.md says the fields). Each is checked with the scheme rules at start-up (`load()` from
create_app): a bad file stops the start, naming the file and the field."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..domain.errors import Collector, ValidationFailed
from ..domain.scheme import parse_scheme, parse_tiebreak

FOLDER = Path(__file__).resolve().parent
GROUPS = ("craft", "trade")


class TemplateError(RuntimeError):
    pass


def _check(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TemplateError(f"{path.name}: not a mapping")
    problems = []
    if data.get("key") != path.stem:
        problems.append(f"key must be {path.stem!r}")
    for field in ("name", "occupation", "basis"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            problems.append(f"{field} is required")
    if data.get("group") not in GROUPS:
        problems.append(f"group must be one of {GROUPS}")
    errors = Collector()
    scheme = parse_scheme(data.get("scheme"), errors)
    tiebreak = parse_tiebreak(data.get("tiebreak"), scheme, errors)
    criteria = {c.get("key"): c for comp in scheme.get("components", []) for c in comp.get("criteria", [])}
    for crit in criteria.values():
        if crit.get("scale") == "wsi3" and len(crit.get("descriptors") or []) != 4:
            problems.append(f"{crit.get('key')}: a 0–3 criterion needs its four descriptors")
    standards = data.get("standards") or {}
    if not isinstance(standards, dict):
        problems.append("standards must map criterion keys to citations")
        standards = {}
    for key, citation in standards.items():
        if key not in criteria:
            problems.append(f"standards.{key}: no such criterion")
        elif not isinstance(citation, str) or "国家职业技能标准" not in citation or "》" not in citation:
            problems.append(f"standards.{key}: cite the national occupational standard by its title (《国家职业技能标准·…》)")
    try:
        errors.raise_if_any()
    except ValidationFailed as exc:
        problems += [f"{e.field}: {e.message % e.params if e.params else e.message}" for e in exc.errors]
    if problems:
        raise TemplateError(f"{path.name}: " + "; ".join(problems))
    return {"key": data["key"], "name": data["name"], "occupation": data["occupation"], "group": data["group"],
            "basis": data["basis"], "scheme": scheme, "tiebreak": tiebreak,
            "standards": [{"key": k, "name": criteria[k]["name"], "citation": standards[k]}
                          for k in criteria if k in standards]}


@lru_cache(maxsize=1)
def load() -> dict[str, dict]:
    """key → template (normalized by the scheme rules), crafts first, then trades, by file name."""
    found = [_check(path) for path in sorted(FOLDER.glob("*.yaml"))]
    found.sort(key=lambda t: (GROUPS.index(t["group"]), t["key"]))
    return {t["key"]: t for t in found}
