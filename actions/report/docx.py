"""The report as a Word document (python-docx), for committee papers and for editing before publishing.

Built from Word's own styles, so it stays accessible when edited: the title is "Title", sections are
"Heading 1" to "Heading 3" (Word's navigation pane and screen readers use them), tables have a header row
that repeats on each page, every chart has alternative text and its numbers in a table, and the document's
title and language are set.
"""

from __future__ import annotations

import io

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .charts import describe, png_chart
from .content import PublishedReport, Row, day, shown, shown_percent

INK = RGBColor(0x0B, 0x0C, 0x0C)


def _table(document, caption: str, header: list[str], rows: list[list[str]], numeric_from: int = 1) -> None:
    document.add_paragraph(caption, style="Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    heading = table.rows[0]
    properties = heading._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on every page; marks it as a header for readers
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for cell, text in zip(heading.cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = text
            if column >= numeric_from:
                cell.paragraphs[0].alignment = 2  # right
    document.add_paragraph()


def _rows(rows: list[Row]) -> list[list[str]]:
    return [[row.label, row.count_text, row.percent_text] for row in rows]


def _chart(document, title: str, rows: list[tuple[str, float | None]], unit: str = "%") -> None:
    picture = document.add_picture(io.BytesIO(png_chart(rows, unit)), width=Cm(15))
    properties = picture._inline.docPr
    properties.set("descr", describe(title, rows, unit))  # alternative text
    properties.set("title", title)


def write_docx(report: PublishedReport, out) -> None:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Arial")
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "en-GB")
    normal.element.rPr.append(language)
    core = document.core_properties
    core.title, core.author, core.language = report.title, report.council, "en-GB"
    core.subject = report.consultation.title

    consultation = report.consultation
    document.add_paragraph(report.council)
    document.add_heading(report.title, level=0)
    document.add_paragraph(
        f"This consultation ran from {day(consultation.opens)} to {day(consultation.closes)}. "
        f"{report.responses:,} {'person' if report.responses == 1 else 'people'} responded. "
        f"Report produced on {day(report.produced)}."
    )

    document.add_heading("We asked", level=1)
    document.add_paragraph(consultation.summary)
    if consultation.proposals:
        document.add_heading("The proposals", level=2)
        for proposal in consultation.proposals:
            paragraph = document.add_paragraph(style="List Bullet")
            paragraph.add_run(f"{proposal.title}. ").bold = True
            paragraph.add_run(proposal.description)
    document.add_heading("The questions", level=2)
    for section in report.questions:
        document.add_paragraph(section.text, style="List Number")

    document.add_heading("You said", level=1)
    privacy = (
        " To protect residents' privacy, any number from 1 to 4 is shown as \u201cfewer than 5\u201d, and where a total "
        "would reveal it, one more number is \u201cnot shown\u201d."
        if report.hidden_any
        else ""
    )
    document.add_paragraph(
        f"{report.responses:,} {'response was' if report.responses == 1 else 'responses were'} received.{privacy}"
    )
    document.add_heading("Who responded", level=2)
    header = ["Ward", "Responses", "Share of responses"]
    if report.has_population:
        header += ["Residents", "Share of residents", "Responses per 1,000 residents"]
    rows = []
    for ward in report.wards:
        values = [ward.name, shown(ward.count), shown_percent(ward.share_of_responses)]
        if report.has_population:
            values += [
                f"{ward.population:,}" if ward.population else "–",
                shown_percent(ward.share_of_population),
                "–" if ward.per_thousand is None else f"{ward.per_thousand:g}",
            ]
        rows.append(values)
    rows.append(
        ["Ward not given, or outside the area", shown(report.ward_not_given), "–"] + (["–"] * 3 if report.has_population else [])
    )
    _table(document, "Responses by ward", header, rows)
    ward_rates = [(ward.name, ward.per_thousand) for ward in report.wards if ward.population]
    if ward_rates:
        _chart(document, "Responses per 1,000 residents, by ward", ward_rates, unit="")
    _table(document, "Responses by age band", ["Age band", "Responses", "Share"], _rows(report.age_bands))
    _table(document, "How people responded", ["Channel", "Responses", "Share"], _rows(report.channels))

    document.add_heading("Answers to each question", level=2)
    for section in report.questions:
        document.add_heading(f"{section.number}. {section.text}", level=3)
        if section.rows:
            _chart(document, f"Question {section.number}: {section.text}", section.chart_rows)
            document.add_paragraph(section.base_text)
            _table(document, f"Answers to question {section.number}", ["Answer", "Responses", "Share"], _rows(section.rows))
        elif section.ranking:
            _table(
                document,
                f"Question {section.number}: how people ranked the options",
                ["Option", "Average position", "Ranked first", "Score"],
                [[label, position, first, f"{borda:,}"] for label, position, first, borda in section.ranking],
            )
            document.add_paragraph(section.base_text)
        for note in section.notes:
            document.add_paragraph(note)

    document.add_heading("What people told us in their comments", level=2)
    if report.themes:
        document.add_paragraph(report.themes_intro)
        _table(
            document,
            "Themes in residents' comments",
            ["Theme", "Comments", "Share of comments"],
            [[theme.name, shown(theme.count), shown_percent(theme.percent)] for theme in report.themes],
        )
        for theme in report.themes:
            if theme.quotes:
                document.add_heading(theme.name, level=3)
                for quote in theme.quotes:
                    document.add_paragraph(quote, style="Quote")
    else:
        document.add_paragraph(
            f"Officers have not yet confirmed the themes in the {report.comments:,} comments."
            if report.comments
            else "No comments were left."
        )

    document.add_heading("We did", level=1)
    if report.outcome:
        document.add_paragraph(f"Decision published on {day(report.outcome.published)}.")
        document.add_heading("You said", level=2)
        document.add_paragraph(report.outcome.you_said)
        document.add_heading("We did", level=2)
        document.add_paragraph(report.outcome.we_did)
    else:
        expected = f" A decision is expected on {day(consultation.decision_expected)}." if consultation.decision_expected else ""
        document.add_paragraph(f"No decision has been made yet.{expected}")
        if consultation.next_steps:
            document.add_paragraph(consultation.next_steps)
    for style in ("Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "Quote"):
        document.styles[style].font.color.rgb = INK  # Word's pale blue headings are too faint
    document.save(out)
