"""The report as a PDF (fpdf2), for printing and committee papers.

The PDF has the document's title, author and language set, a bookmark for every heading (a reader's
outline and navigation), tables whose header row repeats on each page, and charts drawn as vector bars
with their values written on them and their numbers in a table. fpdf2 does not write a tagged PDF, so
the HTML page is the version to publish on the web (docs/themes.md).

Text is set in DejaVu Sans, which covers the characters residents write (Welsh ŵ and ŷ, accents, £, curly
quotes); it is found in the matplotlib package Rasa installs, or in the system's fonts. Without it the
PDF falls back to Helvetica, and characters outside Latin-1 become "?".
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from .charts import BAR_COLOUR, value_text
from .content import PublishedReport, Row, day, shown, shown_percent

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")
INK = (11, 12, 12)
MUTED = (72, 73, 73)
BAR = tuple(int(BAR_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
TYPOGRAPHY = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
)


def font_files() -> tuple[Path, Path] | None:
    """DejaVu Sans regular and bold, from matplotlib's package data or the system, or None."""
    folders = []
    spec = importlib.util.find_spec("matplotlib")
    if spec and spec.submodule_search_locations:
        folders.append(Path(next(iter(spec.submodule_search_locations))) / "mpl-data" / "fonts" / "ttf")
    folders.append(SYSTEM_FONTS)
    for folder in folders:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


