"""Importing a filled hazard ledger (风险隐患台账): every row checked, all or nothing.

Every row is read and checked before anything is written, and every problem is reported
together, by the row and column the user sees in Excel. The field rules are the
register's own (`hazards.services.check_new_hazard`); this module adds what only a file
has: cells to read, codes and names to look up, duplicates within the file.

Importing the same file again adds nothing: a row carrying a hazard's 编号 is that
hazard; a row without one is known by a digest of its content (place, name, category,
date found, responsible unit), kept on the hazard it created as its `ledger_key`.
"""

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, holds
from zongzhi.accounts.rules import Action, Target
from zongzhi.categories.models import Category
from zongzhi.hazards import services as hazard_services
from zongzhi.hazards.models import Hazard, HazardMeasure
from zongzhi.hazards.rules import STATUS_NAMES, Status
from zongzhi.ledgers.columns import H
from zongzhi.ledgers.measures import MeasureLine, parse_measures
from zongzhi.ledgers.reading import FileProblem, Sheet, read_sheet
from zongzhi.ledgers.values import BadValue, parse_amount, parse_date, parse_int, text
from zongzhi.regions.models import Region
from zongzhi.regions.rules import DIVISION_CODE_LENGTH, Level
from zongzhi.units.models import Unit

REQUIRED = [H.TITLE, H.DESCRIPTION, H.CATEGORY, H.REGION_CODE, H.LEVEL, H.UNIT, H.GUARDIAN]
# Other names people give these columns in their own ledgers.
ALIASES = {
    "名称": H.TITLE,
    "风险隐患名称": H.TITLE,
    "描述": H.DESCRIPTION,
    "隐患情况": H.DESCRIPTION,
    "基本情况": H.DESCRIPTION,
    "隐患类别": H.CATEGORY,
    "分类": H.CATEGORY,
    "区划代码": H.REGION_CODE,
    "所在地代码": H.REGION_CODE,
    "涉及金额": H.AMOUNT,
    "包保责任人电话": H.PHONE,
    "复查周期": H.REVIEW_DAYS,
    "等级": H.LEVEL,
}
LEVELS = {str(label): value for value, label in Hazard.Level.choices}
LEVEL_LIST = "/".join(LEVELS)
MAX_LENGTHS = {H.TITLE: 100, H.ADDRESS: 200, H.GUARDIAN: 50, H.PHONE: 30}
# check_new_hazard's field names, as the ledger's columns.
FIELD_COLUMNS = {
    "title": H.TITLE,
    "description": H.DESCRIPTION,
    "category": H.CATEGORY,
    "region": H.REGION_CODE,
    "level": H.LEVEL,
    "level_reasons": H.LEVEL_REASONS,
    "guardian_name": H.GUARDIAN,
    "responsible_unit": H.UNIT,
    "people_count": H.PEOPLE,
    "amount": H.AMOUNT,
    "discovered_on": H.DISCOVERED,
    "review_every_days": H.REVIEW_DAYS,
}


@dataclass(frozen=True)
class RowError:
    row: int  # the Excel row number; 0 for the file as a whole
    column: str  # the column letter, "" for the whole row
    field: str  # the column's Chinese name
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        if not self.column:
            return f"第{self.row}行：{self.message}"
        return f"第{self.row}行 {self.column}列（{self.field}）：{self.message}"


