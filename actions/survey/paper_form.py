"""A printable paper version of a consultation, generated from its questions (Word .docx, python-docx).

For residents who answer on paper, and for staff reading a survey out on the
phone. The form has the same questions, options and skip logic as the chat,
written for a pen: tick boxes, "Number these from 1", lines to write on, and
for a question with ``ask_if`` a sentence saying when to answer it ("Answer
this question only if you ticked "Car" in question 1"). It starts with an
"office use" box for the reference a keyed-in response gets, and the privacy
notice, and ends with the optional questions about you.

Word rather than PDF: officers can add the council's logo or a return address
before printing, the headings are real headings for screen readers, and any
language's characters print without embedding fonts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Pt

from ..content.model import CONDITION_GROUPS, DONT_KNOW, Condition, Consultation, Council, Question
from .engine import AGE_BANDS, PREFER_NOT

BOX = "☐"  # a tick box
WRITING_LINE = "_" * 60
ANSWER_LINES = 6  # lines to write a comment on
REFERENCE_LABEL = "Reference"
OFFICE_USE = "For office use"


def paper_form(consultation: Consultation, council: Council | None, retention_months: int) -> bytes:
    """The consultation's paper form as a .docx file."""
    document = Document()
    _style(document)
    name = council.name if council else "The council"
    document.add_heading(consultation.title, level=0)
    document.add_paragraph(f"{name}: have your say")
    _office_box(document)
    document.add_paragraph(consultation.summary)
    closes = consultation.closes.strftime("%A %-d %B %Y")
    document.add_paragraph(f"Please send this form back by {closes}. {_return_to(council)}")

    document.add_heading("Your privacy", level=1)
    for text in privacy_notice(consultation, council, retention_months):
        document.add_paragraph(text)
    _tick_boxes(document, ["I have read this and agree to take part."])
    document.add_paragraph("May we quote your comments, without your name, in the published consultation report?")
    _tick_boxes(document, ["Yes", "No"])

    document.add_heading("Questions", level=1)
    numbers = {question.id: number for number, question in enumerate(consultation.questions, start=1)}
    for number, question in enumerate(consultation.questions, start=1):
        _question(document, number, question, numbers)

    demographics = council.demographics if council else ("postcode", "age_band")
    if demographics:
        document.add_heading("About you (optional)", level=1)
        document.add_paragraph("These help us check we have heard from every part of the district. You can leave them blank.")
    if "postcode" in demographics:
        document.add_paragraph("Your postcode. We use it only to find your ward, and keep the first part (like MB3 4).")
        document.add_paragraph(f"Postcode: {'_' * 20}")
    if "age_band" in demographics:
        document.add_paragraph("Which age group are you in? Tick one box.")
        _tick_boxes(document, (*AGE_BANDS, PREFER_NOT))
    document.add_paragraph(f"Thank you for taking part. Please send this form back by {closes}.")

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def privacy_notice(consultation: Consultation, council: Council | None, retention_months: int) -> list[str]:
    """The same promise the chat makes before a response (survey/engine.py), worded for paper."""
    name = council.name if council else "The council"
    months = f"{retention_months} month{'s' if retention_months != 1 else ''}"
    lines = [
        f"{name} is responsible for the information you give on this form. We keep your answers to report what "
        f'people said about "{consultation.title}", for up to {months} after the decision. Then we delete your '
        "comments and anything that could link your answers to you, and keep the rest only anonymously, for the totals.",
        "We don't ask your name. Please leave names, addresses, phone numbers and email addresses out of your "
        "comments: we remove them before your answers are stored.",
    ]
    if council and council.privacy_notice_url:
        lines.append(f"Full privacy notice: {council.privacy_notice_url}")
    return lines


