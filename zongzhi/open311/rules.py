"""The service definition every Open311 service shares, and the checks on what a client
sends for it. Pure: no database.

Every service (a second-level case category) asks the same questions, the ones intake
needs to route and time a case: how many people are involved (a group of 5 or more is
群体性), the amount at stake, whether there is a threat of violence or self-harm (handled
at once, care offered), and who the other party is.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from zongzhi.cases.rules import GROUP_SIZE

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's `changeset`).
CHANGESET = "2026-11-24T00:00:00+08:00"
# The standard's default and maximum window for GET requests (and, here, for updates).
MAX_SPAN = timedelta(days=90)
# At most this many requests in one list; the newest first.
LIST_LIMIT = 1000
# At most this many ids in one service_request_id list.
MAX_IDS = 100

YES, NO = "yes", "no"
_YES_NO = [{"key": YES, "name": "有"}, {"key": NO, "name": "无"}]


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    description: str
    datatype_description: str = ""
    required: bool = False
    values: tuple[dict[str, str], ...] = ()

    def as_dict(self, order: int) -> dict[str, Any]:
        return {
            "variable": True,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": order,
            "description": self.description,
            "values": [dict(v) for v in self.values],
        }


ATTRIBUTES = (
    Attribute(
        "people_count",
        "number",
        f"涉及人数（{GROUP_SIZE}人及以上为群体性事项）",
        "正整数，未填视为1",
    ),
    Attribute("amount", "number", "涉及金额（元）", "不小于0的数，最多两位小数；未填视为不涉及"),
    Attribute(
        "threat_of_violence",
        "singlevaluelist",
        "是否有暴力倾向（有则立即处置）",
        "yes 或 no，未填视为无",
        values=tuple(_YES_NO),
    ),
    Attribute(
        "threat_of_self_harm",
        "singlevaluelist",
        "是否有自伤自杀倾向（有则立即处置并提供关爱帮扶）",
        "yes 或 no，未填视为无",
        values=tuple(_YES_NO),
    ),
    Attribute("respondent", "string", "对方当事人（姓名或单位名称）", "不超过100字"),
)


def service_definition(service_code: str) -> dict[str, Any]:
    return {
        "service_code": service_code,
        "attributes": [a.as_dict(order) for order, a in enumerate(ATTRIBUTES, start=1)],
    }


@dataclass
class Answers:
    """What a client answered, in the case's terms."""

    people_count: int = 1
    amount: Decimal | None = None
    threat_of_violence: bool = False
    threat_of_self_harm: bool = False
    respondent: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def parse_attributes(raw: dict[str, str]) -> Answers:
    """`raw` maps attribute codes to the strings sent as attribute[code]=…; codes this
    service does not define are ignored (clients such as FixMyStreet send their own)."""
    answers = Answers()
    errors = answers.errors
    for attribute in ATTRIBUTES:
        value = (raw.get(attribute.code) or "").strip()
        name = f"attribute[{attribute.code}]"
        if not value:
            if attribute.required:
                errors[name] = f"请填写{attribute.description}"
            continue
        if attribute.code == "people_count":
            if not value.isdigit() or int(value) < 1:
                errors[name] = "涉及人数须为正整数"
            else:
                answers.people_count = int(value)
        elif attribute.code == "amount":
            try:
                amount = Decimal(value)
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite() or amount < 0:
                errors[name] = "涉及金额须为不小于0的数"
            elif amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e12"):
                errors[name] = "涉及金额最多两位小数，且小于一万亿元"
            else:
                answers.amount = amount
        elif attribute.datatype == "singlevaluelist":
            if value not in {YES, NO}:
                errors[name] = "只能填 yes 或 no"
            else:
                setattr(answers, attribute.code, value == YES)
        elif attribute.code == "respondent":
            if len(value) > 100:
                errors[name] = "对方当事人不超过100字"
            else:
                answers.respondent = value
    return answers


def reporter_name(first_name: str, last_name: str) -> str:
    """The reporter's name from the standard's two fields: a Chinese name is written
    family name first without a space (last_name=张, first_name=三 → 张三)."""
    first, last = first_name.strip(), last_name.strip()
    if first.isascii() and last.isascii():
        return " ".join(p for p in (first, last) if p)
    return f"{last}{first}"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def window(start: datetime | None, end: datetime | None, *, now: datetime) -> Window:
    """The span a list covers: the standard's "most recent 90 days" unless told, and
    never more than 90 days. Raises ValueError with the reason."""
    if start is None and end is None:
        return Window(now - MAX_SPAN, now)
    if start is None:
        assert end is not None
        return Window(end - MAX_SPAN, end)
    if end is None:
        return Window(start, start + MAX_SPAN)
    if end < start:
        raise ValueError("end_date 不能早于 start_date")
    if end - start > MAX_SPAN:
        raise ValueError("start_date 与 end_date 相隔不能超过90天")
    return Window(start, end)