class LedgerImportError(Exception):
    """The file was not imported; `errors` says every reason. Nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"导入失败：共{len(errors)}处错误，未导入任何数据")
        self.errors = errors


@dataclass(frozen=True)
class Imported:
    row: int
    hazard: Hazard


@dataclass
class ImportResult:
    created: list[Imported] = field(default_factory=list)
    existing: int = 0  # rows recognised as hazards already on the register


@dataclass
class _NewRow:
    row: int
    new: hazard_services.NewHazard
    measures: list[MeasureLine]
    ledger_key: str


def import_hazard_ledger(*, by: Actor, content: bytes, filename: str = "") -> ImportResult:
    """Register every new hazard in the ledger `content` (an .xlsx file), or none."""
    if not holds(by, Action.IMPORT_HAZARD_LEDGER):
        raise PermissionDenied("您无权导入风险隐患台账")
    try:
        sheet = read_sheet(content, filename=filename, anchors=[H.TITLE], aliases=ALIASES)
    except FileProblem as problem:
        raise LedgerImportError([RowError(0, "", "", problem.message)]) from None
    missing = [name for name in REQUIRED if name not in sheet.columns]
    if missing:
        raise LedgerImportError(
            [RowError(sheet.header_row, "", "", f"表头缺少列：{'、'.join(missing)}")]
        )
    if not sheet.rows:
        raise LedgerImportError([RowError(0, "", "", "表格中没有要导入的数据行")])
    checker = _Checker(by, sheet)
    new_rows, existing = checker.check()
    if checker.errors:
        raise LedgerImportError(checker.sorted_errors())
    return _write(by, new_rows, existing)


def _write(by: Actor, rows: list[_NewRow], existing: int) -> ImportResult:
    """One transaction: a row that fails here (a rule changed since the check, another
    import of the same file got there first) rolls back every row before it."""
    result = ImportResult(existing=existing)
    with transaction.atomic():
        for item in rows:
            try:
                result.created.append(Imported(item.row, _register(by, item)))
            except ValidationError as error:
                raise LedgerImportError(
                    [RowError(item.row, "", "", "；".join(error.messages))]
                ) from error
            except IntegrityError as error:
                raise LedgerImportError(
                    [RowError(item.row, "", "", "该行已由另一次导入写入，请重新导入本文件")]
                ) from error
    return result


def _register(by: Actor, item: _NewRow) -> Hazard:
    hazard = hazard_services.hazard_register(
        by=by, new=item.new, source=Hazard.Source.LEDGER, ledger_key=item.ledger_key
    )
    for line in item.measures:
        hazard = hazard_services.hazard_add_measure(
            by=by,
            hazard=hazard,
            content=line.content,
            owner=line.owner or item.new.guardian_name,
            due_on=line.due_on,
        )
        if line.done:
            measure = HazardMeasure.objects.filter(hazard=hazard).latest("pk")
            hazard = hazard_services.hazard_complete_measure(
                by=by, hazard=hazard, measure=measure, note="台账导入：原台账记为已落实"
            )
    return hazard


def ledger_digest(parts: list[str]) -> str:
    """A row's ledger key from what makes it this record: stored on the record, so that a
    re-import finds it (hazards and cases alike; the form must never change)."""
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def content_key(
    *, region: Region, title: str, category: Category, discovered_on: date | None, unit: Unit
) -> str:
    """The ledger key of a row without 编号: a digest of what makes it this hazard."""
    parts = [
        region.code,
        " ".join(title.split()),
        category.code,
        discovered_on.isoformat() if discovered_on else "",
        str(unit.pk),
    ]
    return ledger_digest(parts)


class _Checker:
    """Checks every row of a sheet, collecting every error."""

    def __init__(self, by: Actor, sheet: Sheet) -> None:
        self.by = by
        self.sheet = sheet
        self.today = timezone.localdate()
        self.errors: list[RowError] = []
        values = [(row, values) for row, values in sheet.rows]
        self.regions = _regions({region_code(sheet.value(v, H.REGION_CODE)) for _, v in values})
        self.categories, self.first_level = category_index()
        self.units = units_by_name({text(sheet.value(v, H.UNIT)) for _, v in values})
        self.hazards = {
            h.code: h
            for h in Hazard.objects.filter(
                code__in={text(sheet.value(v, H.CODE)) for _, v in values} - {""}
            )
        }

    def error(self, row: int, header: str, message: str) -> None:
        letter = self.sheet.letter(header) if header in self.sheet.columns else ""
        self.errors.append(RowError(row, letter, header, message))

    def sorted_errors(self) -> list[RowError]:
        order = self.sheet.columns
        return sorted(self.errors, key=lambda e: (e.row, order.get(e.field, 0)))

    def check(self) -> tuple[list[_NewRow], int]:
        first_row: dict[str, int] = {}
        new_rows: list[_NewRow] = []
        existing = 0
        keyed: list[tuple[int, str]] = []
        for row, values in self.sheet.rows:
            code = text(self.sheet.value(values, H.CODE))
            if code:
                if self._is_existing(row, code, first_row):
                    existing += 1
                continue
            item = self._check_row(row, values)
            if item is None:
                continue
            earlier = first_row.setdefault(item.ledger_key, row)
            if earlier != row:
                self.error(
                    row,
                    H.TITLE,
                    f"与第{earlier}行重复（所在地、名称、类别、发现日期、责任单位均相同）",
                )
                continue
            keyed.append((row, item.ledger_key))
            new_rows.append(item)
        known = set(
            Hazard.objects.filter(ledger_key__in=[k for _, k in keyed]).values_list(
                "ledger_key", flat=True
            )
        )
        existing += sum(1 for item in new_rows if item.ledger_key in known)
        return [item for item in new_rows if item.ledger_key not in known], existing

    def _is_existing(self, row: int, code: str, first_row: dict[str, int]) -> bool:
        hazard = self.hazards.get(code)
        if hazard is None:
            self.error(row, H.CODE, f"编号“{code}”在平台中不存在；新登记的隐患请将编号留空")
            return False
        if not can(self.by, Action.VIEW_HAZARD, hazard):
            self.error(row, H.CODE, f"编号“{code}”的隐患不在您的管理范围内")
            return False
        earlier = first_row.setdefault(code, row)
        if earlier != row:
            self.error(row, H.CODE, f"编号与第{earlier}行重复")
            return False
        return True

    def _check_row(self, row: int, values: tuple[Any, ...]) -> _NewRow | None:
        sheet = self.sheet
        before = len(self.errors)
        failed: set[str] = set()

        def cell(header: str) -> Any:
            return sheet.value(values, header)

        def read(header: str, reader: Callable[[Any], Any], default: Any = None) -> Any:
            raw = cell(header)
            if not text(raw):
                return default
            try:
                return reader(raw)
            except BadValue as error:
                self.error(row, header, str(error))
                failed.add(header)
                return default

        for header in REQUIRED:
            if not text(cell(header)):
                self.error(row, header, f"必填，请填写{header}")
                failed.add(header)
        for header, limit in MAX_LENGTHS.items():
            if len(text(cell(header))) > limit:
                self.error(row, header, f"不能超过{limit}个字")
                failed.add(header)

        region = read(H.REGION_CODE, self._region)
        category = read(H.CATEGORY, self._category)
        level = read(H.LEVEL, _level)
        unit = read(H.UNIT, lambda raw: self._unit(raw, region))
        people = read(H.PEOPLE, _people, 1)
        amount: Decimal | None = read(H.AMOUNT, parse_amount)
        discovered_on = read(H.DISCOVERED, parse_date)
        review_days = read(H.REVIEW_DAYS, parse_int)
        read(H.STATUS, _new_status)
        if text(cell(H.CLOSED)):
            self.error(row, H.CLOSED, "新登记的隐患为管控中，销号日期应留空")
        measures = read(H.MEASURES, parse_measures, [])
        for number, line in enumerate(measures, start=1):
            if H.DISCOVERED not in failed and line.due_on < (discovered_on or self.today):
                self.error(row, H.MEASURES, f"第{number}条措施的时限早于发现日期")

        new = hazard_services.NewHazard(
            title=text(cell(H.TITLE)),
            description=text(cell(H.DESCRIPTION)),
            category=category or _STAND_IN_CATEGORY,
            region=region or _stand_in_region(unit),
            level=level or Hazard.Level.LOW,
            responsible_unit=unit or _stand_in_unit(),
            guardian_name=text(cell(H.GUARDIAN)),
            guardian_phone=text(cell(H.PHONE)),
            address=text(cell(H.ADDRESS)),
            people_count=people,
            amount=amount,
            level_reasons=text(cell(H.LEVEL_REASONS)),
            discovered_on=discovered_on,
            review_every_days=review_days,
        )
        for name, message in hazard_services.check_new_hazard(new, self.today).items():
            header = FIELD_COLUMNS.get(name, H.TITLE)
            if header not in failed:
                self.error(row, header, message)
                failed.add(header)
        if len(self.errors) > before or region is None or category is None or unit is None:
            return None
        return _NewRow(
            row=row,
            new=new,
            measures=measures,
            ledger_key=content_key(
                region=region,
                title=new.title,
                category=category,
                discovered_on=discovered_on,
                unit=unit,
            ),
        )

    # --- Looking up codes and names -------------------------------------------------------

    def _region(self, raw: Any) -> Region:
        code = region_code(raw)
        region = self.regions.get(code)
        if region is None:
            raise BadValue(f"区划代码“{text(raw)}”不存在")
        if not can(self.by, Action.REGISTER_HAZARD, Target(region_prefix=region.prefix)):
            raise BadValue(f"区划代码“{text(raw)}”（{region.name}）不在您的管理范围内")
        return region

    def _category(self, raw: Any) -> Category:
        name = text(raw)
        found = self.categories.get(name, [])
        if not found:
            if name in self.first_level:
                raise BadValue(f"“{name}”是一级分类，请填写其下的二级分类")
            raise BadValue(f"没有名为“{name}”的分类（可填写二级分类名称或分类代码）")
        if len(found) > 1:
            raise BadValue(f"“{name}”对应多个分类，请写成“一级分类/二级分类”或填写分类代码")
        category = found[0]
        if not category.is_active:
            raise BadValue(f"分类“{name}”已停用")
        return category

    def _unit(self, raw: Any, region: Region | None) -> Unit:
        name = text(raw)
        candidates = self.units.get(name, [])
        if not candidates:
            raise BadValue(f"没有名为“{name}”的单位")
        if region is None:
            return candidates[0]
        above = [u for u in candidates if region.prefix.startswith(u.region.prefix)]
        if not above:
            raise BadValue(f"“{name}”不是所在地（{region.name}）或其上级的单位")
        # The nearest one to the place, an active one first.
        return max(above, key=lambda u: (u.is_active, len(u.region.prefix)))


def region_code(raw: Any) -> str:
    """A division code as written: 530424001001, or a county's 530424 padded to 12."""
    code = "".join(text(raw).split())
    if code.isdigit() and len(code) < DIVISION_CODE_LENGTH:
        code = code.ljust(DIVISION_CODE_LENGTH, "0")
    return code


