"""The report as one self-contained, accessible HTML page, ready to publish on the council's website.

Nothing is loaded from elsewhere: the styles are inline (:data:`STYLE`, which the portal allows by its hash
in its content security policy) and the charts are inline SVG with a text name and a table of the same
numbers. Headings nest in order, every table has a caption and header cells, and the language is set.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import jinja2

from .charts import svg_chart
from .content import PublishedReport, day, shown, shown_percent

TEMPLATES = Path(__file__).resolve().parent / "templates"
STYLE = (
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;line-height:1.5;color:#0b0c0c;background:#fff}"
    "header,main,footer{max-width:60rem;margin:0 auto;padding:0 1.25rem}header{border-bottom:4px solid #1d5a8f}"
    ".council{font-weight:700;font-size:1.1rem}h1{font-size:2rem;line-height:1.2}h2{font-size:1.6rem;margin-top:2.5rem;"
    "border-top:1px solid #b1b4b6;padding-top:1rem}h3{font-size:1.3rem;margin-top:2rem}h4{font-size:1.1rem}"
    ".lead{font-size:1.15rem}a{color:#0f3a5f}a:focus{outline:3px solid #fd0;background:#fd0;color:#0b0c0c}"
    ".skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;padding:.5rem}"
    "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}caption{text-align:left;font-weight:700;padding:.25rem 0}"
    "th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #b1b4b6;vertical-align:top}"
    "thead th{background:#f3f2f1}.num{text-align:right;font-variant-numeric:tabular-nums}"
    "figure{margin:0 0 1rem}figcaption,.note{color:#484949}svg{max-width:100%;height:auto}"
    "blockquote{margin:.5rem 0;padding:.25rem 1rem;border-left:4px solid #1d5a8f;background:#f3f2f1}"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem;align-items:start}@media (max-width:45rem){.pair{grid-template-columns:1fr}}"
    "footer{margin-top:3rem;border-top:1px solid #b1b4b6;color:#484949}"
)


def style_source() -> str:
    """The CSP source that allows :data:`STYLE` inline, e.g. "'sha256-...'"."""
    digest = hashlib.sha256(STYLE.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
_environment.filters.update({"day": day, "count": shown, "percent": shown_percent})


def render_html(report: PublishedReport) -> str:
    charts = {
        section.number: svg_chart(f"chart-q{section.number}", f"Question {section.number}: {section.text}", section.chart_rows)
        for section in report.questions
        if section.rows
    }
    ward_rows = [(ward.name, ward.per_thousand) for ward in report.wards if ward.population]
    ward_chart = svg_chart("chart-wards", "Responses per 1,000 residents, by ward", ward_rows, unit="") if ward_rows else ""
    return _environment.get_template("report.html").render(report=report, charts=charts, ward_chart=ward_chart, style=STYLE)
