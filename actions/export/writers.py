"""Write response records as CSV (wide or long), XLSX, JSON or JSON Lines.

Safety and fidelity rules, shared by every format:
* One row per submitted response; columns: reference, submitted_at (ISO 8601
  UTC), channel, ward, age_band, consent choices, then one column per
  question in question order. Multi answers are joined with "; "; rank
  answers get one column per option holding its rank; text questions get a
  ``<question>_themes`` column; a choice or multi question with "other, please
  specify" gets ``<question>: other`` (what the resident wrote, redacted) and
  ``<question>: other themes`` beside it.
* Skipped, not asked and "Don't know" are told apart: a skipped question's
  cell is empty, a question the resident was not asked (its ``ask_if`` was
  false, or it was added after they answered) says ``not asked`` in every one
  of its columns, and "Don't know" is an answer. In the long layout, ``skipped``
  is yes / no and ``asked`` is no for a question not asked; JSON records list
  ``not_asked`` question ids.
* CSV is UTF-8 with a BOM (so Excel opens it correctly), RFC 4180 quoting,
  CRLF line ends and a header row.
* Spreadsheet formula injection is neutralised (OWASP CSV injection guidance):
  a text cell starting with = + - @ tab or carriage return is prefixed with a
  single quote, in CSV and XLSX. Numbers stay numbers.
* The JSON export (not JSON Lines) ends with ``unanswered``: the consultation's log of questions
  the content could not answer and answers not understood, grouped, whatever the filters.
* Everything streams: rows are written as they are read, and XLSX uses
  openpyxl's write-only mode, so memory does not grow with the row count.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

from ..content.model import Consultation, Question
from .records import ResponseRecord

FORMATS = ("csv", "xlsx", "json", "jsonl")
LAYOUTS = ("wide", "long")
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# received_on: the date a response keyed in by staff (paper, phone, in person) was received; empty for the chat.
BASE_COLUMNS = ["reference", "submitted_at", "channel", "ward", "age_band", "consent_quote", "notify_outcome", "received_on"]
NOT_ASKED = "not asked"  # the cell of a question the resident was not asked (skip logic), never empty
PERSONAL_COLUMNS = ["contact_channel", "contact_id"]


def neutralise(value: Any) -> Any:
    """Make a text cell inert in spreadsheets; leave numbers and empties alone."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def iso_utc(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def question_columns(question: Question) -> list[str]:
    if question.type == "rank":
        return [f"{question.id}: {option}" for option in question.options]
    if question.type == "text":
        return [question.id, f"{question.id}_themes"]
    if question.other:
        return [question.id, f"{question.id}: other", f"{question.id}: other themes"]
    return [question.id]


def wide_header(consultation: Consultation, personal: bool) -> list[str]:
    columns = list(BASE_COLUMNS)
    if personal:
        columns += PERSONAL_COLUMNS
    for question in consultation.questions:
        columns += question_columns(question)
    return columns


def _cell(value: Any) -> Any:
    return "" if value is None else value


def wide_row(record: ResponseRecord, consultation: Consultation, contact: Callable[[ResponseRecord], str] | None) -> list[Any]:
    row: list[Any] = [
        record.reference,
        iso_utc(record.submitted_at),
        record.channel,
        record.ward or "",
        record.age_band or "",
        yes_no(record.consent_quote),
        yes_no(record.notify_outcome),
        record.received_on.isoformat() if record.received_on else "",
    ]
    if contact is not None:
        row += [record.channel if record.notify_outcome else "", contact(record) if record.notify_outcome else ""]
    for question in consultation.questions:
        value = record.answers.get(question.id)
        if question.id not in record.answers:
            row += [NOT_ASKED] * len(question_columns(question))
        elif question.type == "rank":
            order = value or []
            row += [order.index(option) + 1 if option in order else "" for option in question.options]
        elif question.type == "multi":
            row.append("; ".join(value) if value else "")
        elif question.type == "text":
            row += [_cell(value), "; ".join(record.themes.get(question.id, []))]
        else:
            row.append(_cell(value))
        if question.other and question.id in record.answers:
            row += [record.other.get(question.id, ""), "; ".join(record.themes.get(question.id, []))]
    return row


def long_rows(record: ResponseRecord, consultation: Consultation) -> Iterator[list[Any]]:
    """One row per answer (multi: one row per chosen option; rank: one row per option with its rank).

    A question not asked has one row, with ``asked`` "no"; the "other, please specify" text is in
    ``other`` on the row of the option it explains."""
    received = record.received_on.isoformat() if record.received_on else ""
    for row in _long_rows(record, consultation):
        yield [*row, received]  # received_on last, after "asked"


