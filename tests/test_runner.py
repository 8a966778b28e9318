"""Start-up safety: secrets generated once, the Rasa API never started without a token, training only when stale."""

from __future__ import annotations

import shutil

import pytest
from cryptography.fernet import Fernet

from actions import runner, servers, training
from actions.settings import get_settings


def test_missing_secrets_are_generated_once_and_never_overwritten(tmp_path, monkeypatch):
    for name in runner.GENERATED_SECRETS:
        monkeypatch.delenv(name, raising=False)
    env_file = tmp_path / ".env"
    env_file.write_text("PORTAL_PORT=9000")
    assert runner.ensure_secrets(env_file) == [
        "RASA_AUTH_TOKEN",
        "SENDER_HASH_SALT",
        "PORTAL_SECRET_KEY",
        "ACTION_SERVER_TOKEN",
        "CONTACT_ENCRYPTION_KEY",
    ]
    first = env_file.read_text()
    sealing_key = [line for line in first.splitlines() if line.startswith("CONTACT_ENCRYPTION_KEY=")][0].split("=", 1)[1]
    Fernet(sealing_key.encode())  # a usable Fernet key, not just a random string
    assert first.startswith("PORTAL_PORT=9000\n")
    token = [line for line in first.splitlines() if line.startswith("RASA_AUTH_TOKEN=")][0].split("=", 1)[1]
    assert len(token) >= 40
    assert runner.ensure_secrets(env_file) == []
    assert env_file.read_text() == first
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"


def test_rasa_refuses_to_start_the_api_without_a_token(monkeypatch):
    monkeypatch.setenv("RASA_AUTH_TOKEN", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="refusing to start the Rasa HTTP API without a token"):
            servers.rasa_argv([])
    finally:
        get_settings.cache_clear()


def test_rasa_refuses_to_start_without_the_action_server_token(monkeypatch):
    monkeypatch.setenv("RASA_AUTH_TOKEN", "abc")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="ACTION_SERVER_TOKEN is not set"):
            servers.rasa_argv([])
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("missing", ["REST_CHANNEL_TOKEN", "CONTACT_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_secrets(monkeypatch, missing):
    for name, value in {
        "RASA_AUTH_TOKEN": "abc",
        "ACTION_SERVER_TOKEN": "def",
        "HYS_ENV": "production",
        "REST_CHANNEL_TOKEN": "ghi",
        "CONTACT_ENCRYPTION_KEY": "q0mQ8dG7sUe3xHc2nW9yJ4kP6tZ1vB5aR8fL3oN0iE4=",
        "SENDER_HASH_SALT": "salt",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(missing, "")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match=f"HYS_ENV=production needs {missing}"):
            servers.rasa_argv([])
    finally:
        get_settings.cache_clear()


def test_the_action_server_refuses_to_start_without_its_token(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit, match="ACTION_SERVER_TOKEN is not set"):
            servers.action_server_app()
    finally:
        get_settings.cache_clear()


def test_rasa_is_started_with_api_token_and_endpoints(monkeypatch):
    monkeypatch.setenv("RASA_AUTH_TOKEN", "abc")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "def")
    monkeypatch.setenv("RASA_PORT", "5999")
    get_settings.cache_clear()
    try:
        argv = servers.rasa_argv([])
        environment = servers.server_environment()
    finally:
        get_settings.cache_clear()
    assert argv[argv.index("--auth-token") + 1] == "abc"
    assert "--enable-api" in argv and argv[argv.index("--port") + 1] == "5999"
    assert environment["RASA_TELEMETRY_ENABLED"] == "false"
    assert environment["ACTION_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert environment["ACTION_SERVER_TOKEN"] == "def"  # endpoints.yml sends it to the action server


def test_fingerprint_changes_only_with_training_inputs(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    for name in ("config.yml", "domain.yml", "data"):
        source = training.PROJECT_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    before = training.fingerprint(root)
    (root / "README.md").write_text("not a training input")
    assert training.fingerprint(root) == before
    with (root / "data" / "nlu" / "general.yml").open("a") as handle:
        handle.write("    - hiya pal\n")
    assert training.fingerprint(root) != before
