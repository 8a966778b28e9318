"""The review portal application: consultation list and results, unanswered questions, single responses, exports.

Officers (and admins) see and export everything; councillors see every consultation's
results, with the ward view starting on their own ward, and cannot export
personal data. Nobody sees withdrawn responses. Every export and every view of a
single response is written to the audit log. Signing in is in ``sign_in.py``, the
audit log's pages in ``audit.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from ..export.records import ExportFilter
from ..export.service import CONTENT_TYPES, ExportRequest, audit_details, export, filename
from ..export.summary import by_age_band, by_channel, by_ward, comments, question_results
from ..settings import Settings, get_settings, today
from ..store.accounts import User
from ..store.audit import record_audit
from ..store.repository import Store
from ..store.sessions import SESSION_LIFETIME
from . import audit, sign_in, themes
from .charts import bar_chart
from .common import PROXIES_KEY, SETTINGS_KEY, STORE_KEY, context, remote_address
from .security import csrf_middleware, parse_networks, security_headers

HERE = Path(__file__).resolve().parent


async def health(request: web.Request) -> web.Response:
    await asyncio.to_thread(request.app[STORE_KEY].content_version)
    return web.json_response({"status": "ok"})


# --- pages ---------------------------------------------------------------------------------------


async def consultation_list(request: web.Request) -> web.Response:
    rows = await asyncio.to_thread(request.app[STORE_KEY].overview, today())
    return aiohttp_jinja2.render_template("consultations.html", request, await context(request, title="Consultations", rows=rows))


def parse_filter(request: web.Request, slug: str, user: User, known_wards: set[str]) -> tuple[ExportFilter, dict]:
    """Read ward/date/channel filters from the query string; a councillor's ward view starts on their ward."""
    query = request.query
    problems = []
    ward = query.get("ward")
    if ward is None and user.role == "councillor":
        ward = user.ward_slug
    if ward in ("", "all"):
        ward = None
    if ward and ward not in known_wards:
        problems.append(f"Unknown ward {ward!r}: showing all wards.")
        ward = None
    dates = {}
    for name in ("since", "until"):
        raw = query.get(name, "").strip()
        try:
            dates[name] = dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(f"{name.capitalize()} date {raw!r} is not a date like 2026-11-22: ignored.")
            dates[name] = None
    channel = query.get("channel") or None
    chosen = {
        "ward": ward or "all",
        "since": dates["since"],
        "until": dates["until"],
        "channel": channel or "",
        "theme": query.get("theme") or "",
        "problems": problems,
    }
    return ExportFilter(slug, ward=ward, since=dates["since"], until=dates["until"], channel=channel), chosen


