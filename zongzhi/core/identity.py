"""Identity numbers (居民身份证号码, GB 11643): the shape and check digit, and the masked
form everyone without the right to the number sees. Shared by the care registry and a
case's parties; the number itself is stored encrypted (core.crypto)."""

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def normalise_identity(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def identity_error(number: str) -> str | None:
    """Why `number` is not a valid 18-digit identity number, or None."""
    if len(number) != 18:
        return "身份证号码应为18位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号码前17位应为数字，最后一位为数字或X"
    if birth_date_of(number) is None:
        return "身份证号码中的出生日期无效"
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != number[17]:
        return "身份证号码校验位不正确，请核对"
    return None


def birth_date_of(number: str) -> date | None:
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def with_check_digit(first17: str) -> str:
    """A valid number from its first 17 digits (for demo data and tests)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]


def mask_identity(number: str) -> str:
    """5304**********1234: the place of issue's first four digits and the last four."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
