"""Pure rules of anonymity (issue 15, item 6): the panel-visible audit, the seal of a draw, and the
two layers of numbers. No database."""
from hypothesis import given
from hypothesis import strategies as st

from app.domain import draw as draws
from app.domain.anonymity import panel_visible

CODES = {11: "A002", 12: "A001", 13: "A003"}


def _entry(action, **kw):
    return {"seq": 7, "action": action, "object_type": kw.pop("object_type", "events"),
            "object_id": kw.pop("object_id", 1), "before": kw.pop("before", None), "after": kw.pop("after", None),
            "reason": kw.pop("reason", None), "hash": "h" * 64, **kw}


def test_registration_and_dossier_entries_are_withheld_whole():
    for action in ("registration.create", "registration.review", "registration.withdraw", "registration.import",
                   "dossier.create", "appeal.file", "results.advance", "person.update", "something.new"):
        assert panel_visible(_entry(action, after={"registration_id": 11, "person_id": 5}), CODES) is None


def test_draw_seed_and_map_fields_are_dropped_and_ids_become_codes():
    shown = panel_visible(_entry("draw.codes", before={"seed": "old"},
                                 after={"seed": "demo-8", "ticket_seed": "t", "seal_salt": "s", "drawn": 3,
                                        "seal_hash": "c" * 64}), CODES)
    assert shown["after"] == {"drawn": 3, "seal_hash": "c" * 64} and shown["before"] == {}
    assert shown["hash"] is None  # the entry's hash would let a guessed seed be checked
    conflict = panel_visible(_entry("conflict.declare", object_type="conflicts", object_id=4, reason="选手是其徒弟",
                                    after={"user_id": 9, "registration_id": 13, "kind": "trainer"}), CODES)
    assert conflict["after"] == {"user_id": 9, "code": "A003", "kind": "trainer"}
    assert conflict["object_id"] is None and conflict["reason"] is None
    recheck = panel_visible(_entry("recheck.draw", object_type="rechecks",
                                   after={"seed": "x", "top": [12, 11], "random": [13], "top_n": 2}), CODES)
    assert recheck["after"] == {"top": ["A001", "A002"], "random": ["A003"], "top_n": 2}
    recompute = panel_visible(_entry("results.recompute", before={"11": [1, "first", "90"]},
                                     after={"11": [2, "second", "80"]}), CODES)
    assert recompute["before"] == {"A002": [1, "first", "90"]} and recompute["after"] == {"A002": [2, "second", "80"]}
    ties = panel_visible(_entry("results.tie_resolve", object_type="tie_resolutions", after={"order": [13, 11]}), CODES)
    assert ties["after"] == {"order": ["A003", "A002"]}


def test_the_chiefs_own_entries_on_a_registration_show_its_code_not_its_id():
    shown = panel_visible(_entry("registration.attendance", object_type="registrations", object_id=12,
                                 after={"attendance": "absent", "person_id": 3, "members": [3]}), CODES)
    assert shown["object_id"] is None and shown["code"] == "A001"
    assert shown["after"] == {"attendance": "absent"}
    sheet = panel_visible(_entry("sheet.save", object_type="sheets", object_id=40, after={"P1": "2"}), CODES)
    assert sheet["object_id"] == 40 and sheet["after"] == {"P1": "2"}


def test_nothing_shown_to_the_panel_carries_a_secret_key():
    secret = {"seed", "ticket_seed", "seal_salt", "person_id", "organization_id", "members", "registration_id",
              "ticket_number"}
    nested = {"seed": "s", "a": [{"registration_id": 11, "members": [1]}], "b": {"organization_id": 2, "ok": 1}}
    shown = panel_visible(_entry("sheet.correct", object_type="sheets", before=nested, after=nested), CODES)

    def keys(value):
        if isinstance(value, dict):
            return set(value) | set().union(*(keys(v) for v in value.values()))
        if isinstance(value, list):
            return set().union(*(keys(v) for v in value)) if value else set()
        return set()
    assert not keys(shown["before"]) & secret and not keys(shown["after"]) & secret
    assert shown["after"] == {"a": [{"code": "A002"}], "b": {"ok": 1}}


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=60, unique=True),
       st.text(min_size=1, max_size=20))
def test_ticket_numbers_and_codes_never_coincide_and_are_reproducible(ids, seed):
    codes = draws.draw_codes(ids, seed, "A")
    tickets = draws.draw_tickets(ids, seed + "t", "01")
    assert draws.draw_codes(list(reversed(ids)), seed, "A") == codes  # same seed, same codes
    assert sorted(codes) == sorted(ids) == sorted(tickets)
    assert all(tickets[r] != codes[r] and tickets[r].isdigit() for r in ids)
    assert len(set(tickets.values())) == len(ids)


def test_the_seal_commits_to_seeds_and_every_pair():
    entries = {11: ("A002", "01003"), 12: ("A001", "01001"), 13: ("A003", "01002")}
    seal = draws.seal_hash("salt", "seed", "tseed", entries)
    assert seal == draws.seal_hash("salt", "seed", "tseed", dict(reversed(list(entries.items()))))
    assert len(seal) == 64
    for changed in (("salt2", "seed", "tseed", entries), ("salt", "seed2", "tseed", entries),
                    ("salt", "seed", None, entries), ("salt", "seed", "tseed", {**entries, 11: ("A003", "01003")}),
                    ("salt", "seed", "tseed", {**entries, 11: ("A002", "01002")})):
        assert draws.seal_hash(*changed) != seal
