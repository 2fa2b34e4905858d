"""The one sheet layout every ledger (台账) is filed in.

A title row merged across the table, a line naming the filing unit, the period and the
export time, then the header row; frozen below the header, filtered on it, and printed
landscape on A4, one page wide, with the header repeated on every page. Dates are dates,
amounts are numbers: an office sorts, filters and sums the sheet as it is.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 3
FIRST_DATA_ROW = 4

FONT_NAME = "宋体"  # what Chinese offices file in; LibreOffice substitutes a CJK serif
DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
INT_FORMAT = "0"

_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


class Kind(StrEnum):
    TEXT = "text"  # short text, one line, centred (状态, 风险等级 …)
    WRAP = "wrap"  # long text, wrapped, left-aligned (名称, 地址, 措施 …)
    CODE = "code"  # codes kept as text so Excel never turns them into numbers
    DATE = "date"
    INT = "int"
    AMOUNT = "amount"


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in Excel's character units; a Chinese character is about two
    kind: Kind = Kind.TEXT

    @property
    def label(self) -> str:
        """The header as printed: a unit in brackets goes on its own line (涉及金额/（元）).
        Reading a ledger back ignores the line break."""
        return self.header.replace("（", "\n（", 1) if "（" in self.header[1:] else self.header


@dataclass(frozen=True)
class Ledger:
    """One ledger, ready to write: its title, the line under it, its columns and rows."""

    title: str
    info: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]]
    sheet_name: str


_ALIGN = {
    Kind.TEXT: Alignment(horizontal="center", vertical="center", wrap_text=True),
    Kind.WRAP: Alignment(horizontal="left", vertical="center", wrap_text=True),
    Kind.CODE: Alignment(horizontal="center", vertical="center"),
    Kind.DATE: Alignment(horizontal="center", vertical="center"),
    Kind.INT: Alignment(horizontal="center", vertical="center"),
    Kind.AMOUNT: Alignment(horizontal="right", vertical="center"),
}
_FORMAT = {
    Kind.CODE: "@",
    Kind.DATE: DATE_FORMAT,
    Kind.INT: INT_FORMAT,
    Kind.AMOUNT: AMOUNT_FORMAT,
}
_BODY_FONT = Font(name=FONT_NAME, size=10)


def info_line(*, unit: str, start: date, end: date, exported: str, count: int) -> str:
    return (
        f"填报单位：{unit}　统计期间：{chinese_date(start)}至{chinese_date(end)}"
        f"　导出时间：{exported}　共{count}条"
    )


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# A cell whose text begins with one of these is a formula (or, through DDE, a command) to
# Excel and LibreOffice when typed or edited; a resident can write any of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write `value` into a cell, text that could be read as a formula kept as text: stored
    as a string and marked with the quote prefix, as if typed with a leading apostrophe, so
    that editing the cell later does not turn it into a formula either."""
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_ledger(ws: Worksheet, ledger: Ledger) -> None:
    """Write `ledger` onto the empty sheet `ws` in the filing layout."""
    columns = ledger.columns
    last = get_column_letter(len(columns))
    ws.title = ledger.sheet_name[:31]

    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    title = put(ws, TITLE_ROW, 1, ledger.title)
    title.font = Font(name=FONT_NAME, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 32

    ws.merge_cells(f"A{INFO_ROW}:{last}{INFO_ROW}")
    info = put(ws, INFO_ROW, 1, ledger.info)
    info.font = Font(name=FONT_NAME, size=10)
    info.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[INFO_ROW].height = 20

    header_font = Font(name=FONT_NAME, size=10, bold=True)
    header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header_lines = 1
    for index, column in enumerate(columns, start=1):
        cell = put(ws, HEADER_ROW, index, column.label)
        cell.font = header_font
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = header_align
        ws.column_dimensions[get_column_letter(index)].width = column.width
        header_lines = max(header_lines, lines_needed(column.label, column.width))
    ws.row_dimensions[HEADER_ROW].height = max(30, header_lines * LINE_HEIGHT + 6)

    row_number = HEADER_ROW
    for row_number, values in enumerate(ledger.rows, start=FIRST_DATA_ROW):
        _write_row(ws, row_number, columns, values)

    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(row_number, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = ws.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    margins = ws.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.6
    margins.header = margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9


def _write_row(ws: Worksheet, row: int, columns: Sequence[Column], values: Sequence[Any]) -> None:
    lines = 1
    for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
        cell = put(ws, row, index, _cell_value(column.kind, value))
        cell.border = BORDER
        cell.font = _BODY_FONT
        cell.alignment = _ALIGN[column.kind]
        number_format = _FORMAT.get(column.kind)
        if number_format is not None:
            cell.number_format = number_format
        if column.kind in {Kind.WRAP, Kind.TEXT} and isinstance(cell.value, str):
            lines = max(lines, lines_needed(cell.value, column.width))
    # Neither Excel nor LibreOffice sizes a row to its wrapped text when it opens a file,
    # so the height is set from the longest cell, up to the most Excel allows.
    ws.row_dimensions[row].height = min(lines * LINE_HEIGHT + 4, MAX_ROW_HEIGHT)


LINE_HEIGHT = 14.0  # points per line of 10-point text (CJK fonts run tall)
MAX_ROW_HEIGHT = 409.0  # Excel's limit, in points: a long description scrolls within it


def text_width(value: str) -> float:
    """Width in Excel's character units (the default font's digit) of 10-point text: a
    Chinese character takes nearly two."""
    return sum(0.95 if ord(ch) < 0x2E80 else 1.85 for ch in value)


def lines_needed(value: str, width: float) -> int:
    per_line = max(1.0, width - 0.5)  # the cell's padding
    return sum(max(1, math.ceil(text_width(line) / per_line)) for line in value.split("\n"))


def _cell_value(kind: Kind, value: Any) -> Any:
    if value is None or value == "":
        return None
    if kind == Kind.AMOUNT:
        return float(value)  # a number Excel can sum; two decimals shown by the format
    if kind in {Kind.CODE, Kind.TEXT, Kind.WRAP}:
        return str(value)
    return value


def workbook_for(ledgers: Iterable[Ledger]) -> Workbook:
    workbook = Workbook()
    first = True
    for ledger in ledgers:
        ws = workbook.active if first else workbook.create_sheet()
        assert ws is not None
        write_ledger(ws, ledger)
        first = False
    return workbook


def to_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
