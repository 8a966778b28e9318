"""Sign-in attempt counters, per account and per client address, kept in the database.

Every portal process sees the same counts. Keys are HMACs, so the table holds neither the emails people typed
nor their addresses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .models import SignInAttemptRow, utcnow
from .repository import Store

ATTEMPT_WINDOW = dt.timedelta(minutes=15)


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


def forget_finished_windows(store: Store, now: dt.datetime | None = None) -> int:
    """Housekeeping: delete counters whose window has passed (they would start again at 1 anyway)."""
    with store.session() as session:
        return session.execute(delete(SignInAttemptRow).where(SignInAttemptRow.expires_at <= (now or utcnow()))).rowcount
