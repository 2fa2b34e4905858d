"""Readers that turn division files into rows for `services.import_divisions`.

Two kinds of source: the generic import file (CSV or JSON with code, name, level, parent
and, for grids, an optional GeoJSON boundary), and the national dataset shipped in
shared/data/divisions (one CSV per level, short codes), read for a subtree.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zongzhi.regions.rules import Level, full_code

REQUIRED_COLUMNS = ("code", "name", "level", "parent")
COLUMN_LABELS = {
    "code": "代码",
    "name": "名称",
    "level": "层级",
    "parent": "上级代码",
    "boundary": "边界",
    "official": "国家统计代码",
}


@dataclass(frozen=True)
class DivisionRow:
    """One row of an import file, as text, with where it came from."""

    line: int
    code: str
    name: str
    level: str
    parent: str
    boundary: Any = None
    official: str = ""


@dataclass
class SourceError(Exception):
    """The file as a whole cannot be read (wrong format, missing columns)."""

    message: str
    details: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


def read_division_file(path: Path) -> list[DivisionRow]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".json":
        return _read_json(path)
    raise SourceError(f"不支持的文件类型“{suffix}”：请使用 .csv 或 .json")


def _read_csv(path: Path) -> list[DivisionRow]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in reader.fieldnames or []]
            _check_columns(columns)
            rows = []
            for record in reader:
                clean = {(k or "").strip(): (v or "").strip() for k, v in record.items()}
                boundary_text = clean.get("boundary", "")
                rows.append(
                    DivisionRow(
                        line=reader.line_num,
                        code=clean.get("code", ""),
                        name=clean.get("name", ""),
                        level=clean.get("level", ""),
                        parent=clean.get("parent", ""),
                        boundary=boundary_text or None,
                        official=clean.get("official", ""),
                    )
                )
            return rows
    except UnicodeDecodeError as exc:
        raise SourceError("文件不是 UTF-8 编码的 CSV") from exc
    except csv.Error as exc:
        raise SourceError(f"CSV 格式有误：{exc}") from exc


def _read_json(path: Path) -> list[DivisionRow]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError("文件不是 UTF-8 编码的 JSON") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(f"JSON 格式有误：第{exc.lineno}行第{exc.colno}列，{exc.msg}") from exc
    if not isinstance(data, list):
        raise SourceError('JSON 文件应为对象数组：[{"code": …, "name": …}, …]')
    rows = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise SourceError(f"第{index}条不是对象")
        rows.append(
            DivisionRow(
                line=index,
                code=str(item.get("code", "") or "").strip(),
                name=str(item.get("name", "") or "").strip(),
                level=str(item.get("level", "") or "").strip(),
                parent=str(item.get("parent", "") or "").strip(),
                boundary=item.get("boundary"),
                official=str(item.get("official", "") or "").strip(),
            )
        )
    if rows:
        _check_columns(list(data[0].keys()))
    return rows


def _check_columns(columns: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise SourceError(
            "缺少必需的列：" + "、".join(f"{c}（{COLUMN_LABELS[c]}）" for c in missing),
            details=[f"现有列：{', '.join(columns) or '无'}"],
        )


def read_national_dataset(directory: Path, *, within: str) -> list[DivisionRow]:
    """Rows for the subtree `within` (a 2-, 4-, 6- or 9-digit prefix) and its ancestors.

    The dataset's files: provinces.csv, cities.csv, areas.csv (counties), streets.csv
    (townships), and optional *-villages.csv files with 12-digit village codes.
    """
    rows: list[DivisionRow] = []
    files = [
        ("provinces.csv", Level.PROVINCE, None),
        ("cities.csv", Level.CITY, "provinceCode"),
        ("areas.csv", Level.COUNTY, "cityCode"),
        ("streets.csv", Level.TOWNSHIP, "areaCode"),
    ]
    # The dataset gives a city without counties (东莞 4419) a placeholder county 441900, and
    # 金门县 a placeholder township 350527000: in 12 digits each is its parent's own code.
    # They are left out; the townships under 441900 then hang under the city itself.
    for filename, level, parent_column in files:
        for line, record in _dataset_records(directory / filename):
            code = record["code"]
            if not (within.startswith(code) or code.startswith(within)):
                continue
            parent = ""
            if parent_column is not None:
                parent = full_code(record[parent_column], Level(level - 1))
            if parent and full_code(code, level) == parent:
                continue
            rows.append(
                DivisionRow(
                    line=line,
                    code=full_code(code, level),
                    name=record["name"],
                    level=str(int(level)),
                    parent=parent,
                )
            )
    for village_file in sorted(directory.glob("*-villages.csv")):
        for line, record in _dataset_records(village_file):
            code = record["code"]
            if not code.startswith(within):
                continue
            rows.append(
                DivisionRow(
                    line=line,
                    code=code,
                    name=record["name"],
                    level=str(int(Level.VILLAGE)),
                    parent=full_code(record["streetCode"], Level.TOWNSHIP),
                    official=record.get("codeIsOfficial", "yes"),
                )
            )
    return rows


def _dataset_records(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in record.items()}
