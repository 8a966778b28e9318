"""One export entry point for the CLI and the portal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from ..store.repository import Store
from .records import ExportFilter, ResponseRecord, count_responses, iter_records, load_consultation
from .writers import LONG_HEADER, long_rows, wide_header, wide_row, write_csv, write_json

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
}


@dataclass(frozen=True)
class ExportRequest:
    filter: ExportFilter
    format: str = "csv"
    layout: str = "wide"
    include_personal_data: bool = False
    made_by: str = ""  # who asked for it, for the spreadsheet's read-me sheet


def audit_details(request: ExportRequest) -> dict:
    """What an export held, for the audit log: format, layout, personal data and the filter."""
    chosen = request.filter
    return {
        "format": request.format,
        "layout": request.layout,
        "personal_data": request.include_personal_data,
        "ward": chosen.ward,
        "channel": chosen.channel,
        "since": chosen.since.isoformat() if chosen.since else None,
        "until": chosen.until.isoformat() if chosen.until else None,
        "answers": "; ".join(f"{question}:{label}" for question, label in chosen.answers) or None,
        "theme": chosen.theme,
    }


def filename(request: ExportRequest, today: dt.date) -> str:
    suffix = "-long" if request.layout == "long" else ""
    return f"{request.filter.consultation}-{today.isoformat()}{suffix}.{request.format}"


def contact_resolver(store: Store) -> Callable[[ResponseRecord], str]:
    """The channel address of a respondent who asked to hear the outcome (only officers may export this).

    Responses keep the address only sealed (encrypted), and only until the outcome notice is sent.
    """
    known: dict[str, str] = {}

    def contact(record: ResponseRecord) -> str:
        key = f"{record.channel}:{record.sender_hash}"
        if key not in known:
            known[key] = store.kept_address(key) or ""
        return known[key]

    return contact


def export(
    store: Store,
    request: ExportRequest,
    out: IO[bytes],
    *,
    progress: Callable[[Iterator[ResponseRecord], int], Iterator[ResponseRecord]] | None = None,
) -> int:
    """Write the export to ``out``; returns the number of responses written."""
    consultation = load_consultation(store, request.filter.consultation)
    records: Iterator[ResponseRecord] = iter_records(store, request.filter)
    if progress is not None:
        records = progress(records, count_responses(store, request.filter))
    contact = contact_resolver(store) if request.include_personal_data else None
    if request.layout == "long":
        if request.format != "csv":
            raise ValueError("the long layout is available as CSV only")
        written = 0

        def rows():
            nonlocal written
            for record in records:
                written += 1
                yield from long_rows(record, consultation)

        write_csv(out, rows(), LONG_HEADER)
        return written
    if request.format == "json":
        unanswered = store.unanswered_summary(consultation.slug)
        return write_json(out, records, consultation, contact, lines=False, unanswered=unanswered)
    if request.format == "jsonl":
        return write_json(out, records, consultation, contact, lines=True)
    if request.format == "xlsx":
        return _workbook(store, request, consultation, records, contact, out)
    header = wide_header(consultation, contact is not None)
    return write_csv(out, (wide_row(record, consultation, contact) for record in records), header)


def _workbook(store: Store, request: ExportRequest, consultation, records, contact, out: IO[bytes]) -> int:
    """XLSX: responses, comments, a summary and a read-me sheet naming the filter (see workbook.py)."""
    from .analysis import question_summaries
    from .labels import describe_filter
    from .workbook import readme_lines, write_workbook

    words = describe_filter(request.filter, consultation, store.wards())
    made_at = dt.datetime.now(dt.timezone.utc)
    readme = readme_lines(consultation, request.made_by or "unknown", made_at, words, request.include_personal_data)
    summaries = question_summaries(store, consultation, request.filter)
    return write_workbook(out, records, consultation, contact, readme, summaries)
