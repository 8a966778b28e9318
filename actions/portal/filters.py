"""The filter in the address bar, and what each account may see through it.

Every results, reading and export address takes the same query: ``ward``, ``channel``, ``since``,
``until``, ``theme`` and any number of ``answer=QUESTION:LABEL``. Reading it gives an ``ExportFilter``
(for counts) and a ``View`` that knows the account's limits:

* officers and admins see everything;
* a councillor sees totals for the whole district or for their own ward, with small counts hidden when
  looking beyond their ward, but the detail (comments, cross-tabs by ward, exports) of their own ward only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import urllib.parse
from dataclasses import dataclass, field

from aiohttp import web

from ..content.model import Consultation, Ward
from ..export.analysis import answer_labels, is_closed
from ..export.labels import CHANNEL_LABELS, describe_filter, ward_label, ward_names
from ..export.records import ExportFilter
from ..store.accounts import User

FILTER_KEYS = ("ward", "channel", "since", "until", "theme", "answer")


@dataclass
class View:
    """One page's filter, as chosen and as allowed."""

    consultation: Consultation
    user: User
    wards: list[Ward]
    filter: ExportFilter  # what the totals count
    ward_choice: str  # "all" or a slug, as shown in the form
    problems: list[str] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)  # the filter as query parameters
    themes: list[tuple[str, str]] = field(default_factory=list)  # (key, name) of the themes one can filter by

    @property
    def channel_choices(self) -> list[tuple[str, str]]:
        return sorted(CHANNEL_LABELS.items(), key=lambda item: item[1])

    @property
    def is_councillor(self) -> bool:
        return self.user.role == "councillor"

    @property
    def own_ward(self) -> str | None:
        return self.user.ward_slug if self.is_councillor else None

    @property
    def own_ward_name(self) -> str:
        return ward_label(self.own_ward, ward_names(self.wards)) if self.own_ward else ""

    @property
    def detail_filter(self) -> ExportFilter:
        """What single comments and exports may show: a councillor's own ward only."""
        if self.is_councillor:
            return dataclasses.replace(self.filter, ward=self.own_ward or "\x00no ward")
        return self.filter

    @property
    def suppress(self) -> bool:
        """Hide small counts: for a councillor looking beyond their own ward."""
        return self.is_councillor and self.filter.ward != self.own_ward

    @property
    def query(self) -> str:
        """The filter as a query string, to carry into links, exports and the next page."""
        return urllib.parse.urlencode(self.params)

    def link(self, path: str, **extra: str | int | None) -> str:
        params = self.params + [(key, str(value)) for key, value in extra.items() if value not in (None, "")]
        return f"{path}?{urllib.parse.urlencode(params)}" if params else path

    def without(self, key: str, value: str | None = None) -> str:
        """This page's address with one filter (or one value of it) taken off."""
        kept = [(k, v) for k, v in self.params if not (k == key and (value is None or v == value))]
        return f"?{urllib.parse.urlencode(kept)}" if kept else "?"

    @property
    def is_filtered(self) -> bool:
        return any(key != "ward" or value != "all" for key, value in self.params)

    def is_filtered_beyond_ward(self) -> bool:
        return any(key != "ward" for key, _value in self.params)

    def describe(self) -> list[str]:
        """The filter in words, for headings and the spreadsheet's read-me sheet."""
        return describe_filter(self.filter, self.consultation, self.wards)

    def answer_choices(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """For the form: each closed question with its answers as ``question:label`` values."""
        choices = []
        for question in self.consultation.questions:
            if is_closed(question):
                labels = answer_labels(question) + (["Don't know"] if question.type == "scale" else [])
                choices.append((question.text, [(f"{question.id}:{label}", label) for label in labels]))
        return choices


def read_view(request: web.Request, consultation: Consultation, wards: list[Ward]) -> View:
    """The page's filter from its query string; anything unusable is dropped with a message, never an error."""
    query = request.query
    user: User = request["user"]
    problems: list[str] = []
    known = {ward.slug for ward in wards}
    ward = query.get("ward")
    if ward is None and user.role == "councillor":
        ward = user.ward_slug
    if ward in ("", "all", None):
        ward = None
    if ward and ward not in known:
        problems.append(f"Unknown ward {ward!r}: showing all wards.")
        ward = None
    if ward and user.role == "councillor" and ward != user.ward_slug:
        names = ward_names(wards)
        problems.append(
            f"Councillors see the whole district or their own ward: showing {ward_label(user.ward_slug, names)}, "
            f"not {ward_label(ward, names)}."
        )
        ward = user.ward_slug
    dates: dict[str, dt.date | None] = {}
    for name in ("since", "until"):
        raw = query.get(name, "").strip()
        try:
            dates[name] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(f"{'From' if name == 'since' else 'To'} date {raw!r} is not a date like 2026-11-22: ignored.")
            dates[name] = None
    if dates["since"] and dates["until"] and dates["until"] < dates["since"]:
        problems.append("The “to” date is before the “from” date, so no response can match: dates ignored.")
        dates = {"since": None, "until": None}
    channel = query.get("channel", "").strip() or None
    theme = query.get("theme", "").strip() or None
    answers = []
    for raw in query.getall("answer", []):
        question_id, _, label = raw.partition(":")
        question = consultation.question(question_id)
        allowed = answer_labels(question) + ["Don't know"] if question and is_closed(question) else []
        if label in allowed and (question_id, label) not in answers:
            answers.append((question_id, label))
        elif raw:
            problems.append(f"No answer {raw!r} in this consultation: ignored.")
    params = [("ward", ward or "all")]
    params += [(key, value) for key, value in (("channel", channel), ("theme", theme)) if value]
    params += [(key, value.isoformat()) for key, value in dates.items() if value]
    params += [("answer", f"{question_id}:{label}") for question_id, label in answers]
    chosen = ExportFilter(
        consultation.slug,
        ward=ward,
        since=dates["since"],
        until=dates["until"],
        channel=channel,
        answers=tuple(answers),
        theme=theme,
    )
    return View(consultation, user, wards, chosen, ward or "all", problems, params)


def page_number(request: web.Request) -> int:
    try:
        return min(max(1, int(request.query.get("page", "1"))), 100_000)
    except ValueError:
        return 1
