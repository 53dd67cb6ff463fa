"""Competition life-cycle graph, name cleaning and masking."""
import pytest

from app.domain import lifecycle
from app.domain.errors import InvalidTransition
from app.domain.masking import mask_id_number, mask_name, mask_phone
from app.domain.names import InvalidName, clean_person_name, clean_title

ORDER = ["draft", "registration_open", "registration_closed", "judging", "publicity", "final", "archived"]


def test_the_forward_path_is_allowed_step_by_step():
    for current, target in zip(ORDER, ORDER[1:]):
        lifecycle.check_transition(current, target)  # a refusal raises InvalidTransition: the test fails


# Every allowed move, written out by hand (DESIGN.md §4), not read from the module.
ALLOWED = {("draft", "registration_open"), ("registration_open", "registration_closed"),
           ("registration_closed", "registration_open"), ("registration_closed", "judging"),
           ("judging", "publicity"), ("publicity", "final"), ("final", "archived")}


def test_exactly_the_documented_moves_are_allowed():
    for current in ORDER:
        for target in ORDER:
            try:
                lifecycle.check_transition(current, target)
                allowed = True
            except InvalidTransition:
                allowed = False
            assert allowed == ((current, target) in ALLOWED), (current, target)


@pytest.mark.parametrize("current, target", [
    ("draft", "judging"), ("registration_open", "publicity"), ("judging", "registration_open"),
    ("publicity", "judging"), ("final", "publicity"), ("archived", "draft"), ("draft", "draft"),
])
def test_skips_and_backward_moves_are_refused(current, target):
    with pytest.raises(InvalidTransition):
        lifecycle.check_transition(current, target)


def test_registration_may_reopen_before_judging():
    lifecycle.check_transition("registration_closed", "registration_open")  # passes by not raising


def test_unmet_preconditions_are_named():
    with pytest.raises(InvalidTransition) as err:
        lifecycle.check_transition("judging", "publicity", ["event 电工 not locked"])
    assert "event 电工 not locked" in str(err.value)


def test_unknown_status_refused():
    with pytest.raises(InvalidTransition):
        lifecycle.check_transition("draft", "cancelled")


@pytest.mark.parametrize("raw, cleaned", [
    ("张三", "张三"), (" 张三 ", "张三"), ("བསྟན་འཛིན་ནོར་བུ", "བསྟན་འཛིན་ནོར་བུ"),
    ("阿依古丽·买买提", "阿依古丽·买买提"), ("Mary  O'Neil", "Mary O'Neil"), ("José", "José"),
])
def test_names_are_kept_as_typed_after_trimming(raw, cleaned):
    assert clean_person_name(raw) == cleaned


@pytest.mark.parametrize("raw", [
    "", "   ", "张\u200b三", "\u202e三张", "<script>alert(1)</script>", "Robert'); DROP TABLE people;--",
    "张" * 65, "１２３", "张\x00三",
])
def test_bad_names_are_refused(raw):
    with pytest.raises(InvalidName):
        clean_person_name(raw)


def test_titles_allow_punctuation_but_not_hidden_characters():
    assert clean_title("2026年“西藏工匠”选拔赛（决赛）") == "2026年“西藏工匠”选拔赛（决赛）"
    with pytest.raises(InvalidName):
        clean_title("赛项\u202e")
    with pytest.raises(InvalidName):
        clean_title("x" * 201)


def test_masking():
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_name("ཀུན་དགའ་རྒྱ་མཚོ") == "ཀུན་*་*་མཚོ"
    assert mask_name("སྒྲོལ་དཀར") == "སྒྲོལ་*"
    assert mask_name("པདྨ") == "པ*"  # one syllable: by clusters, never splitting a stacked letter
    assert mask_name("José") == "J**é"
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize("raw", [
    "玛丽亚•阿依古丽", "玛丽亚・阿依古丽", "玛丽亚･阿依古丽", "玛丽亚‧阿依古丽", "玛丽亚∙阿依古丽", "玛丽亚⋅阿依古丽",
    "玛丽亚 • 阿依古丽", "玛丽亚·阿依古丽",
])
def test_middle_dot_look_alikes_are_normalized_to_the_middle_dot(raw):
    assert clean_person_name(raw) == "玛丽亚·阿依古丽"


def test_a_lone_bullet_is_still_not_a_name():
    with pytest.raises(InvalidName):
        clean_person_name("•")
