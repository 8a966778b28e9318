"""What goes into the published "We asked, you said, we did" report, worked out once for every format.

* **We asked**: the consultation's summary, its proposals, when it ran, and its questions.
* **You said**: how many responded and who (ward, with representativeness against the ward's population
  where the council gives it; age band; channel), the results of each question with a chart, and the
  themes officers confirmed, with their counts and quotes from residents who agreed to be quoted (never a
  comment flagged out of quoting, nor one awaiting an officer's look).
* **We did**: the outcome the council published, or, before the decision, what happens next.

Figures come from the portal's own queries (``export.analysis``). Everything counted is published, so any
count from 1 to 4 is shown as "fewer than 5", with a second count hidden where a total would give it away
(``export.suppression``); ward and age band are never crossed with anything, and quotes carry no
reference, ward or date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..content.model import Consultation, Outcome
from ..export.analysis import QuestionSummary, question_summaries, who_responded
from ..export.records import ExportFilter
from ..export.suppression import SMALL_CELL_THRESHOLD, suppressed_cells
from ..store.repository import Store
from ..store.themes import report_themes

FEWER = f"fewer than {SMALL_CELL_THRESHOLD}"
NOT_SHOWN = -1  # a count hidden only because a total would give away a smaller one


def whole_percent(count: int | None, base: int | None) -> int | None:
    """A percentage to the nearest whole number, halves rounded up (as people round)."""
    if count is None or count < 0 or not base:
        return None
    return int((Decimal(100 * count) / Decimal(base)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def day(value: dt.date) -> str:
    """1 December 2026."""
    return f"{value.day} {value:%B %Y}"


def shown(count: int | None) -> str:
    if count == NOT_SHOWN:
        return "not shown"
    return FEWER if count is None else f"{count:,}"


def shown_percent(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


@dataclass
class Row:
    label: str
    count: int | None  # None: fewer than 5; NOT_SHOWN: hidden so that a total can't reveal another
    percent: int | None = None

    @property
    def count_text(self) -> str:
        return shown(self.count)

    @property
    def percent_text(self) -> str:
        return shown_percent(self.percent)


@dataclass
class WardRow:
    name: str
    count: int | None
    share_of_responses: int | None  # % of responses from a ward of the district
    population: int | None
    share_of_population: int | None  # % of the district's residents (wards with a population)
    per_thousand: float | None  # responses per 1,000 residents


@dataclass
class QuestionSection:
    number: int
    text: str
    type: str
    answered: int
    rows: list[Row] = field(default_factory=list)  # options (percent of base), histogram bins, or nothing
    base_text: str = ""  # what the percentages are of
    notes: list[str] = field(default_factory=list)  # don't know, skipped, not asked; mean and median
    ranking: list[tuple[str, str, str, int]] = field(default_factory=list)  # option, mean position, first choices, Borda

    @property
    def chart_rows(self) -> list[tuple[str, float | None]]:
        return [(row.label, row.percent) for row in self.rows]


@dataclass
class ThemeSection:
    name: str
    count: int | None  # comments with the theme; None: fewer than 5
    percent: int | None  # of all comments
    quotes: list[str]


@dataclass
class PublishedReport:
    council: str
    consultation: Consultation
    produced: dt.date
    responses: int
    wards: list[WardRow]
    ward_not_given: int | None
    age_bands: list[Row]
    channels: list[Row]
    questions: list[QuestionSection]
    themes: list[ThemeSection]  # confirmed by officers, most comments first
    comments: int  # comments left, on every comment question
    comments_reviewed: int  # ... of which an officer reviewed
    hidden_any: bool

    @property
    def title(self) -> str:
        return f"{self.consultation.title}: we asked, you said, we did"

    @property
    def outcome(self) -> Outcome | None:
        return self.consultation.outcome

    @property
    def themes_intro(self) -> str:
        checked = (
            "Officers checked every comment's themes one by one."
            if self.comments_reviewed == self.comments
            else f"Officers checked the themes of {self.comments_reviewed:,} of the {self.comments:,} comments one by one; "
            "the others carry the themes the assistant suggested."
        )
        return (
            f"Officers confirmed these themes. {checked} A comment can have more than one theme. "
            "Quotes are from residents who agreed to be quoted, without their names."
        )

    @property
    def has_population(self) -> bool:
        return any(ward.population for ward in self.wards)


def _hide(counts: list[int]) -> list[int | None]:
    """Counts 1 to 4 become None ("fewer than 5"); where the total would then give a lone hidden count away,
    one more becomes NOT_SHOWN."""
    hidden = suppressed_cells([counts], [[(0, column) for column in range(len(counts))]])
    return [
        (None if 0 < count < SMALL_CELL_THRESHOLD else NOT_SHOWN) if (0, column) in hidden else count
        for column, count in enumerate(counts)
    ]


def _rows(labels: list[str], counts: list[int], base: int, others: tuple[int, ...] = ()) -> tuple[list[Row], list[int | None]]:
    """Rows with counts hidden where small; ``others`` (don't know, skipped, not asked) complete the total with
    them when the rows and they add up to it. Returns the rows and the others as shown."""
    visible = _hide(list(counts) + list(others))
    rows = [Row(label, count, whole_percent(count, base)) for label, count in zip(labels, visible, strict=False)]
    return rows, visible[len(labels) :]


def _question(number: int, summary: QuestionSummary) -> QuestionSection:
    """One question's results. Where the answers add up to the responses (one answer each), the small ones are
    hidden together with "don't know", "skipped" and "not asked", so no count can be worked out from the rest."""
    question = summary.question
    section = QuestionSection(number, question.text, question.type, summary.answered)
    others = (summary.dont_know, summary.skipped, summary.not_asked)
    if question.type == "text":
        comments, *extra = _hide([summary.answered, summary.skipped, summary.not_asked])
        section.notes.append(f"{shown(comments)} resident{'' if comments == 1 else 's'} left a comment.")
        others, extra = others[1:], extra
    elif question.type in ("scale", "choice", "yesno"):
        labels = [option.label for option in summary.options]
        counts = [option.count or 0 for option in summary.options]
        section.rows, extra = _rows(labels, counts, summary.base, others)
        section.base_text = f"Percentages are of the {summary.base:,} residents who gave a view."
    else:
        answered, *extra = _hide([summary.answered - summary.dont_know, *others])
        if question.type == "multi":
            labels = [option.label for option in summary.options]
            section.rows, _none = _rows(labels, [option.count or 0 for option in summary.options], summary.base)
            section.base_text = (
                f"Percentages are of the {shown(answered)} residents who answered; they could choose more than one."
            )
        elif question.type == "number" and summary.numbers:
            stats = summary.numbers
            bins = [count.count or 0 for count in stats.histogram]
            section.rows, _none = _rows([count.label for count in stats.histogram], bins, stats.count)
            section.base_text = f"Percentages are of the {shown(answered)} residents who gave a number."
            if stats.count >= SMALL_CELL_THRESHOLD:
                section.notes.append(f"Average (mean) {stats.mean:g}; middle value (median) {stats.median:g}.")
        elif question.type == "rank":
            firsts = _hide([option.first for option in summary.ranking])
            section.ranking = [
                (option.label, "–" if option.mean_position is None else f"{option.mean_position:.1f}", shown(first), option.borda)
                for option, first in zip(summary.ranking, firsts, strict=True)
            ]
            section.base_text = (
                f"{shown(answered)} residents ranked the options. Average position: 1 is most important. Score: each "
                "resident gives an option one point for every option they put below it (a Borda count)."
            )
    names = ("Don't know", "Skipped", "Not asked")[-len(others) :]
    parts = [f"{name}: {shown(count)}" for name, count, raw in zip(names, extra, others, strict=True) if raw]
    if parts:
        section.notes.append("; ".join(parts) + ".")
    return section


def build_report(store: Store, consultation: Consultation, produced: dt.date) -> PublishedReport:
    """Everything the report shows, from the submitted responses."""
    whole = ExportFilter(consultation.slug)
    wards = store.wards()
    council = store.council()
    who = who_responded(store, whole, wards)
    summaries = question_summaries(store, consultation, whole, suppress=False)

    # Wards of this consultation (every ward if it covers the whole district), then the rest that responded.
    covered = set(consultation.wards)
    ward_groups = [group for group in who.wards if group.key is not None]
    in_scope = [g for g in ward_groups if "all" in covered or g.key in covered or g.count]
    not_given = sum(g.count for g in who.wards if g.key is None)
    populations = {ward.slug: ward.population for ward in wards}
    counts = _hide([g.count for g in in_scope] + [not_given])
    from_wards = sum(g.count for g in in_scope)
    people = sum(populations.get(g.key) or 0 for g in in_scope)
    ward_rows = []
    for group, count in zip(in_scope, counts, strict=False):
        population = populations.get(group.key)
        ward_rows.append(
            WardRow(
                name=group.label,
                count=count,
                share_of_responses=whole_percent(count, from_wards),
                population=population,
                share_of_population=whole_percent(population, people) if population else None,
                per_thousand=round(count * 1000 / population, 1) if population and count is not None and count >= 0 else None,
            )
        )
    ages = who.age_bands
    channels = who.channels
    age_rows, _none = _rows([g.label for g in ages], [g.count for g in ages], who.total)
    channel_rows, _none = _rows([g.label for g in channels], [g.count for g in channels], who.total)
    questions = [_question(number, summary) for number, summary in enumerate(summaries, start=1)]
    confirmed = report_themes(store, consultation.slug)
    theme_counts = [theme.comments for theme in confirmed.themes]
    visible = [None if 0 < count < SMALL_CELL_THRESHOLD else count for count in theme_counts]  # they overlap: no total
    theme_sections = [
        ThemeSection(theme.name, count, whole_percent(count, confirmed.comments), theme.quotes)
        for theme, count in zip(confirmed.themes, visible, strict=True)
    ]
    hidden_any = (
        any(row.count is None or row.count < 0 for row in ward_rows)
        or any(row.count is None or row.count < 0 for row in age_rows + channel_rows)
        or any(row.count is None or row.count < 0 for section in questions for row in section.rows)
        or any(theme.count is None for theme in theme_sections)
        or counts[-1] is None
        or counts[-1] < 0
    )
    return PublishedReport(
        council=council.name if council else "The council",
        consultation=consultation,
        produced=produced,
        responses=who.total,
        wards=ward_rows,
        ward_not_given=counts[-1] if counts else None,
        age_bands=age_rows,
        channels=channel_rows,
        questions=questions,
        themes=theme_sections,
        comments=confirmed.comments,
        comments_reviewed=confirmed.reviewed,
        hidden_any=hidden_any,
    )
