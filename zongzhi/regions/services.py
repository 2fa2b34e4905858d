"""Writes to the hierarchy of places."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import Action, can, require
from zongzhi.accounts.rules import Target
from zongzhi.regions import geo
from zongzhi.regions.models import Region
from zongzhi.regions.rules import (
    LEVEL_NAMES,
    Level,
    allowed_parent_levels,
    check_code,
    parse_level,
    prefix_of,
)
from zongzhi.regions.sources import COLUMN_LABELS, DivisionRow

BATCH_SIZE = 2000
TRUE_WORDS = {"", "yes", "true", "1", "是", "y"}
FALSE_WORDS = {"no", "false", "0", "否", "n"}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        label = COLUMN_LABELS.get(self.column, self.column)
        return f"第{self.line}行，{label}（{self.column}）：{self.message}"


@dataclass
class DivisionImportError(Exception):
    errors: list[RowError]

    def __str__(self) -> str:
        return f"导入失败，共{len(self.errors)}处错误，未写入任何数据"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _ValidRow:
    line: int
    code: str
    prefix: str
    name: str
    level: Level
    parent_code: str
    official: bool
    boundary: dict[str, Any] | None
    bbox: geo.BoundingBox | None


def import_divisions(*, by: Actor, rows: Sequence[DivisionRow]) -> ImportResult:
    """Create or update regions from rows; all rows or none.

    Every row is checked first and every problem reported together, by line and column,
    including rows outside the importer's scope. A region already present with the same
    code is updated in place (its name, boundary and official flag), so importing the
    same file twice changes nothing the second time.
    """
    existing = {
        code: (pk, level) for code, pk, level in Region.objects.values_list("code", "pk", "level")
    }
    valid, errors = _validate(rows, existing)
    errors.extend(
        RowError(item.line, "code", f"代码{item.code}超出您的管理范围")
        for item in valid
        if not can(by, Action.CHANGE_REGION, Target(region_prefix=item.prefix))
    )
    errors.sort(key=lambda e: (e.line, list(COLUMN_LABELS).index(e.column)))
    if errors:
        raise DivisionImportError(errors)
    with transaction.atomic():
        return _write(valid)


def _validate(
    rows: Sequence[DivisionRow], existing: dict[str, tuple[int, int]]
) -> tuple[list[_ValidRow], list[RowError]]:
    errors: list[RowError] = []
    levels_in_file: dict[str, Level] = {}
    first_line: dict[str, int] = {}
    parsed: list[tuple[DivisionRow, Level]] = []

    for row in rows:
        level = parse_level(row.level) if row.level else None
        if not row.level:
            errors.append(RowError(row.line, "level", "不能为空"))
        elif level is None:
            errors.append(RowError(row.line, "level", f"无法识别的层级“{row.level}”"))
        if not row.code:
            errors.append(RowError(row.line, "code", "不能为空"))
        elif row.code in first_line:
            errors.append(
                RowError(row.line, "code", f"代码{row.code}与第{first_line[row.code]}行重复")
            )
        else:
            first_line[row.code] = row.line
        if level is not None and row.code and row.code not in levels_in_file:
            levels_in_file[row.code] = level
            parsed.append((row, level))

    valid: list[_ValidRow] = []
    for row, level in parsed:
        row_errors: list[RowError] = []
        problem = check_code(row.code, level)
        if problem:
            row_errors.append(RowError(row.line, "code", problem))
        if not row.name:
            row_errors.append(RowError(row.line, "name", "不能为空"))
        elif len(row.name) > 100:
            row_errors.append(RowError(row.line, "name", "不能超过100个字"))
        row_errors.extend(_check_parent(row, level, levels_in_file, existing))
        if row.code in existing and existing[row.code][1] != level:
            row_errors.append(
                RowError(
                    row.line,
                    "level",
                    f"代码{row.code}已作为{LEVEL_NAMES[Level(existing[row.code][1])]}存在，"
                    f"不能改为{LEVEL_NAMES[level]}",
                )
            )
        boundary, bbox = _check_boundary(row, level, row_errors)
        official = _check_official(row, row_errors)
        if row_errors:
            errors.extend(row_errors)
            continue
        valid.append(
            _ValidRow(
                line=row.line,
                code=row.code,
                prefix=prefix_of(row.code, level),
                name=row.name,
                level=level,
                parent_code=row.parent,
                official=official,
                boundary=boundary,
                bbox=bbox,
            )
        )
    return valid, errors


def _check_parent(
    row: DivisionRow,
    level: Level,
    levels_in_file: dict[str, Level],
    existing: dict[str, tuple[int, int]],
) -> list[RowError]:
    allowed = allowed_parent_levels(row.code, level)
    if not allowed:
        if row.parent:
            return [RowError(row.line, "parent", "省级区划不应有上级")]
        return []
    if not row.parent:
        return [RowError(row.line, "parent", "不能为空")]
    found_level = levels_in_file.get(row.parent)
    if found_level is None and row.parent in existing:
        found_level = Level(existing[row.parent][1])
    if found_level is None:
        return [RowError(row.line, "parent", f"上级代码{row.parent}在文件和系统中都不存在")]
    if found_level not in allowed:
        expected = "或".join(LEVEL_NAMES[a] for a in sorted(allowed, reverse=True))
        return [
            RowError(
                row.line,
                "parent",
                f"{LEVEL_NAMES[level]}的上级应为{expected}，"
                f"而{row.parent}是{LEVEL_NAMES[found_level]}",
            )
        ]
    parent_prefix = prefix_of(row.parent, found_level)
    if row.code and not row.code.startswith(parent_prefix):
        return [RowError(row.line, "code", f"代码应以上级代码的前缀{parent_prefix}开头")]
    return []


def _check_boundary(
    row: DivisionRow, level: Level, errors: list[RowError]
) -> tuple[dict[str, Any] | None, geo.BoundingBox | None]:
    if row.boundary in (None, ""):
        return None, None
    if level != Level.GRID:
        errors.append(RowError(row.line, "boundary", "只有网格可以设置边界"))
        return None, None
    geometry = row.boundary
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except json.JSONDecodeError:
            errors.append(RowError(row.line, "boundary", "不是有效的 GeoJSON 文本"))
            return None, None
    try:
        return geometry, geo.validate_boundary(geometry)
    except geo.BoundaryError as exc:
        errors.append(RowError(row.line, "boundary", str(exc)))
        return None, None


def _check_official(row: DivisionRow, errors: list[RowError]) -> bool:
    value = row.official.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    errors.append(RowError(row.line, "official", f"应为 yes 或 no，实为“{row.official}”"))
    return False


def _write(valid: list[_ValidRow]) -> ImportResult:
    result = ImportResult()
    ids = dict(Region.objects.values_list("code", "pk"))
    current = {
        r.code: r
        # Every field that _fields() compares is loaded: a deferred one costs a query per row.
        for r in Region.objects.filter(code__in=[v.code for v in valid]).only(
            "pk", "code", *_COMPARED
        )
    }
    # Parents first: sorting by level means every parent id is known before its children.
    for level in sorted({v.level for v in valid}):
        new: list[Region] = []
        changed: list[Region] = []
        for item in (v for v in valid if v.level == level):
            fields = _fields(item)
            region = current.get(item.code)
            if region is None:
                new.append(Region(code=item.code, parent_id=ids.get(item.parent_code), **fields))
                continue
            if any(getattr(region, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(region, name, value)
                changed.append(region)
            else:
                result.unchanged += 1
        Region.objects.bulk_create(new, batch_size=BATCH_SIZE)
        Region.objects.bulk_update(changed, list(_UPDATABLE), batch_size=BATCH_SIZE)
        ids.update(Region.objects.filter(code__in=[r.code for r in new]).values_list("code", "pk"))
        result.created += len(new)
        result.updated += len(changed)
        result.by_level[int(level)] = len(new) + len(changed)
    return result


_UPDATABLE = ("name", "code_is_official", "boundary", "min_lng", "min_lat", "max_lng", "max_lat")
_COMPARED = ("prefix", "level", *_UPDATABLE)  # every key of _fields()


def _fields(item: _ValidRow) -> dict[str, Any]:
    box = item.bbox
    return {
        "prefix": item.prefix,
        "name": item.name,
        "level": int(item.level),
        "code_is_official": item.official,
        "boundary": item.boundary,
        "min_lng": box.min_lng if box else None,
        "min_lat": box.min_lat if box else None,
        "max_lng": box.max_lng if box else None,
        "max_lat": box.max_lat if box else None,
    }


@transaction.atomic
def set_grid_boundary(*, by: Actor, grid: Region, boundary: dict[str, Any] | None) -> Region:
    """Give a grid its polygon (or clear it), keeping the bounding box in step."""
    require(by, Action.CHANGE_REGION, grid)
    if grid.level != Region.Level.GRID:
        raise geo.BoundaryError("只有网格可以设置边界")
    box = geo.validate_boundary(boundary) if boundary is not None else None
    grid.boundary = boundary
    grid.min_lng = box.min_lng if box else None
    grid.min_lat = box.min_lat if box else None
    grid.max_lng = box.max_lng if box else None
    grid.max_lat = box.max_lat if box else None
    grid.save(update_fields=["boundary", "min_lng", "min_lat", "max_lng", "max_lat"])
    return grid
