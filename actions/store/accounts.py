"""Portal accounts: admins, officers and ward councillors, with argon2id password hashes.

Also what belongs to an account once it exists: its server-side sessions (so signing out or changing the
password ends them everywhere), the sign-in attempt counters that lock it after too many tries (kept in the
database, so every portal process sees the same count), and the audit log of what it exported or viewed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .models import AuditRow, PortalSessionRow, SignInAttemptRow, UserRow, WardRow, utcnow
from .repository import Store

# An admin can do everything an officer can, and read and export the audit log.
ROLES = ("admin", "officer", "councillor")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
SESSION_LIFETIME = dt.timedelta(hours=8)
ATTEMPT_WINDOW = dt.timedelta(minutes=15)
_hasher = PasswordHasher()
# Verifying against this when the email is unknown keeps the timing the same as for a real account.
_DUMMY_HASH = _hasher.hash("not a real password, only for constant-time failures")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    ward_slug: str | None

    @property
    def is_officer(self) -> bool:
        """Officers and admins: every consultation, and exports with personal data."""
        return self.role in ("officer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _user(row: UserRow) -> User:
    return User(row.id, row.email, row.role, row.ward_slug)


class AccountError(ValueError):
    """A one-line reason an account could not be created or changed."""


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


def add_user(store: Store, email: str, password: str, role: str, ward_slug: str | None = None) -> User:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise AccountError(f"role must be one of: {', '.join(ROLES)}")
    if role == "councillor" and not ward_slug:
        raise AccountError("a councillor needs --ward SLUG (their own ward)")
    _check_password(password)
    with store.session() as session:
        if ward_slug and session.scalar(select(WardRow.id).where(WardRow.slug == ward_slug)) is None:
            raise AccountError(f"unknown ward {ward_slug!r}; load the wards file first")
        if session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise AccountError(f"an account for {email} already exists")
        row = UserRow(email=email, password_hash=_hasher.hash(password), role=role, ward_slug=ward_slug)
        session.add(row)
        session.flush()
        return _user(row)


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The account if the password is right. Callers must count the attempt first (see reserve_attempt)."""
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.email == (email or "").strip().lower()))
        try:
            _hasher.verify(row.password_hash if row else _DUMMY_HASH, password or "")
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = _hasher.hash(password)
        row.last_login_at = utcnow()
        return _user(row)


def get_user(store: Store, user_id: int) -> User | None:
    with store.session() as session:
        row = session.get(UserRow, user_id)
        return _user(row) if row else None


def find_user(store: Store, email: str) -> User | None:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        return _user(row) if row else None


def change_password(store: Store, user_id: int, new_password: str) -> None:
    """Set a new password and end every session of the account, wherever its cookies are."""
    _check_password(new_password)
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise AccountError("no such account")
        row.password_hash = _hasher.hash(new_password)
        session.execute(delete(PortalSessionRow).where(PortalSessionRow.user_id == user_id))


