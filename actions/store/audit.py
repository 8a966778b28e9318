"""The audit log: who exported what, viewed which single response, or changed which account, and when.

Written where the audited thing happens: exports and views through ``record_audit``, account changes with
``add_entry`` in the same transaction as the change, so neither is saved without the other. Read by admins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import AuditRow, utcnow
from .repository import Store

if TYPE_CHECKING:
    from .accounts import User


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


@dataclass(frozen=True)
class Actor:
    """Who did something, for the audit log: a portal account, or someone at the command line."""

    name: str  # the account's email, or "cli:<system user>"
    role: str  # the account's role, or "cli"
    user_id: int | None = None
    ip: str | None = None

    @classmethod
    def account(cls, user: User, ip: str | None = None) -> Actor:
        return cls(user.email, user.role, user.id, ip)

    @classmethod
    def command_line(cls, system_user: str) -> Actor:
        return cls(f"cli:{system_user}", "cli")


def add_entry(
    session: Session,
    actor: Actor,
    action: str,
    target: str,
    *,
    rows: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Write one audit entry in the caller's transaction."""
    session.add(
        AuditRow(
            at=utcnow(),
            user_id=actor.user_id,
            actor=actor.name[:320],
            role=actor.role[:12],
            ip=actor.ip[:45] if actor.ip else None,
            action=action,
            target=target[:200],
            rows=rows,
            details=details or {},
        )
    )


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
    who = Actor.account(user, ip) if user else Actor(actor or "unknown", "cli", None, ip)
    with store.session() as session:
        add_entry(session, who, action, target, rows=rows, details=details)


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
