"""The audit log in the portal: admins read it page by page and download it as CSV.

Entries are written where the audited thing happens (exports and single-response views in ``app.py``,
the CLI's exports in ``cli.py``) through ``store.audit.record_audit``; downloading the log is audited too.
"""

from __future__ import annotations

import asyncio
import io

import aiohttp_jinja2
from aiohttp import web

from ..export.writers import iso_utc, write_csv
from ..settings import today
from ..store.audit import AuditEntry, audit_entries, iter_audit_entries, record_audit
from .common import STORE_KEY, context, remote_address
from .sign_in import require_admin

PAGE_SIZE = 100
FILTER_FIELDS = ("format", "layout", "personal_data", "ward", "channel", "since", "until", "consultation")
CSV_HEADER = ["id", "at", "actor", "role", "ip", "action", "target", "rows", *FILTER_FIELDS]


def describe(entry: AuditEntry) -> str:
    """The entry's details in words for the page, e.g. "format csv, ward riverside, personal data"."""
    parts = []
    for name in FILTER_FIELDS:
        value = entry.details.get(name)
        if value is True:
            parts.append(name.replace("_", " "))
        elif value not in (None, "", False):
            parts.append(f"{name.replace('_', ' ')} {value}")
    return ", ".join(parts)


def csv_row(entry: AuditEntry) -> list:
    details = [entry.details.get(name) for name in FILTER_FIELDS]
    return [entry.id, iso_utc(entry.at), entry.actor, entry.role, entry.ip or "", entry.action, entry.target, entry.rows] + [
        ("yes" if value is True else "no" if value is False else "" if value is None else str(value)) for value in details
    ]


async def audit_page(request: web.Request) -> web.Response:
    require_admin(request)
    try:
        page = min(max(1, int(request.query.get("page", "1"))), 1_000_000)  # an offset the database can take
    except ValueError:
        page = 1
    entries, total = await asyncio.to_thread(audit_entries, request.app[STORE_KEY], PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return aiohttp_jinja2.render_template(
        "audit.html",
        request,
        await context(
            request,
            title="Audit log",
            entries=[(entry, describe(entry)) for entry in entries],
            total=total,
            page=page,
            pages=max(1, -(-total // PAGE_SIZE)),
        ),
    )


async def audit_download(request: web.Request) -> web.Response:
    user = require_admin(request)
    store = request.app[STORE_KEY]
    buffer = io.BytesIO()
    written = await asyncio.to_thread(write_csv, buffer, (csv_row(entry) for entry in iter_audit_entries(store)), CSV_HEADER)
    await asyncio.to_thread(
        record_audit, store, "export_audit_log", "audit_log", user=user, ip=remote_address(request), rows=written
    )
    return web.Response(
        body=buffer.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="audit-log-{today().isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/audit", audit_page)
    app.router.add_get("/admin/audit.csv", audit_download)
