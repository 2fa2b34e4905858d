"""Reading one cell of a filled ledger: what people type into Excel, and what Excel keeps.

Each reader returns the value or raises BadValue with a Chinese message that the import
puts after the row and column ("第7行 Q列（发现日期）：…").
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class BadValue(ValueError):
    """A cell that cannot be read as its column's kind of value."""


def text(value: Any) -> str:
    """A cell as text: numbers without a trailing '.0', dates as YYYY-MM-DD, trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


# 2026-11-05, 2026/11/5, 2026.11.5, 2026年11月5日
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(value: Any) -> date:
    """A real Excel date, or text written as YYYY-MM-DD, YYYY/M/D or YYYY年M月D日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = text(value)
    match = _DATE.match(raw)
    if match is None:
        raise BadValue(f"“{raw}”不是有效日期（请写成2026-11-05或2026年11月5日）")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise BadValue(f"“{raw}”不是有效日期（没有这一天）") from None


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue(f"“{value}”不是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = text(value)
    if re.fullmatch(r"[+-]?\d+", raw):
        return int(raw)
    raise BadValue(f"“{raw}”不是整数")


AMOUNT_LIMIT = Decimal("999999999999.99")  # the register's 14 digits, 2 after the point


def parse_amount(value: Any) -> Decimal:
    """A number of yuan: 12000, 12,000.50, 1.2万, ¥3000元."""
    if isinstance(value, bool):
        raise BadValue(f"“{value}”不是金额")
    if isinstance(value, int | float):
        amount = Decimal(str(value))
    else:
        raw = text(value)
        cleaned = raw.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        cleaned = cleaned.removesuffix("元").strip()
        scale = Decimal(1)
        if cleaned.endswith("万"):
            cleaned, scale = cleaned[:-1].strip(), Decimal(10000)
        try:
            amount = Decimal(cleaned) * scale
        except InvalidOperation:
            raise BadValue(f"“{raw}”不是金额（请填写数字，单位为元）") from None
    if not amount.is_finite():
        raise BadValue(f"“{text(value)}”不是金额（请填写数字，单位为元）")
    if abs(amount) > AMOUNT_LIMIT:
        raise BadValue("金额过大")
    return amount.quantize(Decimal("0.01"))
