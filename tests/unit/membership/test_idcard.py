from datetime import date

import pytest

from services.membership.domain.idcard import (
    check_char, id_birth_date, id_gender, make_id_number, mask_id_number, mask_phone,
    normalize_id_number, validate_id_number, validate_phone,
)
from shared.errors import ValidationFailed

STANDARD_EXAMPLE = "11010519491231002X"  # the worked example of GB 11643-1999


def id_codes(raw, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        validate_id_number(raw, **kwargs)
    assert caught.value.code == "validation_failed"
    return caught.value.fields["id_number"]


def test_the_standard_example_number_is_valid():
    assert validate_id_number(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_a_lower_case_x_and_surrounding_spaces_are_normalised():
    assert validate_id_number("  11010519491231002x ") == STANDARD_EXAMPLE


def test_full_width_characters_and_inner_spaces_are_folded():
    assert normalize_id_number("110105 19491231 002Ｘ") == STANDARD_EXAMPLE


def test_id_number_with_wrong_check_digit_is_rejected():
    assert id_codes("110105194912310021") == ["id_checksum"]


@pytest.mark.parametrize("raw", ["1101051949123100", "1101051949123100291", "11010519491231X02X", "", None])
def test_id_number_of_wrong_shape_is_a_format_error(raw):
    assert id_codes(raw) == ["id_format"]


def test_id_number_with_an_impossible_birth_date_is_a_format_error():
    first17 = "11010519490230002"  # 30 February
    assert id_codes(first17 + check_char(first17)) == ["id_format"]


def test_id_number_born_in_the_future_is_a_format_error():
    number = make_id_number("320411", date(2026, 12, 1), 1, "male")
    assert id_codes(number, today=date(2026, 11, 22)) == ["id_format"]
    assert validate_id_number(number, today=date(2026, 12, 1)) == number


def test_id_number_born_before_1900_is_a_format_error():
    assert id_codes(make_id_number("320411", date(1899, 12, 31), 1, "male")) == ["id_format"]


def test_birth_date_and_gender_are_read_from_the_number():
    assert id_birth_date(STANDARD_EXAMPLE) == date(1949, 12, 31)
    assert id_gender(STANDARD_EXAMPLE) == "female"  # 17th digit 2 is even
    assert id_gender(make_id_number("320411", date(1990, 1, 1), 7, "male")) == "male"


def test_made_numbers_are_valid_and_carry_birth_date_and_gender():
    for seq, gender in [(0, "male"), (1, "female"), (499, "male"), (250, "female")]:
        number = make_id_number("320411", date(1985, 6, 15), seq, gender)
        assert validate_id_number(number) == number
        assert number.startswith("32041119850615")
        assert id_birth_date(number) == date(1985, 6, 15)
        assert id_gender(number) == gender


def test_distinct_sequence_numbers_give_distinct_id_numbers():
    numbers = {make_id_number("320411", date(1985, 6, 15), seq, g) for seq in range(500) for g in ("male", "female")}
    assert len(numbers) == 1000


@pytest.mark.parametrize("region,seq,gender", [("32041", 1, "male"), ("320411", 500, "male"), ("320411", 1, "x")])
def test_making_a_number_from_bad_parts_is_a_programming_error(region, seq, gender):
    with pytest.raises(ValueError):
        make_id_number(region, date(1985, 6, 15), seq, gender)


def test_masked_id_number_keeps_first_three_and_last_four_characters():
    masked = mask_id_number(STANDARD_EXAMPLE)
    assert masked == "110***********002X"
    assert len(masked) == 18


def test_masking_nothing_gives_an_empty_string():
    assert mask_id_number(None) == ""
    assert mask_phone("") == ""


def test_masked_phone_keeps_first_three_and_last_four_digits():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"


@pytest.mark.parametrize("raw", ["13812345678", "138 1234 5678", "138-1234-5678", "+8613812345678",
                                 "0086 13812345678", "１３８１２３４５６７８"])
def test_mainland_mobile_numbers_are_accepted_and_normalised(raw):
    assert validate_phone(raw) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "0519-85123456", "+85213812345678", ""])
def test_other_phone_numbers_are_rejected(raw):
    with pytest.raises(ValidationFailed) as caught:
        validate_phone(raw)
    assert caught.value.fields == {"phone": ["phone_invalid"]}
