"""Downloads from the portal: the export of exactly what the page showed, audited; never a silently empty file.

The query string is the page's filter (``filters.py``), so a download from a filtered view holds those
responses only. A councillor's download holds their own ward's responses only, and no personal data.
When nothing matches, the portal says why instead of sending an empty file.
"""

from __future__ import annotations

import asyncio
import io

import aiohttp_jinja2
from aiohttp import web

from ..export.analysis import count_matching
from ..export.service import CONTENT_TYPES, ExportRequest, audit_details, export, filename
from ..settings import today
from ..store.audit import record_audit
from .common import STORE_KEY, context, remote_address
from .results import empty_reason, load_view


async def export_download(request: web.Request) -> web.StreamResponse:
    view = await load_view(request)
    store = request.app[STORE_KEY]
    user = request["user"]
    fmt = request.query.get("format", "csv")
    layout = request.query.get("layout", "wide")
    if fmt not in CONTENT_TYPES or layout not in ("wide", "long") or (layout == "long" and fmt != "csv"):
        raise web.HTTPBadRequest(text="Choose format csv, xlsx, json or jsonl (the long layout is CSV only).")
    personal = request.query.get("personal") == "1"
    if personal and not user.is_officer:
        raise web.HTTPForbidden(text="Only officers can export personal data.")
    export_request = ExportRequest(
        view.detail_filter, format=fmt, layout=layout, include_personal_data=personal, made_by=f"{user.email} ({user.role})"
    )
    empty = not await asyncio.to_thread(count_matching, store, export_request.filter)
    buffer = io.BytesIO()  # XLSX needs a seekable file; one code path keeps downloads identical to the CLI
    written = 0
    if not empty:
        written = await asyncio.to_thread(export, store, export_request, buffer)
    # Audited either way: an attempt that found nothing is recorded with 0 rows.
    await asyncio.to_thread(
        record_audit,
        store,
        "export",
        view.consultation.slug,
        user=user,
        ip=remote_address(request),
        rows=written,
        details=audit_details(export_request),
    )
    if empty:
        reason = empty_reason(view, view.consultation.effective_status(today()))
        return aiohttp_jinja2.render_template(
            "export_empty.html",
            request,
            await context(request, title="Nothing to download", consultation=view.consultation, view=view, empty=reason),
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


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/{slug}/export", export_download)
