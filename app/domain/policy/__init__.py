"""Policy sets (YAML files in app/policies/, several versions per jurisdiction) and the entitlement
engine (DESIGN.md §6).

A set: jurisdiction, name (the document's title), version, effective_from, effective_to (null: no
end), continued (true: after its end it still applies until a successor version of the same
jurisdiction starts — measures that continue in practice), an optional note, and rules.
Periods of one jurisdiction's versions may not overlap.

A rule grants an entitlement when every condition holds:
  kind (required): the competition kinds the rule covers — every rule names them, so that a rule
    about skills competitions (职业技能竞赛) can never leak into entrepreneurship or title contests
  level / track: the competition's level, the event's track, in the listed set
  rank_max: the final rank within the event is at most N (ranks of the final stage)
  award: the award is in the listed set;  award_any: some award was won
  person.frontline_worker: the person works on the front line
Entitlement kinds: teacher_eligibility, reward, title (a fixed title, or the competition's own
with title_from_competition), grade_promotion (grade_target: see `promoted`), grade_exception
(exceptional or skip-level grade assessment).
A rule's source names the document by its title (`document`), the `clause`, and `text`: the
quoted words of the document and nothing else. A rule taken from practice rather than from a
document says so (`practice: true`, no text) and explains itself in `note`. Editorial remarks go
in the rule's `note`, never in `text`.

Which sets apply (`applicable`): the national set (CN) always, plus one regional set — for world
and national competitions the contestant's own province's (`regional_jurisdiction`), otherwise the
competition's jurisdiction's — each as in force on the day (`select`). The loader refuses a bad
file with its line and reason.
"""
from __future__ import annotations

from .engine import applicable, grants, matches, promoted, regional_jurisdiction, select
from .files import POLICY_DIR, check_periods, load_all, load_text
from .model import (AWARDS, ENTITLEMENT_KINDS, NATIONAL_LEVELS, SKILLS_KINDS, Applied, Facts, Grant, PolicyError,
                    PolicySet, Rule, Selection)

__all__ = ["AWARDS", "ENTITLEMENT_KINDS", "NATIONAL_LEVELS", "POLICY_DIR", "SKILLS_KINDS", "Applied", "Facts", "Grant",
           "PolicyError", "PolicySet", "Rule", "Selection", "applicable", "check_periods", "grants", "load_all",
           "load_text", "matches", "promoted", "regional_jurisdiction", "select"]
