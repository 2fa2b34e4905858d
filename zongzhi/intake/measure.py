"""The duplicate measurement on the hand-written set (intake/tests/duplicates.json): each
report of a known incident is compared with every existing case, as registration compares
a new request with its township's open cases. A hit: the incident's own case ranks first
and is likely. A false alarm: a near-miss (same village and category, another matter)
finds any case likely. Used by the test that holds the aims and by `bench_suggestions`."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zongzhi.intake import rules

SET = Path(__file__).parent / "tests" / "duplicates.json"
VILLAGES = {"A": "530424001001", "B": "530424001002", "C": "530424001003"}


@dataclass(frozen=True)
class Result:
    recall: float
    false_alarms: float
    missed: list[str]
    alarmed: list[str]


def _report(row: dict[str, Any], *, with_category: bool) -> rules.Report:
    code = row["category"] if with_category else ""
    return rules.Report(
        words=rules.words(f"{row['title']}。{row['description']}"),
        place=VILLAGES[row["village"]],
        phones=frozenset([row["phone"]]) if row["phone"] else frozenset(),
        category=code,
        parent=code[:-2],
        point=(row["point"][0], row["point"][1]) if row.get("point") else None,
    )


def measure_duplicates(*, with_category: bool = True) -> Result:
    data = json.loads(SET.read_text(encoding="utf-8"))
    existing = data["existing"]
    pool = [_report(e, with_category=True) for e in existing]
    keys = [e["key"] for e in existing]
    missed, alarmed = [], []
    for row in data["same"]:
        scores = rules.rank(_report(row, with_category=with_category), pool)
        best = max(range(len(scores)), key=lambda i: scores[i].score)
        if keys[best] != row["of"] or not scores[best].likely:
            missed.append(row["title"])
    for row in data["near"]:
        if any(m.likely for m in rules.rank(_report(row, with_category=with_category), pool)):
            alarmed.append(row["title"])
    return Result(
        recall=1 - len(missed) / len(data["same"]),
        false_alarms=len(alarmed) / len(data["near"]),
        missed=missed,
        alarmed=alarmed,
    )
