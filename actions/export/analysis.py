"""Results for the review portal and the spreadsheet export, computed in the database.

Per question: counts and percentages, with "Don't know", skipped and not asked kept apart; numbers get
mean, median, range and a histogram; rankings get each option's mean position and Borda score.
Cross-tabulations break a closed question down by ward, age band, channel or another closed question,
with row percentages and small cells suppressed (``suppression.py``).

Every query is a GROUP BY over the responses a filter selects (``ExportFilter``), joined on the answers'
(question, value, response) index, so the work stays in SQL and a page for 100,000 responses reads only
the groups. Percentages:

* single-answer questions (scale, choice, yes/no): of the residents who gave a view, so "Don't know",
  skipped and not asked are left out of the base and shown separately, as a share of all responses;
* multi: of the residents who answered; they could choose more than one, so the total passes 100%.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Text, case, cast, func, or_, select
from sqlalchemy.sql import Select

from ..content.model import DONT_KNOW, Consultation, Question, Ward
from ..store.models import AnswerRow, QuestionRow, ResponseRow
from ..store.repository import Store
from ..store.themes import themes_among
from .filtering import commented_questions, not_by_index
from .labels import NOT_GIVEN, channel_label, ward_label, ward_names
from .records import ExportFilter, consultation_id
from .suppression import SMALL_CELL_THRESHOLD, suppressed_cells, table_lines

CLOSED_TYPES = ("scale", "choice", "yesno", "multi")
HISTOGRAM_BINS = 10


def is_closed(question: Question) -> bool:
    return question.type in CLOSED_TYPES


def answer_labels(question: Question) -> list[str]:
    """A closed question's answers in the order asked, without "Don't know"."""
    if question.type == "scale":
        return list(question.scale_labels)
    if question.type == "yesno":
        return ["Yes", "No"]
    return list(question.options)


@dataclass
class Count:
    label: str
    count: int | None  # None: fewer than the threshold, hidden
    percent: float | None = None


@dataclass
class NumberStats:
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    histogram: list[Count] = field(default_factory=list)


@dataclass
class RankedOption:
    label: str
    mean_position: float | None  # among residents who ranked it; 1 = first
    borda: int  # first of n gets n - 1 points, last gets 0, unranked 0
    first: int  # residents who put it first
    ranked: int  # residents who ranked it at all


@dataclass
class QuestionSummary:
    question: Question
    responses: int  # responses in the filter
    answered: int  # gave an answer, "Don't know" included
    dont_know: int
    skipped: int
    not_asked: int  # no answer row: skip logic left the question out, or it was added later
    options: list[Count] = field(default_factory=list)
    numbers: NumberStats | None = None
    ranking: list[RankedOption] = field(default_factory=list)
    suppressed: bool = False

    @property
    def gave_view(self) -> int:
        return self.answered - self.dont_know

    @property
    def base(self) -> int:
        """What the options' percentages are of."""
        return self.answered if self.question.type == "multi" else self.gave_view

    def share_of_responses(self, count: int | None) -> float | None:
        return percent(count, self.responses)


def percent(count: int | None, base: int) -> float | None:
    if count is None or not base:
        return None
    return round(100 * count / base, 1)


def filtered_ids(cid: int, export_filter: ExportFilter) -> Select:
    return select(ResponseRow.id).where(*export_filter.conditions(cid))


def _decode(raw: str | None):
    return None if raw in (None, "null") else json.loads(raw)


def count_matching(store: Store, export_filter: ExportFilter) -> int:
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(ResponseRow).where(*export_filter.conditions(cid))) or 0


def is_unfiltered(export_filter: ExportFilter) -> bool:
    chosen = export_filter
    return not (chosen.ward or chosen.since or chosen.until or chosen.channel or chosen.answers or chosen.theme)


# A filter that keeps fewer than 1 in FEW_RESPONSES responses reads their answers response by response;
# a wider one reads each question's answers from the index, checking them against the kept responses.
FEW_RESPONSES = 10


