"""The bulletin's charts, drawn as PNG images with Pillow.

Why PNG and why Pillow: the Word file can only hold raster images, and the PDF shows the
same picture, so both documents carry one drawing. Pillow comes with WeasyPrint; a
plotting library would be a large dependency for two kinds of chart.

Why the font is looked up by file: Pillow does not ask fontconfig, and without a CJK font
every Chinese label would be drawn as empty boxes (tofu). Debian's fonts-noto-cjk puts
"Noto Sans CJK SC" inside a font collection (.ttc) holding the Japanese, Korean, Simplified
and Traditional Chinese faces; the face is picked by its name, never by a fixed index, so a
different packaging of the collection still gives Simplified Chinese glyph forms. No CJK font
on the server is an installation fault and fails loudly (FontMissing), not with boxes.

The images are drawn at about 250 dpi for a 160 mm wide figure, so they print sharply.
"""

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_FILES = {False: "NotoSansCJK-Regular.ttc", True: "NotoSansCJK-Bold.ttc"}
FONT_FAMILY = "Noto Sans CJK SC"

WIDTH = 1600
INK = (34, 34, 34)
MUTED = (110, 110, 110)
GRID = (222, 222, 222)
AXIS = (150, 150, 150)
# Colours that stay apart in greyscale print as well: dark blue, green, orange.
BLUE = (38, 84, 140)
GREEN = (76, 150, 96)
ORANGE = (214, 110, 36)

LABEL = 30  # px: about 9 pt at the printed size


class FontMissing(RuntimeError):
    """No Noto Sans CJK SC on the server: install Debian's fonts-noto-cjk."""


@cache
def _font_file(bold: bool) -> tuple[str, int]:
    name = FONT_FILES[bold]
    for folder in FONT_DIRS:
        for path in sorted(folder.rglob(name)) if folder.is_dir() else ():
            for index in range(16):
                try:
                    face = ImageFont.truetype(str(path), 12, index=index)
                except OSError:
                    break
                if face.getname()[0] == FONT_FAMILY:
                    return str(path), index
    raise FontMissing(f"找不到中文字体 {FONT_FAMILY}（{name}），请安装 fonts-noto-cjk")


@cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    path, index = _font_file(bold)
    return ImageFont.truetype(path, size, index=index)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True, dpi=(254, 254))
    return out.getvalue()


TICKS = 5


def _nice_step(top: float) -> float:
    """The step between the TICKS gridlines: 1, 2 or 5 × 10ⁿ, at least 1, so that TICKS
    steps reach `top`. Always five steps, so the right axis reads 0, 20 … 100%."""
    if top <= 0:
        return 1.0
    raw = top / TICKS
    magnitude = 10 ** math.floor(math.log10(raw))
    return max(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), 1.0)


def _text_width(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont) -> float:
    return draw.textlength(text, font=face)


def _fit(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, width: float) -> str:
    """`text` shortened with an ellipsis to fit `width` pixels."""
    if _text_width(draw, text, face) <= width:
        return text
    while text and _text_width(draw, text + "…", face) > width:
        text = text[:-1]
    return text + "…"


def _integer(value: float) -> str:
    return f"{int(value):,}" if value >= 10000 else str(int(value))


def _legend(
    draw: ImageDraw.ImageDraw, items: Sequence[tuple[str, tuple[int, int, int], str]], y: int
) -> None:
    """A centred legend: (label, colour, "bar" | "line") in a row."""
    face = font(LABEL)
    gap, swatch = 48, 34
    widths = [swatch + 12 + _text_width(draw, label, face) for label, _, _ in items]
    x = (WIDTH - sum(widths) - gap * (len(items) - 1)) / 2
    for (label, colour, kind), width in zip(items, widths, strict=True):
        middle = y + LABEL // 2 + 4
        if kind == "bar":
            draw.rectangle((x, middle - 11, x + swatch, middle + 11), fill=colour)
        else:
            draw.line((x, middle, x + swatch, middle), fill=colour, width=5)
            draw.ellipse(
                (x + swatch / 2 - 7, middle - 7, x + swatch / 2 + 7, middle + 7), fill=colour
            )
        draw.text((x + swatch + 12, middle), label, font=face, fill=INK, anchor="lm")
        x += width + gap


