"""What a bulletin is made of, as final strings, tables and chart images: the one
structure that both the DOCX and the PDF writers place."""

import base64
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from zongzhi.analytics.bulletins.periods import Period


class Kind(StrEnum):
    BULLETIN = "bulletin"
    PACK = "pack"


KIND_NAMES = {Kind.BULLETIN: "月通报", Kind.PACK: "研判会材料"}
TITLE_ENDINGS = {Kind.BULLETIN: "矛盾纠纷多元化解工作通报", Kind.PACK: "矛盾纠纷风险研判会材料"}


class Format(StrEnum):
    DOCX = "docx"
    PDF = "pdf"


@dataclass(frozen=True)
class Text:
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True)
class Chart:
    kind: ClassVar[str] = "chart"
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class Table:
    kind: ClassVar[str] = "table"
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...]  # relative column widths
    empty: str  # said instead of the table when there are no rows
    numeric: frozenset[int] = frozenset()  # columns centred (counts, rates, dates)
    note: str = ""  # said under the table (e.g. how many more there are)

    @property
    def percents(self) -> list[float]:
        """The column widths in per cent, for the PDF."""
        total = sum(self.widths)
        return [round(100 * w / total, 2) for w in self.widths]


@dataclass(frozen=True)
class Writing:
    """Space for the meeting to write in: each prompt followed by ruled lines."""

    kind: ClassVar[str] = "writing"
    prompts: tuple[str, ...]
    lines: int

    @property
    def each_line(self) -> range:
        return range(self.lines)


Block = Text | Chart | Table | Writing


@dataclass(frozen=True)
class Part:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class BulletinLayout:
    kind: Kind
    title: str
    place: str
    period: Period
    span_line: str
    as_of_line: str
    approved: bool
    parts: tuple[Part, ...]
    issuer: str
    date: str
    filename_stem: str
