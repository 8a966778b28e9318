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
FILTER_FIELDS = ("format", "layout", "personal_data", "ward", "channel", "since", "until", "theme", "answers", "consultation")
CSV_HEADER = ["id", "at", "actor", "role", "ip", "action", "target", "rows", *FILTER_FIELDS, "account_change"]
ACTION_NAMES = {
    "export": "Export",
    "view_response": "Viewed response",
    "export_audit_log": "Downloaded audit log",
    "create_account": "Created account",
    "invite": "Invited",
    "set_password": "Set password by link",
    "change_password": "Changed password",
    "change_account": "Changed account",
    "reset_account": "Reset account",
    "reset_two_factor": "Reset two-factor",
    "disable_account": "Disabled account",
    "enable_account": "Enabled account",
    "set_up_two_factor": "Set up two-factor",
    "turn_off_two_factor": "Turned off two-factor",
    "create_consultation": "Created consultation",
    "edit_consultation": "Edited consultation",
    "import_consultation": "Imported consultation",
    "publish_consultation": "Published consultation",
    "close_consultation": "Closed consultation",
    "archive_consultation": "Archived consultation",
    "restore_consultation": "Restored consultation",
    "duplicate_consultation": "Duplicated consultation",
    "close_and_duplicate_consultation": "Closed and duplicated consultation",
    "key_in_response": "Keyed in response",
}
CONTENT_FIELDS = ("version", "from", "to", "copy")
ACCOUNT_FIELDS = {"account_role": "role", "account_ward": "ward", "two_factor_required": "two-factor required"}


def _value(value) -> str:
    return "yes" if value is True else "no" if value is False else "none" if value in (None, "") else str(value)


def describe_account_change(details: dict) -> str:
    """An account change in words, e.g. "role officer → admin" or "role councillor, ward riverside"."""
    parts = [f"{label} {_value(details[name])}" for name, label in ACCOUNT_FIELDS.items() if name in details]
    before, after = details.get("before") or {}, details.get("after") or {}
    parts += [
        f"{label} {_value(before.get(name))} → {_value(after.get(name))}"
        for name, label in ACCOUNT_FIELDS.items()
        if name in after
    ]
    if details.get("link"):
        parts.append(f"{details['link']} link")
    if details.get("two_factor_reset"):
        parts.append("authenticator app forgotten")
    if details.get("link_expires"):
        parts.append(f"link works until {details['link_expires']} UTC")
    if details.get("via"):
        parts.append(f"by {details['via']} link")
    return ", ".join(parts)


def describe(entry: AuditEntry) -> str:
    """The entry's details in words for the page, e.g. "format csv, ward riverside, personal data"."""
    parts = []
    for name in FILTER_FIELDS:
        value = entry.details.get(name)
        if value is True:
            parts.append(name.replace("_", " "))
        elif value not in (None, "", False):
            parts.append(f"{name.replace('_', ' ')} {value}")
    account_change = describe_account_change(entry.details)
    # Consultation changes (portal/editor.py): the version made, and the status or slug it came from or led to.
    parts += [f"{name} {entry.details[name]}" for name in CONTENT_FIELDS if entry.details.get(name) not in (None, "")]
    return ", ".join(parts + ([account_change] if account_change else []))


def csv_row(entry: AuditEntry) -> list:
    details = [entry.details.get(name) for name in FILTER_FIELDS]
    return (
        [entry.id, iso_utc(entry.at), entry.actor, entry.role, entry.ip or "", entry.action, entry.target, entry.rows]
        + [("yes" if value is True else "no" if value is False else "" if value is None else str(value)) for value in details]
        + [describe_account_change(entry.details)]
    )


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
            action_names=ACTION_NAMES,
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
