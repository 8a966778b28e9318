"""The Excel export: a workbook an officer can open and use straight away.

Sheets, in order:

* **Responses**: one row per response (the same columns as the CSV), header frozen, columns sized,
  the submitted time a real date and numbers real numbers;
* **Comments**: one row per comment (the text questions' answers), with its themes, for reading;
* **Summary**: every closed question's counts and percentages, for the same responses;
* **Read me**: what the file holds: the consultation, when and by whom it was made, the filter used,
  how many responses, and what the columns mean.

Written in openpyxl's write-only mode from the streamed records, so memory stays flat; text cells are
neutralised against formula injection as in the CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import IO

from ..content.model import Consultation
from .analysis import QuestionSummary
from .labels import channel_label
from .records import ResponseRecord
from .writers import BASE_COLUMNS, neutralise, wide_header, wide_row

DATE_FORMAT = "yyyy-mm-dd hh:mm"
WIDTHS = {"reference": 16, "submitted_at": 18, "channel": 12, "ward": 16, "age_band": 11, "received_on": 12}


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _header(sheet, names: list[str], widths: list[float]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    sheet.freeze_panes = "B2"
    sheet.append(cells)


def _width(name: str, consultation: Consultation) -> float:
    if name in WIDTHS:
        return WIDTHS[name]
    question = next((q for q in consultation.questions if name == q.id), None)
    if question is not None and question.type == "text":
        return 60
    return min(40, max(10, len(name) + 2))


def _utc_naive(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def write_workbook(
    out: IO[bytes],
    records: Iterable[ResponseRecord],
    consultation: Consultation,
    contact: Callable[[ResponseRecord], str] | None,
    readme: list[tuple[str, str]],
    summaries: list[QuestionSummary],
) -> int:
    """Write the workbook; returns the number of responses written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    responses = workbook.create_sheet("Responses")
    comments = workbook.create_sheet("Comments")
    summary = workbook.create_sheet("Summary")
    about = workbook.create_sheet("Read me")
    header = wide_header(consultation, contact is not None)
    _header(responses, header, [_width(name, consultation) for name in header])
    _header(
        comments, ["reference", "submitted_at", "ward", "channel", "question", "comment", "themes"], [16, 18, 16, 12, 40, 80, 24]
    )
    text_questions = [q for q in consultation.questions if q.type == "text"]
    count = 0
    comment_count = 0
    for record in records:
        row = wide_row(record, consultation, contact)
        row[1] = _utc_naive(record.submitted_at)  # a real date, not text (the CSV keeps ISO 8601)
        row[BASE_COLUMNS.index("received_on")] = record.received_on  # a real date too (None: not keyed in)
        responses.append([neutralise(value) for value in row])
        for question in text_questions:
            value = record.answers.get(question.id)
            if isinstance(value, str) and value:
                themes = "; ".join(record.themes.get(question.id, []))
                comments.append(
                    [
                        neutralise(v)
                        for v in (record.reference, row[1], record.ward or "", record.channel, question.id, value, themes)
                    ]
                )
                comment_count += 1
        count += 1
    _write_summary(summary, summaries)
    _write_readme(about, readme, count, comment_count)
    workbook.save(out)
    return count


def _write_summary(sheet, summaries: list[QuestionSummary]) -> None:
    _header(sheet, ["question", "answer", "responses", "per cent", "of"], [50, 40, 12, 10, 40])
    for summary in summaries:
        text = neutralise(summary.question.text)
        for option in summary.options:
            sheet.append(
                [
                    text,
                    neutralise(option.label),
                    option.count,
                    option.percent,
                    "gave a view" if summary.question.type != "multi" else "answered",
                ]
            )
        if summary.options or summary.numbers or summary.ranking:
            if summary.question.type == "scale":
                sheet.append(
                    [text, "Don't know", summary.dont_know, summary.share_of_responses(summary.dont_know), "all responses"]
                )
            sheet.append([text, "Skipped", summary.skipped, summary.share_of_responses(summary.skipped), "all responses"])
            if summary.not_asked:
                sheet.append(
                    [text, "Not asked", summary.not_asked, summary.share_of_responses(summary.not_asked), "all responses"]
                )
        if summary.numbers and summary.numbers.count:
            stats = summary.numbers
            for name, value in (
                ("mean", stats.mean),
                ("median", stats.median),
                ("lowest", stats.minimum),
                ("highest", stats.maximum),
            ):
                sheet.append([text, name, value, None, "answers"])
        for ranked in summary.ranking:
            sheet.append(
                [text, neutralise(ranked.label), ranked.borda, None, f"Borda score; mean position {ranked.mean_position}"]
            )


def _write_readme(sheet, readme: list[tuple[str, str]], count: int, comment_count: int) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100
    title = WriteOnlyCell(sheet, value="Read me")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    lines = [*readme, ("Responses in this file", str(count)), ("Comments in this file", str(comment_count))]
    lines += [
        ("Sheets", "Responses (one row each), Comments (one row each), Summary (counts and percentages), Read me"),
        (
            "Dates",
            "submitted_at is UTC, as a real date and time; received_on is the date a response keyed in by staff "
            "(paper, phone, in person) was received",
        ),
        (
            "Channels",
            "; ".join(
                f"{code} = {channel_label(code)}"
                for code in ("socketio", "twilio", "telegram", "facebook", "slack", "rest", "paper", "phone", "in_person")
            ),
        ),
        ("Rankings", "One column per option, holding the rank the resident gave it (1 = most important)"),
        ("Safety", "Cells that a spreadsheet would run as a formula start with an apostrophe"),
    ]
    for name, value in lines:
        label = WriteOnlyCell(sheet, value=name)
        label.font = Font(bold=True)
        text = WriteOnlyCell(sheet, value=neutralise(value))
        text.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.append([label, text])


def readme_lines(
    consultation: Consultation, made_by: str, made_at: dt.datetime, filter_words: list[str], personal: bool
) -> list[tuple[str, str]]:
    return [
        ("Consultation", f"{consultation.title} ({consultation.slug})"),
        ("Exported", f"{made_at:%-d %B %Y %H:%M} UTC by {made_by}"),
        ("Filter", "; ".join(filter_words) if filter_words else "None: every submitted response"),
        ("Personal data", "Contact details of residents who asked to hear the outcome are included" if personal else "None"),
    ]
