"""GB 11643 resident ID validation: the checksum, dates, normalization and other ID types."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import idcard
from app.domain.idcard import InvalidIdNumber, make_resident_id, parse_resident_id, validate_id

REGIONS = ["110105", "540102", "450202", "542521", "653101"]


@st.composite
def valid_ids(draw):
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)))
    seq = draw(st.integers(0, 999))
    return make_resident_id(region, birth, seq), birth, seq


def test_known_valid_number_with_x_check_character():
    parsed = parse_resident_id("11010519491231002X")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "female"  # 17th digit 2 is even
    assert parsed.region_code == "110105"


@given(valid_ids())
def test_every_generated_valid_id_passes_and_derives_birth_and_gender(case):
    number, birth, seq = case
    parsed = parse_resident_id(number, today=date(2026, 1, 1))
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.gender == ("male" if seq % 2 else "female")


@given(valid_ids(), st.integers(0, 17), st.sampled_from("0123456789X"))
def test_every_single_character_change_fails(case, position, replacement):
    number = case[0]
    if number[position] == replacement:
        replacement = "0" if replacement != "0" else "1"
    changed = number[:position] + replacement + number[position + 1:]
    with pytest.raises(InvalidIdNumber):
        parse_resident_id(changed, today=date(2026, 1, 1))


@given(valid_ids(), st.integers(0, 16))
def test_adjacent_swaps_of_different_digits_fail(case, position):
    number = case[0]
    a, b = number[position], number[position + 1]
    if a == b:
        return
    swapped = number[:position] + b + a + number[position + 2:]
    with pytest.raises(InvalidIdNumber):
        parse_resident_id(swapped, today=date(2026, 1, 1))


def test_full_width_digits_lowercase_x_and_spaces_are_normalized():
    assert parse_resident_id("１１０１０５１９４９１２３１００２x").number == "11010519491231002X"
    assert parse_resident_id(" 110105 19491231 002x ").number == "11010519491231002X"


@pytest.mark.parametrize("raw, fragment", [
    ("", "required"),
    ("110105491231002", "15-digit"),
    ("11010519491231002", "18 characters"),
    ("1101051949123100AX", "17 digits"),
    ("99010519491231002X", "region code"),
    (make_resident_id("110105", date(2000, 2, 28), 1)[:10] + "0230" + "0011", "not a valid date"),
    ("110105" + "21000101" + "0011", "not plausible"),
])
def test_refusals_name_the_reason(raw, fragment):
    with pytest.raises(InvalidIdNumber) as err:
        parse_resident_id(raw, today=date(2026, 1, 1))
    assert fragment in str(err.value)


def test_future_birth_date_is_refused():
    number = make_resident_id("110105", date(2030, 1, 1), 1)
    with pytest.raises(InvalidIdNumber):
        parse_resident_id(number, today=date(2026, 1, 1))


@pytest.mark.parametrize("id_type, number", [
    ("passport", "E12345678"), ("passport", "g 1234 5678"), ("hk_macau_permit", "H12345678"),
    ("hk_macau_permit", "M1234567890"), ("taiwan_permit", "12345678"),
])
def test_other_id_types_accepted_without_checksum(id_type, number):
    normalized, parsed = validate_id(id_type, number)
    assert parsed is None and normalized == idcard.normalize(number)


@pytest.mark.parametrize("id_type, number", [
    ("passport", "E1"), ("hk_macau_permit", "X12345678"), ("taiwan_permit", "1234"), ("unknown", "E12345678"),
])
def test_other_id_types_refuse_malformed_numbers(id_type, number):
    with pytest.raises(InvalidIdNumber):
        validate_id(id_type, number)
