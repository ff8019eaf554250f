"""Resident ID numbers (居民身份证号码, GB 11643-1999) and mainland mobile phones (手机号码).

An 18-character ID number is: 6-digit region code (地址码), 8-digit birth date (出生日期码),
3-digit sequence code (顺序码, odd for men, even for women) and a check character (校验码)
computed with ISO 7064 MOD 11-2. Both numbers are personal data: lists and exports show them
masked (脱敏); only the member's own record shows them in full.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from shared.errors import ValidationFailed

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
EARLIEST_BIRTH = date(1900, 1, 1)

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^(?:\+86|0086)?(1[3-9]\d{9})$")
_PHONE_NOISE = re.compile(r"[\s\-()]")


def _id_invalid(code: str) -> ValidationFailed:
    return ValidationFailed("validation_failed", fields={"id_number": [code]})


def normalize_id_number(s) -> str:
    """Strip, drop inner spaces, fold full-width characters (Ｘ, １) and upper-case the x."""
    text = unicodedata.normalize("NFKC", str(s or ""))
    return re.sub(r"\s+", "", text).upper()


def check_char(first17: str) -> str:
    """The 18th character (校验码) for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def _birth_from_digits(idn: str) -> date | None:
    try:
        return date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
    except ValueError:
        return None


def validate_id_number(s, *, today: date | None = None) -> str:
    """Return the normalised number or raise ``ValidationFailed`` on ``id_number``.

    ``id_format`` covers the shape and the birth date (a real date from 1900-01-01 up to today);
    ``id_checksum`` a well-formed number whose check character is wrong, the typical typo.
    """
    idn = normalize_id_number(s)
    if not _ID_SHAPE.match(idn):
        raise _id_invalid("id_format")
    birth = _birth_from_digits(idn)
    if birth is None or birth < EARLIEST_BIRTH or birth > (today or date.today()):
        raise _id_invalid("id_format")
    if check_char(idn[:17]) != idn[17]:
        raise _id_invalid("id_checksum")
    return idn


def id_birth_date(idn: str) -> date:
    """出生日期 encoded in digits 7-14."""
    birth = _birth_from_digits(normalize_id_number(idn))
    if birth is None:
        raise _id_invalid("id_format")
    return birth


def id_gender(idn: str) -> str:
    """性别: the 17th digit is odd for men and even for women."""
    digit = normalize_id_number(idn)[16:17]
    if not digit.isdigit():
        raise _id_invalid("id_format")
    return "male" if int(digit) % 2 else "female"


def _mask(text: str, keep_head: int = 3, keep_tail: int = 4) -> str:
    if len(text) <= keep_head + keep_tail:
        return "*" * len(text)
    return text[:keep_head] + "*" * (len(text) - keep_head - keep_tail) + text[-keep_tail:]


def mask_id_number(idn) -> str:
    """``320411199001011234`` -> ``320***********1234``: enough to tell two people apart."""
    if not idn:
        return ""
    return _mask(normalize_id_number(idn))


def _phone_text(p) -> str:
    return _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", str(p or "")))


def validate_phone(p) -> str:
    """Return the 11-digit mobile number; spaces, dashes and a +86 / 0086 prefix are dropped."""
    match = _PHONE.match(_phone_text(p))
    if not match:
        raise ValidationFailed("validation_failed", fields={"phone": ["phone_invalid"]})
    return match.group(1)


def mask_phone(p) -> str:
    """``13812345678`` -> ``138****5678``."""
    if not p:
        return ""
    text = _phone_text(p)
    match = _PHONE.match(text)
    return _mask(match.group(1) if match else text)


def make_id_number(region: str, birth: date, seq: int, gender: str) -> str:
    """Build a valid number for demo data and tests.

    ``seq`` (0-499) picks one of the 500 sequence codes a region and birth date give each
    gender, so distinct ``seq`` values never collide.
    """
    if not (len(region) == 6 and region.isdigit()):
        raise ValueError(f"region code must be 6 digits, got {region!r}")
    if gender not in ("male", "female"):
        raise ValueError(f"gender must be male or female, got {gender!r}")
    if not 0 <= seq < 500:
        raise ValueError(f"seq must be in 0..499, got {seq}")
    order = seq * 2 + (1 if gender == "male" else 0)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_char(first17)
