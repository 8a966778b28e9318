"""The results of a consultation: every question's figures, who responded, and cross-tabulations.

Both pages take the filter in the address bar (``filters.py``), so a view can be shared by its link and
its downloads export exactly what it shows. Figures come from ``export.analysis`` (computed in SQL).
"""

from __future__ import annotations

import asyncio

import aiohttp_jinja2
from aiohttp import web

from ..content.model import Consultation
from ..export.analysis import (
    BY_DEMOGRAPHICS,
    answer_labels,
    crosstab,
    is_closed,
    question_summaries,
    theme_counts,
    who_responded,
)
from ..export.labels import channel_label, theme_label
from ..export.records import resolved, with_theme_rule
from ..export.suppression import SMALL_CELL_THRESHOLD
from ..settings import today
from ..store.themes import filterable_themes
from .charts import bar_chart
from .common import STORE_KEY, context
from .filters import View, read_view


async def load_consultation(request: web.Request) -> Consultation:
    consultation = await asyncio.to_thread(request.app[STORE_KEY].consultation, request.match_info["slug"])
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    return consultation


async def load_view(request: web.Request) -> View:
    consultation = await load_consultation(request)
    store = request.app[STORE_KEY]
    wards = await asyncio.to_thread(store.wards)
    view = read_view(request, consultation, wards)
    council = await asyncio.to_thread(store.council)
    view.themes = await asyncio.to_thread(filterable_themes, store, consultation.slug, council.themes if council else {})
    view.filter = await asyncio.to_thread(with_theme_rule, store, view.filter)  # the theme as officers left it
    return view


def empty_reason(view: View, status: str) -> tuple[str, str]:
    """Why a view has no responses, and what to do about it, in words."""
    consultation = view.consultation
    if status == "draft":
        return ("This consultation is a draft, so nobody can respond yet.", "Responses appear here once it opens.")
    if view.filter.ward and not view.is_filtered_beyond_ward():
        name = view.own_ward_name if view.filter.ward == view.own_ward else view.describe()[0].removeprefix("Ward: ")
        where = f"No responses from {name} ward yet."
        if consultation.wards and "all" not in consultation.wards and view.filter.ward not in consultation.wards:
            where = f"No responses from {name} ward: this consultation is for other wards."
        return (where, "Choose “All wards” to see the whole district.")
    if view.is_filtered:
        return ("No responses match these filters.", "Remove a filter, or widen the dates.")
    if status == "open":
        return ("No responses yet.", f"It is open until {consultation.closes:%-d %B %Y}; responses appear here as they arrive.")
    return ("Nobody responded to this consultation.", "There is nothing to show or export.")


async def results_page(request: web.Request) -> web.Response:
    view = await load_view(request)
    store = request.app[STORE_KEY]
    consultation = view.consultation

    def gather():
        chosen = resolved(store, view.filter)  # an answer or theme filter worked out once for the page
        detail = chosen if view.detail_filter == view.filter else resolved(store, view.detail_filter)
        summaries = question_summaries(store, consultation, chosen, suppress=view.suppress)
        who = who_responded(store, chosen, view.wards)
        themes = theme_counts(store, detail)
        return summaries, who, themes

    summaries, who, themes = await asyncio.to_thread(gather)
    names = dict(view.themes)  # officers' names for themes
    status = consultation.effective_status(today())
    charts = {}
    for summary in summaries:
        chart_id = f"chart-{summary.question.id}"
        if summary.options and summary.base:
            rows = [(o.label, o.percent or 0) for o in summary.options if o.count is not None]
            charts[summary.question.id] = bar_chart(chart_id, f"{summary.question.text}: % of {summary.base:,}", rows, "%")
        elif summary.numbers and summary.numbers.count:
            rows = [(b.label, b.count or 0) for b in summary.numbers.histogram]
            charts[summary.question.id] = bar_chart(chart_id, f"{summary.question.text}: how many gave each range", rows)
        elif summary.ranking and any(r.ranked for r in summary.ranking):
            rows = [(r.label, r.borda) for r in sorted(summary.ranking, key=lambda r: -r.borda)]
            charts[summary.question.id] = bar_chart(chart_id, f"{summary.question.text}: Borda score", rows)
    if view.suppress:  # beyond a councillor's own ward, small groups are hidden
        for row in who.age_bands + who.channels:
            row.count = None if 0 < (row.count or 0) < SMALL_CELL_THRESHOLD else row.count
    ward_rows = who.wards
    if view.is_councillor:
        ward_rows = [row for row in who.wards if row.key == view.own_ward]
    return aiohttp_jinja2.render_template(
        "consultation.html",
        request,
        await context(
            request,
            title=consultation.title,
            consultation=consultation,
            status=status,
            view=view,
            summaries=summaries,
            charts=charts,
            who=who,
            ward_rows=ward_rows,
            themes=[(theme, names.get(theme) or theme_label(theme), count) for theme, count in themes.most_common()],
            empty=empty_reason(view, status) if not who.total else None,
            closed_questions=[q for q in consultation.questions if is_closed(q)],
            ward_chart=bar_chart("chart-wards", "Responses by ward", [(r.label, r.count) for r in ward_rows]),
        ),
    )


async def crosstab_page(request: web.Request) -> web.Response:
    """One closed question broken down by ward, age band, channel or another closed question."""
    view = await load_view(request)
    store = request.app[STORE_KEY]
    consultation = view.consultation
    closed = [q for q in consultation.questions if is_closed(q)]
    if not closed:
        return aiohttp_jinja2.render_template(
            "crosstab.html",
            request,
            await context(
                request,
                title=f"Cross-tabulation: {consultation.title}",
                view=view,
                consultation=consultation,
                table=None,
                closed=[],
                by_choices=[],
                chosen_question="",
                chosen_by="",
                empty=(
                    "This consultation has no closed questions (scale, choice, yes/no or multiple choice) to break down.",
                    "Read the comments instead.",
                ),
            ),
        )
    question = consultation.question(request.query.get("question", "")) or closed[0]
    if not is_closed(question):
        question = closed[0]
    by_choices = [(key, label) for key, label in BY_DEMOGRAPHICS.items()]
    by_choices += [(f"question:{q.id}", q.text) for q in closed if q.id != question.id]
    by = request.query.get("by", "ward")
    if by not in dict(by_choices):
        by = "ward"
    table = await asyncio.to_thread(crosstab, store, consultation, view.filter, question, by, view.wards, view.own_ward)
    total = sum(row.total for row in table.rows)
    return aiohttp_jinja2.render_template(
        "crosstab.html",
        request,
        await context(
            request,
            title=f"Cross-tabulation: {consultation.title}",
            consultation=consultation,
            view=view,
            table=table,
            closed=closed,
            by_choices=by_choices,
            chosen_question=question.id,
            chosen_by=by,
            columns=answer_labels(question),
            empty=empty_reason(view, consultation.effective_status(today())) if not total else None,
        ),
    )


def fmt_number(value: float | int | None) -> str:
    """1234 -> "1,234"; 12.5 -> "12.5"; None -> "–"."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def fmt_count(value: int | None, threshold: int = 5) -> str:
    """A count, or "fewer than 5" where it is suppressed."""
    return f"fewer than {threshold}" if value is None else f"{value:,}"


def fmt_percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def add_routes(app: web.Application) -> None:
    env = aiohttp_jinja2.get_env(app)
    env.filters.update(number=fmt_number, count=fmt_count, percent=fmt_percent, channel=channel_label, theme=theme_label)
    app.router.add_get("/consultations/{slug}", results_page)
    app.router.add_get("/consultations/{slug}/crosstab", crosstab_page)
