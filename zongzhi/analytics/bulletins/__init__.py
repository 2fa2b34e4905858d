"""The monthly bulletin (月通报) and the analysis-meeting pack (研判会材料), as DOCX and PDF.

Why it is built this way:

- One structure (structure.py), two renderers, as for the mediation agreement
  (cases/documents.py): `bulletin_layout` (layout.py) turns a place and a period into the
  document's final strings, tables and chart images; `bulletin_docx` (word.py) and
  `bulletin_pdf` (pdf.py) only place them. The Word file and the PDF cannot say
  different things.
- Every number comes from indicators.py (figures, breakdowns, the records behind the
  overdue figure); nothing here divides one count by another. The rates of a month, a
  category or a unit are `indicators.figure` over that group's counters.
- Case figures are a cohort (the cases registered in the period, as they stand now); the
  overdue list and the hazards to watch are live, as of the day the document is made, and
  the document says so.
- The overdue list names the case by its query code, title and unit, never the parties:
  a bulletin is circulated, and a complaint is never a mark against the person who made it.
- Fonts are the agreement's: Noto CJK embedded in the PDF, SimSun (宋体) named for the DOCX
  with Noto as its alternative (core/docx.py explains why). The charts are PNG images
  drawn with the Noto font (charts.py), so both documents show the same picture.
"""

from zongzhi.analytics.bulletins.files import File, bulletin_file
from zongzhi.analytics.bulletins.layout import (
    UnitRank,
    bulletin_layout,
    bulletin_regions,
    hazards_to_watch,
    headline,
    rank_units,
    unit_ranking,
)
from zongzhi.analytics.bulletins.pdf import PDF_TYPE, bulletin_html, bulletin_pdf
from zongzhi.analytics.bulletins.periods import (
    Period,
    PeriodError,
    last_month,
    last_week,
    parse_month,
    parse_week,
)
from zongzhi.analytics.bulletins.structure import (
    KIND_NAMES,
    TITLE_ENDINGS,
    Block,
    BulletinLayout,
    Chart,
    Format,
    Kind,
    Part,
    Table,
    Text,
    Writing,
)
from zongzhi.analytics.bulletins.word import DOCX_TYPE, bulletin_docx

__all__ = [
    "DOCX_TYPE",
    "KIND_NAMES",
    "PDF_TYPE",
    "TITLE_ENDINGS",
    "Block",
    "BulletinLayout",
    "Chart",
    "File",
    "Format",
    "Kind",
    "Part",
    "Period",
    "PeriodError",
    "Table",
    "Text",
    "UnitRank",
    "Writing",
    "bulletin_docx",
    "bulletin_file",
    "bulletin_html",
    "bulletin_layout",
    "bulletin_pdf",
    "bulletin_regions",
    "hazards_to_watch",
    "headline",
    "last_month",
    "last_week",
    "parse_month",
    "parse_week",
    "rank_units",
    "unit_ranking",
]