def describe_condition(condition: Condition, numbers: dict[str, int]) -> str:
    """When a question is asked, in words that name earlier questions by their number on the form."""
    if condition.test in CONDITION_GROUPS:
        joiner = " and " if condition.test == "all" else " or "
        parts = [describe_condition(part, numbers) for part in condition.parts]
        return joiner.join(f"({part})" if part_is_group else part for part, part_is_group in _grouped(condition, parts))
    number = numbers.get(condition.question, "?")
    if condition.test == "includes":
        return f'you ticked "{condition.value}" in question {number}'
    if condition.test == "one_of":
        return f"you answered {_either(condition.value)} to question {number}"
    if condition.test == "is":
        return f'you answered "{_show(condition.value)}" to question {number}'
    if condition.test == "is_not":
        return f'you answered question {number} with anything but "{_show(condition.value)}"'
    if condition.test == "at_least":
        return f"your answer to question {number} is {_show(condition.value)} or more"
    return f"your answer to question {number} is {_show(condition.value)} or less"


def _grouped(condition: Condition, parts: list[str]) -> Iterable[tuple[str, bool]]:
    return ((text, part.test in CONDITION_GROUPS) for text, part in zip(parts, condition.parts, strict=True))


def _question(document: DocumentType, number: int, question: Question, numbers: dict[str, int]) -> None:
    document.add_heading(f"{number}. {question.text}", level=2)
    if question.ask_if is not None:
        routing = document.add_paragraph()
        routing.add_run(
            f"Answer this question only if {describe_condition(question.ask_if, numbers)}. "
            "Otherwise leave it blank and go on to the next question."
        ).italic = True
    if not question.required:
        document.add_paragraph("(Optional.)")
    if question.help:
        document.add_paragraph().add_run(question.help).italic = True
    kind = question.type
    if kind in ("scale", "choice", "yesno"):
        document.add_paragraph("Tick one box.")
        _tick_boxes(document, _labels(question), question.other)
    elif kind == "multi":
        limit = question.max_choices or len(question.options)
        document.add_paragraph("Tick all that apply." if limit >= len(question.options) else f"Tick up to {limit} boxes.")
        _tick_boxes(document, question.options, question.other)
    elif kind == "rank":
        document.add_paragraph(f"Number these from 1 (most important) to {len(question.options)}.")
        for option in question.options:
            document.add_paragraph(f"____  {option}")
    elif kind == "number":
        document.add_paragraph(f"Write a number{_range(question)}: {'_' * 12}")
    else:
        document.add_paragraph("Write your answer here.")
        for _line in range(ANSWER_LINES):
            document.add_paragraph(WRITING_LINE)


def _labels(question: Question) -> tuple[str, ...]:
    if question.type == "scale":
        return (*question.scale_labels, DONT_KNOW)
    if question.type == "yesno":
        return ("Yes", "No")
    return question.options


def _tick_boxes(document: DocumentType, labels: Iterable[str], other: str | None = None) -> None:
    for label in labels:
        line = f"{BOX}  {label}"
        if label == other:
            line += f": {'_' * 40}"  # "please specify" on the same line
        document.add_paragraph(line)


def _office_box(document: DocumentType) -> None:
    """The box staff fill in when they key the response in: its reference, when it came, who keyed it."""
    table = document.add_table(rows=4, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.RIGHT
    for row, label in zip(table.rows, (OFFICE_USE, REFERENCE_LABEL, "Received on", "Keyed in by"), strict=True):
        row.cells[0].text = label
    table.rows[0].cells[0].merge(table.rows[0].cells[1])


def _return_to(council: Council | None) -> str:
    if council is None:
        return ""
    ways = [way for way in (council.contact_email, council.contact_phone) if way]
    return f"Questions about this form: {' or '.join(ways)}." if ways else ""


def _range(question: Question) -> str:
    if question.min is not None and question.max is not None:
        return f" from {_show(question.min)} to {_show(question.max)}"
    if question.min is not None:
        return f" of at least {_show(question.min)}"
    if question.max is not None:
        return f" up to {_show(question.max)}"
    return ""


def _either(labels: Iterable[str]) -> str:
    quoted = [f'"{label}"' for label in labels]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _show(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _style(document: DocumentType) -> None:
    """A large, plain font: many paper respondents are older residents."""
    normal = document.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(12)
