"""The event form and the event as the operations take it: the form's choices, the form read into
an API-shaped event (codes made for rows without one, error paths aliased to fields), a stored event
or a rubric template's scheme loaded back into the form."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from .. import timeutil
from ..domain.refdata import ORG_KINDS, SKILL_GRADES, TRACKS
from ..domain.scheme import AGGREGATIONS
from ..i18n import label
from .forms import EventForm
from .models import Event


def event_choices(form: EventForm) -> None:
    form.track.choices = [("", _("— choose —"))] + [(k, label(TRACKS, k)) for k in TRACKS]
    names = {"mean": _("Mean"), "trimmed_mean": _("Trimmed mean (drop highest and lowest with 5 or more judges)"),
             "median": _("Median")}
    form.aggregation.choices = [(k, names[k]) for k in AGGREGATIONS]
    form.award_preset.choices = [("prizes", _("Prizes: first, second, third by shares")),
                                 ("medals", _("Medals: gold, silver, bronze and merit"))]
    form.min_skill_grade.choices = [("", _("— no limit —"))] + [(str(k), label(SKILL_GRADES, k)) for k in SKILL_GRADES]
    form.organization_kinds.choices = [(k, label(ORG_KINDS, k)) for k in ORG_KINDS]


def _blank(row: dict) -> bool:
    return not any(str(v or "").strip() for k, v in row.items()
                   if k not in ("kind", "scale", "entry", "csrf_token", "component", "key"))


def _new_key(prefix: str, used: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    used.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def event_form_to_data(form: EventForm) -> tuple[dict, dict[str, str], list[int]]:
    """Build the API-shaped event from the form; return it with error-path aliases to form fields.
    The organizer types no codes: a component or criterion without one gets one made from its row
    (c1, c2 … and k1, k2 …); a criterion names its component by the row chosen from the list; the
    tie-break chain is chosen from the rows too ("component#1", "criterion#0", "time_used")."""
    aliases: dict[str, str] = {}
    components = []
    index_of: dict[str, int] = {}  # a component's row position (or, from older clients, its key) → index
    used = {(r.form.key.data or "").strip() for r in form.components.entries} | {
        (r.form.key.data or "").strip() for r in form.criteria.entries}
    comp_key_of_row: dict[int, str] = {}
    for i, row in enumerate(form.components.entries):
        d = row.data
        if _blank(d):
            continue
        ci = len(components)
        key = (d["key"] or "").strip() or _new_key("c", used)
        comp_key_of_row[i] = key
        index_of.setdefault(str(i), ci)
        index_of.setdefault(key, ci)
        for f in ("key", "name", "weight", "entry"):
            aliases[f"scheme.components[{ci}].{f}"] = f"components-{i}-{'name' if f == 'key' else f}"
        aliases[f"scheme.components[{ci}].criteria"] = f"components-{i}-name"
        components.append({"key": key, "name": d["name"], "weight": d["weight"],
                           "entry": d["entry"], "criteria": []})
    unassigned = []
    crit_key_of_row: dict[int, str] = {}
    for i, row in enumerate(form.criteria.entries):
        d = row.data
        if _blank(d):
            continue
        key = (d["key"] or "").strip() or _new_key("k", used)
        crit_key_of_row[i] = key
        crit = {"key": key, "name": d["name"], "max_score": d["max_score"], "kind": d["kind"],
                "scale": d["scale"]}
        if d["scale"] == "wsi3":
            lines = [ln.strip() for ln in (d["descriptors"] or "").splitlines() if ln.strip()]
            crit["descriptors"] = lines
        else:
            crit["step"] = d["step"]
        ci = index_of.get((d["component"] or "").strip())
        if ci is None:
            unassigned.append(i)
            continue
        ki = len(components[ci]["criteria"])
        for f in ("key", "name", "max_score", "kind", "scale", "step", "descriptors"):
            aliases[f"scheme.components[{ci}].criteria[{ki}].{f}"] = f"criteria-{i}-{'name' if f == 'key' else f}"
        components[ci]["criteria"].append(crit)
    aliases["scheme.components"] = "components-0-weight"
    chain = []
    for j, entry in enumerate(form.tiebreak.entries):
        value = (entry.data or "").strip()
        kind, _sep, pos = value.partition("#")
        if not value:
            continue
        if kind == "component" and pos.isdigit():
            value = f"component:{comp_key_of_row.get(int(pos), '?')}"
        elif kind == "criterion" and pos.isdigit():
            value = f"criterion:{crit_key_of_row.get(int(pos), '?')}"
        aliases[f"tiebreak[{len(chain)}]"] = f"tiebreak-{j}"
        chain.append(value)
    if not chain and request.form.get("tiebreak"):  # an older client's typed chain
        chain = [t.strip() for t in request.form["tiebreak"].split(",") if t.strip()]
        for j in range(len(chain)):
            aliases[f"tiebreak[{j}]"] = "tiebreak-0"
    aliases["tiebreak"] = "tiebreak-0"
    kinds = [part.strip() for k in (form.organization_kinds.data or []) for part in str(k).split(",") if part.strip()]
    data = {
        "name": form.name.data, "occupation": form.occupation.data, "track": form.track.data,
        "team_size": form.team_size.data, "max_entrants": form.max_entrants.data or None,
        "starts_at": form.starts_at.data, "ends_at": form.ends_at.data, "venue": form.venue.data,
        "scheme": {"aggregation": form.aggregation.data, "min_judges": form.min_judges.data,
                   **({"trim_fallback": form.trim_fallback.data or None} if form.aggregation.data == "trimmed_mean" else {}),
                   "components": components},
        "awards": {"preset": form.award_preset.data, "min_total": form.min_total.data,
                   "standardized": form.standardized.data,
                   **({"shares": [form.share_first.data, form.share_second.data, form.share_third.data]}
                      if form.award_preset.data == "prizes" else {})},
        "tiebreak": chain,
        "no_shared_ranks": form.no_shared_ranks.data,
        "two_layer": form.two_layer.data,
        "eligibility": {"min_age": form.min_age.data, "max_age": form.max_age.data,
                        "min_skill_grade": form.min_skill_grade.data or None,
                        "organization_kinds": kinds},
    }
    for name in ("min_age", "max_age", "min_skill_grade", "organization_kinds"):
        aliases[f"eligibility.{name}"] = name
    aliases.update({"awards.shares": "share_first", "awards.preset": "award_preset", "awards.min_total": "min_total",
                    "scheme.aggregation": "aggregation", "scheme.min_judges": "min_judges",
                    "scheme.trim_fallback": "trim_fallback"})
    return data, aliases, unassigned


def scheme_choices(form: EventForm) -> None:
    """The lists the scheme tables choose from, made from the rows on the form (static/js/app.js
    rebuilds them as rows are typed): each criterion's component, and the tie-break chain."""
    comps = []
    for i, row in enumerate(form.components.entries):
        name = (row.form.name.data or "").strip()
        if name or (row.form.key.data or "").strip():
            comps.append((str(i), name or _("Component %(n)d", n=i + 1)))
    crits = [(str(i), (row.form.name.data or "").strip()) for i, row in enumerate(form.criteria.entries)
             if (row.form.name.data or "").strip()]
    for row in form.criteria.entries:
        row.form.component.choices = [("", _("— choose —"))] + comps
    chain = ([("", _("— nothing more —"))] + [(f"component#{i}", _("Total of %(name)s", name=n)) for i, n in comps]
             + [(f"criterion#{i}", _("Criterion: %(name)s", name=n)) for i, n in crits]
             + [("time_used", _("Less time used"))])
    for entry in form.tiebreak.entries:
        entry.choices = chain
        if entry.data and entry.data not in {v for v, _l in chain}:
            entry.choices = chain + [(entry.data, entry.data)]


