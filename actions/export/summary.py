"""Results for the review portal: answer distributions, responses by ward / age band / channel, comments.

Counts are computed in the database (GROUP BY), so a page for a Local Plan
with 100,000 responses stays quick. Only submitted responses count.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Text, cast, func, select

from ..content.model import DONT_KNOW, Consultation, Question, Ward
from ..store.models import AnswerRow, QuestionRow, ResponseRow
from ..store.repository import Store
from .records import ExportFilter, consultation_id


@dataclass
class QuestionResult:
    question: Question
    counts: list[tuple[str, float]]  # (label, count) in option order; for rank, (option, average rank)
    answered: int
    skipped: int
    measure: str = "responses"  # or "average rank (1 = most important)"
    first_choices: dict[str, int] = field(default_factory=dict)


@dataclass
class Breakdown:
    label: str
    count: int
    per_thousand: float | None = None


def _labels(question: Question) -> list[str]:
    if question.type == "scale":
        return [*question.scale_labels, DONT_KNOW]
    if question.type == "yesno":
        return ["Yes", "No"]
    return list(question.options)


def question_results(store: Store, consultation: Consultation, export_filter: ExportFilter) -> list[QuestionResult]:
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        keys = dict(session.execute(select(QuestionRow.id, QuestionRow.key).where(QuestionRow.consultation_id == cid)).all())
        rows = session.execute(
            select(AnswerRow.question_id, cast(AnswerRow.value, Text), func.count())
            .join(ResponseRow, ResponseRow.id == AnswerRow.response_id)
            .where(*export_filter.conditions(cid))
            .group_by(AnswerRow.question_id, cast(AnswerRow.value, Text))
        ).all()
    grouped: dict[str, list[tuple[object, int]]] = {}
    for question_id, raw, count in rows:
        value = json.loads(raw) if raw not in (None, "null") else None
        grouped.setdefault(keys[question_id], []).append((value, count))
    results = []
    for question in consultation.questions:
        values = grouped.get(question.id, [])
        skipped = sum(count for value, count in values if value is None)
        answered = sum(count for value, count in values if value is not None)
        if question.type == "text":
            results.append(QuestionResult(question, [], answered, skipped))
            continue
        if question.type == "number":
            buckets = Counter()
            for value, count in values:
                if value is not None:
                    buckets[_number_bucket(question, value)] += count
            order = _number_bucket_labels(question)
            results.append(QuestionResult(question, [(label, buckets.get(label, 0)) for label in order], answered, skipped))
            continue
        if question.type == "rank":
            positions: dict[str, int] = Counter()
            firsts: Counter = Counter()
            for value, count in values:
                for rank, option in enumerate(value or [], start=1):
                    positions[option] += rank * count
                if value:
                    firsts[value[0]] += count
            averages = [(option, round(positions[option] / answered, 2) if answered else 0.0) for option in question.options]
            results.append(
                QuestionResult(question, averages, answered, skipped, "average rank (1 = most important)", dict(firsts))
            )
            continue
        tally: Counter = Counter()
        for value, count in values:
            for label in value if isinstance(value, list) else [value]:
                if label is not None:
                    tally[label] += count
        results.append(QuestionResult(question, [(label, tally.get(label, 0)) for label in _labels(question)], answered, skipped))
    return results


def _number_bucket_labels(question: Question) -> list[str]:
    low = int(question.min if question.min is not None else 0)
    high = int(question.max if question.max is not None else 100)
    width = max(1, (high - low + 1) // 5)
    labels = []
    start = low
    while start <= high:
        end = min(high, start + width - 1)
        labels.append(f"{start}–{end}" if end > start else str(start))
        start = end + 1
    return labels


def _number_bucket(question: Question, value: float) -> str:
    for label in _number_bucket_labels(question):
        bounds = [float(part) for part in label.split("–")]
        if bounds[0] <= value <= bounds[-1] or (len(bounds) == 2 and bounds[0] <= value < bounds[1] + 1):
            return label
    return _number_bucket_labels(question)[-1]


def _group(store: Store, export_filter: ExportFilter, column) -> list[tuple[str | None, int]]:
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        return session.execute(
            select(column, func.count()).where(*export_filter.conditions(cid)).group_by(column).order_by(func.count().desc())
        ).all()


def by_ward(store: Store, export_filter: ExportFilter, wards: list[Ward]) -> list[Breakdown]:
    counts = dict(_group(store, export_filter, ResponseRow.ward_slug))
    rows = []
    for ward in wards:
        count = counts.pop(ward.slug, 0)
        rate = round(count * 1000 / ward.population, 1) if ward.population else None
        rows.append(Breakdown(ward.name, count, rate))
    for slug, count in counts.items():
        rows.append(Breakdown("Not given or outside the district" if slug is None else slug, count))
    return rows


def by_age_band(store: Store, export_filter: ExportFilter) -> list[Breakdown]:
    from ..survey.engine import AGE_BANDS

    counts = dict(_group(store, export_filter, ResponseRow.age_band))
    rows = [Breakdown(band, counts.get(band, 0)) for band in AGE_BANDS]
    rows.append(Breakdown("Not given", counts.get(None, 0)))
    return rows


def by_channel(store: Store, export_filter: ExportFilter) -> list[Breakdown]:
    return [Breakdown(channel, count) for channel, count in _group(store, export_filter, ResponseRow.channel)]


@dataclass
class Comment:
    reference: str
    text: str
    themes: list[str]


def comments(
    store: Store, export_filter: ExportFilter, question_id: str, theme: str | None = None, limit: int = 50
) -> tuple[list[Comment], int, Counter]:
    """Newest comments for a question (optionally with one theme), the total, and a count per theme."""
    cid = consultation_id(store, export_filter.consultation)
    with store.session() as session:
        rows = session.execute(
            select(ResponseRow.reference, AnswerRow.value, AnswerRow.themes)
            .join(AnswerRow, AnswerRow.response_id == ResponseRow.id)
            .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
            .where(*export_filter.conditions(cid), QuestionRow.key == question_id, cast(AnswerRow.value, Text) != "null")
            .order_by(ResponseRow.submitted_at.desc())
        )
        theme_counts: Counter = Counter()
        chosen: list[Comment] = []
        total = 0
        for reference, value, themes in rows:
            if value is None:
                continue
            themes = themes or []
            theme_counts.update(themes)
            if theme and theme not in themes:
                continue
            total += 1
            if len(chosen) < limit:
                chosen.append(Comment(reference, str(value), themes))
    return chosen, total, theme_counts