@dataclass(frozen=True)
class TrendPoint:
    label: str  # "11月"
    year_label: str  # "2025年" under the first month and every January, else ""
    accepted: int
    resolved: int
    rate: Decimal | None  # 化解率, None when nothing was accepted


def trend_chart(points: Sequence[TrendPoint]) -> bytes:
    """受理数 and 化解数 as paired bars per month, 化解率 as a line on the right axis. No
    title in the image: the document's caption names it."""
    height = 780
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    label_face = font(LABEL)
    legend = [("受理数", BLUE, "bar"), ("化解数", GREEN, "bar"), ("化解率", ORANGE, "line")]
    _legend(draw, legend, 16)

    left, right, top, bottom = 130, WIDTH - 130, 100, height - 120
    step = _nice_step(max([p.accepted for p in points] + [p.resolved for p in points] + [0]))
    axis_max = step * TICKS
    plot_h = bottom - top

    def y_of(value: float) -> float:
        return bottom - plot_h * value / axis_max

    # Gridlines with the counts on the left and the percentages on the right.
    for i in range(TICKS + 1):
        value = step * i
        y = y_of(value)
        draw.line((left, y, right, y), fill=GRID if i else AXIS, width=2)
        draw.text((left - 14, y), _integer(value), font=label_face, fill=MUTED, anchor="rm")
        percent = 100 * i // TICKS
        draw.text((right + 14, y), f"{percent}%", font=label_face, fill=MUTED, anchor="lm")
    draw.text((left - 14, top - 34), "件", font=label_face, fill=MUTED, anchor="rs")

    slot = (right - left) / max(len(points), 1)
    bar = min(slot * 0.32, 56)
    line: list[tuple[float, float]] = []
    for i, point in enumerate(points):
        middle = left + slot * (i + 0.5)
        for offset, value, colour in ((-bar, point.accepted, BLUE), (0, point.resolved, GREEN)):
            if value:
                draw.rectangle(
                    (middle + offset, y_of(value), middle + offset + bar, bottom), fill=colour
                )
        draw.text((middle, bottom + 14), point.label, font=label_face, fill=INK, anchor="mt")
        if point.year_label:
            draw.text(
                (middle, bottom + 18 + LABEL),
                point.year_label,
                font=label_face,
                fill=MUTED,
                anchor="mt",
            )
        if point.rate is not None:
            line.append((middle, bottom - plot_h * float(point.rate) / 100))
    if len(line) > 1:
        draw.line(line, fill=ORANGE, width=5, joint="curve")
    for x, y in line:
        draw.ellipse((x - 8, y - 8, x + 8, y + 8), fill=ORANGE, outline="white", width=2)
    return _png(image)


def bar_chart(rows: Sequence[tuple[str, int]], *, unit: str = "件") -> bytes:
    """Horizontal bars in the order given, each labelled with its name and count. No
    title in the image: the document's caption names it."""
    row_h = 64
    top = 30
    height = top + row_h * max(len(rows), 1) + 30
    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    label_face = font(LABEL)
    if not rows:
        draw.text((WIDTH / 2, top + 20), "本期无数据", font=label_face, fill=MUTED, anchor="mt")
        return _png(image)

    names_w = min(max(_text_width(draw, name, label_face) for name, _ in rows), 480) + 30
    left = 40 + names_w
    values_w = _text_width(draw, f"{_integer(max(v for _, v in rows))}{unit}", label_face) + 30
    right = WIDTH - 40 - values_w
    biggest = max(max(v for _, v in rows), 1)
    draw.line((left, top - 10, left, top + row_h * len(rows)), fill=AXIS, width=2)
    for i, (name, value) in enumerate(rows):
        middle = top + row_h * i + row_h / 2
        draw.text(
            (left - 18, middle),
            _fit(draw, name, label_face, names_w - 30),
            font=label_face,
            fill=INK,
            anchor="rm",
        )
        end = left + (right - left) * value / biggest
        if value:
            draw.rectangle((left, middle - row_h * 0.32, end, middle + row_h * 0.32), fill=BLUE)
        draw.text(
            (end + 14, middle), f"{_integer(value)}{unit}", font=label_face, fill=INK, anchor="lm"
        )
    return _png(image)
