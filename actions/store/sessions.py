"""Signed-in portal sessions, kept in the database.

The browser's cookie carries only a random token and the table keeps its SHA-256, so deleting a row (signing
out, a password change, a disabled account) ends the session wherever the cookie has been copied.

An account with a one-time password gets a short session that is ``awaiting_code`` after the right password:
it opens no page but the code's, and is swapped for a full session when the code is right.
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
CODE_LIFETIME = dt.timedelta(minutes=5)  # between the right password and the one-time code


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(store: Store, user_id: int, lifetime: dt.timedelta = SESSION_LIFETIME, *, awaiting_code: bool = False) -> str:
    """A new session for the account; returns the random token the browser's cookie carries."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    if awaiting_code:
        lifetime = min(lifetime, CODE_LIFETIME)
    with store.session() as session:
        # Housekeeping on each sign-in: forget expired sessions.
        session.execute(delete(PortalSessionRow).where(PortalSessionRow.expires_at <= now))
        session.add(
            PortalSessionRow(
                token_hash=_token_hash(token),
                user_id=user_id,
                created_at=now,
                expires_at=now + lifetime,
                awaiting_code=awaiting_code,
            )
        )
    return token


def _user_for(store: Store, token: str | None, awaiting_code: bool) -> User | None:
    if not token or not isinstance(token, str):
        return None
    with store.session() as session:
        row = session.scalar(
            select(UserRow)
            .join(PortalSessionRow, PortalSessionRow.user_id == UserRow.id)
            .where(
                PortalSessionRow.token_hash == _token_hash(token),
                PortalSessionRow.expires_at > utcnow(),
                PortalSessionRow.awaiting_code == awaiting_code,
                UserRow.disabled_at.is_(None),
            )
        )
        return user_from_row(row) if row else None


def session_user(store: Store, token: str | None) -> User | None:
    """The signed-in account for a session token, or None if it was ended, has expired, never existed, is still
    waiting for its one-time code, or its account is disabled."""
    return _user_for(store, token, awaiting_code=False)


def user_awaiting_code(store: Store, token: str | None) -> User | None:
    """The account whose right password started this session, if it is still waiting for its one-time code."""
    return _user_for(store, token, awaiting_code=True)


def end_session(store: Store, token: str | None) -> None:
    if token and isinstance(token, str):
        with store.session() as session:
            session.execute(delete(PortalSessionRow).where(PortalSessionRow.token_hash == _token_hash(token)))


def end_all_sessions(store: Store, user_id: int) -> int:
    with store.session() as session:
        return session.execute(delete(PortalSessionRow).where(PortalSessionRow.user_id == user_id)).rowcount
