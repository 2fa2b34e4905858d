"""Importing the case ledger (矛盾纠纷排查化解台账) as history: all or nothing, never twice.

A centre starts on the platform with years of ledgers kept in Excel. This brings them in:
each row becomes a case as it stood — waiting (待受理), closed (待回访), visited or
archived, with its outcome and lead unit where the row gives them — registered and closed
on the row's own dates, so that it counts in the figures of its own months, found by
search, and marked as history: its channel is 历史导入 (the row's own 来源渠道 is kept in
its one timeline entry, "历史导入", which names the file and the row).

The file is the layout `export_ledger --register cases` writes, or a hand-made one: the
columns are found by their names and the names offices give them (ALIASES), the header
row anywhere in the first rows, other columns ignored. Every row is read and checked
before anything is written, and every problem is reported together by row and column;
then one transaction writes every case in bulk (no notification is sent: this is the
past). Formulas are never evaluated: a cell holding one is read as its text.

Importing a ledger again adds nothing: a row carrying a case's 查询码 is that case; any
other row is known by a digest of what it says (`content_key`), kept on the case it made
as `Case.ledger_key`.
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import can, grants_of, holds
from zongzhi.accounts.rules import Action, Target, grants_for_action
from zongzhi.cases import search
from zongzhi.cases.models import Assignment, Case, CaseEvent, DeadlinePolicy, Party
from zongzhi.cases.rules import IMPORTED_STATUSES, Status, Step
from zongzhi.cases.services import policy_for
from zongzhi.categories.models import Category
from zongzhi.core.services import actor_id, actor_name, dated_code
from zongzhi.ledgers.columns import C
from zongzhi.ledgers.imports import (
    LedgerImportError,
    RowError,
    category_index,
    ledger_digest,
    region_code,
    units_by_name,
)
from zongzhi.ledgers.reading import FileProblem, Sheet, read_sheet
from zongzhi.ledgers.values import BadValue, parse_amount, parse_date, parse_int, text
from zongzhi.regions.models import Region
from zongzhi.regions.rules import PREFIX_LENGTH, Level
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar

# A year of a county's ledgers fits in one file; the size guards of reading.py still hold.
MAX_ROWS = 20000
BATCH = 1000
REQUIRED = [C.TITLE, C.CATEGORY, C.REGISTERED]
# The place is the 发生地 (a name) or the 区划代码: one of them.
PLACE_COLUMNS = [C.PLACE, C.REGION_CODE]

# Other names offices give these columns (compared after normalise_header: spaces and
# asterisks dropped, brackets full-width).
ALIASES = {
    "编号": C.NUMBER,
    "事项名称": C.TITLE,
    "纠纷名称": C.TITLE,
    "矛盾纠纷名称": C.TITLE,
    "事项": C.TITLE,
    "标题": C.TITLE,
    "名称": C.TITLE,
    "事由": C.TITLE,
    "基本情况": C.DESCRIPTION,
    "案情": C.DESCRIPTION,
    "简要案情": C.DESCRIPTION,
    "纠纷简要情况": C.DESCRIPTION,
    "主要内容": C.DESCRIPTION,
    "事项描述": C.DESCRIPTION,
    "内容": C.DESCRIPTION,
    "所在村": C.PLACE,
    "所在村（社区）": C.PLACE,
    "村（社区）": C.PLACE,
    "发生地点": C.PLACE,
    "地点": C.PLACE,
    "所在地": C.PLACE,
    "乡镇": C.TOWNSHIP,
    "所属乡镇": C.TOWNSHIP,
    "乡镇街道": C.TOWNSHIP,
    "镇街": C.TOWNSHIP,
    "所在地区划代码": C.REGION_CODE,
    "发生地区划代码": C.REGION_CODE,
    "地址": C.ADDRESS,
    "类别": C.CATEGORY,
    "分类": C.CATEGORY,
    "类型": C.CATEGORY,
    "纠纷类型": C.CATEGORY,
    "纠纷类别": C.CATEGORY,
    "矛盾类型": C.CATEGORY,
    "事项类别": C.CATEGORY,
    "事项分类": C.CATEGORY,
    "纠纷大类": C.TOP_CATEGORY,
    "大类": C.TOP_CATEGORY,
    "登记时间": C.REGISTERED,
    "受理日期": C.REGISTERED,
    "受理时间": C.REGISTERED,
    "排查日期": C.REGISTERED,
    "排查时间": C.REGISTERED,
    "日期": C.REGISTERED,
    "来源": C.CHANNEL,
    "渠道": C.CHANNEL,
    "信息来源": C.CHANNEL,
    "事项来源": C.CHANNEL,
    "当事人姓名": C.PARTIES,
    "当事人双方": C.PARTIES,
    "反映人": C.PARTIES,
    "申请人": C.PARTIES,
    "电话": C.PHONE,
    "当事人电话": C.PHONE,
    "联系方式": C.PHONE,
    "手机号": C.PHONE,
    "人数": C.PEOPLE,
    "涉及金额": C.AMOUNT,
    "金额": C.AMOUNT,
    "风险级别": C.RISK,
    "责任单位": C.UNIT,
    "承办单位": C.UNIT,
    "办理单位": C.UNIT,
    "化解单位": C.UNIT,
    "牵头单位": C.UNIT,
    "调处单位": C.UNIT,
    "办理状态": C.STATUS,
    "化解状态": C.STATUS,
    "当前状态": C.STATUS,
    "处理状态": C.STATUS,
    "期限": C.DUE,
    "办结时限": C.DUE,
    "办结时间": C.CLOSED,
    "化解日期": C.CLOSED,
    "化解时间": C.CLOSED,
    "结案日期": C.CLOSED,
    "结案时间": C.CLOSED,
    "调处日期": C.CLOSED,
    "化解结果": C.OUTCOME,
    "办理结果": C.OUTCOME,
    "处理结果": C.OUTCOME,
    "调处结果": C.OUTCOME,
    "化解情况": C.OUTCOME,
    "结果": C.OUTCOME,
    "满意度": C.SATISFACTION,
    "回访结果": C.SATISFACTION,
    "回访情况": C.SATISFACTION,
}

# What a ledger's 状态 says, as the status the case comes in with. A finished row that
# does not say 待回访 is archived: history is not visited again.
OPEN_WORDS = [
    "待受理",
    "待派单",
    "待签收",
    "办理中",
    "在办",
    "正在办理",
    "未办结",
    "受理",
    "已受理",
    "登记",
    "已登记",
    "化解中",
    "调解中",
    "正在化解",
    "未化解",
    "未结",
]
DONE_WORDS = [
    "已归档",
    "归档",
    "已办结",
    "办结",
    "已化解",
    "化解",
    "已结案",
    "结案",
    "已完成",
    "完成",
    "已处理",
    "已调处",
    "调处成功",
    "化解成功",
]
STATUS_WORDS = {
    **dict.fromkeys(OPEN_WORDS, Status.REGISTERED),
    "待回访": Status.CLOSED,
    "已回访": Status.VISITED,
    **dict.fromkeys(DONE_WORDS, Status.ARCHIVED),
}
REFUSED_STATUSES = {
    "不予受理": "不予受理的事项不作为历史导入，请删除该行",
    "已合并": "已合并的事项计入其合并到的事项，请删除该行",
}
OUTCOMES = {str(label): value for value, label in Case.Outcome.choices}
# A hand-written result, by the words in it; the first that matches wins.
OUTCOME_WORDS = [
    (("部分",), Case.Outcome.PARTLY),
    (("不成", "失败", "未达成", "未化解", "诉讼", "仲裁"), Case.Outcome.NOT_MEDIATED),
    (("不属实", "不实"), Case.Outcome.UNFOUNDED),
    (("解释", "说明", "答复", "告知"), Case.Outcome.EXPLAINED),
    (("成功", "达成", "化解", "和解", "调解"), Case.Outcome.MEDIATED),
    (("处理", "处置", "解决", "办结", "查处"), Case.Outcome.HANDLED),
]
OUTCOME_LIST = "调解成功/部分达成/调解不成/依法处理/解释说明/不属实"
SATISFACTIONS = {
    **{str(label): value for value, label in Case.Satisfaction.choices},
    "非常满意": Case.Satisfaction.SATISFIED,
    "比较满意": Case.Satisfaction.BASICALLY,
    "很不满意": Case.Satisfaction.UNSATISFIED,
}
RISKS = {str(label): value for value, label in Case.Risk.choices}
# Separators between people in 当事人, and between the place and the address in 发生地.
PEOPLE_SEPARATORS = re.compile(r"[、，,；;/\s]+|与|和|及")
PLACE_SEPARATOR = re.compile(r"[，,；;（(\s]")
REPEATED = "与第{}行重复（发生地、标题、简要情况、分类、登记日期、当事人均相同）"
# Not a name: a party column that only says who, without naming them.
NAMELESS = "（未记姓名）"
MAX_LENGTHS = {C.TITLE: 100, C.ADDRESS: 200}
MAX_DESCRIPTION = 5000


@dataclass(frozen=True)
class ImportedCase:
    row: int
    case: Case


@dataclass
class CaseImportResult:
    created: list[ImportedCase] = field(default_factory=list)
    existing: int = 0  # rows recognised as cases already on the platform


@dataclass
class _Row:
    """One checked row, ready to write."""

    row: int
    case: Case
    parties: list[tuple[str, str]]
    ledger: dict[str, str]  # what the ledger said that the case keeps only in its timeline


def import_case_ledger(*, by: Actor, content: bytes, filename: str = "") -> CaseImportResult:
    """Bring every new row of the case ledger `content` (an .xlsx file) in as a case, or
    none."""
    if not holds(by, Action.IMPORT_CASE_LEDGER):
        raise PermissionDenied("您无权导入矛盾纠纷排查化解台账")
    try:
        sheet = read_sheet(
            content,
            filename=filename,
            anchors=[C.TITLE],
            aliases=ALIASES,
            max_rows=MAX_ROWS,
            formulas_as_text=True,
        )
    except FileProblem as problem:
        raise LedgerImportError([RowError(0, "", "", problem.message)]) from None
    missing = [name for name in REQUIRED if name not in sheet.columns]
    if not any(name in sheet.columns for name in PLACE_COLUMNS):
        missing.append(C.PLACE)
    if missing:
        raise LedgerImportError(
            [RowError(sheet.header_row, "", "", f"表头缺少列：{'、'.join(missing)}")]
        )
    if not sheet.rows:
        raise LedgerImportError([RowError(0, "", "", "表格中没有要导入的数据行")])
    checker = _Checker(by, sheet)
    rows, existing = checker.check()
    if checker.errors:
        raise LedgerImportError(checker.sorted_errors())
    name = filename or "台账"
    return _write(by, rows, existing, name)


def content_key(
    *,
    region: Region,
    title: str,
    description: str,
    category: Category,
    registered_on: date,
    parties: list[tuple[str, str]],
) -> str:
    """The ledger key of a row without a 查询码: a digest of what makes it this case (a
    ledger's titles repeat — "邻里纠纷" — so its description and parties count too)."""
    parts = [
        region.code,
        " ".join(title.split()),
        " ".join(description.split()),
        category.code,
        registered_on.isoformat(),
        ",".join(name for name, _ in parties),
    ]
    return ledger_digest(parts)


# --- Writing ------------------------------------------------------------------------------


def _write(by: Actor, rows: list[_Row], existing: int, filename: str) -> CaseImportResult:
    """One transaction, in bulk: the cases, their parties, their lead units and one
    timeline entry each. Another import of the same file that got there first makes a key
    or a code collide, and the whole file rolls back."""
    now = timezone.now()
    who, name = actor_id(by), actor_name(by)
    try:
        with transaction.atomic():
            for start in range(0, len(rows), BATCH):
                _write_batch(rows[start : start + BATCH], who, name, now, filename)
    except IntegrityError as error:
        raise LedgerImportError(
            [RowError(0, "", "", "部分行已由另一次导入写入，未导入任何数据；请重新导入本文件")]
        ) from error
    return CaseImportResult(
        created=[ImportedCase(item.row, item.case) for item in rows], existing=existing
    )


def _write_batch(
    rows: list[_Row], who: int | None, name: str, now: datetime, filename: str
) -> None:
    Case.objects.bulk_create([item.case for item in rows])
    Party.objects.bulk_create(
        Party(
            case=item.case,
            role=Party.Role.APPLICANT,
            name=party,
            phone=phone,
            phone_digits=search.digits(phone),
        )
        for item in rows
        for party, phone in item.parties
    )
    Assignment.objects.bulk_create(
        Assignment(
            case=item.case,
            unit=item.case.lead_unit,
            kind=Assignment.Kind.LEAD,
            since=item.case.registered_at,
        )
        for item in rows
        if item.case.lead_unit is not None
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=item.case,
            step=Step.IMPORT,
            from_status="",
            to_status=item.case.status,
            at=now,
            actor_id=who,
            actor_name=name,
            note=_note(filename, item),
            data={"file": filename, "row": item.row, **item.ledger},
        )
        for item in rows
    )


