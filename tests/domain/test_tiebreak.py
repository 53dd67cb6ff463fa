"""The tie-break chain (app/domain/tiebreak.py): parsed against the scheme, read back from storage,
and the values and directions ranking compares entries by."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import Collector
from app.domain.ranking import Entry, rank
from app.domain.tiebreak import Chain, Link, parse

SCHEME = {"components": [
    {"key": "theory", "criteria": [{"key": "T1"}]},
    {"key": "practical", "criteria": [{"key": "P1"}, {"key": "P2"}]},
]}
VALID = ["component:theory", "component:practical", "criterion:T1", "criterion:P1", "criterion:P2", "time_used"]


def fields(errors: Collector) -> set[str]:
    return {e.field for e in errors.errors}


def test_parse_names_each_bad_link_and_each_repeat_by_position():
    errors = Collector()
    out = parse([" criterion:P1 ", "component:nope", "criterion:P1", "luck", "criterion:T9", "time_used"],
                SCHEME, errors)
    assert out[0] == "criterion:P1" and out[-1] == "time_used"
    assert fields(errors) == {"tiebreak[1]", "tiebreak[2]", "tiebreak[3]", "tiebreak[4]"}
    assert all(e.params["item"] for e in errors.errors)


def test_parse_empty_and_not_a_list():
    errors = Collector()
    assert parse(None, SCHEME, errors) == [] and parse("", SCHEME, errors) == [] and not errors.errors
    assert parse("criterion:P1", SCHEME, errors, path="event.tiebreak") == []
    assert fields(errors) == {"event.tiebreak"}


def test_a_component_key_is_not_a_criterion_and_back():
    errors = Collector()
    parse(["criterion:theory", "component:P1"], SCHEME, errors)
    assert fields(errors) == {"tiebreak[0]", "tiebreak[1]"}


@given(st.lists(st.sampled_from(VALID), unique=True))
def test_a_valid_chain_parses_clean_and_reads_back_as_stored(chain):
    errors = Collector()
    stored = parse(chain, SCHEME, errors)
    assert not errors.errors and stored == chain
    read = Chain.of(stored)
    assert [link.text for link in read.links] == stored
    assert read.criteria == {t.partition(":")[2] for t in stored if t.startswith("criterion:")}
    assert read.directions == tuple("asc" if t == "time_used" else "desc" for t in stored)


@given(st.lists(st.sampled_from(VALID), min_size=1).filter(lambda c: len(set(c)) < len(c)))
def test_a_repeated_link_is_always_refused(chain):
    errors = Collector()
    parse(chain, SCHEME, errors)
    assert errors.errors


def test_values_follow_the_chain_and_ask_only_for_its_criteria():
    asked = []

    def criterion(key):
        asked.append(key)
        return {"P1": Decimal("7.5"), "P2": Decimal("3")}[key]

    chain = Chain.of(["criterion:P2", "component:practical", "time_used"])
    assert chain.values({"theory": Decimal(20), "practical": Decimal(60)}, criterion, 95) == (
        Decimal("3"), Decimal(60), 95)
    assert asked == ["P2"]
    assert Chain.of(None).values({}, criterion, None) == () and Chain.of([]).directions == ()
    assert Link.of("time_used").direction == "asc" and Link.of("criterion:P1").direction == "desc"


entry_values = st.tuples(st.integers(0, 3), st.integers(0, 3), st.one_of(st.none(), st.integers(60, 65)))


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(80, 81), entry_values), min_size=1, max_size=8))
def test_ranking_by_the_chain(rows):
    """The better of two entries wins at the first link they differ on (higher marks, lower time,
    unknown time last); entries equal on the total and every link share a rank."""
    chain = Chain.of(["criterion:P1", "component:practical", "time_used"])
    entries = [Entry(i, Decimal(total), chain.values({"practical": Decimal(prac)}, lambda _k, p1=p1: Decimal(p1), t))
               for i, (total, (p1, prac, t)) in enumerate(rows)]
    ranked = {r.id: r.rank for r in rank(entries, chain.directions)}
    by_id = {e.id: e for e in entries}

    def better(a: Entry, b: Entry) -> bool | None:
        if a.total != b.total:
            return a.total > b.total
        for va, vb, d in zip(a.chain, b.chain, chain.directions):
            if va == vb:
                continue
            if d == "asc":
                return vb is None if (va is None or vb is None) else va < vb
            return va > vb
        return None

    for a in by_id.values():
        for b in by_id.values():
            verdict = better(a, b)
            if verdict is None:
                assert ranked[a.id] == ranked[b.id]
            elif verdict:
                assert ranked[a.id] < ranked[b.id]
