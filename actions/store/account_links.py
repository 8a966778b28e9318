"""Single-use links to set a password: invitations to new accounts, and resets an admin makes.

The link carries a random token (256 bits); the table keeps only its SHA-256, so a copy of the database can't
be turned into working links. An account has at most one live link: making a new one revokes the old. A link
is claimed in one conditional update, so two browsers racing with the same link can't both use it.

There is no mail server, so the link is handed to the admin who made it, to pass on (see
``actions/portal/accounts.py`` for where a mail sender would plug in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .models import AccountLinkRow, UserRow, utcnow
from .repository import Store

INVITATION = "invitation"
RESET = "reset"
LIFETIMES = {INVITATION: dt.timedelta(days=7), RESET: dt.timedelta(hours=24)}
KEEP_OLD_LINKS = dt.timedelta(days=30)  # used or expired links are deleted this long after they end


@dataclass(frozen=True)
class IssuedLink:
    """A link just made. ``token`` exists only here and in the link shown to the admin."""

    token: str
    purpose: str
    user_id: int
    email: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class LinkState:
    """What a token leads to. ``problem`` is None for a link that can be used now."""

    problem: str | None  # None | "unknown" | "used" | "expired" | "disabled"
    purpose: str | None = None
    user_id: int | None = None
    email: str | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(
    session: Session, user_id: int, email: str, purpose: str, created_by: str, now: dt.datetime | None = None
) -> IssuedLink:
    """A new link for the account, in the caller's transaction; any earlier link of the account stops working."""
    now = now or utcnow()
    revoke(session, user_id)
    session.execute(delete(AccountLinkRow).where(AccountLinkRow.expires_at <= now - KEEP_OLD_LINKS))
    token = secrets.token_urlsafe(32)
    expires_at = now + LIFETIMES[purpose]
    session.add(
        AccountLinkRow(
            token_hash=token_hash(token),
            user_id=user_id,
            purpose=purpose,
            created_at=now,
            created_by=created_by[:320],
            expires_at=expires_at,
        )
    )
    return IssuedLink(token, purpose, user_id, email, expires_at)


def revoke(session: Session, user_id: int) -> int:
    """Every unused link of the account stops working (a password was set, the account was disabled...)."""
    return session.execute(
        delete(AccountLinkRow).where(AccountLinkRow.user_id == user_id, AccountLinkRow.used_at.is_(None))
    ).rowcount


def _state(session: Session, token: str, now: dt.datetime) -> tuple[LinkState, AccountLinkRow | None]:
    if not token or len(token) > 100:
        return LinkState("unknown"), None
    found = session.execute(
        select(AccountLinkRow, UserRow)
        .join(UserRow, UserRow.id == AccountLinkRow.user_id)
        .where(AccountLinkRow.token_hash == token_hash(token))
    ).first()
    if found is None:
        return LinkState("unknown"), None
    link, user = found
    problem = (
        "used" if link.used_at is not None else "expired" if link.expires_at <= now else "disabled" if user.disabled_at else None
    )
    return LinkState(problem, link.purpose, user.id, user.email), link


def look_up(store: Store, token: str, now: dt.datetime | None = None) -> LinkState:
    """What the link is for, without using it (opening the page must not use it up: mail scanners and chat
    apps fetch links to preview them)."""
    with store.session() as session:
        return _state(session, token, now or utcnow())[0]


def claim(session: Session, token: str, now: dt.datetime | None = None) -> LinkState:
    """Use the link up, in the caller's transaction. Only one caller ever gets a state with no problem."""
    now = now or utcnow()
    state, link = _state(session, token, now)
    if state.problem is not None or link is None:
        return state
    claimed = session.execute(
        update(AccountLinkRow)
        .where(AccountLinkRow.id == link.id, AccountLinkRow.used_at.is_(None), AccountLinkRow.expires_at > now)
        .values(used_at=now)
    ).rowcount
    return state if claimed == 1 else LinkState("used", state.purpose, state.user_id, state.email)


@dataclass(frozen=True)
class PendingLink:
    purpose: str
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime


def pending_links(session: Session, now: dt.datetime | None = None) -> dict[int, PendingLink]:
    """The unused, unexpired link of each account that has one."""
    rows = session.scalars(
        select(AccountLinkRow).where(AccountLinkRow.used_at.is_(None), AccountLinkRow.expires_at > (now or utcnow()))
    )
    return {row.user_id: PendingLink(row.purpose, row.created_at, row.created_by, row.expires_at) for row in rows}
