"""Signed-in portal sessions, kept in the database.

The browser's cookie carries only a random token and the table keeps its SHA-256, so deleting a row (signing
out, a password change) ends the session wherever the cookie has been copied.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select

from .accounts import User, user_from_row
from .models import PortalSessionRow, UserRow, utcnow
from .repository import Store

SESSION_LIFETIME = dt.timedelta(hours=8)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user_id: int, lifetime: dt.timedelta = SESSION_LIFETIME) -> str:
    """A new session for the account; returns the random token the browser's cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with store.session() as session:
        # Housekeeping on each sign-in: forget expired sessions.
        session.execute(delete(PortalSessionRow).where(PortalSessionRow.expires_at <= now))
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
        return user_from_row(row) if row else None


def end_session(store: Store, token: str | None) -> None:
    if token and isinstance(token, str):
        with store.session() as session:
            session.execute(delete(PortalSessionRow).where(PortalSessionRow.token_hash == _token_hash(token)))


def end_all_sessions(store: Store, user_id: int) -> int:
    with store.session() as session:
        return session.execute(delete(PortalSessionRow).where(PortalSessionRow.user_id == user_id)).rowcount