# What the ledger said that the case keeps only in its timeline entry.
LEDGER_FIELDS = {"channel": "来源渠道", "status": "状态", "lead_unit": "主办单位"}


def _note(filename: str, item: _Row) -> str:
    said = "；".join(
        f"{label}：{item.ledger[key]}" for key, label in LEDGER_FIELDS.items() if item.ledger[key]
    )
    return f"从“{filename}”第{item.row}行导入" + (f"（原台账{said}）" if said else "")


# --- Checking -----------------------------------------------------------------------------


class _Checker:
    """Checks every row of a sheet, collecting every error; looks every code and name up
    once for the whole file."""

    def __init__(self, by: Actor, sheet: Sheet) -> None:
        self.by = by
        self.sheet = sheet
        self.today = timezone.localdate()
        self.tz = timezone.get_current_timezone()
        self.errors: list[RowError] = []
        values = [v for _, v in sheet.rows]
        self.categories, self.first_level = category_index()
        self.units = units_by_name({text(sheet.value(v, C.UNIT)) for v in values})
        self.places = _Places(by, sheet, values)
        codes = {_code_text(sheet.value(v, C.CODE)) for v in values} - {""}
        self.cases = {
            c.code: c for c in Case.objects.filter(code__in=codes).prefetch_related("assignments")
        }
        self.policies: dict[int, DeadlinePolicy] = {}
        self.calendar = current_calendar()
        self.due: dict[tuple[int, str], date] = {}

    def error(self, row: int, header: str, message: str) -> None:
        letter = self.sheet.letter(header) if header in self.sheet.columns else ""
        self.errors.append(RowError(row, letter, header, message))

    def sorted_errors(self) -> list[RowError]:
        order = self.sheet.columns
        return sorted(self.errors, key=lambda e: (e.row, order.get(e.field, 0)))

    def check(self) -> tuple[list[_Row], int]:
        first_row: dict[str, int] = {}
        rows: list[_Row] = []
        existing = 0
        for row, values in self.sheet.rows:
            code = _code_text(self.sheet.value(values, C.CODE))
            if code and code in self.cases:
                if self._is_existing(row, code, first_row):
                    existing += 1
                continue
            item = self._check_row(row, values, code)
            if item is None:
                continue
            if self._repeats(row, code, first_row, C.CODE, "查询码与第{}行重复"):
                continue
            if self._repeats(row, item.case.ledger_key or "", first_row, C.TITLE, REPEATED):
                continue
            rows.append(item)
        known = set(
            Case.objects.filter(ledger_key__in=[r.case.ledger_key for r in rows]).values_list(
                "ledger_key", flat=True
            )
        )
        existing += sum(1 for r in rows if r.case.ledger_key in known)
        return [r for r in rows if r.case.ledger_key not in known], existing

    def _repeats(
        self, row: int, key: str, first_row: dict[str, int], header: str, message: str
    ) -> bool:
        """Whether an earlier row of the file has the same `key` (reported if so)."""
        if not key:
            return False
        earlier = first_row.setdefault(key, row)
        if earlier != row:
            self.error(row, header, message.format(earlier))
        return earlier != row

    def _is_existing(self, row: int, code: str, first_row: dict[str, int]) -> bool:
        if not can(self.by, Action.VIEW_CASE, self.cases[code]):
            self.error(row, C.CODE, f"查询码“{code}”的事项不在您的管理范围内")
            return False
        earlier = first_row.setdefault(code, row)
        if earlier != row:
            self.error(row, C.CODE, f"查询码与第{earlier}行重复")
            return False
        return True

    def _check_row(self, row: int, values: tuple[Any, ...], code: str) -> _Row | None:
        sheet = self.sheet
        before = len(self.errors)

        def cell(header: str) -> Any:
            return sheet.value(values, header)

        def read(header: str, reader: Callable[[Any], Any], default: Any = None) -> Any:
            raw = cell(header)
            if not text(raw):
                return default
            try:
                if isinstance(raw, str) and raw.lstrip().startswith("="):
                    raise BadValue(f"是公式（{_short(raw)}），平台不计算公式，请填写值")
                return reader(raw)
            except BadValue as error:
                self.error(row, header, str(error))
                return default

        for header in REQUIRED:
            if not text(cell(header)):
                self.error(row, header, f"必填，请填写{header}")
        for header, limit in MAX_LENGTHS.items():
            if len(text(cell(header))) > limit:
                self.error(row, header, f"不能超过{limit}个字")
        if len(text(cell(C.DESCRIPTION))) > MAX_DESCRIPTION:
            self.error(row, C.DESCRIPTION, f"不能超过{MAX_DESCRIPTION}个字")
        if code and search.code_of(code) is None:
            self.error(
                row,
                C.CODE,
                f"查询码“{code}”不存在，也不是平台的查询码格式（如261208-WBZ98Z）；"
                "非本平台导出的台账请将该列留空",
            )

        registered: datetime | None = read(C.REGISTERED, self._moment)
        place = self.places.find(row, values, self)
        category = read(C.CATEGORY, lambda raw: self._category(raw, cell(C.TOP_CATEGORY)))
        people = read(C.PEOPLE, _people, 1)
        amount: Decimal | None = read(C.AMOUNT, parse_amount)
        risk = read(C.RISK, _risk, Case.Risk.LOW)
        status = read(C.STATUS, _status)
        closed_on: date | None = read(C.CLOSED, parse_date)
        due_on: date | None = read(C.DUE, parse_date)
        outcome: tuple[str, str] | None = read(C.OUTCOME, _outcome)
        satisfaction = read(C.SATISFACTION, _satisfaction, "")
        parties = self._parties(row, text(cell(C.PARTIES)), text(cell(C.PHONE)))
        if people is not None and people < 1:
            self.error(row, C.PEOPLE, "涉及人数至少为1")
        if amount is not None and amount < 0:
            self.error(row, C.AMOUNT, "涉及金额不能为负数")

        registered_on = timezone.localtime(registered, self.tz).date() if registered else None
        if registered_on is not None and registered_on > self.today:
            self.error(row, C.REGISTERED, "登记日期不能晚于今天")
        finished = bool(closed_on or outcome)
        if status is None and not text(cell(C.STATUS)):
            status = Status.ARCHIVED if finished else Status.REGISTERED
        if status == Status.REGISTERED and finished:
            self.error(row, C.STATUS, "状态为未办结，却填写了办结日期或办结结果")
        elif status is not None and status != Status.REGISTERED:
            if closed_on is None and not text(cell(C.CLOSED)):
                self.error(row, C.CLOSED, "已办结的事项须填写办结日期")
            if outcome is None and not text(cell(C.OUTCOME)):
                self.error(row, C.OUTCOME, f"已办结的事项须填写办结结果（{OUTCOME_LIST}）")
            if status == Status.VISITED and not satisfaction and not text(cell(C.SATISFACTION)):
                self.error(row, C.SATISFACTION, "已回访的事项须填写回访满意度")
            if status == Status.CLOSED and satisfaction:
                self.error(row, C.SATISFACTION, "待回访的事项尚无回访满意度")
        if closed_on is not None:
            if closed_on > self.today:
                self.error(row, C.CLOSED, "办结日期不能晚于今天")
            elif registered_on is not None and closed_on < registered_on:
                self.error(row, C.CLOSED, "办结日期早于登记日期")
        unit = None
        if text(cell(C.UNIT)) and place is not None:
            unit = read(C.UNIT, lambda raw: self._unit(raw, place))

        if len(self.errors) > before:
            return None
        assert registered is not None and registered_on is not None
        assert place is not None and category is not None and status is not None
        region, address = place
        title = text(cell(C.TITLE))
        # A ledger without a description: its title says what the matter was.
        description = text(cell(C.DESCRIPTION)) or title
        case = self._case(
            code=code,
            title=title,
            description=description,
            region=region,
            address=address,
            category=category,
            people=people,
            amount=amount,
            risk=risk,
            status=status,
            registered=registered,
            closed_on=closed_on,
            due_on=due_on,
            outcome=outcome,
            satisfaction=satisfaction,
            unit=unit if status != Status.REGISTERED else None,
            parties=parties,
        )
        case.ledger_key = content_key(
            region=region,
            title=title,
            description=description,
            category=category,
            registered_on=registered_on,
            parties=parties,
        )
        ledger = {
            "channel": text(cell(C.CHANNEL)),
            "status": text(cell(C.STATUS)),
            # An open row's unit is not on the case (the centre dispatches it anew).
            "lead_unit": unit.name if unit is not None and case.lead_unit is None else "",
        }
        return _Row(row=row, case=case, parties=parties, ledger=ledger)

    def _case(
        self,
        *,
        code: str,
        title: str,
        description: str,
        region: Region,
        address: str,
        category: Category,
        people: int,
        amount: Decimal | None,
        risk: str,
        status: Status,
        registered: datetime,
        closed_on: date | None,
        due_on: date | None,
        outcome: tuple[str, str] | None,
        satisfaction: str,
        unit: Unit | None,
        parties: list[tuple[str, str]],
    ) -> Case:
        assert status in IMPORTED_STATUSES
        policy = self.policies.get(category.pk)
        if policy is None:
            policy = policy_for(channel=Case.Channel.LEDGER, category=category, urgent=False)
            self.policies[category.pk] = policy
        registered_on = timezone.localtime(registered, self.tz).date()
        centre = self.places.centre_of(region)
        still_open = status == Status.REGISTERED
        case = Case(
            code=code or dated_code(registered_on, length=6),
            channel=Case.Channel.LEDGER,
            category=category,
            title=title,
            description=description,
            region=region,
            region_prefix=region.prefix,
            address=address,
            centre=centre,
            centre_prefix=centre.prefix,
            people_count=people,
            amount=amount,
            risk_level=risk,
            status=status,
            lead_unit=unit,
            outcome=outcome[0] if outcome else "",
            outcome_note=outcome[1] if outcome else "",
            satisfaction=satisfaction,
            policy=policy,
            counting=policy.counting,
            accept_days=policy.accept_days,
            handle_days=policy.handle_days,
            warn_days=policy.warn_days,
            # A case still owed comes in today: its acceptance clock starts now, not on a
            # date long past (which would make every imported open case overdue at once).
            due_on=self._acceptance_due(policy) if still_open else None,
            closed_due_on=None if still_open else due_on,
            registered_at=registered,
            accepted_on=None if still_open else registered_on,
            closed_on=None if still_open else closed_on,
        )
        case.search_text = search.search_text(
            code=case.code,
            title=title,
            description=description,
            address=address,
            parties=parties,
        )
        return case

    def _acceptance_due(self, policy: DeadlinePolicy) -> date:
        key = (policy.accept_days, policy.counting)
        if key not in self.due:
            self.due[key] = self.calendar.deadline(self.today, policy.accept_days, policy.counting)
        return self.due[key]

    # --- Reading cells ---------------------------------------------------------------------

    def _moment(self, raw: Any) -> datetime:
        """A registration date, or date and time: the time is kept when the cell has one,
        else the day begins at midnight (Beijing time)."""
        if isinstance(raw, datetime):
            moment = raw
        else:
            try:
                moment = datetime.combine(parse_date(raw), time.min)
            except BadValue:
                words = text(raw).replace("T", " ").split()
                if len(words) != 2:
                    raise
                moment = datetime.combine(parse_date(words[0]), _clock(words[1]))
        return timezone.make_aware(moment, self.tz) if timezone.is_naive(moment) else moment

    def _category(self, raw: Any, top: Any) -> Category:
        name = text(raw)
        found = self.categories.get(name) or self.categories.get(_other_form(name), [])
        top_name = text(top)
        if len(found) > 1 and top_name:
            found = [c for c in found if c.parent and top_name in {c.parent.name, c.parent.code}]
        if not found:
            if name in self.first_level:
                raise BadValue(f"“{name}”是一级分类，请填写其下的二级分类")
            raise BadValue(f"没有名为“{name}”的分类（可填写二级分类名称或分类代码）")
        if len(found) > 1:
            raise BadValue(f"“{name}”对应多个分类，请同时填写一级分类或填写分类代码")
        return found[0]  # a category retired since is still the history's

    def _unit(self, raw: Any, place: tuple[Region, str]) -> Unit:
        name = text(raw)
        region = place[0]
        candidates = self.units.get(name, [])
        if not candidates:
            raise BadValue(f"没有名为“{name}”的单位（请先在平台中建立该单位，或将该格留空）")
        above = [u for u in candidates if region.prefix.startswith(u.region.prefix)]
        if not above:
            raise BadValue(f"“{name}”不是发生地（{region.name}）或其上级的单位")
        return max(above, key=lambda u: (u.is_active, len(u.region.prefix)))

    def _parties(self, row: int, names: str, phone: str) -> list[tuple[str, str]]:
        people = [p for p in PEOPLE_SEPARATORS.split(names) if p]
        if phone and not people:
            people = [NAMELESS]
        for person in people:
            if len(person) > 100:
                self.error(row, C.PARTIES, "当事人姓名不能超过100个字")
                return []
        if len(phone) > 30:
            self.error(row, C.PHONE, "联系电话不能超过30个字符")
            return []
        # The phone is the first party's: a ledger keeps one number, the applicant's.
        return [(person, phone if index == 0 else "") for index, person in enumerate(people)]