def fill_event_form(form: EventForm, event: Event) -> None:
    """Load a stored event into the form (GET of the edit page)."""
    form.version.data = event.version
    for f in ("name", "occupation", "track", "venue", "no_shared_ranks", "two_layer"):
        form[f].data = getattr(event, f)
    form.team_size.data = str(event.team_size)
    form.max_entrants.data = str(event.max_entrants or "")
    form.starts_at.data = timeutil.local_input(event.starts_at)
    form.ends_at.data = timeutil.local_input(event.ends_at)
    fill_scheme(form, event.scheme or {}, event.tiebreak or [])
    awards = event.awards or {}
    form.award_preset.data = awards.get("preset", "prizes")
    shares = awards.get("shares") or ["0.10", "0.20", "0.30"]
    form.share_first.data, form.share_second.data, form.share_third.data = shares
    form.min_total.data = awards.get("min_total", "60")
    form.standardized.data = awards.get("standardized", False)
    elig = event.eligibility or {}
    form.min_age.data = str(elig.get("min_age", "")) if elig.get("min_age") is not None else ""
    form.max_age.data = str(elig.get("max_age", "")) if elig.get("max_age") is not None else ""
    form.min_skill_grade.data = str(elig.get("min_skill_grade") or "")
    form.organization_kinds.data = list(elig.get("organization_kinds", []))