def question_summaries(
    store: Store, consultation: Consultation, export_filter: ExportFilter, suppress: bool = False
) -> list[QuestionSummary]:
    """Every question's results for the responses the filter selects (``suppress``: hide small counts)."""
    cid = consultation_id(store, export_filter.consultation)
    ids = filtered_ids(cid, export_filter)
    with store.session() as session:
        keys = dict(session.execute(select(QuestionRow.id, QuestionRow.key).where(QuestionRow.consultation_id == cid)).all())
        total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
        by_key = {key: question_id for question_id, key in keys.items()}
        grouped_ids = [by_key[q.id] for q in consultation.questions if q.type != "text" and q.id in by_key]
        text_ids = [by_key[q.id] for q in consultation.questions if q.type == "text" and q.id in by_key]
        value = cast(AnswerRow.value, Text)
        empty = case((or_(AnswerRow.value.is_(None), value == "null"), 1), else_=0)
        tallies: Counter = Counter()

        def tally(where, sign: int = 1, from_responses: bool = False) -> None:
            grouped = select(AnswerRow.question_id, value, func.count())
            texts = select(AnswerRow.question_id, func.count(), func.sum(empty))
            if from_responses:  # few responses: read each one's answers, not each question's
                grouped = grouped.select_from(ResponseRow).join(AnswerRow, AnswerRow.response_id == ResponseRow.id)
                texts = texts.select_from(ResponseRow).join(AnswerRow, AnswerRow.response_id == ResponseRow.id)
                question = not_by_index(session, AnswerRow.question_id)
            else:  # many: read the questions' answers from their index, checking each response
                grouped = grouped.with_hint(AnswerRow, "INDEXED BY ix_answers_question_value", "sqlite")
                texts = texts.with_hint(AnswerRow, "INDEXED BY ix_answers_question_value", "sqlite")
                question = AnswerRow.question_id
            if grouped_ids:
                query = grouped.where(question.in_(grouped_ids), *where).group_by(AnswerRow.question_id, value)
                for question_id, stored, count in session.execute(query):
                    tallies[(keys[question_id], _hashable(_decode(stored)))] += sign * count
            if text_ids:
                query = texts.where(question.in_(text_ids), *where).group_by(AnswerRow.question_id)
                for question_id, count, skipped in session.execute(query):
                    tallies[(keys[question_id], None)] += sign * (skipped or 0)
                    tallies[(keys[question_id], "")] += sign * (count - (skipped or 0))

        everyone = ExportFilter(export_filter.consultation).conditions(cid)
        not_submitted = select(ResponseRow.id).where(ResponseRow.consultation_id == cid, ResponseRow.status != "submitted")
        if is_unfiltered(export_filter):
            # Every answer of the consultation's questions, less those of responses not submitted (few or none):
            # no per-answer check against the responses table.
            tally([])
            tally([AnswerRow.response_id.in_(not_submitted)], -1)
        elif total * FEW_RESPONSES < (session.scalar(select(func.count()).where(*everyone)) or 0):
            tally(export_filter.conditions(cid), from_responses=True)
        else:
            # More than a few: the questions' answers from their index, each checked against the set of
            # response ids the filter selects (one hashed set, built once), not response by response.
            tally([AnswerRow.response_id.in_(ids)])
    values: dict[str, list[tuple[object, int]]] = {}
    for (key, stored), count in tallies.items():
        if count:
            values.setdefault(key, []).append((_unhashable(stored), count))
    return [_summary(question, values.get(question.id, []), total, suppress) for question in consultation.questions]


def _hashable(value):
    return ("list", tuple(value)) if isinstance(value, list) else value


def _unhashable(value):
    return list(value[1]) if isinstance(value, tuple) and value and value[0] == "list" else value


def _summary(question: Question, values: list[tuple[object, int]], total: int, suppress: bool) -> QuestionSummary:
    skipped = sum(count for value, count in values if value is None)
    answered = sum(count for value, count in values if value is not None)
    dont_know = sum(count for value, count in values if value == DONT_KNOW)
    summary = QuestionSummary(question, total, answered, dont_know, skipped, max(0, total - answered - skipped))
    if question.type == "number":
        summary.numbers = number_stats(question, [(float(v), c) for v, c in values if isinstance(v, (int, float))])
    elif question.type == "rank":
        summary.ranking = ranking(question, [(v, c) for v, c in values if isinstance(v, list)])
    elif is_closed(question):
        tally: Counter = Counter()
        for value, count in values:
            for label in value if isinstance(value, list) else [value]:
                if label is not None and label != DONT_KNOW:
                    tally[label] += count
        labels = answer_labels(question) + sorted(set(tally) - set(answer_labels(question)))
        summary.options = [Count(label, tally[label], percent(tally[label], summary.base)) for label in labels]
        if suppress:
            _suppress_summary(summary)
    return summary


