"""The blank hazard ledger to fill in and import: the export's layout and headers, one
example row (skipped on import), drop-down lists, and a sheet explaining each column."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import visible_regions
from zongzhi.hazards.models import Hazard
from zongzhi.hazards.rules import REVIEW_DAYS, STATUS_NAMES, Status
from zongzhi.hazards.selectors import units_for_place
from zongzhi.ledgers import layout
from zongzhi.ledgers.columns import HAZARD_COLUMNS, H
from zongzhi.ledgers.imports import REQUIRED
from zongzhi.ledgers.measures import format_measure
from zongzhi.ledgers.reading import EXAMPLE_MARK, MAX_ROWS
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit

FILENAME = "风险隐患台账导入模板.xlsx"

GUIDE = {
    H.NUMBER: "可留空；带“示例”的行不会导入",
    H.CODE: "新登记的隐患留空；填写平台已有的编号表示该隐患已在册，导入时跳过",
    H.TITLE: "不超过100字",
    H.DESCRIPTION: "隐患的基本情况",
    H.CATEGORY: "二级分类名称（如“拖欠工资”）或分类代码（如LZJF01）",
    H.REGION_CODE: "12位区划代码，网格15位；须在您的管理范围内",
    H.REGION_NAME: "仅供阅读，导入时以区划代码为准",
    H.ADDRESS: "不超过200字",
    H.PEOPLE: "整数，至少为1；留空按1人",
    H.AMOUNT: "数字，单位为元，不能为负数；可留空",
    H.LEVEL: "低/中/高/重大",
    H.LEVEL_REASONS: "风险等级为高或重大时必填",
    H.UNIT: "单位全称；须是所在地或其上级的单位",
    H.GUARDIAN: "包保责任人姓名",
    H.PHONE: "包保责任人的联系电话",
    H.MEASURES: "每行一条，注明落实人和时限，如：走访企业（落实人：张三；时限：2026-11-30）",
    H.DISCOVERED: "日期，如2026-11-05或2026年11月5日；不能晚于今天；留空为导入当天",
    H.REVIEW_DAYS: (
        "1至366的整数；留空按风险等级："
        + "，".join(f"{label}{REVIEW_DAYS[value]}天" for value, label in Hazard.Level.choices[::-1])
    ),
    H.NEXT_REVIEW: "由平台按复查周期计算，导入时不读取",
    H.STATUS: f"新登记的隐患只能为“{STATUS_NAMES[Status.CONTROLLED]}”，可留空",
    H.CLOSED: "新登记的隐患留空",
}


def hazard_template(by: Actor) -> bytes:
    example_region = (
        visible_regions(by).filter(level__gte=Region.Level.VILLAGE).order_by("code").first()
    )
    example_unit = units_for_place(example_region).first() if example_region else None
    example = _example_row(example_region, example_unit)
    ledger = layout.Ledger(
        title="风险隐患台账",
        info="填报单位：　　　　　　统计期间：　　　　　　"
        "（带“示例”的行仅作填写参考，导入时跳过；填写说明见第二个工作表）",
        columns=HAZARD_COLUMNS,
        rows=[example],
        sheet_name="风险隐患台账",
    )
    workbook = layout.workbook_for([ledger])
    ws = workbook.active
    assert ws is not None
    grey = Font(name=layout.FONT_NAME, size=10, italic=True, color="808080")
    for cell in ws[layout.FIRST_DATA_ROW]:
        cell.font = grey
    last_row = layout.FIRST_DATA_ROW + MAX_ROWS
    headers = [c.header for c in HAZARD_COLUMNS]
    for header, choices in (
        (H.LEVEL, [str(label) for _, label in Hazard.Level.choices]),
        (H.STATUS, [STATUS_NAMES[Status.CONTROLLED]]),
    ):
        letter = get_column_letter(headers.index(header) + 1)
        rule = DataValidation(
            type="list",
            formula1='"' + ",".join(choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="不是可选值",
            error="请从下拉列表中选择：" + "/".join(choices),
        )
        rule.add(f"{letter}{layout.FIRST_DATA_ROW}:{letter}{last_row}")
        ws.add_data_validation(rule)
    for header in (H.REGION_CODE, H.PHONE, H.CODE):
        # Typed codes stay text: a 15-digit grid code is not a number to round.
        letter = get_column_letter(headers.index(header) + 1)
        ws.column_dimensions[letter].number_format = "@"
    ws.auto_filter.ref = None
    _guide_sheet(workbook.create_sheet("填写说明"))
    return layout.to_bytes(workbook)


def _example_row(region: Region | None, unit: Unit | None) -> list[Any]:
    values = {
        H.NUMBER: EXAMPLE_MARK,
        H.TITLE: "某建筑工地拖欠农民工工资",
        H.DESCRIPTION: "工程已完工，施工方拖欠30名工人工资约45万元，工人多次到工地讨要。",
        H.CATEGORY: "拖欠工资",
        H.REGION_CODE: region.code if region else "",
        H.REGION_NAME: region.name if region else "",
        H.PEOPLE: 30,
        H.AMOUNT: 450000,
        H.LEVEL: "高",
        H.LEVEL_REASONS: "涉及人数多，春节前易引发群体性讨薪",
        H.UNIT: unit.name if unit else "",
        H.GUARDIAN: "张三",
        H.PHONE: "13800000000",
        H.MEASURES: format_measure(
            1,
            content="约谈施工方负责人，督促制定支付计划",
            owner="张三",
            due_on=timezone.localdate() + timedelta(days=30),
            done=False,
        ),
        H.DISCOVERED: timezone.localdate(),
        H.STATUS: STATUS_NAMES[Status.CONTROLLED],
    }
    return [values.get(c.header) for c in HAZARD_COLUMNS]


def _guide_sheet(ws: Any) -> None:
    ws.append(["列名", "是否必填", "填写要求"])
    for cell in ws[1]:
        cell.font = Font(name=layout.FONT_NAME, bold=True)
        cell.fill = layout.HEADER_FILL
        cell.border = layout.BORDER
    for column in HAZARD_COLUMNS:
        ws.append(
            [column.header, "必填" if column.header in REQUIRED else "", GUIDE[column.header]]
        )
    widths = {"A": 16, "B": 9, "C": 70}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.border = layout.BORDER
            cell.font = Font(name=layout.FONT_NAME, size=10)
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        lines = layout.lines_needed(str(row[2].value), widths["C"])
        ws.row_dimensions[row[0].row].height = lines * layout.LINE_HEIGHT + 4
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
