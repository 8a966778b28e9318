"""Entry points that start the Rasa server and the action server safely.

    python -m actions.servers rasa     # Rasa server, HTTP API on, token required
    python -m actions.servers actions  # action server, on ACTION_HOST (127.0.0.1)

Why not call ``rasa run`` directly: the auth token would have to be passed on
the command line, where every local user can read it with ``ps``. Here it is
read from the environment/.env, and the server refuses to start without one,
because ``--enable-api`` with no token lets anyone read any conversation.
"""

from __future__ import annotations

import os
import sys

from .settings import PROJECT_ROOT, get_settings

MODEL_NAME = "haveyoursay"


def rasa_argv(extra: list[str]) -> list[str]:
    settings = get_settings()
    if not settings.rasa_auth_token:
        raise SystemExit(
            "RASA_AUTH_TOKEN is not set: refusing to start the Rasa HTTP API without a token (run `make run` once to generate one in .env)."
        )
    if not settings.action_server_token:
        raise SystemExit("ACTION_SERVER_TOKEN is not set: the action server would refuse every call (run `make run` once).")
    if settings.production:
        missing = [
            name
            for name, value in (
                ("REST_CHANNEL_TOKEN", settings.rest_channel_token),
                ("CONTACT_ENCRYPTION_KEY", settings.contact_encryption_key),
                ("SENDER_HASH_SALT", settings.sender_hash_salt),
            )
            if not value
        ]
        if missing:
            raise SystemExit(f"HYS_ENV=production needs {', '.join(missing)} in .env: refusing to start.")
    return [
        "rasa",
        "run",
        "--enable-api",
        "--auth-token",
        settings.rasa_auth_token,
        "--interface",
        settings.rasa_host,
        "--port",
        str(settings.rasa_port),
        "--model",
        str(settings.models_dir / f"{MODEL_NAME}.tar.gz"),
        "--endpoints",
        str(PROJECT_ROOT / settings.endpoints_file),
        "--credentials",
        str(effective_credentials_path()),
        *extra,
    ]


def effective_credentials_path():
    return get_settings().var_dir / "credentials.effective.yml"


def server_environment() -> dict[str, str]:
    """Variables the Rasa YAML files expand (${...}), derived from settings."""
    settings = get_settings()
    return {
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_ENDPOINT_URL": f"http://{settings.action_host}:{settings.action_port}/webhook",
        "ACTION_SERVER_TOKEN": settings.action_server_token,
        # Sanic refuses bodies over 1 MB before any channel reads them (the REST channel's own limit is 16 KB).
        "SANIC_REQUEST_MAX_SIZE": "1048576",
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "WEBSITE_ORIGINS": ",".join(settings.website_origins),
        # Only read by endpoints.scaleout.yml (the Redis lock store).
        "REDIS_HOST": os.environ.get("REDIS_HOST", "127.0.0.1"),
        "REDIS_PORT": os.environ.get("REDIS_PORT", "6379"),
        "REDIS_DB": os.environ.get("REDIS_DB", "0"),
    }


def run_rasa(extra: list[str]) -> None:
    from . import speedups
    from .channels.credentials import write_effective_credentials

    os.environ.update(server_environment())
    applied = speedups.apply_to_rasa_server()
    if speedups.enabled():
        print(f"Speed-ups on: {len(applied)} of {len(speedups.PATCHES)} patches to Rasa applied.", flush=True)
    else:
        print("Speed-ups off (HYS_SPEEDUPS=off): stock Rasa code throughout.", flush=True)
    enabled, disabled = write_effective_credentials(PROJECT_ROOT / "credentials.yml", effective_credentials_path())
    channels = ", ".join(name.rsplit(".", 1)[-1] for name in enabled)
    off = ", ".join(f"{name.rsplit('.', 1)[-1]} (set {', '.join(missing)})" for name, missing in disabled.items())
    print(f"Channels on: {channels}." + (f" Off: {off}." if off else ""), flush=True)
    sys.argv = rasa_argv(extra)
    os.chdir(PROJECT_ROOT)  # config paths in config.yml are relative to the project
    from rasa.__main__ import main

    main()


def action_server_app():
    """The action server app (actions/action_server.py), refusing to start without its token."""
    settings = get_settings()
    if not settings.action_server_token:
        raise SystemExit(
            "ACTION_SERVER_TOKEN is not set: refusing to start an action server that anyone could call (run `make run` once to generate one in .env)."
        )
    from .action_server import create_app

    return create_app(settings.action_server_token)


def run_actions() -> None:
    from .text import avoid_tensorflow

    avoid_tensorflow()
    from .logs import configure_logging

    configure_logging("actions")
    settings = get_settings()
    from rasa_sdk.utils import number_of_sanic_workers

    app = action_server_app()
    # Loopback by default (ACTION_HOST): only the Rasa server needs to reach it.
    app.run(settings.action_host, settings.action_port, workers=number_of_sanic_workers())


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else ""
    if which == "rasa":
        run_rasa(sys.argv[2:])
    elif which == "actions":
        run_actions()
    else:
        raise SystemExit("usage: python -m actions.servers rasa|actions")
