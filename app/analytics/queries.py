"""Named reads of analytics: one event's judge consistency, the judge pool (裁判库) and a judge's
history (the statistics of a period and jurisdiction, 季报/年报: statistics.py).

Everything here returns plain dicts (for pages, the PDF, the .xlsx and the API alike).
"""
from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from datetime import date

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import and_, func, select

from ..accounts.models import User
from ..competitions.models import Competition, Event
from ..domain.errors import N_
from ..domain.refdata import PROVINCE_ISO, JURISDICTIONS, regions
from ..extensions import db
from ..judging.models import PanelMember, Score, Sheet
from ..judging.queries import judge_criteria
from ..people.models import Organization, Person
from ..registration.models import Registration
from . import consistency as cs

COUNTED = ("submitted", "locked")


# ---- one event ---------------------------------------------------------------------------------

def _criteria(event: Event) -> list[cs.Criterion]:
    return [cs.Criterion(key=c["key"], name=c.get("name") or c["key"], max_score=float(c["max_score"]),
                         wsi3=c.get("scale") == "wsi3", kind=c.get("kind", "judgement")) for c in judge_criteria(event)]


def _entry_region(reg_org: str | None, person_org: str | None) -> str | None:
    return reg_org or person_org


def event_panel(event: Event) -> cs.Panel | None:
    """The counted sheets (submitted or locked) of an event as a judges × entries × criteria array."""
    criteria = _criteria(event)
    if not criteria:
        return None
    index = {c.key: i for i, c in enumerate(criteria)}
    rows = db.session.execute(
        select(Sheet.judge_id, Sheet.registration_id, Score.criterion_key, Score.value)
        .join(Score, Score.sheet_id == Sheet.id)
        .where(Sheet.event_id == event.id, Sheet.status.in_(COUNTED), Score.value.is_not(None))).all()
    if not rows:
        return None
    judges = sorted({r[0] for r in rows})
    entries = sorted({r[1] for r in rows})
    jpos = {j: i for i, j in enumerate(judges)}
    epos = {e: i for i, e in enumerate(entries)}
    values = np.full((len(judges), len(entries), len(criteria)), np.nan)
    for judge_id, rid, key, value in rows:
        if key in index:
            values[jpos[judge_id], epos[rid], index[key]] = float(value)
    judge_regions = dict(db.session.execute(
        select(User.id, Organization.region_code).join(Organization, Organization.id == User.organization_id)
        .where(User.id.in_(judges))).all())
    reg_org = Organization.__table__.alias("reg_org")
    person_org = Organization.__table__.alias("person_org")
    entry_regions = {rid: _entry_region(a, b) for rid, a, b in db.session.execute(
        select(Registration.id, reg_org.c.region_code, person_org.c.region_code)
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(reg_org, reg_org.c.id == Registration.organization_id)
        .outerjoin(person_org, person_org.c.id == Person.organization_id)
        .where(Registration.id.in_(entries))).all()}
    share = float(event.scheme.get("disagreement_share") or 0.2)
    return cs.Panel(judges=judges, entries=entries, criteria=criteria, values=values, judge_regions=judge_regions,
                    entry_regions=entry_regions, disagreement_share=share)


_cache: OrderedDict[tuple, cs.EventAnalysis | None] = OrderedDict()
_cache_lock = threading.Lock()
CACHE_SIZE = 512


def _fingerprint(event: Event) -> tuple:
    """Changes whenever a counted score changes (every save bumps the sheet's version)."""
    n, versions, latest = db.session.execute(
        select(func.count(Score.id), func.coalesce(func.sum(Sheet.version), 0), func.max(Sheet.updated_at))
        .select_from(Sheet).join(Score, Score.sheet_id == Sheet.id)
        .where(Sheet.event_id == event.id, Sheet.status.in_(COUNTED))).one()
    return (db.engine.url.render_as_string(hide_password=True), event.id, n, int(versions), str(latest),
            str(event.locked_at), repr(event.scheme))


def event_analysis(event: Event) -> tuple[cs.EventAnalysis | None, cs.Panel | None]:
    """The analysis of an event's counted sheets (cached per process until a sheet changes)."""
    key = _fingerprint(event)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            hit = _cache[key]
            return hit if hit is not None else (None, None)
    panel = event_panel(event)
    result = (cs.analyse(panel, seed=event.id), panel) if panel is not None else None
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return result if result is not None else (None, None)


def _r(v, places=3):
    return None if v is None else round(float(v), places)


def _pct(v):
    return None if v is None else round(float(v) * 100, 1)


