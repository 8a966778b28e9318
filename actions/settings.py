"""Configuration, loaded once from the environment and an optional ``.env``.

Every other module reads configuration through :func:`get_settings`, never
through ``os.environ`` directly, so there is one place to see what is
configurable (documented in ``.env.example`` and ``docs/configuration.md``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from error


def _at_least_one(name: str, default: int) -> int:
    value = _int(name, default)
    if value < 1:
        raise SystemExit(f"{name} must be at least 1, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    database_url: str
    rasa_host: str
    rasa_port: int
    action_port: int
    action_host: str
    portal_port: int
    portal_host: str
    portal_secret_key: str
    portal_allow_http: bool
    portal_trusted_proxies: tuple[str, ...]
    portal_sign_in_limit_per_account: int
    portal_sign_in_limit_per_ip: int

    @property
    def portal_secure_cookies(self) -> bool:
        """Secure cookies and HSTS: always, unless plain HTTP is allowed for local development."""
        return not self.portal_allow_http

    chat_server_url: str
    rate_limit_per_sender: int
    rate_limit_per_ip: int
    tracker_retention_days: int
    response_retention_months: int
    tracker_cache_size: int
    parse_memory_size: int
    speedups: bool
    website_origins: tuple[str, ...]
    rasa_auth_token: str
    sender_hash_salt: str
    spacy_model_path: Path
    models_dir: Path
    var_dir: Path
    tracker_store_url: str
    endpoints_file: str
    action_server_token: str
    rest_channel_token: str
    contact_encryption_key: str
    production: bool


def default_database_url(var_dir: Path) -> str:
    return f"sqlite:///{var_dir / 'haveyoursay.db'}"


def today() -> dt.date:
    """The council's today. HYS_TODAY (YYYY-MM-DD) pins it for demos and repeatable tests."""
    pinned = os.environ.get("HYS_TODAY", "").strip()
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError as error:
            raise SystemExit(f"HYS_TODAY must be a date like 2026-11-22, got {pinned!r}") from error
    return dt.date.today()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read ``.env`` (without overriding real environment variables) once."""
    load_dotenv(PROJECT_ROOT / ".env", override=False)
    var_dir = Path(os.environ.get("HYS_VAR_DIR") or PROJECT_ROOT / "var")
    database_url = os.environ.get("DATABASE_URL") or default_database_url(var_dir)
    rasa_host = os.environ.get("RASA_HOST") or "127.0.0.1"
    rasa_port = _int("RASA_PORT", 5005)
    portal_port = _int("PORTAL_PORT", 8080)
    default_origins = f"http://127.0.0.1:{portal_port},http://localhost:{portal_port}"
    return Settings(
        database_url=database_url,
        # Rasa's conversation store; by default the same database (its table is `events`).
        tracker_store_url=os.environ.get("TRACKER_STORE_URL") or database_url,
        endpoints_file=os.environ.get("RASA_ENDPOINTS_FILE") or "endpoints.yml",
        rasa_host=rasa_host,
        rasa_port=rasa_port,
        action_port=_int("ACTION_PORT", 5055),
        action_host=os.environ.get("ACTION_HOST") or "127.0.0.1",
        portal_port=portal_port,
        # Where the website widget connects (the public URL of the Rasa server's socket.io channel).
        chat_server_url=os.environ.get("CHAT_SERVER_URL")
        or f"http://{'127.0.0.1' if rasa_host in ('0.0.0.0', '') else rasa_host}:{rasa_port}",  # noqa: S104 - a comparison, not a bind
        # Pages allowed to open a socket.io chat (CORS), comma-separated.
        # Messages a minute before a resident is asked to slow down (0 = off).
        rate_limit_per_sender=_int("RATE_LIMIT_PER_SENDER", 30),
        rate_limit_per_ip=_int("RATE_LIMIT_PER_IP", 600),
        # Conversations idle for longer than this are deleted by `haveyoursay purge`.
        tracker_retention_days=_int("TRACKER_RETENTION_DAYS", 30),
        # Submitted responses are anonymised this many months after their consultation's decision
        # (its outcome's `published` date) by `haveyoursay purge`; the privacy statement quotes it.
        response_retention_months=_at_least_one("RESPONSE_RETENTION_MONTHS", 12),
        # Conversations each Rasa server keeps in memory between messages, about 0.3 MB each (0 = off).
        tracker_cache_size=_int("TRACKER_CACHE_SIZE", 300),
        # Short messages whose parse the Rasa server remembers per model, a few hundred bytes each (0 = off).
        parse_memory_size=_int("PARSE_MEMORY_SIZE", 5000),
        # HYS_SPEEDUPS=off runs stock Rasa code: no patches, no speed-ups in our components (actions/speedups.py).
        speedups=os.environ.get("HYS_SPEEDUPS", "on").strip().lower() not in ("off", "0", "false", "no"),
        website_origins=tuple(
            o.strip().rstrip("/") for o in (os.environ.get("WEBSITE_ORIGINS") or default_origins).split(",") if o.strip()
        ),
        portal_host=os.environ.get("PORTAL_HOST") or "127.0.0.1",
        portal_secret_key=os.environ.get("PORTAL_SECRET_KEY", ""),
        # The portal is served over HTTPS: Secure cookies and HSTS, unless PORTAL_ALLOW_HTTP=true
        # (local development on http://127.0.0.1 only; `make run` and the tests set it).
        portal_allow_http=os.environ.get("PORTAL_ALLOW_HTTP", "").strip().lower() in ("1", "true", "yes"),
        # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed
        # for the client address; nobody's by default.
        portal_trusted_proxies=tuple(p.strip() for p in os.environ.get("PORTAL_TRUSTED_PROXIES", "").split(",") if p.strip()),
        # Sign-in attempts allowed in 15 minutes, per account (then it is locked) and per client address.
        portal_sign_in_limit_per_account=_int("PORTAL_SIGN_IN_LIMIT_PER_ACCOUNT", 10),
        portal_sign_in_limit_per_ip=_int("PORTAL_SIGN_IN_LIMIT_PER_IP", 100),
        rasa_auth_token=os.environ.get("RASA_AUTH_TOKEN", ""),
        sender_hash_salt=os.environ.get("SENDER_HASH_SALT", ""),
        # Rasa sends it with every action call; the action server refuses calls without it.
        action_server_token=os.environ.get("ACTION_SERVER_TOKEN", ""),
        # Bearer token the REST channel requires (/webhooks/rest/webhook) whenever it is set.
        rest_channel_token=os.environ.get("REST_CHANNEL_TOKEN", ""),
        # Fernet key for the few channel addresses kept to send an outcome to residents who asked for one.
        contact_encryption_key=os.environ.get("CONTACT_ENCRYPTION_KEY", ""),
        # HYS_ENV=production: refuse to start without the secrets a public deployment needs.
        production=(os.environ.get("HYS_ENV", "").strip().lower() == "production"),
        spacy_model_path=PROJECT_ROOT / "build" / "spacy" / "en_haveyoursay",
        models_dir=PROJECT_ROOT / "models",
        var_dir=var_dir,
    )
