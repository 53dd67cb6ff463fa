"""The panel-visible audit: what of an event's audit trail the chief judge may read before
decryption (DESIGN.md §7, API.md "Until decryption the chief judge's view withholds what would
reveal the code map").

One rule, `panel_visible`, applied to every entry a chief judge reads on the web page and through
the API. It fails closed: only the actions listed below are shown at all (a new kind of audit
entry stays hidden from the panel until someone adds it here), and in those, every field that
could tie a code to a registration, a person or an organization is dropped or replaced by the
code. The organizer's and the supervisor's view stays whole; so does the chief's after decryption.
"""
from __future__ import annotations

# Shown to the panel before decryption (exact actions, and prefixes ending in ".").
PANEL_ACTIONS = frozenset({
    "panel.add", "panel.remove", "draw.codes", "draw.stations", "conflict.declare",
    "event.create", "event.update", "event.lock", "event.decrypt_request", "event.decrypt", "event.decrypt_refused",
    "scores.import", "registration.time_used", "registration.attendance", "registration.attendance_confirm",
    "results.tie_resolve", "results.recompute", "results.final_correction_open", "results.final_correction_close",
    "appeal.decide",
})
PANEL_PREFIXES = ("sheet.", "recheck.")

# Keys dropped wherever they occur in `before` / `after`.
SECRET_KEYS = frozenset({"seed", "ticket_seed", "seal_salt", "person_id", "organization_id", "members",
                         "ticket_number", "person", "organization", "id_number", "team_name", "entries"})
# Keys whose value is a registration id or a list of them: shown as codes.
ID_KEYS = {"registration_id": "code"}
ID_LIST_KEYS = frozenset({"top", "random", "order", "registration_ids", "advanced"})
# Objects whose ids are withheld (the registration's is replaced by its code).
HIDDEN_OBJECTS = frozenset({"registrations", "conflicts", "recheck_items", "appeals"})
# Actions whose free-text reason may name the contestant (a declared conflict's note, an appeal).
HIDDEN_REASONS = ("conflict.", "appeal.")
# Actions whose before/after are keyed by registration id.
KEYED_BY_REGISTRATION = frozenset({"results.recompute"})


def is_panel_action(action: str) -> bool:
    return action in PANEL_ACTIONS or action.startswith(PANEL_PREFIXES)


def _scrub(value, codes: dict[int, str]):
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in SECRET_KEYS:
                continue
            if key in ID_KEYS:
                out[ID_KEYS[key]] = codes.get(_as_int(item))
            elif key in ID_LIST_KEYS and isinstance(item, list):
                out[key] = [codes.get(_as_int(x)) for x in item]
            else:
                out[key] = _scrub(item, codes)
        return out
    if isinstance(value, list):
        return [_scrub(v, codes) for v in value]
    return value


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _by_code(value, codes: dict[int, str]):
    if not isinstance(value, dict):
        return _scrub(value, codes)
    return {codes.get(_as_int(k)) or "?": _scrub(v, codes) for k, v in value.items()}


def panel_visible(entry: dict, codes: dict[int, str]) -> dict | None:
    """The entry as the chief judge may read it before decryption, or None to withhold it.

    `entry` has the keys of an audit item (action, object_type, object_id, before, after, reason,
    and any others, passed through); `codes` maps the event's registration ids to their judges'
    codes. Withheld: every action not in PANEL_ACTIONS / PANEL_PREFIXES (registration.create,
    review and withdrawal, dossiers, appeals filed…). In the rest: seeds, ticket numbers, person,
    organization and member fields are dropped; registration ids (alone, in lists, or as keys) become
    codes; ids of registrations, conflicts, re-check items and appeals are withheld; reasons that
    may name a contestant are withheld; the entry's hash is withheld (it would let a guess of the
    dropped fields be checked)."""
    action = entry.get("action") or ""
    if not is_panel_action(action):
        return None
    out = dict(entry)
    if action in KEYED_BY_REGISTRATION:
        out["before"], out["after"] = _by_code(entry.get("before"), codes), _by_code(entry.get("after"), codes)
    else:
        out["before"], out["after"] = _scrub(entry.get("before"), codes), _scrub(entry.get("after"), codes)
    if entry.get("object_type") in HIDDEN_OBJECTS:
        if entry.get("object_type") == "registrations":
            out["code"] = codes.get(_as_int(entry.get("object_id")))
        out["object_id"] = None
    if action.startswith(HIDDEN_REASONS):
        out["reason"] = None
    out["hash"] = None
    return out