STATUS_LABELS = {cs.DISCUSS: N_("Discuss"), cs.LOOK: N_("Worth a look"), cs.NONE: N_("No pattern"),
                 cs.INSUFFICIENT: N_("Insufficient data")}


def judge_sentence(name: str, r: cs.JudgeResult) -> str:
    """The chief judge's screen: what the figure says, in words."""
    adj = r.adjusted
    if adj.marks is None:
        return _("%(name)s: too few entries scored together with two or more other judges to compare.", name=name)
    size = f"{abs(adj.marks):.2f}"
    if r.ci_marks is not None:
        low, high = f"{r.ci_marks[0]:+.2f}", f"{r.ci_marks[1]:+.2f}"
        rng = _("likely range %(low)s to %(high)s", low=low, high=high)
    else:
        rng = _("too few entries for a range")
    if adj.marks >= 0:
        return _("%(name)s gave on average %(size)s marks more than the other judges on the same work "
                 "(%(range)s, %(n)d entries).", name=name, size=size, range=rng, n=r.entries_compared)
    return _("%(name)s gave on average %(size)s marks less than the other judges on the same work "
             "(%(range)s, %(n)d entries).", name=name, size=size, range=rng, n=r.entries_compared)


def _region_name(code: str | None) -> str:
    if not code:
        return ""
    names = regions()
    full = (code + "000000")[:6]
    if full in names:
        return names[full]["name"]
    pref = (code[:4] + "00")
    if pref in names:
        return names[pref]["name"]
    iso = PROVINCE_ISO.get(code[:2])
    return JURISDICTIONS.get(iso, (code, code))[0] if iso else code


def event_report(event: Event) -> dict:
    """Judge consistency of one event as plain data (page, API)."""
    analysis, panel = event_analysis(event)
    comp = event.competition
    head = {"id": event.id, "name": event.name, "competition_id": comp.id, "competition": comp.name,
            "locked": event.locked_at is not None, "status": comp.status}
    if analysis is None:
        return {"event": head, "available": False}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(panel.judges)))}
    judges = []
    for r in analysis.judges:
        u = users.get(r.judge_id)
        name = u.name if u else str(r.judge_id)
        org = u.organization if u else None
        judges.append({
            "judge_id": r.judge_id, "name": name, "organization": org.name if org else None,
            "region": _region_name(org.region_code if org else None),
            "sheets": r.sheets, "entries_compared": r.entries_compared, "cells": r.cells, "status": r.status, "status_label": _(STATUS_LABELS[r.status]),
            "flagged": r.flagged, "flag_step": r.flag_step,
            "leniency": {"marks": _r(r.adjusted.marks), "percent_of_max": _pct(r.adjusted.share),
                         "sd": _r(r.adjusted.sd), "ci_marks": [_r(v) for v in r.ci_marks] if r.ci_marks else None,
                         "ci_sd": [_r(v) for v in r.ci_sd] if r.ci_sd else None, "p": _r(r.adjusted.p, 4),
                         "q": _r(r.adjusted.q, 4), "threshold_percent": _pct(r.delta_share)},
            "raw": {"marks": _r(r.raw.marks), "percent_of_max": _pct(r.raw.share), "sd": _r(r.raw.sd)},
            "rank_agreement": {"spearman": _r(r.rho), "entries": r.rho_entries},
            "disagreements": {"judgement_cells": r.judgement_cells, "flagged_cells": r.disagreement_cells,
                              "furthest_from_median": r.outlier_cells,
                              "percent": _pct(r.disagreement_cells / r.judgement_cells) if r.judgement_cells else None},
            "sentence": judge_sentence(name, r),
        })
    # Heat map: each judge's mean deviation per criterion (first pass), as a share of the maximum.
    x = panel.values
    heat = []
    for j, judge_id in enumerate(panel.judges):
        row = []
        for c, crit in enumerate(panel.criteria):
            d, _n = cs._loo(x[:, :, c].reshape(len(panel.judges), -1))
            m = cs._nanmean(d[j]) if not np.isnan(d[j]).all() else None
            row.append(_pct(m * crit.factor / crit.max_score) if m is not None else None)
        heat.append({"judge_id": judge_id, "name": users[judge_id].name if judge_id in users else str(judge_id),
                     "cells": row})
    criteria = [{"key": c.key, "name": c.name, "alpha": _r(analysis.criteria[c.key].alpha),
                 "band": analysis.criteria[c.key].band, "meaning": _(analysis.criteria[c.key].meaning),
                 "judges": analysis.criteria[c.key].judges, "entries": analysis.criteria[c.key].entries}
                for c in panel.criteria]
    affinity = []
    for a in analysis.affinity:
        u = users.get(a.judge_id)
        affinity.append({"judge_id": a.judge_id, "name": u.name if u else str(a.judge_id), "kind": a.kind,
                         "region": _region_name(a.region), "own_region_entries": a.affinity_entries,
                         "other_entries": a.other_entries, "own_region_percent": _pct(a.affinity_mean),
                         "other_percent": _pct(a.other_mean), "difference_percent": _pct(a.difference),
                         "p": _r(a.p, 4), "q": _r(a.q, 4), "status": a.status,
                         "status_label": _(STATUS_LABELS[a.status])})
    return {"event": head, "available": True, "entries": analysis.entries, "judges": judges,
            "criteria": criteria, "heatmap": {"criteria": [c.name for c in panel.criteria], "rows": heat},
            "reliability": {"alpha": _r(analysis.event.alpha), "band": analysis.event.band,
                            "meaning": _(analysis.event.meaning), "explanation": _(cs.ALPHA_EXPLANATION)},
            "kendall_w": _r(analysis.kendall_w), "affinity": affinity, "flagged": analysis.flagged,
            "steps": analysis.steps}