class ReportPDF(FPDF):
    def __init__(self, council: str):
        super().__init__(format="A4")
        self.council = council
        files = font_files()
        if files:
            self.add_font("DejaVu", "", str(files[0]))
            self.add_font("DejaVu", "B", str(files[1]))
            self.family_name = "DejaVu"
        else:
            self.family_name = "Helvetica"
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)

    def clean(self, text: str) -> str:
        if self.family_name == "DejaVu":
            return text
        return text.translate(TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(self.family_name, "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, self.clean(f"{self.council} · page {self.page_no()} of {{nb}}"), align="C")

    # --- building blocks ---------------------------------------------------------------------------

    def heading(self, text: str, level: int) -> None:
        sizes = {0: 20, 1: 16, 2: 13.5, 3: 11.5}
        if self.will_page_break(30):
            self.add_page()
        self.ln(4 if level else 0)
        self.start_section(self.clean(text)[:120], level=max(0, level - 1) if level else 0)
        self.set_font(self.family_name, "B", sizes[level])
        self.set_text_color(*INK)
        self.multi_cell(0, sizes[level] * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def paragraph(self, text: str, muted: bool = False, size: float = 10.5) -> None:
        self.set_font(self.family_name, "", size)
        self.set_text_color(*(MUTED if muted else INK))
        self.multi_cell(0, size * 0.5, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def bullet(self, text: str, marker: str = "•") -> None:
        self.set_font(self.family_name, "", 10.5)
        self.set_text_color(*INK)
        self.cell(6, 5.25, self.clean(marker) if self.family_name == "DejaVu" else "-")
        self.multi_cell(0, 5.25, self.clean(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def quote(self, text: str) -> None:
        self.set_font(self.family_name, "", 10.5)
        self.set_text_color(*INK)
        top = self.get_y()
        self.set_x(self.l_margin + 5)
        self.multi_cell(self.epw - 5, 5.25, self.clean(f"\u201c{text}\u201d"), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*BAR)
        self.set_line_width(1)
        if self.get_y() > top:
            self.line(self.l_margin + 1, top, self.l_margin + 1, self.get_y())
        self.ln(2)

    def table_of(self, caption: str, header: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
        needed = 6 + 7 * (len(rows) + 1)
        if needed < self.eph / 2 and self.will_page_break(needed):
            self.add_page()  # a short table is kept on one page
        self.set_font(self.family_name, "B", 10)
        self.set_text_color(*INK)
        self.multi_cell(0, 5, self.clean(caption), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family_name, "", 9.5)
        self.set_draw_color(177, 180, 182)
        self.set_line_width(0.2)
        alignment = ["LEFT"] + ["RIGHT"] * (len(header) - 1)
        with self.table(
            col_widths=widths or [3] + [1.2] * (len(header) - 1),
            text_align=alignment,
            headings_style=FontFace(emphasis="BOLD", fill_color=(243, 242, 241)),
            line_height=5.5,
            repeat_headings=1,
        ) as table:
            for values in [header, *rows]:
                row = table.row()
                for value in values:
                    row.cell(self.clean(value))
        self.ln(3)

    def bars(self, rows: list[tuple[str, float | None]], unit: str = "%") -> None:
        """Horizontal bars, each labelled with its value (so colour carries no meaning)."""
        row_height, label_width = 7, self.epw * 0.42
        bar_width = self.epw - label_width - 28
        if self.will_page_break(row_height * len(rows) + 4):
            self.add_page()
        biggest = max((value or 0 for _label, value in rows), default=0) or 1
        self.set_font(self.family_name, "", 9)
        self.set_text_color(*INK)
        for label, value in rows:
            y = self.get_y()
            text = self.clean(label)
            while self.get_string_width(text) > label_width - 3 and len(text) > 4:
                text = text[:-2].rstrip() + "…" if self.family_name == "DejaVu" else text[:-4] + "..."
            self.set_xy(self.l_margin, y)
            self.cell(label_width - 2, row_height, text, align="R")
            length = max(0.5, bar_width * value / biggest) if value else 0
            if length:
                self.set_fill_color(*BAR)
                self.rect(self.l_margin + label_width, y + 1.2, length, row_height - 2.4, style="F")
            self.set_xy(self.l_margin + label_width + length + 1.5, y)
            self.cell(26, row_height, self.clean(value_text(value, unit)))
            self.set_xy(self.l_margin, y + row_height)
        self.set_fill_color(255, 255, 255)  # tables drawn next must not inherit the bars' colour
        self.ln(3)


def _rows(rows: list[Row]) -> list[list[str]]:
    return [[row.label, row.count_text, row.percent_text] for row in rows]


def write_pdf(report: PublishedReport, out) -> None:
    consultation = report.consultation
    pdf = ReportPDF(report.council)
    pdf.set_title(pdf.clean(report.title))
    pdf.set_author(pdf.clean(report.council))
    pdf.set_subject(pdf.clean(consultation.title))
    pdf.set_creator("Have Your Say")
    pdf.set_lang("en-GB")
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.paragraph(report.council, muted=True)
    pdf.heading(report.title, 0)
    pdf.paragraph(
        f"This consultation ran from {day(consultation.opens)} to {day(consultation.closes)}. "
        f"{report.responses:,} {'person' if report.responses == 1 else 'people'} responded. "
        f"Report produced on {day(report.produced)}."
    )

    pdf.heading("We asked", 1)
    pdf.paragraph(consultation.summary)
    if consultation.proposals:
        pdf.heading("The proposals", 2)
        for proposal in consultation.proposals:
            pdf.bullet(f"{proposal.title}. {proposal.description}")
        pdf.ln(2)
    pdf.heading("The questions", 2)
    for section in report.questions:
        pdf.bullet(section.text, marker=f"{section.number}.")
    pdf.ln(2)

    pdf.heading("You said", 1)
    privacy = (
        " To protect residents' privacy, any number from 1 to 4 is shown as \u201cfewer than 5\u201d, and where a total "
        "would reveal it, one more number is \u201cnot shown\u201d."
        if report.hidden_any
        else ""
    )
    pdf.paragraph(f"{report.responses:,} {'response was' if report.responses == 1 else 'responses were'} received.{privacy}")
    pdf.heading("Who responded", 2)
    header = ["Ward", "Responses", "Share of responses"]
    widths = [3, 1.3, 1.3]
    if report.has_population:
        header += ["Residents", "Share of residents", "Per 1,000 residents"]
        widths += [1.3, 1.3, 1.3]
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
    pdf.table_of("Responses by ward", header, rows, widths)
    ward_rates = [(ward.name, ward.per_thousand) for ward in report.wards if ward.population]
    if ward_rates:
        pdf.paragraph("Responses per 1,000 residents, by ward", muted=True, size=9.5)
        pdf.bars(ward_rates, unit="")
    pdf.table_of("Responses by age band", ["Age band", "Responses", "Share"], _rows(report.age_bands))
    pdf.table_of("How people responded", ["Channel", "Responses", "Share"], _rows(report.channels))

    pdf.heading("Answers to each question", 2)
    for section in report.questions:
        pdf.heading(f"{section.number}. {section.text}", 3)
        if section.rows:
            pdf.bars(section.chart_rows)
            pdf.paragraph(section.base_text, muted=True, size=9.5)
            pdf.table_of(f"Answers to question {section.number}", ["Answer", "Responses", "Share"], _rows(section.rows))
        elif section.ranking:
            pdf.table_of(
                f"Question {section.number}: how people ranked the options",
                ["Option", "Average position", "Ranked first", "Score"],
                [[label, position, first, f"{borda:,}"] for label, position, first, borda in section.ranking],
            )
            pdf.paragraph(section.base_text, muted=True, size=9.5)
        for note in section.notes:
            pdf.paragraph(note)

    pdf.heading("What people told us in their comments", 2)
    if report.themes:
        pdf.paragraph(report.themes_intro)
        pdf.table_of(
            "Themes in residents' comments",
            ["Theme", "Comments", "Share of comments"],
            [[theme.name, shown(theme.count), shown_percent(theme.percent)] for theme in report.themes],
        )
        for theme in report.themes:
            if theme.quotes:
                pdf.heading(theme.name, 3)
                for quote in theme.quotes:
                    pdf.quote(quote)
    else:
        pdf.paragraph(
            f"Officers have not yet confirmed the themes in the {report.comments:,} comments."
            if report.comments
            else "No comments were left."
        )

    pdf.heading("We did", 1)
    if report.outcome:
        pdf.paragraph(f"Decision published on {day(report.outcome.published)}.", muted=True)
        pdf.heading("You said", 2)
        pdf.paragraph(report.outcome.you_said)
        pdf.heading("We did", 2)
        pdf.paragraph(report.outcome.we_did)
    else:
        expected = f" A decision is expected on {day(consultation.decision_expected)}." if consultation.decision_expected else ""
        pdf.paragraph(f"No decision has been made yet.{expected}")
        if consultation.next_steps:
            pdf.paragraph(consultation.next_steps)
    out.write(bytes(pdf.output()))