class _Places:
    """Where each row's case happened: by its 区划代码, or by the name in 发生地 (a
    village's or grid's name, after its township's when the name alone is not enough;
    what follows a comma is the address), among the places the importer covers."""

    def __init__(self, by: Actor, sheet: Sheet, values: list[tuple[Any, ...]]) -> None:
        self.by = by
        self.sheet = sheet
        self.stripped: dict[str, tuple[Region | None, str]] = {}
        self.covered: dict[str, bool] = {}
        scope = _import_scope(by)
        within = Q(level__gte=Level.COUNTY)
        if scope is not None:
            near = Q()
            for prefix in scope:
                near |= Q(prefix__startswith=prefix)
                # The county and township names the importer's place lies in.
                near |= Q(prefix__in=[prefix[:n] for n in PREFIX_LENGTH.values() if n <= 9])
            within &= near
        areas = list(Region.objects.filter(within, level__lte=Level.TOWNSHIP))
        # Longest first: "宁州街道右所社区" loses its township before anything shorter.
        self.areas = sorted(areas, key=lambda r: -len(r.name))
        self.area_names = {r.name for r in areas}
        names: set[str] = set()
        codes: set[str] = set()
        for v in values:
            codes.add(region_code(sheet.value(v, C.REGION_CODE)))
            head, rest = _split_place(text(sheet.value(v, C.PLACE)))
            names.add(head)
            names.add(self._strip_areas(head)[1])
            names.add(_split_place(rest)[0])  # 宁州街道 右所社区
        names.discard("")
        codes.discard("")
        found = Region.objects.filter(
            Q(name__in=names) | Q(code__in=codes), level__gte=Level.COUNTY
        ).order_by("code")
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        self.by_code: dict[str, Region] = {}
        for region in [*found, *areas]:
            self.by_code[region.code] = region
        for region in self.by_code.values():
            self.by_name[region.name].append(region)
        centres = {r.prefix[: PREFIX_LENGTH[Level.TOWNSHIP]] for r in self.by_code.values()}
        self.centres = {
            r.prefix: r
            for r in Region.objects.filter(prefix__in=centres | {r.prefix for r in areas})
        }

    def centre_of(self, region: Region) -> Region:
        """The centre answering first for a place (as `services.centre_for`)."""
        if region.level <= Level.COUNTY:
            return region
        return self.centres[region.prefix[: PREFIX_LENGTH[Level.TOWNSHIP]]]

    def _strip_areas(self, name: str) -> tuple[Region | None, str]:
        """The county or township a name begins with, and the rest: 宁州街道右所社区.
        A ledger names the same places over and over: each is worked out once."""
        if name not in self.stripped:
            self.stripped[name] = self._strip(name)
        return self.stripped[name]

    def _strip(self, name: str) -> tuple[Region | None, str]:
        area = None
        stripped = True
        while stripped and name:
            stripped = False
            for candidate in self.areas:
                if name.startswith(candidate.name) and (
                    area is None or candidate.prefix.startswith(area.prefix)
                ):
                    area, name = candidate, name[len(candidate.name) :]
                    stripped = True
                    break
        return area, name

    def find(
        self, row: int, values: tuple[Any, ...], checker: _Checker
    ) -> tuple[Region, str] | None:
        sheet = self.sheet
        address = text(sheet.value(values, C.ADDRESS))
        code = region_code(sheet.value(values, C.REGION_CODE))
        written = text(sheet.value(values, C.PLACE))
        head, rest = _split_place(written)
        address = address or rest
        if len(address) > MAX_LENGTHS[C.ADDRESS]:
            checker.error(
                row, C.ADDRESS if C.ADDRESS in sheet.columns else C.PLACE, "详细地址不能超过200个字"
            )
            return None
        if code:
            region = self.by_code.get(code)
            if region is None:
                checker.error(row, C.REGION_CODE, f"区划代码“{code}”不存在")
                return None
            return self._permitted(row, C.REGION_CODE, region, checker, address)
        if not head:
            checker.error(row, C.PLACE, f"必填，请填写{C.PLACE}（村（社区）名称）或区划代码")
            return None
        township = text(sheet.value(values, C.TOWNSHIP))
        area, name = self._strip_areas(township + head)
        if area is not None and not name and rest:
            # "宁州街道 右所社区": the township, then the village after a space.
            following, remainder = _split_place(rest)
            if any(r.prefix.startswith(area.prefix) for r in self.by_name.get(following, [])):
                name = following
                address = text(sheet.value(values, C.ADDRESS)) or remainder
        if area is not None and not name:
            return self._permitted(row, C.PLACE, area, checker, address)
        found = self.by_name.get(name, [])
        if area is not None:
            found = [r for r in found if r.prefix.startswith(area.prefix)]
        inside = [r for r in found if self._covers(r)]
        if not found:
            checker.error(
                row,
                C.PLACE,
                f"找不到发生地“{head}”（请填写平台中村（社区）或网格的名称，或填写区划代码）",
            )
            return None
        if not inside:
            checker.error(row, C.PLACE, f"发生地“{head}”不在您的管理范围内")
            return None
        if len(inside) > 1:
            checker.error(
                row,
                C.PLACE,
                f"“{head}”对应多个地方，请写成“乡镇（街道）+村（社区）”或填写区划代码",
            )
            return None
        return inside[0], address

    def _covers(self, region: Region) -> bool:
        if region.prefix not in self.covered:
            self.covered[region.prefix] = can(
                self.by, Action.IMPORT_CASE_LEDGER, Target(region_prefix=region.prefix)
            )
        return self.covered[region.prefix]

    def _permitted(
        self, row: int, header: str, region: Region, checker: _Checker, address: str
    ) -> tuple[Region, str] | None:
        if not self._covers(region):
            checker.error(row, header, f"发生地“{region.name}”不在您的管理范围内")
            return None
        return region, address


