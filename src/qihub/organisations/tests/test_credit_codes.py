import pytest
from hypothesis import given
from hypothesis import strategies as st

from qihub.organisations import credit_codes

body = st.text(alphabet=credit_codes.ALPHABET, min_size=17, max_size=17)


@given(body)
def test_code_with_its_check_character_is_valid(first17):
    code = first17 + credit_codes.check_character(first17)
    assert credit_codes.validate(code.lower()) == code


@given(body, st.sampled_from(credit_codes.ALPHABET))
def test_wrong_check_character_is_refused(first17, wrong):
    right = credit_codes.check_character(first17)
    if wrong == right:
        return
    with pytest.raises(credit_codes.CreditCodeError, match=f"should be {right}"):
        credit_codes.validate(first17 + wrong)


@given(
    body, st.integers(min_value=0, max_value=16), st.sampled_from(credit_codes.ALPHABET)
)
def test_single_substitution_is_detected(first17, pos, char):
    code = first17 + credit_codes.check_character(first17)
    changed = code[:pos] + char + code[pos + 1 :]
    if changed == code:
        return
    with pytest.raises(credit_codes.CreditCodeError):
        credit_codes.validate(changed)


def test_known_real_code():
    # 91350100M000100Y43 is a published example with a valid check character
    assert credit_codes.validate("91350100M000100Y43") == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9135010", "has 18 characters; '9135010' has 7"),
        ("91350100M000100I43", "Character(s) I cannot appear"),
    ],
)
def test_messages_say_what_is_wrong(text, message):
    with pytest.raises(
        credit_codes.CreditCodeError,
        match=message.replace("(", r"\(").replace(")", r"\)"),
    ):
        credit_codes.validate(text)
