"""Policy rules and policy outlooks as sentences for readers (the /policies page, the final move's
warning, its flash message), built from the rule data in the reader's language."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import gettext as _

from ..domain.policy import SKILLS_KINDS, PolicySet, Rule, Selection
from ..domain.refdata import (AWARD_LABELS, ENTITLEMENT_KINDS, KINDS, LEVELS, SKILL_GRADES, TRACKS,
                              jurisdiction_name)


def _zh() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "zh"


def _join(items) -> str:
    return ("、" if _zh() else ", ").join(items)


def _clauses(items) -> str:
    return ("，" if _zh() else ", ").join(items)


def condition_text(rule: Rule) -> str:
    c = rule.condition
    kinds = c["kind"]
    if set(kinds) == set(SKILLS_KINDS) and len(kinds) == len(SKILLS_KINDS):
        what = _("%(group)s (%(kinds)s)", group=_("vocational skills competitions"),
                 kinds=_join(_(KINDS[k]) for k in kinds))
    else:
        what = _join(_(KINDS[k]) for k in kinds)
    if c.get("level"):
        head = _("%(levels)s %(what)s", levels=_join(_(LEVELS[v]) for v in c["level"]), what=what)
    else:
        head = _("%(what)s of any level", what=what)
    if "kind_not" in c:
        head = _clauses([head, _("except %(kinds)s", kinds=_join(_(KINDS[k]) for k in c["kind_not"]))])
    parts = [head]
    if c.get("track"):
        parts.append(_("%(tracks)s track", tracks=_join(_(TRACKS[t]) for t in c["track"])))
    if c.get("person", {}).get("frontline_worker"):
        parts.append(_("front-line workers"))
    if "rank_max" in c:
        parts.append(_("final rank %(n)d or better", n=c["rank_max"]))
    if c.get("award"):
        parts.append(_("won %(awards)s", awards=_join(_(AWARD_LABELS[a]) for a in c["award"])))
    if c.get("award_any"):
        parts.append(_("won an award"))
    return _clauses(parts)


def grant_text(rule: Rule) -> str:
    e = rule.entitlement
    kind = _(ENTITLEMENT_KINDS[e["kind"]])
    if e["kind"] == "title":
        if e.get("title_from_competition"):
            return _("%(kind)s: the title the competition sets", kind=kind)
        return _("%(kind)s: %(title)s", kind=kind, title=e["title"])
    if e["kind"] == "grade_promotion":
        target = e["grade_target"]
        if target > 1:
            return _("%(kind)s: below %(grade)s → %(grade)s; at %(grade)s → %(next)s; above it: none", kind=kind,
                     grade=_(SKILL_GRADES[target]), next=_(SKILL_GRADES[target - 1]))
        return _("%(kind)s: to %(grade)s", kind=kind, grade=_(SKILL_GRADES[target]))
    return kind


def rule_sentence(rule: Rule) -> str:
    """E.g. 国家级一类职业技能竞赛（职业技能竞赛、职业院校技能大赛、…），决赛名次前3名 → 任教资格."""
    return f"{condition_text(rule)} → {grant_text(rule)}"


def period_text(policy: PolicySet) -> str:
    if policy.effective_to is None:
        text = _("In force from %(start)s, with no end date", start=policy.effective_from.isoformat())
    else:
        text = _("In force from %(start)s to %(end)s", start=policy.effective_from.isoformat(),
                 end=policy.effective_to.isoformat())
    if policy.continued:
        text = _clauses([text, _("continued after its end until a successor is loaded (按原政策延续执行)")])
    return text


def _region(code: str | None) -> str:
    if code is None:
        return _("contestants whose province is unknown")
    return f"{code} {jurisdiction_name(code, 'zh_CN' if _zh() else 'en')}"


def selection_reason(sel: Selection, contestants: int, level_is_national: bool) -> str:
    """Why no regional set applies to a jurisdiction (or to contestants of a province)."""
    who = _region(sel.jurisdiction)
    if level_is_national:
        who = _("%(region)s (%(n)d contestant entries)", region=who, n=contestants)
    if sel.reason == "no_region":
        if level_is_national:
            return _("%(who)s: their organization has no region, so no regional policy set applies.", who=who)
        return _("The competition is filed under the national jurisdiction: no regional policy set applies, "
                 "only the national rules.")
    if sel.reason == "no_set":
        return _("%(who)s: no policy set is loaded for this jurisdiction.", who=who)
    if sel.reason == "not_yet":
        return _("%(who)s: %(name)s is in force only from %(start)s.", who=who, name=sel.policy.name,
                 start=sel.policy.effective_from.isoformat())
    return _("%(who)s: %(name)s ended on %(end)s and is not continued.", who=who, name=sel.policy.name,
             end=sel.policy.effective_to.isoformat())


def outlook_applied(outlook: dict) -> str:
    names = []
    for sel in [outlook["national"]] + [s for s, _n in outlook["regional"]]:
        if sel.applied is None:
            continue
        p = sel.applied.policy
        name = f"{p.name}（{p.version}）" if _zh() else f"{p.name} ({p.version})"
        if sel.applied.continued:
            name = _("%(name)s, continued after its period %(period)s", name=name, period=p.period_text())
        names.append(name)
    if not names:
        return _("No policy set applies on %(day)s.", day=outlook["day"].isoformat())
    return _("Policy sets applied (as of %(day)s): %(sets)s.", day=outlook["day"].isoformat(), sets=_join(names))


def outlook_warnings(outlook: dict) -> list[str]:
    """One sentence per jurisdiction (or province of contestants) without a regional set."""
    national = outlook["level"] in ("world", "national_1", "national_2")
    return [selection_reason(sel, n, national) for sel, n in outlook["missing"]]
