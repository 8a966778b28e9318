"""The report to publish, "We asked, you said, we did", from the portal in one click.

* ``/consultations/{slug}/report``: what the report will hold, and the downloads;
* ``/consultations/{slug}/report.html``: the accessible web page itself (``?download=1`` to save it);
* ``/consultations/{slug}/report.docx`` and ``report.pdf``: Word and PDF.

Anyone signed in may produce it: it holds totals, and quotes only from residents who agreed to be quoted,
with no reference, ward or date. Each download is written to the audit log like any export.
"""

from __future__ import annotations

import asyncio
import io

import aiohttp_jinja2
from aiohttp import web

from ..report.content import PublishedReport, build_report
from ..report.docx import write_docx
from ..report.html import render_html, style_source
from ..report.pdf import write_pdf
from ..settings import today
from ..store.audit import record_audit
from .common import STORE_KEY, context, remote_address

FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html",
}


async def _report(request: web.Request) -> PublishedReport:
    store = request.app[STORE_KEY]
    consultation = await asyncio.to_thread(store.consultation, request.match_info["slug"])
    if consultation is None:
        raise web.HTTPNotFound(text="No such consultation.")
    return await asyncio.to_thread(build_report, store, consultation, today())


async def report_page(request: web.Request) -> web.Response:
    report = await _report(request)
    return aiohttp_jinja2.render_template(
        "report_page.html", request, await context(request, title=f"Report: {report.consultation.title}", report=report)
    )


async def report_file(request: web.Request) -> web.Response:
    fmt = request.match_info["format"]
    if fmt not in FORMATS:
        raise web.HTTPNotFound(text="Choose report.html, report.docx or report.pdf.")
    report = await _report(request)
    slug = report.consultation.slug
    download = fmt != "html" or request.query.get("download") == "1"
    if fmt == "html":
        body = (await asyncio.to_thread(render_html, report)).encode("utf-8")
    else:
        buffer = io.BytesIO()
        await asyncio.to_thread(write_docx if fmt == "docx" else write_pdf, report, buffer)
        body = buffer.getvalue()
    if download:
        await asyncio.to_thread(
            record_audit,
            request.app[STORE_KEY],
            "export",
            slug,
            user=request["user"],
            ip=remote_address(request),
            rows=report.responses,
            details={"format": f"report.{fmt}", "personal_data": False},
        )
    headers = {"Cache-Control": "no-store"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{slug}-report-{report.produced.isoformat()}.{fmt}"'
    if fmt == "html":
        # The page carries its own styles inline (it is published as one file); allow exactly those.
        headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src {style_source()}; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'"
        )
    return web.Response(body=body, content_type=FORMATS[fmt], charset="utf-8" if fmt == "html" else None, headers=headers)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/consultations/{slug}/report", report_page)
    app.router.add_get(r"/consultations/{slug}/report.{format:[a-z]+}", report_file)