def _suppress_summary(summary: QuestionSummary) -> None:
    """Hide small option counts (and whatever would give them away) in a summary shown beyond one's own ward."""
    counts = [option.count or 0 for option in summary.options] + [summary.dont_know, summary.skipped, summary.not_asked]
    options = range(len(summary.options))
    lines = [list(range(len(counts)))] + ([list(options)] if summary.question.type != "multi" else [])
    hidden = suppressed_cells([counts], [[(0, column) for column in line] for line in lines])
    for _row, column in hidden:
        if column < len(summary.options):
            summary.options[column].count = None
            summary.options[column].percent = None
            summary.suppressed = True


def number_stats(question: Question, values: list[tuple[float, int]]) -> NumberStats:
    """Mean, median, range and a histogram of a number question's answers, from their distribution."""
    count = sum(n for _v, n in values)
    if not count:
        return NumberStats(0, None, None, None, None, [])
    ordered = sorted(values)
    mean = sum(v * n for v, n in ordered) / count

    def nth(position: int) -> float:  # 0-based position in the sorted answers
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        return ordered[-1][0]

    median = nth(count // 2) if count % 2 else (nth(count // 2 - 1) + nth(count // 2)) / 2
    low, high = ordered[0][0], ordered[-1][0]
    return NumberStats(count, round(mean, 2), median, low, high, histogram(question, ordered))


def histogram(question: Question, ordered: list[tuple[float, int]]) -> list[Count]:
    """Up to ten equal bins over the question's range (or the answers' range, where it sets none)."""
    low = question.min if question.min is not None else ordered[0][0]
    high = question.max if question.max is not None else ordered[-1][0]
    low, high = min(low, ordered[0][0]), max(high, ordered[-1][0])
    whole = all(float(v).is_integer() for v, _n in ordered) and float(low).is_integer() and float(high).is_integer()
    span = high - low + (1 if whole else 0)
    width = max(1, math.ceil(span / HISTOGRAM_BINS)) if whole else (span / HISTOGRAM_BINS or 1)
    bins = max(1, math.ceil(span / width)) if span else 1
    counts = [0] * bins
    for value, n in ordered:
        counts[min(bins - 1, int((value - low) // width))] += n
    total = sum(counts)
    labels = []
    for index in range(bins):
        start = low + index * width
        if whole:
            end = min(high, start + width - 1)
            labels.append(f"{start:g}–{end:g}" if end > start else f"{start:g}")
        else:
            labels.append(f"{start:g} to under {start + width:g}" if index < bins - 1 else f"{start:g} to {high:g}")
    return [Count(label, count, percent(count, total)) for label, count in zip(labels, counts, strict=True)]


def ranking(question: Question, orders: list[tuple[list, int]]) -> list[RankedOption]:
    """Mean position and Borda score per option, from the distinct orders residents gave and their counts."""
    size = len(question.options)
    positions: Counter = Counter()
    ranked: Counter = Counter()
    borda: Counter = Counter()
    first: Counter = Counter()
    for order, count in orders:
        for position, option in enumerate(order, start=1):
            positions[option] += position * count
            ranked[option] += count
            borda[option] += (size - position) * count
        if order:
            first[order[0]] += count
    return [
        RankedOption(
            option,
            round(positions[option] / ranked[option], 2) if ranked[option] else None,
            borda[option],
            first[option],
            ranked[option],
        )
        for option in question.options
    ]


# --- who responded -------------------------------------------------------------------------------


@dataclass
class Group:
    key: str | None
    label: str
    count: int
    per_thousand: float | None = None


def age_order(band: str) -> tuple[int, str]:
    """Age bands youngest first, by the first number in them ("Under 18", "18-24", ..., "75 or over")."""
    digits = "".join(c if c.isdigit() else " " for c in band).split()
    return (-1 if band.lower().startswith("under") else int(digits[0]) if digits else 999, band)


@dataclass
class WhoResponded:
    total: int
    wards: list[Group]
    age_bands: list[Group]
    channels: list[Group]


def who_responded(store: Store, export_filter: ExportFilter, wards: list[Ward]) -> WhoResponded:
    """Responses by ward (with the rate per 1,000 residents), age band and channel, in one pass."""
    cid = consultation_id(store, export_filter.consultation)
    columns = (ResponseRow.ward_slug, ResponseRow.age_band, ResponseRow.channel)
    with store.session() as session:
        rows = session.execute(select(*columns, func.count()).where(*export_filter.conditions(cid)).group_by(*columns)).all()
    by_ward: Counter = Counter()
    by_age: Counter = Counter()
    by_channel: Counter = Counter()
    for ward, age_band, channel, count in rows:
        by_ward[ward] += count
        by_age[age_band] += count
        by_channel[channel] += count
    names = ward_names(wards)
    ward_rows = [Group(w.slug, w.name, by_ward.pop(w.slug, 0), None) for w in wards]
    for row, ward in zip(ward_rows, wards, strict=True):
        row.per_thousand = round(row.count * 1000 / ward.population, 1) if ward.population else None
    not_given = by_ward.pop(None, 0)
    ward_rows += [Group(slug, ward_label(slug, names), count) for slug, count in sorted(by_ward.items())]
    ward_rows.append(Group(None, NOT_GIVEN, not_given))
    not_given = by_age.pop(None, 0)
    age_rows = [Group(band, band, by_age[band]) for band in sorted(by_age, key=age_order)]
    age_rows.append(Group(None, NOT_GIVEN, not_given))
    channel_rows = [Group(c, channel_label(c), n) for c, n in sorted(by_channel.items(), key=lambda item: -item[1])]
    return WhoResponded(sum(count for *_rest, count in rows), ward_rows, age_rows, channel_rows)


def theme_counts(store: Store, export_filter: ExportFilter) -> Counter:
    """Comments (and "other" texts) per theme, as officers left the themes, in the responses the filter selects."""
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        return themes_among(
            session,
            cid,
            AnswerRow.question_id.in_(commented_questions(cid)),
            not_by_index(session, AnswerRow.response_id).in_(filtered_ids(cid, export_filter)),
        )


# --- cross-tabulation ----------------------------------------------------------------------------

BY_DEMOGRAPHICS = {"ward": "Ward", "age_band": "Age band", "channel": "Channel"}
NO_ANSWER = "Skipped or not asked"
EVERYONE_ELSE = "Everyone else (other wards, and ward not given)"


@dataclass
class CrossRow:
    key: str | None
    label: str
    cells: list[Count]  # one per answer label
    dont_know: Count
    no_answer: Count  # skipped or not asked
    base: int  # what the row percentages are of (gave a view; for multi, answered)
    total: int  # responses in the row


@dataclass
class CrossTab:
    question: Question
    by: str  # ward | age_band | channel | question:<id>
    by_label: str
    columns: list[str]
    rows: list[CrossRow]
    threshold: int
    hidden: int  # cells suppressed

    @property
    def has_dont_know(self) -> bool:
        return self.question.type == "scale"


@dataclass(frozen=True)
class RowGroups:
    """The rows of a cross-tab in order, and which rows a database value belongs in."""

    keys: list[str | None]
    labels: list[str]
    members: dict  # database value -> row key (demographics)
    by_question: bool = False

    def rows_of(self, raw) -> list:
        if self.by_question:
            value = _decode(raw)
            chosen = value if isinstance(value, list) else [value]
            found = [label for label in chosen if label in self.keys and label is not None]
            return found or [None]
        key = self.members.get(raw, self.keys[-1])
        return [key if key in self.keys else self.keys[-1]]


def crosstab(
    store: Store,
    consultation: Consultation,
    export_filter: ExportFilter,
    question: Question,
    by: str,
    wards: list[Ward],
    own_ward: str | None = None,
    threshold: int = SMALL_CELL_THRESHOLD,
) -> CrossTab:
    """``question`` broken down by ``by``; with ``own_ward`` (a councillor), other wards are one row."""
    cid = consultation_id(store, export_filter.consultation)
    answer = AnswerRow.__table__.alias("answer")
    with store.session() as session:
        keys = dict(session.execute(select(QuestionRow.key, QuestionRow.id).where(QuestionRow.consultation_id == cid)).all())
        joined = (
            select()
            .select_from(ResponseRow)
            .outerjoin(answer, (answer.c.response_id == ResponseRow.id) & (answer.c.question_id == keys.get(question.id)))
        )
        if by.startswith("question:"):
            other = consultation.question(by.split(":", 1)[1])
            by_answer = AnswerRow.__table__.alias("by_answer")
            group = cast(by_answer.c.value, Text)
            joined = joined.outerjoin(
                by_answer, (by_answer.c.response_id == ResponseRow.id) & (by_answer.c.question_id == keys.get(other.id))
            )
        else:
            group = {"ward": ResponseRow.ward_slug, "age_band": ResponseRow.age_band, "channel": ResponseRow.channel}[by]
        rows = session.execute(
            joined.add_columns(group.label("row_value"), cast(answer.c.value, Text).label("answer_value"), func.count())
            .where(*export_filter.conditions(cid))
            .group_by(group, cast(answer.c.value, Text))
        ).all()
    if by.startswith("question:"):
        groups, by_label = _question_groups(other), other.text
    else:
        groups, by_label = _demographic_groups(by, rows, wards, own_ward), BY_DEMOGRAPHICS[by]
    return _tabulate(question, by, by_label, groups, rows, threshold)


def _question_groups(question: Question) -> RowGroups:
    labels = answer_labels(question) + ([DONT_KNOW] if question.type == "scale" else [])
    return RowGroups([*labels, None], [*labels, NO_ANSWER], {}, by_question=True)


def _demographic_groups(by: str, rows, wards: list[Ward], own_ward: str | None) -> RowGroups:
    present = {value for value, _answer, _count in rows}
    if by == "ward":
        names = ward_names(wards)
        if own_ward:
            members = {slug: (own_ward if slug == own_ward else "other") for slug in present}
            return RowGroups([own_ward, "other"], [ward_label(own_ward, names), EVERYONE_ELSE], members)
        slugs = [w.slug for w in wards] + sorted(s for s in present if s and s not in names)
        return RowGroups([*slugs, None], [ward_label(s, names) for s in slugs] + [NOT_GIVEN], {s: s for s in present})
    if by == "age_band":
        bands = sorted((b for b in present if b), key=age_order)
        return RowGroups([*bands, None], [*bands, NOT_GIVEN], {b: b for b in present})
    channels = sorted((c for c in present if c), key=channel_label)
    return RowGroups(channels, [channel_label(c) for c in channels], {c: c for c in present})


def _tabulate(question: Question, by: str, by_label: str, groups: RowGroups, rows, threshold: int) -> CrossTab:
    labels = answer_labels(question)
    position = {label: index for index, label in enumerate(labels)}
    size = len(labels)
    dont_know, no_answer = size, size + 1  # the columns after the answers
    table = {key: [0] * (size + 2) for key in groups.keys}
    answered: Counter = Counter()  # residents per row who answered (the base for a multi question)
    for group_value, raw, count in rows:
        answer = _decode(raw)
        for key in groups.rows_of(group_value):
            if answer is None:
                table[key][no_answer] += count
                continue
            answered[key] += count
            for label in answer if isinstance(answer, list) else [answer]:
                if label == DONT_KNOW:
                    table[key][dont_know] += count
                elif label in position:
                    table[key][position[label]] += count
    counts = [table[key] for key in groups.keys]
    single = question.type != "multi"
    # A single-answer row's answers add up to its base, and the whole row to its responses.
    hidden = suppressed_cells(counts, table_lines(len(counts), size + 2, [list(range(size))] if single else []), threshold)
    out = []
    for index, (key, label) in enumerate(zip(groups.keys, groups.labels, strict=True)):
        values = counts[index]
        base = sum(values[:size]) if single else answered[key] - values[dont_know]
        total = sum(values) if single else answered[key] + values[no_answer]

        def cell(column: int, of: int, index: int = index, values: list[int] = values) -> Count:
            name = labels[column] if column < size else ""
            if (index, column) in hidden:
                return Count(name, None, None)
            return Count(name, values[column], percent(values[column], of))

        cells = [cell(column, base) for column in range(size)]
        out.append(CrossRow(key, label, cells, cell(dont_know, total), cell(no_answer, total), base, total))
    return CrossTab(question, by, by_label, labels, out, threshold, len(hidden))