async def consultation_page(request: web.Request) -> web.Response:
    store = request.app[STORE_KEY]
    slug = request.match_info["slug"]
    consultation = await asyncio.to_thread(store.consultation, slug)
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    user: User = request["user"]
    wards = await asyncio.to_thread(store.wards)
    export_filter, chosen = parse_filter(request, slug, user, {w.slug for w in wards})

    def gather():
        results = question_results(store, consultation, export_filter)
        text_questions = [q for q in consultation.questions if q.type == "text"]
        comment_sets = {q.id: comments(store, export_filter, q.id, chosen["theme"] or None) for q in text_questions}
        return (
            results,
            comment_sets,
            by_ward(store, export_filter, wards),
            by_age_band(store, export_filter),
            by_channel(store, export_filter),
        )

    results, comment_sets, ward_rows, age_rows, channel_rows = await asyncio.to_thread(gather)
    charts = {
        result.question.id: bar_chart(f"chart-{result.question.id}", f"{result.question.text} ({result.measure})", result.counts)
        for result in results
        if result.counts
    }
    total = sum(row.count for row in ward_rows)
    query = request.query_string
    return aiohttp_jinja2.render_template(
        "consultation.html",
        request,
        await context(
            request,
            title=consultation.title,
            consultation=consultation,
            results=results,
            charts=charts,
            comment_sets=comment_sets,
            ward_rows=ward_rows,
            age_rows=age_rows,
            channel_rows=channel_rows,
            wards=wards,
            chosen=chosen,
            total=total,
            has_population=any(w.population for w in wards),
            query=query,
            ward_chart=bar_chart("chart-wards", "Responses by ward", [(r.label, r.count) for r in ward_rows]),
        ),
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


async def response_page(request: web.Request) -> web.Response:
    if request["user"].role not in ("officer", "admin"):
        # Councillors read results and comments for their ward; one resident's whole response is for officers.
        raise web.HTTPForbidden(text="Only officers can open a single response.")
    store = request.app[STORE_KEY]
    reference = request.match_info["reference"].upper()
    detail = await asyncio.to_thread(store.response_detail, reference)
    if detail is None or detail["status"] != "submitted":
        raise web.HTTPNotFound(text="No submitted response with that reference.")
    consultation = await asyncio.to_thread(store.consultation, detail["consultation"])
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
    return aiohttp_jinja2.render_template(
        "response.html", request, await context(request, title=f"Response {reference}", detail=detail, consultation=consultation)
    )


async def export_download(request: web.Request) -> web.StreamResponse:
    store = request.app[STORE_KEY]
    slug = request.match_info["slug"]
    if await asyncio.to_thread(store.consultation, slug) is None:
        raise web.HTTPNotFound(text="No such consultation.")
    user: User = request["user"]
    fmt = request.query.get("format", "csv")
    layout = request.query.get("layout", "wide")
    if fmt not in CONTENT_TYPES or layout not in ("wide", "long") or (layout == "long" and fmt != "csv"):
        raise web.HTTPBadRequest(text="Choose format csv, xlsx, json or jsonl (the long layout is CSV only).")
    personal = request.query.get("personal") == "1"
    if personal and not user.is_officer:
        raise web.HTTPForbidden(text="Only officers can export personal data.")
    wards = await asyncio.to_thread(store.wards)
    export_filter, _chosen = parse_filter(request, slug, user, {w.slug for w in wards})
    export_request = ExportRequest(export_filter, format=fmt, layout=layout, include_personal_data=personal)
    settings = request.app[SETTINGS_KEY]
    buffer = (
        io.BytesIO()
    )  # XLSX needs a seekable file; CSV/JSON could stream, but one code path keeps downloads identical to the CLI
    written = await asyncio.to_thread(export, store, export_request, buffer, settings.tracker_store_url)
    await asyncio.to_thread(
        record_audit,
        store,
        "export",
        slug,
        user=user,
        ip=remote_address(request),
        rows=written,
        details=audit_details(export_request),
    )
    return web.Response(
        body=buffer.getvalue(),
        content_type=CONTENT_TYPES[fmt].split(";")[0],
        charset="utf-8" if fmt != "xlsx" else None,
        headers={
            "Content-Disposition": f'attachment; filename="{filename(export_request, today())}"',
            "Cache-Control": "no-store",
        },
    )


SOCKET_IO_CLIENT = HERE.parent.parent / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


async def socket_io_client(request: web.Request) -> web.StreamResponse:
    """The pinned socket.io-client build from npm (installed by make setup), served beside the widget."""
    if not SOCKET_IO_CLIENT.exists():
        raise web.HTTPNotFound(text="socket.io-client is not installed: run make setup")
    return web.FileResponse(SOCKET_IO_CLIENT, headers={"Cache-Control": "public, max-age=3600"})


async def demo_page(request: web.Request) -> web.Response:
    """A fictional council's "Have your say" page with the chat widget on it."""
    store = request.app[STORE_KEY]
    settings = request.app[SETTINGS_KEY]
    overview = await asyncio.to_thread(store.overview, today())
    open_slugs = [row.slug for row in overview if row.status == "open"]
    consultations = [c for c in await asyncio.to_thread(store.consultations) if c.slug in open_slugs]
    council = await asyncio.to_thread(store.council)
    from ..content.explain import contact_line

    response = aiohttp_jinja2.render_template(
        "demo.html",
        request,
        {
            "council_name": council.name if council else "Council",
            "consultations": consultations,
            "contact": contact_line(council),
            "chat_server": settings.chat_server_url,
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
    audit.add_routes(app)
    themes.add_routes(app)
    app.router.add_get("/", consultation_list)
    app.router.add_get("/consultations/{slug}", consultation_page)
    app.router.add_get("/consultations/{slug}/export", export_download)
    app.router.add_get("/consultations/{slug}/unanswered", unanswered_page)
    app.router.add_get("/responses/{reference}", response_page)
    app.router.add_get("/demo", demo_page)
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
