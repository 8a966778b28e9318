"""Horizontal bar charts for the report: SVG for the web page, PNG for Word, drawn by hand in the PDF.

Every chart has its numbers in a table beside it and a text alternative, and each bar is labelled with its
value, so nothing depends on colour. A hidden value (fewer than 5) has no bar and says so.
"""

from __future__ import annotations

import io
from html import escape

from markupsafe import Markup

BAR_COLOUR = "#1d5a8f"  # 7.2:1 against white
INK = "#0b0c0c"


def value_text(value: float | None, unit: str) -> str:
    return "fewer than 5" if value is None else f"{value:g}{unit}"


def short(label: str, limit: int = 42) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def svg_chart(chart_id: str, title: str, rows: list[tuple[str, float | None]], unit: str = "%") -> Markup:
    """An SVG bar chart, described by ``title`` (its accessible name)."""
    if not rows:
        return Markup("")
    label_width, bar_width, row_height = 300, 260, 28
    height = row_height * len(rows) + 10
    width = label_width + bar_width + 110
    biggest = max((value or 0 for _label, value in rows), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_height
        length = max(1.0, bar_width * (value / biggest)) if value else 0
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="{INK}">{escape(short(label))}</text>'
        )
        if length:
            parts.append(
                f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row_height - 10}" fill="{BAR_COLOUR}"></rect>'
            )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + 18}" font-size="13" fill="{INK}">{escape(value_text(value, unit))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every dynamic value above went through escape()


def png_chart(rows: list[tuple[str, float | None]], unit: str = "%", scale: int = 2) -> bytes:
    """The same chart as a PNG (for Word), drawn with Pillow at ``scale`` times screen size."""
    from PIL import Image, ImageDraw, ImageFont

    label_width, bar_width, row_height = 300 * scale, 260 * scale, 28 * scale
    width, height = label_width + bar_width + 110 * scale, row_height * len(rows) + 10 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13 * scale)
    biggest = max((value or 0 for _label, value in rows), default=0) or 1
    for index, (label, value) in enumerate(rows):
        y = 5 * scale + index * row_height
        text = short(label)
        draw.text((label_width - 8 * scale, y + row_height // 2), text, font=font, fill=INK, anchor="rm")
        length = max(scale, int(bar_width * (value / biggest))) if value else 0
        if length:
            draw.rectangle([label_width, y + 4 * scale, label_width + length, y + row_height - 6 * scale], fill=BAR_COLOUR)
        draw.text(
            (label_width + length + 6 * scale, y + row_height // 2), value_text(value, unit), font=font, fill=INK, anchor="lm"
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def describe(title: str, rows: list[tuple[str, float | None]], unit: str = "%") -> str:
    """A text alternative: the title and every bar's value."""
    return f"{title}: " + "; ".join(f"{label} {value_text(value, unit)}" for label, value in rows) + "."
