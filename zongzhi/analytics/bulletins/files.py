"""A bulletin as a file to download, in the format asked for."""

from dataclasses import dataclass
from datetime import date

from zongzhi.analytics.bulletins.layout import bulletin_layout
from zongzhi.analytics.bulletins.pdf import PDF_TYPE, bulletin_pdf
from zongzhi.analytics.bulletins.periods import Period
from zongzhi.analytics.bulletins.structure import (
    Format,
    Kind,
)
from zongzhi.analytics.bulletins.word import DOCX_TYPE, bulletin_docx
from zongzhi.regions.models import Region


@dataclass(frozen=True)
class File:
    content: bytes
    content_type: str
    filename: str


def bulletin_file(
    *, kind: Kind, region: Region, period: Period, fmt: Format, today: date | None = None
) -> File:
    layout = bulletin_layout(kind=kind, region=region, period=period, today=today)
    if fmt == Format.DOCX:
        return File(bulletin_docx(layout), DOCX_TYPE, f"{layout.filename_stem}.docx")
    return File(bulletin_pdf(layout), PDF_TYPE, f"{layout.filename_stem}.pdf")
