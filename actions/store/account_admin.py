"""What admins do to other portal accounts: invite, reset, disable and enable, change role, ward and whether a
one-time password is required, and list them.

Each change is written to the audit log in the same transaction as the change. Whatever the change, at least
one administrator who can sign in is left (counted with the admin rows locked, so two admins disabling each
other at the same moment can't both succeed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import account_links, second_factor
from .accounts import (
    NO_PASSWORD,
    AccountError,
    User,
    account_settings,
    check_role,
    end_all_sessions_in,
    new_account_row,
    normalise_email,
    user_from_row,
)
from .audit import Actor, add_entry
from .models import UserRow, utcnow
from .repository import Store


@dataclass(frozen=True)
class Account:
    """An account as an admin sees it."""

    user: User
    status: str  # active | invited | reset (waiting for its link to be used) | disabled
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    two_factor_since: dt.datetime | None
    link: account_links.PendingLink | None


def invite(
    store: Store, actor: Actor, email: str, role: str, ward_slug: str | None = None, two_factor_required: bool = False
) -> account_links.IssuedLink:
    """An account with no password yet, and the single-use link its owner sets one with."""
    email = normalise_email(email)
    with store.session() as session:
        row = new_account_row(session, email, NO_PASSWORD, role, ward_slug, two_factor_required)
        link = account_links.issue(session, row.id, email, account_links.INVITATION, actor.name)
        details = {**account_settings(row), "link_expires": link.expires_at.isoformat(timespec="minutes")}
        add_entry(session, actor, "invite", email, details=details)
        return link


def _can_sign_in_as_admin(row: UserRow) -> bool:
    return row.role == "admin" and row.disabled_at is None and row.password_hash != NO_PASSWORD


def _managed(session: Session, user_id: int) -> UserRow:
    """The account to change, with every admin row locked until the transaction ends (the first statement is
    a write, so SQLite takes its write lock too): two admins disabling each other at once are counted one after
    the other, and the second is refused."""
    session.execute(
        update(UserRow).where(UserRow.role == "admin").values(role=UserRow.role).execution_options(synchronize_session=False)
    )
    row = session.get(UserRow, user_id)
    if row is None:
        raise AccountError("no such account")
    return row


def _keep_an_admin(session: Session, row: UserRow, change: str) -> None:
    """Refuse a change to ``row`` that would leave no administrator who can sign in."""
    if not _can_sign_in_as_admin(row):
        return
    others = session.scalar(
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == "admin", UserRow.disabled_at.is_(None), UserRow.password_hash != NO_PASSWORD, UserRow.id != row.id)
    )
    if not others:
        raise AccountError(f"{change} would leave no administrator who can sign in; make another administrator first")


def change_account(
    store: Store, actor: Actor, user_id: int, *, role: str, ward_slug: str | None, two_factor_required: bool
) -> User:
    """Change role, ward and whether a one-time password is required. A new requirement (or becoming an admin)
    takes effect at the account's next page: it must set up an app before anything else."""
    with store.session() as session:
        row = _managed(session, user_id)
        check_role(session, role, ward_slug)
        before = account_settings(row)
        after = {"account_role": role, "account_ward": ward_slug, "two_factor_required": bool(two_factor_required)}
        changed = [name for name in before if before[name] != after[name]]
        if not changed:
            return user_from_row(row)
        if role != "admin":
            _keep_an_admin(session, row, "Changing this role")
        row.role, row.ward_slug, row.two_factor_required = role, ward_slug, bool(two_factor_required)
        details = {"before": {name: before[name] for name in changed}, "after": {name: after[name] for name in changed}}
        add_entry(session, actor, "change_account", row.email, details=details)
        return user_from_row(row)


def disable_account(store: Store, actor: Actor, user_id: int) -> User:
    """The account can't sign in, its sessions end now, and its password link stops working."""
    with store.session() as session:
        row = _managed(session, user_id)
        if row.disabled_at is not None:
            return user_from_row(row)
        _keep_an_admin(session, row, "Disabling this account")
        row.disabled_at = utcnow()
        end_all_sessions_in(session, row.id)
        account_links.revoke(session, row.id)
        add_entry(session, actor, "disable_account", row.email)
        return user_from_row(row)


def enable_account(store: Store, actor: Actor, user_id: int) -> User:
    """Signing in works again, with the password the account had (or reset it to send a new link)."""
    with store.session() as session:
        row = _managed(session, user_id)
        if row.disabled_at is None:
            return user_from_row(row)
        row.disabled_at = None
        add_entry(session, actor, "enable_account", row.email)
        return user_from_row(row)


def reset_account(store: Store, actor: Actor, user_id: int, *, reset_two_factor: bool = False) -> account_links.IssuedLink:
    """A new single-use link to set a password. The old password stops working and every session ends now;
    with ``reset_two_factor`` the one-time password app is forgotten too (a lost phone), so the account sets
    one up again if it needs one. An account that never set a password gets a new invitation instead."""
    with store.session() as session:
        row = _managed(session, user_id)
        if row.id == actor.user_id:
            raise AccountError("you can't reset your own account; change your password with Change password")
        if row.disabled_at is not None:
            raise AccountError("the account is disabled; enable it first")
        _keep_an_admin(session, row, "Resetting this account")
        never_used = row.password_hash == NO_PASSWORD and row.last_login_at is None
        purpose = account_links.INVITATION if never_used else account_links.RESET
        row.password_hash = NO_PASSWORD
        if reset_two_factor:
            second_factor.clear(row)
        end_all_sessions_in(session, row.id)
        link = account_links.issue(session, row.id, row.email, purpose, actor.name)
        details = {
            "link": purpose,
            "two_factor_reset": reset_two_factor,
            "link_expires": link.expires_at.isoformat(timespec="minutes"),
        }
        add_entry(session, actor, "reset_account", row.email, details=details)
        return link


def reset_two_factor(store: Store, actor: Actor, user_id: int) -> User:
    """Forget the account's one-time password app (a lost phone) and end its sessions; the password stays.
    If the account needs one, it sets up a new app at its next sign-in."""
    with store.session() as session:
        row = _managed(session, user_id)
        second_factor.clear(row)
        end_all_sessions_in(session, row.id)
        add_entry(session, actor, "reset_two_factor", row.email)
        return user_from_row(row)


# --- reading ---------------------------------------------------------------------------------------


def _account(row: UserRow, link: account_links.PendingLink | None) -> Account:
    if row.disabled_at is not None:
        status = "disabled"
    elif row.password_hash == NO_PASSWORD:
        status = "invited" if row.last_login_at is None else "reset"
    else:
        status = "active"
    return Account(user_from_row(row), status, row.created_at, row.last_login_at, row.totp_enrolled_at, link)


def list_accounts(store: Store) -> list[Account]:
    with store.session() as session:
        links = account_links.pending_links(session)
        rows = session.scalars(select(UserRow).order_by(UserRow.email))
        return [_account(row, links.get(row.id)) for row in rows]


def get_account(store: Store, user_id: int) -> Account | None:
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            return None
        return _account(row, account_links.pending_links(session).get(row.id))