def _import_scope(by: Actor) -> list[str] | None:
    """The region prefixes the importer imports in; None for everywhere."""
    if by.is_superuser:
        return None
    grants = grants_for_action(grants_of(by), Action.IMPORT_CASE_LEDGER)
    return sorted({g.region_prefix for g in grants})


def _split_place(written: str) -> tuple[str, str]:
    """发生地 as the export writes it: the place's name, then a comma and the address."""
    parts = PLACE_SEPARATOR.split(written.strip(), maxsplit=1)
    head = parts[0].strip()
    rest = parts[1].strip().rstrip("）)").strip() if len(parts) > 1 else ""
    return head, rest


def _code_text(raw: Any) -> str:
    """A 查询码 as the platform writes it, however it was typed (without the dash too)."""
    typed = "".join(text(raw).split()).upper()
    return search.code_of(typed) or typed


def _short(raw: str) -> str:
    return raw if len(raw) <= 20 else raw[:19] + "…"


def _other_form(name: str) -> str:
    """相邻关系纠纷 for 相邻关系, and the other way round."""
    return name.removesuffix("纠纷") if name.endswith("纠纷") else name + "纠纷"


def _clock(raw: str) -> time:
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?", raw)
    if match is None:
        raise BadValue(f"“{raw}”不是有效时间（请写成14:30）")
    try:
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        raise BadValue(f"“{raw}”不是有效时间") from None