def _long_rows(record: ResponseRecord, consultation: Consultation) -> Iterator[list[Any]]:
    base = [record.reference, iso_utc(record.submitted_at), record.channel, record.ward or "", record.age_band or ""]
    for question in consultation.questions:
        if question.id not in record.answers:
            yield base + [question.id, question.type, "", "", "", "no", "", "no"]
            continue
        value = record.answers[question.id]
        if value is None:
            yield base + [question.id, question.type, "", "", "", "yes", "", "yes"]
        elif question.type == "multi":
            for option in value:
                yield base + [question.id, question.type, option, "", *_beside(record, question, option)]
        elif question.type == "rank":
            for rank, option in enumerate(value, start=1):
                yield base + [question.id, question.type, option, rank, "", "no", "", "yes"]
        elif question.type == "choice":
            yield base + [question.id, question.type, value, "", *_beside(record, question, value)]
        else:
            themes = "; ".join(record.themes.get(question.id, []))
            yield base + [question.id, question.type, value, "", themes, "no", "", "yes"]


def _beside(record: ResponseRecord, question: Question, option: str) -> list[str]:
    """themes, skipped, other, asked: the "other, please specify" text and its themes go on that option's row."""
    if option != question.other:
        return ["", "no", "", "yes"]
    return ["; ".join(record.themes.get(question.id, [])), "no", record.other.get(question.id, ""), "yes"]


LONG_HEADER = [
    "reference",
    "submitted_at",
    "channel",
    "ward",
    "age_band",
    "question",
    "question_type",
    "value",
    "rank",
    "themes",
    "skipped",
    "other",
    "asked",
    "received_on",
]


def write_csv(out: IO[bytes], rows: Iterable[list[Any]], header: list[str]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
    text.flush()
    text.detach()
    return count


def write_xlsx(out: IO[bytes], rows: Iterable[list[Any]], header: list[str], title: str) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Responses")
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    sheet.freeze_panes = "B2"
    count = 0
    for row in rows:
        # Plain values are much faster than WriteOnlyCell objects. Safe because neutralise()
        # guarantees no text starts with "=", which is what openpyxl would store as a formula.
        sheet.append([neutralise(value) for value in row])
        count += 1
    workbook.save(out)
    return count


def json_record(record: ResponseRecord, consultation: Consultation, contact: Callable[[ResponseRecord], str] | None) -> dict:
    item: dict[str, Any] = {
        "reference": record.reference,
        "submitted_at": iso_utc(record.submitted_at),
        "channel": record.channel,
        "received_on": record.received_on.isoformat() if record.received_on else None,
        "ward": record.ward,
        "age_band": record.age_band,
        "consent": {"quote_anonymously": record.consent_quote, "notify_outcome": record.notify_outcome},
        "answers": {q.id: record.answers.get(q.id) for q in consultation.questions},  # None: skipped or not asked
        "not_asked": [q.id for q in consultation.questions if q.id not in record.answers],
        "other": {q.id: record.other[q.id] for q in consultation.questions if q.id in record.other},
        "themes": {q.id: record.themes.get(q.id, []) for q in consultation.questions if q.type == "text" or q.id in record.other},
        "flat": dict(
            zip(
                wide_header(consultation, False)[len(BASE_COLUMNS) :],
                wide_row(record, consultation, None)[len(BASE_COLUMNS) :],
                strict=True,
            )
        ),
    }
    if contact is not None:
        item["contact"] = {"channel": record.channel, "id": contact(record)} if record.notify_outcome else None
    return item


def json_unanswered(group: dict) -> dict:
    """One group of the unanswered-questions log (see Store.unanswered_summary), times in ISO 8601 UTC."""
    return {
        "kind": group["kind"],
        "question_id": group["question_id"],
        "count": group["count"],
        "examples": list(group["examples"]),
        "first_seen": iso_utc(group["first_seen"]),
        "last_seen": iso_utc(group["last_seen"]),
    }


def write_json(
    out: IO[bytes],
    records: Iterable[ResponseRecord],
    consultation: Consultation,
    contact: Callable[[ResponseRecord], str] | None,
    lines: bool,
    unanswered: Iterable[dict] = (),
) -> int:
    """JSON: ``{"meta": ..., "responses": [...], "unanswered": [...]}``; JSON Lines: one response a line, nothing else."""
    count = 0
    if not lines:
        meta = {
            "consultation": consultation.slug,
            "title": consultation.title,
            "questions": [
                {
                    "id": q.id,
                    "type": q.type,
                    "text": q.text,
                    "options": list(q.options),
                    "other": q.other,  # the "other, please specify" option's label, or null
                    "ask_if": q.ask_if.document() if q.ask_if else None,  # asked only when this holds
                }
                for q in consultation.questions
            ],
        }
        out.write(b'{"meta": ' + json.dumps(meta, ensure_ascii=False).encode("utf-8") + b', "responses": [\n')
    for record in records:
        encoded = json.dumps(json_record(record, consultation, contact), ensure_ascii=False).encode("utf-8")
        if lines:
            out.write(encoded + b"\n")
        else:
            out.write((b",\n" if count else b"") + encoded)
        count += 1
    if not lines:
        groups = [json_unanswered(group) for group in unanswered]
        out.write(b'\n], "unanswered": ' + json.dumps(groups, ensure_ascii=False).encode("utf-8") + b"}\n")
    return count
