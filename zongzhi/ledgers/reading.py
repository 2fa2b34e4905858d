"""Opening a filled ledger: the workbook, its header row and its data rows.

The header row is found by its column names, wherever it is (title rows above it are
fine); blank rows are skipped; row numbers are the ones the user sees in Excel.
"""

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from zongzhi.ledgers.values import text

MAX_BYTES = 5 * 1024 * 1024
# What the workbook may unpack to, read from the zip's directory before anything is parsed:
# a few hundred kilobytes of xlsx can otherwise inflate to gigabytes (a single huge shared
# string took a web worker from 266 MB to 601 MB). A full 5,000-row ledger unpacks to a few
# megabytes.
MAX_INFLATED = 50 * 1024 * 1024
MAX_SHARED_STRINGS = 16 * 1024 * 1024  # the text of every cell, unpacked
MAX_PARTS = 300
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 30  # the header is looked for in the first rows of each sheet
MAX_COLUMNS = 80
BLANK_RUN_LIMIT = 2000  # stop after this many blank rows in a row (formatting left below)
EXAMPLE_MARK = "示例"  # the template's example row carries this in its first column


class FileProblem(Exception):
    """The file as a whole cannot be imported: not xlsx, corrupt, too big, no header."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    name: str
    header_row: int
    # Header (normalised) -> 1-based column index.
    columns: dict[str, int]
    # (Excel row number, the row's values by column index) for every non-blank row.
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)

    def letter(self, header: str) -> str:
        return get_column_letter(self.columns[header])

    def value(self, values: tuple[Any, ...], header: str) -> Any:
        index = self.columns.get(header)
        if index is None or index > len(values):
            return None
        return values[index - 1]


def normalise_header(value: Any) -> str:
    """ "复查周期(天) *" and "复查周期（天）" are the same header."""
    raw = re.sub(r"[\s*＊]", "", text(value))
    return raw.replace("(", "（").replace(")", "）")


def check_upload(content: bytes, filename: str = "") -> None:
    if len(content) > MAX_BYTES:
        raise FileProblem(f"文件超过{MAX_BYTES // (1024 * 1024)}MB，请分批导入")
    if filename and not filename.lower().endswith(".xlsx"):
        raise FileProblem(
            "只能导入 .xlsx 格式的Excel文件；.xls 或 WPS 文件请先“另存为”Excel工作簿（.xlsx）"
        )
    if not content:
        raise FileProblem("文件是空的")
    if not zipfile.is_zipfile(BytesIO(content)):
        raise FileProblem("文件不是有效的 .xlsx 文件（可能已损坏，或只是改了扩展名）")
    _check_unpacked_size(content)


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a workbook by what its zip directory says it unpacks to. Reading a part stops
    at its declared size (zipfile checks it), so the declared sizes bound the memory."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblem("文件不是有效的 .xlsx 文件（可能已损坏，或只是改了扩展名）") from None
    mb = 1024 * 1024
    if len(parts) > MAX_PARTS:
        raise FileProblem(f"文件内部结构异常（含{len(parts)}个部件），不像台账，无法导入")
    if sum(part.file_size for part in parts) > MAX_INFLATED:
        raise FileProblem(
            f"文件解压后超过{MAX_INFLATED // mb}MB，远超台账应有的大小，无法导入；"
            "请检查是否含有大量多余内容，或分批导入"
        )
    strings = sum(
        part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml")
    )
    if strings > MAX_SHARED_STRINGS:
        raise FileProblem(
            f"表格中的文字解压后超过{MAX_SHARED_STRINGS // mb}MB，远超台账应有的大小，"
            "无法导入；请检查是否有异常长的单元格，或分批导入"
        )


def read_sheet(
    content: bytes,
    *,
    filename: str = "",
    anchors: Sequence[str],
    aliases: dict[str, str] | None = None,
    max_rows: int | None = None,
    formulas_as_text: bool = False,
) -> Sheet:
    """The first sheet whose header row holds every one of `anchors`, with its rows (at
    most `max_rows`, MAX_ROWS unless given). A formula cell reads as what Excel last
    computed for it, or, with `formulas_as_text`, as its own text ("=A1+B1"): never
    evaluated here either way."""
    check_upload(content, filename)
    aliases = aliases or {}
    limit = MAX_ROWS if max_rows is None else max_rows
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=not formulas_as_text)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise FileProblem("文件已损坏或不是Excel工作簿，无法读取") from None
    try:
        for ws in workbook.worksheets:
            sheet = _read(ws, anchors, aliases, limit)
            if sheet is not None:
                return sheet
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError):
        raise FileProblem("文件已损坏，无法读取其中的表格") from None
    finally:
        workbook.close()
    raise FileProblem(f"没有找到表头：表格中应有“{'”“'.join(anchors)}”等列名的一行")


def _read(ws: Any, anchors: Sequence[str], aliases: dict[str, str], max_rows: int) -> Sheet | None:
    sheet = _header(ws, anchors, aliases)
    if sheet is None:
        return None
    # Only as far right as the header goes: what lies beyond has no name to be read by.
    width = max(sheet.columns.values())
    blank_run = 0
    for number, values in enumerate(
        ws.iter_rows(min_row=sheet.header_row + 1, max_col=width, values_only=True),
        start=sheet.header_row + 1,
    ):
        if _is_blank(values, sheet):
            blank_run += 1
            if blank_run >= BLANK_RUN_LIMIT:
                break
            continue
        blank_run = 0
        sheet.rows.append((number, tuple(values)))
        if len(sheet.rows) > max_rows:
            raise FileProblem(f"数据超过{max_rows}行，请分批导入")
    return sheet


def _header(ws: Any, anchors: Sequence[str], aliases: dict[str, str]) -> Sheet | None:
    """The sheet's header row, looked for in its first rows."""
    rows = ws.iter_rows(
        min_row=1, max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True
    )
    for number, values in enumerate(rows, start=1):
        headers: dict[str, int] = {}
        for index, value in enumerate(values, start=1):
            name = normalise_header(value)
            name = aliases.get(name, name)
            if name and name not in headers:
                headers[name] = index
        if all(anchor in headers for anchor in anchors):
            return Sheet(name=ws.title, header_row=number, columns=headers)
    return None


def _is_blank(values: tuple[Any, ...], sheet: Sheet) -> bool:
    """Nothing filled in, or only a row number (templates come pre-numbered), or the
    template's example row."""
    number_column = sheet.columns.get("序号")
    filled = [i for i, v in enumerate(values, start=1) if text(v)]
    if not filled:
        return True
    if number_column is not None:
        if text(values[number_column - 1] if number_column <= len(values) else None) == (
            EXAMPLE_MARK
        ):
            return True
        if filled == [number_column]:
            return True
    return False