def _people(raw: Any) -> int:
    return parse_int(text(raw).removesuffix("人") if isinstance(raw, str) else raw)


def _risk(raw: Any) -> str:
    word = text(raw).removesuffix("风险")
    if word not in RISKS:
        raise BadValue(f"“{text(raw)}”不是可选值（{'/'.join(RISKS)}）")
    return RISKS[word]


def _status(raw: Any) -> Status:
    word = text(raw)
    if word in REFUSED_STATUSES:
        raise BadValue(REFUSED_STATUSES[word])
    if word not in STATUS_WORDS:
        raise BadValue(
            f"无法识别状态“{word}”（可填写：待受理、办理中、待回访、已回访、已办结、已归档）"
        )
    return STATUS_WORDS[word]


def _outcome(raw: Any) -> tuple[str, str]:
    """The outcome, and the ledger's own words when they say more than its name."""
    said = text(raw)
    if said in OUTCOMES:
        return OUTCOMES[said], ""
    for words, outcome in OUTCOME_WORDS:
        if any(word in said for word in words):
            return outcome, said
    raise BadValue(f"无法识别办结结果“{_short(said)}”（可填写：{OUTCOME_LIST}）")


def _satisfaction(raw: Any) -> str:
    word = text(raw)
    if word not in SATISFACTIONS:
        raise BadValue(f"“{word}”不是可选值（满意/基本满意/不满意）")
    return SATISFACTIONS[word]


__all__ = ["CaseImportResult", "ImportedCase", "content_key", "import_case_ledger"]
