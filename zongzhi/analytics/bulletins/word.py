"""The bulletin as a Word document: only places what the layout says."""

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.shared import Mm, Pt
from docx.table import _Cell

from zongzhi.analytics.bulletins.structure import (
    KIND_NAMES,
    BulletinLayout,
    Chart,
    Table,
    Text,
    Writing,
)
from zongzhi.core.docx import (
    page_number_footer,
    repeat_header,
    set_properties,
    set_up_a4_portrait,
    set_up_chinese_text,
    shade,
    write_paragraph,
)

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


TEXT_WIDTH_MM = 156  # A4 less the margins
BODY_PT = 12
TABLE_PT = 10


def _set_up(document: DocxDocument, layout: BulletinLayout) -> None:
    set_up_a4_portrait(document, top_mm=25, bottom_mm=25, left_mm=27, right_mm=27, footer_mm=12)
    set_up_chinese_text(document, size_pt=BODY_PT, styles=("Normal", "Table Grid"))
    set_properties(
        document, title=layout.title, subject=KIND_NAMES[layout.kind], author=layout.issuer
    )


def _cell_text(cell: _Cell, text: str, *, bold: bool, centre: bool) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    if centre:
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(TABLE_PT)


def _docx_table(document: DocxDocument, table: Table) -> None:
    if not table.rows:
        write_paragraph(document, table.empty, indent=True)
        return
    grid = document.add_table(rows=1, cols=len(table.header))
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(table.widths)
    widths = [Mm(TEXT_WIDTH_MM * w / total) for w in table.widths]
    header = grid.rows[0]
    repeat_header(header)
    for i, text in enumerate(table.header):
        cell = header.cells[i]
        _cell_text(cell, text, bold=True, centre=True)
        shade(cell, "E8EDF3")
    for values in table.rows:
        cells = grid.add_row().cells
        for i, text in enumerate(values):
            _cell_text(cells[i], text, bold=False, centre=i in table.numeric)
    # LibreOffice lays out by the grid's column widths, Word by each cell's: set both.
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if table.note:
        write_paragraph(document, table.note, size=TABLE_PT, before=3)


def _docx_writing(document: DocxDocument, writing: Writing) -> None:
    for prompt in writing.prompts:
        write_paragraph(document, prompt, bold=True, before=6)
        for _ in range(writing.lines):
            line = write_paragraph(document)
            run = line.add_run("\u3000" * 36)
            run.underline = True


def bulletin_docx(layout: BulletinLayout) -> bytes:
    document = Document()
    _set_up(document, layout)
    page_number_footer(document)
    write_paragraph(
        document, layout.title, bold=True, size=20, align=WD_ALIGN_PARAGRAPH.CENTER, after=6
    )
    if layout.approved:
        write_paragraph(document, "（已审核）", align=WD_ALIGN_PARAGRAPH.CENTER, after=4)
    write_paragraph(document, layout.span_line, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    write_paragraph(document, layout.as_of_line, size=10.5, after=8, indent=True)
    for part in layout.parts:
        heading = write_paragraph(document, part.heading, bold=True, size=14, before=10, after=4)
        heading.paragraph_format.keep_with_next = True
        for block in part.blocks:
            if isinstance(block, Text):
                write_paragraph(document, block.text, indent=True)
            elif isinstance(block, Chart):
                document.add_picture(io.BytesIO(block.png), width=Mm(150))
                document.paragraphs[-1].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
                document.paragraphs[-1].paragraph_format.keep_with_next = True
                write_paragraph(
                    document, block.caption, size=10, align=WD_ALIGN_PARAGRAPH.CENTER, after=6
                )
            elif isinstance(block, Table):
                _docx_table(document, block)
            else:
                _docx_writing(document, block)
    write_paragraph(document, layout.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, before=24)
    write_paragraph(document, layout.date, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
