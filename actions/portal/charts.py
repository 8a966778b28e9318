"""Accessible, server-rendered SVG bar charts. The same numbers are always in a table beside the chart."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_COLOUR = "#1d5a8f"  # 7.2:1 against white


def bar_chart(chart_id: str, title: str, rows: list[tuple[str, float]], unit: str = "") -> Markup:
    """Horizontal bars with a text label and value on each; described by ``title``."""
    if not rows:
        return Markup("")
    label_width, bar_width, row_height = 300, 260, 28
    height = row_height * len(rows) + 10
    total_width = label_width + bar_width + 80
    biggest = max((value for _label, value in rows), default=0) or 1
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-title" viewBox="0 0 {total_width} {height}" '
        f'width="{total_width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_height
        width = max(1.0, bar_width * (value / biggest)) if value else 0
        shown = f"{value:g}{unit}"
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 18}" text-anchor="end" class="chart-label">{escape(short)}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 4}" width="{width:.1f}" height="{row_height - 10}" fill="{BAR_COLOUR}"></rect>'
        )
        parts.append(f'<text x="{label_width + width + 6:.1f}" y="{y + 18}" class="chart-value">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every dynamic value above went through escape()
