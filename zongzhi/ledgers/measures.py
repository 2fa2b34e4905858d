"""The 管控措施 cell of the hazard ledger: one line per measure, written by the export and
read back by the import, so the two share this one format:

    1. 每周走访企业，督促制定还款计划（落实人：张三；时限：2026-11-30）
    2. 协调人社部门介入（落实人：李四；时限：2026-12-15；已落实）
"""

import re
from dataclasses import dataclass
from datetime import date

from zongzhi.ledgers.values import BadValue, parse_date


@dataclass(frozen=True)
class MeasureLine:
    content: str
    owner: str  # empty: the hazard's guardian (包保责任人)
    due_on: date
    done: bool = False


def format_measure(number: int, *, content: str, owner: str, due_on: date, done: bool) -> str:
    parts = [f"落实人：{owner}", f"时限：{due_on:%Y-%m-%d}"]
    if done:
        parts.append("已落实")
    flat = " ".join(content.split())
    return f"{number}. {flat}（{'；'.join(parts)}）"


_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\d+[）)])\s*")
_META = re.compile(r"^(?P<content>.*?)\s*[（(](?P<meta>[^（()）]*)[）)]\s*$")
_OWNER_KEYS = ("落实人", "责任人")
_DUE_KEYS = ("完成时限", "时限")


def parse_measures(text: str) -> list[MeasureLine]:
    """Every measure in the cell; BadValue naming the line that cannot be read."""
    measures = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        measures.append(_parse_line(_NUMBER.sub("", line), number))
    return measures


def _parse_line(line: str, number: int) -> MeasureLine:
    example = "如“走访企业（落实人：张三；时限：2026-11-30）”"
    match = _META.match(line)
    if match is None or not any(k in match["meta"] for k in (*_OWNER_KEYS, *_DUE_KEYS)):
        raise BadValue(f"第{number}条措施未注明完成时限，{example}")
    content = match["content"].strip()
    if not content:
        raise BadValue(f"第{number}条措施没有内容")
    owner = ""
    due_on: date | None = None
    done = False
    for part in re.split(r"[；;，,]", match["meta"]):
        part = part.strip()
        key, _, value = part.partition("：") if "：" in part else part.partition(":")
        key, value = key.strip(), value.strip()
        if key in _OWNER_KEYS:
            owner = value
        elif key in _DUE_KEYS:
            try:
                due_on = parse_date(value)
            except BadValue as error:
                raise BadValue(f"第{number}条措施的时限{error}") from None
        elif part == "已落实":
            done = True
        elif part:
            raise BadValue(f"第{number}条措施括号内的“{part}”无法识别，{example}")
    if due_on is None:
        raise BadValue(f"第{number}条措施未注明完成时限，{example}")
    if len(owner) > 50:
        raise BadValue(f"第{number}条措施的落实人不能超过50个字")
    return MeasureLine(content=content, owner=owner, due_on=due_on, done=done)