def fill_scheme(form: EventForm, scheme: dict, tiebreak: list) -> None:
    """Load a scheme (a stored event's, or a template's) into the form's scheme rows."""
    form.aggregation.data = scheme.get("aggregation", "mean")
    form.min_judges.data = str(scheme.get("min_judges", 3))
    form.trim_fallback.data = scheme.get("trim_fallback") or ""
    comps = scheme.get("components", [])
    crits = [(c["key"], k) for c in comps for k in c.get("criteria", [])]
    while len(form.components.entries) < len(comps) + 1:
        form.components.append_entry()
    while len(form.criteria.entries) < len(crits) + 2:
        form.criteria.append_entry()
    row_of = {}
    for i, (row, comp) in enumerate(zip(form.components.entries, comps)):
        row.form.key.data, row.form.name.data = comp["key"], comp["name"]
        row.form.weight.data, row.form.entry.data = comp["weight"], comp.get("entry", "judges")
        row_of[f"component:{comp['key']}"] = f"component#{i}"
        row_of[comp["key"]] = str(i)
    for i, (row, (ckey, crit)) in enumerate(zip(form.criteria.entries, crits)):
        f = row.form
        f.component.data, f.key.data, f.name.data = row_of.get(ckey, ""), crit["key"], crit["name"]
        f.max_score.data, f.kind.data, f.scale.data = crit["max_score"], crit["kind"], crit["scale"]
        f.step.data = crit.get("step", "")
        f.descriptors.data = "\n".join(crit.get("descriptors", []))
        row_of[f"criterion:{crit['key']}"] = f"criterion#{i}"
    while len(form.tiebreak.entries) < len(tiebreak) + 1:
        form.tiebreak.append_entry()
    for entry in form.tiebreak.entries:
        entry.data = ""
    for entry, item in zip(form.tiebreak.entries, tiebreak):
        entry.data = row_of.get(item, item)


def default_scheme(form: EventForm) -> None:
    """A starting point most events adapt: theory 30% and practical 70%."""
    rows = form.components.entries
    rows[0].form.key.data, rows[0].form.name.data, rows[0].form.weight.data = "theory", _("Theory"), "0.30"
    rows[0].form.entry.data = "import"
    rows[1].form.key.data, rows[1].form.name.data, rows[1].form.weight.data = "practical", _("Practical"), "0.70"
    crit = form.criteria.entries[0].form
    crit.component.data, crit.key.data, crit.name.data = "0", "T1", _("Theory exam")
    crit.max_score.data, crit.step.data = "100", "0.5"
