"""Reading what residents said: the list of responses, each question's comments, and one response at a time.

Lists are paged and searchable, newest first, under the same filter as the results (``filters.py``).
A single response links to the previous and next one in the same filtered, searched list. Opening one
is written to the audit log. Councillors read comments from their own ward only; lists of whole
responses and single responses are for officers.
"""

from __future__ import annotations

import asyncio
import math

import aiohttp_jinja2
from aiohttp import web

from ..export.labels import channel_label, theme_label, ward_label, ward_names
from ..export.reading import PAGE_SIZE, comments_page, neighbours, responses_page, search_terms
from ..export.records import with_theme_rule
from ..settings import today
from ..store.audit import record_audit
from .common import STORE_KEY, context, remote_address
from .filters import page_number, read_view
from .results import empty_reason, load_view


def require_officer(request: web.Request) -> None:
    if request["user"].role not in ("officer", "admin"):
        raise web.HTTPForbidden(text="Only officers can open whole responses; councillors read their ward's comments.")


def pages(total: int, page: int) -> dict:
    last = max(1, math.ceil(total / PAGE_SIZE))
    return {
        "page": min(page, last),
        "last": last,
        "first_shown": (min(page, last) - 1) * PAGE_SIZE + 1 if total else 0,
        "last_shown": min(total, min(page, last) * PAGE_SIZE),
    }


def no_matches(view, search: str, status: str) -> tuple[str, str] | None:
    if search:
        return (f"Nothing matches “{search}” with these filters.", "Try fewer or shorter words, or remove a filter.")
    return empty_reason(view, status)


async def responses_list(request: web.Request) -> web.Response:
    require_officer(request)
    view = await load_view(request)
    search = request.query.get("q", "").strip()[:200]
    page = page_number(request)
    lines, total = await asyncio.to_thread(responses_page, request.app[STORE_KEY], view.detail_filter, search_terms(search), page)
    if not lines and total and page > 1:  # past the end: show the last page
        raise web.HTTPFound(view.link(request.path, q=search, page=pages(total, page)["last"]))
    return aiohttp_jinja2.render_template(
        "responses.html",
        request,
        await context(
            request,
            title=f"Responses: {view.consultation.title}",
            consultation=view.consultation,
            view=view,
            search=search,
            lines=lines,
            total=total,
            paging=pages(total, page),
            names=ward_names(view.wards),
            empty=no_matches(view, search, view.consultation.effective_status(today())) if not total else None,
        ),
    )


async def comments_list(request: web.Request) -> web.Response:
    view = await load_view(request)
    question = view.consultation.question(request.match_info["question"])
    if question is None or not (question.type == "text" or question.other):
        raise web.HTTPNotFound(text="No comment question with that id in this consultation.")
    other = question.type != "text"  # a choice's "other, please specify" texts
    search = request.query.get("q", "").strip()[:200]
    page = page_number(request)
    lines, total = await asyncio.to_thread(
        comments_page, request.app[STORE_KEY], view.detail_filter, question.id, search_terms(search), page, other=other
    )
    if not lines and total and page > 1:
        raise web.HTTPFound(view.link(request.path, q=search, page=pages(total, page)["last"]))
    return aiohttp_jinja2.render_template(
        "comments.html",
        request,
        await context(
            request,
            title=f"“{question.other}”, in their words: {question.text}" if other else f"Comments: {question.text}",
            consultation=view.consultation,
            question=question,
            view=view,
            search=search,
            lines=lines,
            total=total,
            paging=pages(total, page),
            names=ward_names(view.wards),
            empty=no_matches(view, search, view.consultation.effective_status(today())) if not total else None,
        ),
    )


async def response_page(request: web.Request) -> web.Response:
    """One response, with the previous and next in the list it was opened from (same filter and search)."""
    require_officer(request)
    store = request.app[STORE_KEY]
    reference = request.match_info["reference"].upper()
    detail = await asyncio.to_thread(store.response_detail, reference)
    if detail is None or detail["status"] != "submitted":
        raise web.HTTPNotFound(text="No submitted response with that reference.")
    consultation = await asyncio.to_thread(store.consultation, detail["consultation"])
    wards = await asyncio.to_thread(store.wards)
    view = read_view(request, consultation, wards)
    view.filter = await asyncio.to_thread(with_theme_rule, store, view.filter)  # previous and next in the same list
    search = request.query.get("q", "").strip()[:200]
    place = await asyncio.to_thread(neighbours, store, view.detail_filter, search_terms(search), reference)
    await asyncio.to_thread(
        record_audit,
        store,
        "view_response",
        reference,
        user=request["user"],
        ip=remote_address(request),
        rows=1,
        details={"consultation": detail["consultation"]},
    )
    names = ward_names(wards)
    return aiohttp_jinja2.render_template(
        "response.html",
        request,
        await context(
            request,
            title=f"Response {reference}",
            detail=detail,
            consultation=consultation,
            view=view,
            search=search,
            place=place,
            ward_name=ward_label(detail["ward"], names) if detail["ward"] else None,
            channel_name=channel_label(detail["channel"]),
            theme_label=theme_label,
        ),
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/{slug}/responses", responses_list)
    app.router.add_get("/consultations/{slug}/comments/{question}", comments_list)
    app.router.add_get("/responses/{reference}", response_page)
