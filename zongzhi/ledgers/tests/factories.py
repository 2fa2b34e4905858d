"""Records and files for the ledger tests, made as users make them."""

from collections.abc import Sequence
from datetime import date, timedelta
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.categories.models import Category
from zongzhi.conftest import Cast
from zongzhi.hazards import services
from zongzhi.hazards.models import Hazard
from zongzhi.ledgers import layout
from zongzhi.ledgers.columns import CASE_COLUMNS, HAZARD_COLUMNS, C, H
from zongzhi.regions.models import Region
from zongzhi.screening import services as screening
from zongzhi.screening.models import ScreeningRound, ScreeningSchedule

HEADERS = [c.header for c in HAZARD_COLUMNS]
# The header row as printed: a unit in brackets on its own line.
LABELS = [c.label for c in HAZARD_COLUMNS]


def category(code: str = "LZJF01") -> Category:
    return Category.objects.select_related("parent").get(code=code)


def hazard(cast: Cast, **overrides: Any) -> Hazard:
    by = overrides.pop("by", cast.by_role[Role.INTAKE_OFFICER])
    values: dict[str, Any] = {
        "title": "建筑工地拖欠工资",
        "description": "施工方拖欠12名工人工资。",
        "category": category(),
        "region": cast.places.v1,
        "level": Hazard.Level.MEDIUM,
        "responsible_unit": cast.units.t1_station,
        "guardian_name": "王包保",
        "guardian_phone": "13900000001",
        "people_count": 12,
    }
    values.update(overrides)
    return services.hazard_register(by=by, new=services.NewHazard(**values))


CASE_HEADERS = [c.header for c in CASE_COLUMNS]


def case_row(**overrides: Any) -> dict[str, Any]:
    """One row of a case ledger as the export writes it: a dispute at 右所社区, settled
    and archived last year."""
    cells: dict[str, Any] = {
        C.REGISTERED: date(2025, 3, 4),
        C.CHANNEL: "来访",
        C.TOP_CATEGORY: "邻里纠纷",
        C.CATEGORY: "相邻关系",
        C.TITLE: "邻居占道堆放杂物",
        C.DESCRIPTION: "王某反映邻居在共用通道堆放柴草，多次协商未果。",
        C.PLACE: "右所社区，幸福小区3栋",
        C.PARTIES: "王五",
        C.PEOPLE: 2,
        C.RISK: "低",
        C.UNIT: "宁州派出所",
        C.STATUS: "已归档",
        C.CLOSED: date(2025, 3, 20),
        C.OUTCOME: "调解成功",
        C.SATISFACTION: "满意",
    }
    cells.update(overrides)
    return cells


def open_sheet(content: bytes) -> Worksheet:
    workbook = load_workbook(BytesIO(content))
    ws = workbook.active
    assert ws is not None
    return ws


def row_values(**cells: Any) -> dict[str, Any]:
    """One ledger row by header; anything not given is blank."""
    return cells


def good_row(cast: Cast, **overrides: Any) -> dict[str, Any]:
    cells: dict[str, Any] = {
        H.TITLE: "物业公司与业主停车费纠纷",
        H.DESCRIPTION: "小区物业上调停车费，业主集体反对，多次聚集。",
        H.CATEGORY: "物业服务",
        H.REGION_CODE: cast.places.v1.code,
        H.REGION_NAME: cast.places.v1.name,
        H.ADDRESS: "右所社区幸福小区",
        H.PEOPLE: 40,
        H.AMOUNT: 12000.5,
        H.LEVEL: "中",
        H.UNIT: cast.units.t1_station.name,
        H.GUARDIAN: "李包保",
        H.PHONE: "13900000002",
        H.DISCOVERED: date(2026, 1, 5),
        H.STATUS: "管控中",
    }
    cells.update(overrides)
    return cells


def ledger_file(
    rows: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] = HEADERS,
    title_rows: bool = True,
    blank_between: bool = False,
) -> bytes:
    """A filled hazard ledger as an office makes it: the title rows, the header row, the
    rows (a blank row between each when asked)."""
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    if title_rows:
        ws.append(["华宁县风险隐患台账"])
        ws.append(["填报单位：宁州街道"])
    ws.append(list(headers))
    for number, cells in enumerate(rows, start=1):
        ws.append([number if h == H.NUMBER else cells.get(h) for h in headers])
        if blank_between:
            ws.append([])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, date):
            cell.number_format = layout.DATE_FORMAT
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def first_data_row(title_rows: bool = True) -> int:
    return 4 if title_rows else 2


def campaign(
    region: Region, *, start: date, days: int = 7, due_in: int = 2, title: str = ""
) -> ScreeningRound:
    """A special screening round over `region`'s grids."""
    end = start + timedelta(days=days - 1)
    return screening.launch_campaign(
        by=SYSTEM,
        title=title or f"专项排查{start:%m%d}",
        region=region,
        period_start=start,
        period_end=end,
        due_on=end + timedelta(days=due_in),
        reporters=ScreeningSchedule.Reporters.REGIONS,
        reporter_level=Region.Level.GRID,
    )
