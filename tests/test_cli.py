"""The haveyoursay command, run as a real subprocess against a throwaway SQLite database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from actions.store.db import engine_for
from tests.conftest import PROJECT_ROOT, SEEDS


@pytest.fixture
def env(tmp_path) -> dict:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "HYS_VAR_DIR": str(tmp_path),
        "SENDER_HASH_SALT": "cli-salt",
        "HYS_TODAY": "2026-11-22",
    }


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "actions.cli", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def snapshot(env: dict) -> dict:
    """Every row of every content table, to prove a failed load changed nothing."""
    tables = ["council", "wards", "councillors", "postcode_sectors", "consultations", "questions", "responses", "answers"]
    with engine_for(env["DATABASE_URL"]).connect() as connection:
        return {table: connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).fetchall() for table in tables}  # noqa: S608


def test_load_then_list(env):
    loaded = run(env, "load", str(SEEDS))
    assert loaded.returncode == 0, loaded.stderr
    assert "6 created" in loaded.stdout and "6 ward(s)" in loaded.stdout
    again = run(env, "load", str(SEEDS))
    assert "0 created, 0 updated, 6 unchanged" in again.stdout
    listing = run(env, "list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split()[:5] == ["SLUG", "STATUS", "OPENS", "CLOSES", "RESPONSES"]
    assert any(line.startswith("harbour-road-cycle-lane") and " open " in line for line in lines)
    assert any(line.startswith("westfield-leisure-centre") and " draft " in line for line in lines)


def test_the_list_keeps_its_columns_for_an_archived_consultation(env):
    from actions.store.audit import Actor
    from actions.store.editing import change_status
    from actions.store.repository import Store

    assert run(env, "load", str(SEEDS)).returncode == 0
    store = Store(env["DATABASE_URL"], env.get("SENDER_HASH_SALT", "salt"))
    assert change_status(store, "rural-bus-network", "archive", Actor("cli:test", "cli")).saved
    lines = run(env, "list").stdout.splitlines()
    archived = next(line for line in lines if line.startswith("rural-bus-network"))
    assert archived.split()[1] == "archived"
    opens_at = lines[0].index("OPENS")
    assert all(line[opens_at : opens_at + 4].isdigit() for line in lines[1:]), lines  # every date under OPENS


def test_a_bad_file_is_refused_in_one_line_and_the_database_is_unchanged(env, tmp_path):
    assert run(env, "load", str(SEEDS)).returncode == 0
    before = snapshot(env)
    good = tmp_path / "good.yml"
    shutil.copy(SEEDS / "market-square-events.yml", good)
    good.write_text(good.read_text().replace("title: Events in Market Square", "title: Changed title"))
    bad = tmp_path / "bad.yml"
    bad.write_text((SEEDS / "harbour-road-cycle-lane.yml").read_text().replace("max_choices: 3", "max_choices: 30"))

    result = run(env, "load", str(good), str(bad))

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}: questions[2].max_choices: must be between 1 and the number of options (7)",
        "1 problem found; nothing was written.",
    ]
    assert snapshot(env) == before  # all or nothing: the good file was not written either


def test_validate_never_writes(env, tmp_path):
    result = run(env, "validate", str(SEEDS))
    assert result.returncode == 0 and "6 consultation(s) and 6 ward(s) are valid" in result.stdout
    assert snapshot(env)["consultations"] == []


def test_unknown_ward_is_reported_against_the_store(env, tmp_path):
    document = (SEEDS / "market-square-events.yml").read_text().replace("wards: [old-town]", "wards: [narnia]")
    path = tmp_path / "narnia.yml"
    path.write_text(document)
    run(env, "load", str(SEEDS / "wards.yml"))
    result = run(env, "validate", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == f"{path}: wards[0]: unknown ward 'narnia' (not in any loaded wards file)"


def test_missing_file_and_usage_errors(env, tmp_path):
    missing = run(env, "load", str(tmp_path / "nope.yml"))
    assert missing.returncode == 1 and missing.stderr.splitlines()[0] == f"{tmp_path / 'nope.yml'}: file not found"
    usage = run(env, "load")
    assert usage.returncode == 2 and "PATH" in usage.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "haveyoursay"
    assert script.exists(), "make setup installs the haveyoursay console script into .venv"
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "load" in result.stdout


def run_input(env: dict, stdin: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "actions.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_user_add_reads_the_password_from_stdin_and_validates(env):
    assert run(env, "load", str(SEEDS)).returncode == 0
    created = run_input(env, "a long enough password\n", "user", "add", "Officer@Millbrook.gov.uk", "--role", "officer")
    assert created.returncode == 0 and "Created officer account officer@millbrook.gov.uk" in created.stdout
    cases = [
        ("a long enough password\n", ["user", "add", "officer@millbrook.gov.uk", "--role", "officer"], "already exists"),
        ("short\n", ["user", "add", "new@millbrook.gov.uk", "--role", "officer"], "at least 12 characters"),
        ("a long enough password\n", ["user", "add", "cllr@millbrook.gov.uk", "--role", "councillor"], "needs --ward"),
        (
            "a long enough password\n",
            ["user", "add", "cllr@millbrook.gov.uk", "--role", "councillor", "--ward", "atlantis"],
            "unknown ward 'atlantis'",
        ),
        ("a long enough password\n", ["user", "add", "not-an-email", "--role", "officer"], "is not an email address"),
    ]
    for stdin, args, message in cases:
        result = run_input(env, stdin, *args)
        assert result.returncode == 1 and message in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    with engine_for(env["DATABASE_URL"]).connect() as connection:
        rows = connection.execute(text("SELECT email, password_hash FROM users")).fetchall()
    assert len(rows) == 1 and rows[0][1].startswith("$argon2id$") and "a long enough password" not in rows[0][1]


def test_export_and_demo_data_commands(env, tmp_path):
    assert run(env, "load", str(SEEDS)).returncode == 0
    added = run(env, "demo-data", "--consultation", "harbour-road-cycle-lane", "--responses", "300", "--seed", "3")
    assert added.returncode == 0 and "Added 300 demo response(s)" in added.stdout
    to_stdout = run(env, "export", "--consultation", "harbour-road-cycle-lane")
    assert to_stdout.returncode == 0 and len(to_stdout.stdout.strip().splitlines()) == 301
    out = tmp_path / "x.xlsx"
    to_file = run(env, "export", "--consultation", "harbour-road-cycle-lane", "--format", "xlsx", "--out", str(out))
    assert to_file.returncode == 0 and out.exists() and "Exported 300 response(s)" in to_file.stderr
    assert not (tmp_path / "x.xlsx.partial").exists()
    errors = [
        (["export", "--consultation", "nope"], 1, "No consultation with slug 'nope'"),
        (["export", "--consultation", "harbour-road-cycle-lane", "--ward", "atlantis"], 1, "Unknown ward 'atlantis'"),
        (["export", "--consultation", "harbour-road-cycle-lane", "--since", "yesterday"], 2, "is not a date like 2026-11-22"),
        (
            ["export", "--consultation", "harbour-road-cycle-lane", "--since", "2026-12-01", "--until", "2026-11-01"],
            2,
            "--until is before --since",
        ),
        (["export", "--consultation", "harbour-road-cycle-lane", "--format", "xlsx"], 2, "add --out FILE.xlsx"),
        (["export", "--consultation", "harbour-road-cycle-lane", "--format", "json", "--layout", "long"], 2, "--format csv only"),
        (["demo-data", "--consultation", "harbour-road-cycle-lane", "--responses", "0"], 2, "between 1 and 1,000,000"),
    ]
    for args, code, message in errors:
        result = run(env, *args)
        assert result.returncode == code and message in result.stderr, (args, result.stderr)
    deleted = run(env, "demo-data", "--delete")
    assert deleted.returncode == 0 and "Deleted 300 demo response(s)" in deleted.stdout
    assert len(run(env, "export", "--consultation", "harbour-road-cycle-lane").stdout.strip().splitlines()) == 1


def test_purge_anonymises_responses_the_set_months_after_the_decision_and_dry_run_writes_nothing(env, tmp_path):
    import datetime as dt

    import yaml

    from actions.store.repository import Store

    assert run(env, "load", str(SEEDS)).returncode == 0
    document = yaml.safe_load((SEEDS / "harbour-road-cycle-lane.yml").read_text())
    document["outcome"] = {"published": "2026-12-15", "you_said": "You said.", "we_did": "We did."}
    decided = tmp_path / "decided.yml"
    decided.write_text(yaml.safe_dump(document))
    assert run(env, "load", str(decided)).returncode == 0
    reference = Store(env["DATABASE_URL"], env["SENDER_HASH_SALT"]).submit_response(
        consultation_slug="harbour-road-cycle-lane",
        channel="twilio",
        sender_id="+447700900123",
        submitted_at=dt.datetime(2026, 11, 3, 14, 25),
        answers={"support": "Agree", "design": "None of them", "comments": "Parking is a worry"},
        ward_slug="harbourside",
        age_band="35-44",
        notify_outcome=True,
    )
    later = {**env, "HYS_TODAY": "2027-12-16", "RESPONSE_RETENTION_MONTHS": "12"}

    def row() -> tuple:
        with engine_for(env["DATABASE_URL"]).connect() as connection:
            return connection.execute(text("SELECT reference, ward_slug, age_band, notify_outcome, status FROM responses")).one()

    assert tuple(row()) == (reference, "harbourside", "35-44", 1, "submitted")

    dry = run(later, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert (
        "Would anonymise 1 submitted response(s) of consultations decided 12 month(s) ago or more "
        "(harbour-road-cycle-lane), removing 1 comment(s); their other answers still count."
    ) in dry.stdout.splitlines()
    assert tuple(row()) == (reference, "harbourside", "35-44", 1, "submitted")

    # Decided 2026-12-15 and kept for 24 months: nothing yet.
    kept = run({**later, "RESPONSE_RETENTION_MONTHS": "24"}, "purge")
    assert kept.returncode == 0 and "Anonymised 0 submitted response(s)" in kept.stdout
    assert tuple(row())[0] == reference

    done = run(later, "purge")
    assert done.returncode == 0, done.stderr
    assert "Anonymised 1 submitted response(s)" in done.stdout
    anonymised = tuple(row())
    assert anonymised[0].startswith("ANON-") and anonymised[1:] == (None, None, None, "submitted")
    assert "Anonymised 0 submitted response(s)" in run(later, "purge").stdout

    refused = run({**later, "RESPONSE_RETENTION_MONTHS": "0"}, "purge")
    assert refused.returncode != 0 and "RESPONSE_RETENTION_MONTHS must be at least 1, got 0" in refused.stderr