def _regions(codes: set[str]) -> dict[str, Region]:
    codes.discard("")
    return {r.code: r for r in Region.objects.filter(code__in=codes)}


def category_index() -> tuple[dict[str, list[Category]], set[str]]:
    """Every second-level category by its code, its name, and "一级/二级"; and the
    first-level names and codes (to say that one of those is not enough)."""
    found: dict[str, list[Category]] = defaultdict(list)
    first_level: set[str] = set()
    for category in Category.objects.select_related("parent"):
        if category.parent is None:
            first_level.update({category.code, category.name})
            continue
        keys = {category.code, category.name, f"{category.parent.name}/{category.name}"}
        for key in keys:
            found[key].append(category)
    return found, first_level


def units_by_name(names: set[str]) -> dict[str, list[Unit]]:
    names.discard("")
    found: dict[str, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.filter(name__in=names).select_related("region"):
        found[unit.name].append(unit)
    return found


def _people(raw: Any) -> int:
    return parse_int(text(raw).removesuffix("人") if isinstance(raw, str) else raw)


def _level(raw: Any) -> str:
    word = text(raw).removesuffix("风险")
    if word not in LEVELS:
        raise BadValue(f"“{text(raw)}”不是可选值（{LEVEL_LIST}）")
    return LEVELS[word]


def _new_status(raw: Any) -> str:
    controlled = STATUS_NAMES[Status.CONTROLLED]
    if text(raw) != controlled:
        raise BadValue(f"新登记的隐患状态只能为“{controlled}”，不能为“{text(raw)}”")
    return Status.CONTROLLED.value


# Stand-ins for a code or name that did not resolve, so that the register's other rules
# still run over the row and every error in it is reported at once. Never saved.
_STAND_IN_CATEGORY = Category(code="", name="", parent_id=0)


def _stand_in_region(unit: Unit | None) -> Region:
    return Region(code="", name="", level=Level.VILLAGE, prefix=unit.region.prefix if unit else "")


def _stand_in_unit() -> Unit:
    return Unit(name="", is_active=True, region=Region(code="", name="", prefix=""))


__all__ = [
    "ImportResult",
    "Imported",
    "LedgerImportError",
    "RowError",
    "content_key",
    "import_hazard_ledger",
]
