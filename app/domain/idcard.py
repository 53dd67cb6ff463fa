"""Identity document numbers: GB 11643 resident IDs and the other accepted ID types.

A resident ID has 18 characters: a 6-digit division code, an 8-digit birth date, a 3-digit
sequence (odd for men, even for women) and an ISO 7064 MOD 11-2 check character (0-9 or X).
Full-width digits and a lowercase x are normalized first, since people type them.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from .errors import N_, DomainError
from .refdata import PROVINCE_CODES

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(DomainError):
    status = 422
    code = "validation_error"


@dataclass(frozen=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    gender: str  # "male" | "female"


def normalize(raw: str) -> str:
    """NFKC (full-width → ASCII), strip spaces inside and around, uppercase."""
    text = unicodedata.normalize("NFKC", raw or "")
    return re.sub(r"\s+", "", text).upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def parse_resident_id(raw: str, today: date | None = None) -> ResidentId:
    """Validate a resident ID and derive region, birth date and gender; raise InvalidIdNumber."""
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber(N_("The ID number is required."))
    if len(number) == 15 and number.isdigit():
        raise InvalidIdNumber(N_("15-digit ID numbers are no longer valid; enter the 18-digit number."))
    if len(number) != 18:
        raise InvalidIdNumber(N_("A resident ID number has 18 characters; this one has %(n)d."),
                              n=len(number))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(N_("A resident ID number has 17 digits followed by a digit or X."))
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber(N_("The ID number does not start with a valid region code."))
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber(N_("The birth date in the ID number is not a valid date.")) from None
    today = today or date.today()
    if birth > today or birth.year < 1900:
        raise InvalidIdNumber(N_("The birth date in the ID number is not plausible."))
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber(N_("The ID number's check character is wrong; please check for a typo."))
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return ResidentId(number=number, region_code=number[:6], birth_date=birth, gender=gender)


OTHER_ID_PATTERNS = {
    # Passport numbers vary by country: 5–20 letters and digits.
    "passport": re.compile(r"^[A-Z0-9]{5,20}$"),
    # 港澳居民来往内地通行证: H or M followed by 8 or 10 digits.
    "hk_macau_permit": re.compile(r"^[HM][0-9]{8}([0-9]{2})?$"),
    # 台湾居民来往大陆通行证: 8 digits (older permits add letters/digits).
    "taiwan_permit": re.compile(r"^[0-9]{8}([0-9A-Z]{2})?$"),
}


def validate_id(id_type: str, raw: str, today: date | None = None) -> tuple[str, ResidentId | None]:
    """Return the normalized number (and parsed details for a resident ID) or raise."""
    if id_type == "resident_id":
        parsed = parse_resident_id(raw, today)
        return parsed.number, parsed
    pattern = OTHER_ID_PATTERNS.get(id_type)
    if pattern is None:
        raise InvalidIdNumber(N_("Unknown ID type."))
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber(N_("The ID number is required."))
    if not pattern.match(number):
        raise InvalidIdNumber(N_("This is not a valid number for the chosen ID type."))
    return number, None


def make_resident_id(region_code: str, birth: date, sequence: int) -> str:
    """Build a valid resident ID (used by demo data and tests). sequence: 0..999."""
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