# ---- the judge pool ----------------------------------------------------------------------------

def _events_with_sheets(clause):
    counted = select(Sheet.event_id).where(Sheet.status.in_(COUNTED)).distinct()
    return list(db.session.scalars(select(Event).join(Competition).where(clause, Event.id.in_(counted))
                                   .order_by(Competition.starts_on.desc().nulls_last(), Event.id.desc())))


def _held_on(comp: Competition) -> date | None:
    return comp.starts_on or (comp.registration_closes_at.date() if comp.registration_closes_at else None)


def _history(events: list[Event], judge_ids: set[int] | None = None) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for event in events:
        analysis, _panel = event_analysis(event)
        if analysis is None:
            continue
        for r in analysis.judges:
            if judge_ids is not None and r.judge_id not in judge_ids:
                continue
            comp = event.competition
            out[r.judge_id].append({
                "event_id": event.id, "event": event.name, "competition_id": comp.id, "competition": comp.name,
                "held_on": _held_on(comp).isoformat() if _held_on(comp) else None, "locked": event.locked_at is not None,
                "sheets": r.sheets, "status": r.status, "status_label": _(STATUS_LABELS[r.status]),
                "flagged": r.flagged, "marks": _r(r.adjusted.marks), "percent_of_max": _pct(r.adjusted.share),
                "sd": _r(r.adjusted.sd), "se_sd": _r(r.se_sd), "spearman": _r(r.rho),
                "disagreement_percent": _pct(r.disagreement_cells / r.judgement_cells) if r.judgement_cells else None})
    return out


def _pooled(history: list[dict]) -> dict:
    p = cs.pool([(h["sd"], h["se_sd"]) for h in history])
    return {"events": p.events, "weighted_events": p.weighted_events, "sd": _r(p.sd), "se": _r(p.se),
            "ci": [_r(v) for v in p.ci] if p.ci else None,
            "flags": sum(1 for h in history if h["flagged"]), "sheets": sum(h["sheets"] for h in history)}


def judge_pool(clause) -> list[dict]:
    """Every judge of the visible events, with their pooled figures (newest events first)."""
    events = _events_with_sheets(clause)
    history = _history(events)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(history))))}
    out = []
    for judge_id, items in history.items():
        u = users[judge_id]
        out.append({"judge_id": judge_id, "name": u.name, "organization": u.organization.name if u.organization else None,
                    "region": _region_name(u.organization.region_code if u.organization else None),
                    "pooled": _pooled(items), "last_event": items[0]["event"] if items else None})
    out.sort(key=lambda j: (-j["pooled"]["flags"], -(abs(j["pooled"]["sd"]) if j["pooled"]["sd"] is not None else -1),
                            j["name"]))
    return out


def judge_profile(judge: User, clause) -> dict | None:
    """One judge's history and pooled figures over the events `clause` lets the viewer see; None
    when there are none (the page answers 404, as if the judge did not exist)."""
    panels = select(PanelMember.event_id).where(PanelMember.user_id == judge.id, PanelMember.role == "judge")
    events = _events_with_sheets(and_(clause, Event.id.in_(panels)))
    if not events:
        return None
    history = _history(events, {judge.id}).get(judge.id, [])
    org = judge.organization
    return {"judge_id": judge.id, "name": judge.name, "organization": org.name if org else None,
            "region": _region_name(org.region_code if org else None), "events": history, "pooled": _pooled(history)}