# --- sessions ---------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user_id: int, lifetime: dt.timedelta = SESSION_LIFETIME) -> str:
    """A new session for the account; returns the random token the browser's cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as session:
        # Housekeeping on each sign-in: forget expired sessions and finished attempt windows.
        session.execute(delete(PortalSessionRow).where(PortalSessionRow.expires_at <= now))
        session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.expires_at <= now))
        session.add(PortalSessionRow(token_hash=_token_hash(token), user_id=user_id, created_at=now, expires_at=now + lifetime))
    return token


def session_user(store: Store, token: str | None) -> User | None:
    """The signed-in account for a session token, or None if it was ended, has expired or never existed."""
    if not token or not isinstance(token, str):
        return None
    with store.session() as session:
        row = session.scalar(
            select(UserRow)
            .join(PortalSessionRow, PortalSessionRow.user_id == UserRow.id)
            .where(PortalSessionRow.token_hash == _token_hash(token), PortalSessionRow.expires_at > utcnow())
        )
        return _user(row) if row else None


def end_session(store: Store, token: str | None) -> None:
    if token and isinstance(token, str):
        with store.session() as session:
            session.execute(delete(PortalSessionRow).where(PortalSessionRow.token_hash == _token_hash(token)))


def end_all_sessions(store: Store, user_id: int) -> int:
    with store.session() as session:
        return session.execute(delete(PortalSessionRow).where(PortalSessionRow.user_id == user_id)).rowcount


# --- sign-in attempts -------------------------------------------------------------------------------


def attempt_key(secret: str, kind: str, value: str) -> str:
    """The counter's key for an account ("account", email) or a client address ("ip", address): a keyed
    hash, so the table holds neither the emails people typed nor their addresses."""
    return hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def reserve_attempt(store: Store, key: str, limit: int, now: dt.datetime | None = None) -> bool:
    """Count one attempt against ``key`` before the password is checked; False if it is over ``limit``.

    One upsert, so concurrent attempts in any number of processes are counted exactly (the row is locked
    until the transaction ends, on SQLite and PostgreSQL alike). The count starts again when the window has
    passed; the attempt that reaches the limit restarts the window, so the lock lasts a whole window.
    """
    now = now or utcnow()
    renewed = now + ATTEMPT_WINDOW
    table = SignInAttemptRow.__table__
    with store.session() as session:
        dialect = session.get_bind().dialect.name
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
        if insert is None:
            raise RuntimeError(f"sign-in attempt counting supports SQLite and PostgreSQL, not {dialect}")
        statement = insert(table).values(key=key, attempts=1, expires_at=renewed)
        expired = table.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "attempts": case((expired, 1), else_=table.c.attempts + 1),
                "expires_at": case((expired, renewed), (table.c.attempts + 1 == limit, renewed), else_=table.c.expires_at),
            },
        )
        session.execute(statement)
        attempts = session.scalar(select(table.c.attempts).where(table.c.key == key))
    return attempts <= limit


def release_attempt(store: Store, key: str) -> None:
    """Take back one reserved attempt (it turned out to be a good one)."""
    with store.session() as session:
        session.execute(
            update(SignInAttemptRow)
            .where(SignInAttemptRow.key == key, SignInAttemptRow.attempts > 0)
            .values(attempts=SignInAttemptRow.attempts - 1)
        )


def clear_attempts(store: Store, key: str) -> None:
    with store.session() as session:
        session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.key == key))


# --- audit log --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    role: str
    ip: str | None
    action: str
    target: str
    rows: int | None
    details: dict[str, Any] = field(default_factory=dict)


def record_audit(
    store: Store,
    action: str,
    target: str,
    *,
    user: User | None = None,
    actor: str | None = None,
    ip: str | None = None,
    rows: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry: a portal account (``user``) or someone else (``actor``, e.g. "cli:jane")."""
    with store.session() as session:
        session.add(
            AuditRow(
                at=utcnow(),
                user_id=user.id if user else None,
                actor=(user.email if user else actor or "unknown")[:320],
                role=user.role if user else "cli",
                ip=ip[:45] if ip else None,
                action=action,
                target=target[:200],
                rows=rows,
                details=details or {},
            )
        )


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.id, row.at, row.actor, row.role, row.ip, row.action, row.target, row.rows, dict(row.details or {}))


def audit_entries(store: Store, limit: int = 100, offset: int = 0) -> tuple[list[AuditEntry], int]:
    """A page of the audit log, newest first, and the number of entries in all."""
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(AuditRow))
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset))
        return [_entry(row) for row in rows], total


def iter_audit_entries(store: Store, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every audit entry, oldest first, read in batches so memory does not grow with the log."""
    last = 0
    while True:
        with store.session() as session:
            rows = list(session.scalars(select(AuditRow).where(AuditRow.id > last).order_by(AuditRow.id).limit(batch)))
            entries = [_entry(row) for row in rows]
        if not entries:
            return
        yield from entries
        last = entries[-1].id
