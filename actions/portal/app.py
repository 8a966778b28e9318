"""The review portal application: it registers every module's pages, and serves the consultation list,
the unanswered questions, the widget and the demo page.

Officers (and admins) see and export everything; councillors see every consultation's results for
the district or their own ward, and their own ward's comments and downloads, never personal data
(``filters.py``). Nobody sees withdrawn responses. Every export and every view of a single response
is written to the audit log. Results and cross-tabs are in ``results.py``, lists of responses and
comments and single responses in ``reading.py``, downloads in ``downloads.py``, signing in in
``sign_in.py``, the audit log's pages in ``audit.py``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from ..settings import Settings, get_settings, today
from ..store.repository import Store
from ..store.sessions import SESSION_LIFETIME
from . import (
    accounts,
    audit,
    downloads,
    editor,
    keyed_responses,
    password_links,
    preview,
    reading,
    report,
    results,
    sign_in,
    themes,
    two_factor,
)
from .common import PROXIES_KEY, SETTINGS_KEY, STORE_KEY, context
from .security import csrf_middleware, parse_networks, security_headers

HERE = Path(__file__).resolve().parent


async def health(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.app[STORE_KEY].content_version)
    return web.json_response({"status": "ok"})


# --- pages ---------------------------------------------------------------------------------------


async def consultation_list(request: web.Request) -> web.Response:
    """Every consultation but the archived ones (``?archived=1``: only those)."""
    rows = await asyncio.to_thread(request.app[STORE_KEY].overview, today())
    archived = request.query.get("archived") == "1"
    rows = [row for row in rows if (row.status == "archived") == archived]
    return aiohttp_jinja2.render_template(
        "consultations.html", request, await context(request, title="Consultations", rows=rows, archived=archived)
    )


UNANSWERED_SHOWN = 200  # groups per table on the page; the JSON export has them all


async def unanswered_page(request: web.Request) -> web.Response:
    """What residents asked that the content could not answer, and answers not understood after two tries.

    Same access as the results page: officers and councillors alike (the rows hold no ward or sender).
    """
    store = request.app[STORE_KEY]
    slug = request.match_info["slug"]
    consultation = await asyncio.to_thread(store.consultation, slug)
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    groups = await asyncio.to_thread(store.unanswered_summary, slug)
    questions = [group for group in groups if group["kind"] == "question"]
    answers = [group for group in groups if group["kind"] == "answer"]
    # Answers are shown under their survey question, in survey order; ids no longer in the content go last.
    order = {question.id: position for position, question in enumerate(consultation.questions)}
    texts = {question.id: question.text for question in consultation.questions}
    by_question: dict[str | None, list[dict]] = {}
    for group in answers[:UNANSWERED_SHOWN]:
        by_question.setdefault(group["question_id"], []).append(group)
    answer_sections = [
        (texts.get(question_id) or _missing_question(question_id), rows)
        for question_id, rows in sorted(by_question.items(), key=lambda item: (order.get(item[0], len(order)), item[0] or ""))
    ]
    return aiohttp_jinja2.render_template(
        "unanswered.html",
        request,
        await context(
            request,
            title=f"Unanswered questions: {consultation.title}",
            consultation=consultation,
            questions=questions[:UNANSWERED_SHOWN],
            questions_total=len(questions),
            answer_sections=answer_sections,
            answers_total=len(answers),
            shown=UNANSWERED_SHOWN,
        ),
    )


def _missing_question(question_id: str | None) -> str:
    return f"A question no longer in the consultation ({question_id})" if question_id else "Survey question not recorded"


SOCKET_IO_CLIENT = HERE.parent.parent / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


async def socket_io_client(request: web.Request) -> web.StreamResponse:
    """The pinned socket.io-client build from npm (installed by make setup), served beside the widget."""
    if not SOCKET_IO_CLIENT.exists():
        raise web.HTTPNotFound(text="socket.io-client is not installed: run make setup")
    return web.FileResponse(SOCKET_IO_CLIENT, headers={"Cache-Control": "public, max-age=3600"})


async def demo_page(request: web.Request) -> web.Response:
    """A fictional council's "Have your say" page with the chat widget on it; /demo/{slug} is a page about one
    consultation, whose widget starts on it (data-consultation). /demo?consultation=slug is read by the widget."""
    store = request.app[STORE_KEY]
    settings = request.app[SETTINGS_KEY]
    overview = await asyncio.to_thread(store.overview, today())
    open_slugs = [row.slug for row in overview if row.status == "open"]
    consultations = [c for c in await asyncio.to_thread(store.consultations) if c.slug in open_slugs]
    council = await asyncio.to_thread(store.council)
    page_consultation = request.match_info.get("slug")
    if page_consultation is not None:
        consultations = [c for c in consultations if c.slug == page_consultation]
        if not consultations:
            raise web.HTTPNotFound(text="There is no open consultation at this address.")
    from ..content.explain import contact_line

    response = aiohttp_jinja2.render_template(
        "demo.html",
        request,
        {
            "council_name": council.name if council else "Council",
            "consultations": consultations,
            "contact": contact_line(council),
            "chat_server": settings.chat_server_url,
            "page_consultation": page_consultation,
            "privacy_url": council.privacy_notice_url if council else "",
        },
    )
    server = settings.chat_server_url.rstrip("/")
    websocket = server.replace("https://", "wss://").replace("http://", "ws://")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; connect-src 'self' {server} {websocket}; img-src 'self' data:; style-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )
    return response


def create_app(settings: Settings | None = None, store: Store | None = None) -> web.Application:
    settings = settings or get_settings()
    if not settings.portal_secret_key:
        raise SystemExit("PORTAL_SECRET_KEY is not set (run `make run` once to generate one in .env).")
    if settings.production and settings.portal_allow_http:
        raise SystemExit("PORTAL_ALLOW_HTTP=true is for local development; with HYS_ENV=production the portal needs HTTPS.")
    app = web.Application(middlewares=[security_headers(hsts=settings.portal_secure_cookies)], client_max_size=64 * 1024)
    app[SETTINGS_KEY] = settings
    app[STORE_KEY] = store or Store(settings.database_url, settings.sender_hash_salt)
    app[PROXIES_KEY] = parse_networks(settings.portal_trusted_proxies)
    setup_sessions(
        app,
        EncryptedCookieStorage(
            settings.portal_secret_key,
            cookie_name="hys_portal",
            httponly=True,
            samesite="Strict",
            # Secure unless PORTAL_ALLOW_HTTP=true (development on http://127.0.0.1).
            secure=settings.portal_secure_cookies,
            max_age=int(SESSION_LIFETIME.total_seconds()),
        ),
    )
    app.middlewares.extend([csrf_middleware, sign_in.require_sign_in])
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app.router.add_get("/health", health)
    sign_in.add_routes(app)
    two_factor.add_routes(app)
    password_links.add_routes(app)
    accounts.add_routes(app)
    audit.add_routes(app)
    themes.add_routes(app)
    report.add_routes(app)
    app.router.add_get("/", consultation_list)
    editor.add_routes(app)  # before results: /consultations/new is not a slug
    results.add_routes(app)
    reading.add_routes(app)
    downloads.add_routes(app)
    keyed_responses.add_routes(app)
    app.router.add_get("/consultations/{slug}/unanswered", unanswered_page)
    preview.add_routes(app)
    app.router.add_get("/demo", demo_page)
    app.router.add_get("/demo/{slug}", demo_page)
    app.router.add_get("/widget/socket.io.min.js", socket_io_client)
    app.router.add_static("/widget/", HERE / "static" / "widget")
    app.router.add_static("/static/", HERE / "static")
    return app


def main() -> None:
    from ..text import avoid_tensorflow

    avoid_tensorflow()
    from ..logs import configure_logging

    configure_logging("portal")
    settings = get_settings()
    if settings.portal_allow_http:
        logging.getLogger(__name__).warning(
            "PORTAL_ALLOW_HTTP is set: session cookies are sent without Secure and no HSTS; for local development only"
        )
    web.run_app(create_app(settings), host=settings.portal_host, port=settings.portal_port, access_log=None, print=None)


if __name__ == "__main__":
    main()
