"""Portal accounts: admins, officers and ward councillors, with argon2id password hashes.

Here: creating an account with a password (the command line), checking and changing passwords, using a
password link, and setting up or turning off one's own one-time password. Each change is written to the audit
log in the same transaction. What admins do to other accounts is in ``account_admin.py``, sessions in
``sessions.py``, the links in ``account_links.py``, one-time passwords in ``second_factor.py``, sign-in
attempt counters in ``sign_in_attempts.py`` and the audit log in ``audit.py``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from . import account_links, second_factor
from .audit import Actor, add_entry
from .models import PortalSessionRow, UserRow, WardRow, utcnow
from .repository import Store

# An admin can do everything an officer can, and read and export the audit log.
ROLES = ("admin", "officer", "councillor")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
NO_PASSWORD = ""  # invited, or reset: the account can't sign in until its link is used
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the email is unknown keeps the timing the same as for a real account
    (made on first use, so that importing this module costs no hashing)."""
    return _hasher.hash("not a real password, only for constant-time failures")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    ward_slug: str | None
    disabled: bool = False
    two_factor: bool = False  # a one-time password app is set up
    two_factor_required: bool = False  # an admin asked for one on this account (admins always need one)

    @property
    def is_officer(self) -> bool:
        """Officers and admins: every consultation, and exports with personal data."""
        return self.role in ("officer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def needs_two_factor(self) -> bool:
        return self.is_admin or self.two_factor_required

    @property
    def must_set_up_two_factor(self) -> bool:
        """Signed in with a password, but the account works only once a one-time password app is set up."""
        return self.needs_two_factor and not self.two_factor


def user_from_row(row: UserRow) -> User:
    return User(
        row.id,
        row.email,
        row.role,
        row.ward_slug,
        disabled=row.disabled_at is not None,
        two_factor=row.totp_secret_sealed is not None,
        two_factor_required=bool(row.two_factor_required),
    )


class AccountError(ValueError):
    """A one-line reason an account could not be created or changed."""


class LinkError(AccountError):
    """A password link that can't be used: ``problem`` is "unknown", "used", "expired" or "disabled"."""

    def __init__(self, problem: str):
        super().__init__(f"the link can't be used ({problem})")
        self.problem = problem


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise AccountError(f"{email!r} is not an email address")
    return email


def check_role(session: Session, role: str, ward_slug: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"role must be one of: {', '.join(ROLES)}")
    if role == "councillor" and not ward_slug:
        raise AccountError("a councillor needs a ward (their own)")
    if ward_slug and session.scalar(select(WardRow.id).where(WardRow.slug == ward_slug)) is None:
        raise AccountError(f"unknown ward {ward_slug!r}; load the wards file first")


def new_account_row(
    session: Session, email: str, password_hash: str, role: str, ward_slug: str | None, required: bool
) -> UserRow:
    check_role(session, role, ward_slug)
    if session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
        raise AccountError(f"an account for {email} already exists")
    row = UserRow(email=email, password_hash=password_hash, role=role, ward_slug=ward_slug, two_factor_required=required)
    session.add(row)
    session.flush()
    return row


def account_settings(row: UserRow) -> dict[str, Any]:
    """What an admin sets on an account, as the audit log records it."""
    return {"account_role": row.role, "account_ward": row.ward_slug, "two_factor_required": bool(row.two_factor_required)}


def add_user(
    store: Store,
    email: str,
    password: str,
    role: str,
    ward_slug: str | None = None,
    *,
    two_factor_required: bool = False,
    actor: Actor | None = None,
) -> User:
    """An account with a password (the command line). Audited when ``actor`` is given."""
    email = normalise_email(email)
    _check_password(password)
    with store.session() as session:
        row = new_account_row(session, email, _hasher.hash(password), role, ward_slug, two_factor_required)
        if actor is not None:
            add_entry(session, actor, "create_account", email, details=account_settings(row))
        return user_from_row(row)


def check_password(store: Store, email: str, password: str) -> User | None:
    """The account, disabled or not, if the password is right. Callers must count the attempt first (see
    sign_in_attempts.reserve_attempt) and refuse a disabled account."""
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.email == (email or "").strip().lower()))
        stored = row.password_hash if row is not None and row.password_hash != NO_PASSWORD else None
        try:
            _hasher.verify(stored or _dummy_hash(), password or "")
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:
            return None
        if _hasher.check_needs_rehash(stored):
            row.password_hash = _hasher.hash(password)
        if row.disabled_at is None and row.totp_secret_sealed is None:
            row.last_login_at = utcnow()  # with an authenticator app, only once the code is right (record_sign_in)
        return user_from_row(row)


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The account if the password is right and the account is not disabled (count the attempt first)."""
    user = check_password(store, email, password)
    return user if user is not None and not user.disabled else None


def record_sign_in(store: Store, user_id: int) -> None:
    """The account is signed in (its one-time code was right): "last sign-in" for admins."""
    with store.session() as session:
        session.execute(update(UserRow).where(UserRow.id == user_id).values(last_login_at=utcnow()))


def get_user(store: Store, user_id: int) -> User | None:
    with store.session() as session:
        row = session.get(UserRow, user_id)
        return user_from_row(row) if row else None


def find_user(store: Store, email: str) -> User | None:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        return user_from_row(row) if row else None


def end_all_sessions_in(session: Session, user_id: int) -> None:
    session.execute(delete(PortalSessionRow).where(PortalSessionRow.user_id == user_id))


def change_password(store: Store, user_id: int, new_password: str, actor: Actor | None = None) -> None:
    """Set a new password and end every session of the account, wherever its cookies are; any password link
    of the account stops working. Audited when ``actor`` is given."""
    _check_password(new_password)
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise AccountError("no such account")
        row.password_hash = _hasher.hash(new_password)
        end_all_sessions_in(session, user_id)
        account_links.revoke(session, user_id)
        if actor is not None:
            add_entry(session, actor, "change_password", row.email)


def set_password_from_link(store: Store, token: str, password: str, ip: str | None = None) -> User:
    """Use an invitation or reset link: the password is set and the link is used up, or neither. A password
    that is too short leaves the link as it was."""
    _check_password(password)
    with store.session() as session:
        state = account_links.claim(session, token)
        if state.problem is not None:
            raise LinkError(state.problem)
        row = session.get(UserRow, state.user_id)
        row.password_hash = _hasher.hash(password)
        if row.totp_secret_sealed is None:
            row.last_login_at = utcnow()  # the link signs its owner in (one with an app gives its code first)
        end_all_sessions_in(session, row.id)
        add_entry(session, Actor(row.email, row.role, row.id, ip), "set_password", row.email, details={"via": state.purpose})
        return user_from_row(row)


# --- what an account does for itself ---------------------------------------------------------------


def finish_two_factor_setup(store: Store, user: User, code: str, key: str, ip: str | None = None) -> bool:
    """Turn the pending secret on if ``code`` fits it; every session of the account ends (the caller starts
    a fresh one for this browser)."""
    with store.session() as session:
        if not second_factor.confirm_setup(session, user.id, code, key):
            return False
        end_all_sessions_in(session, user.id)
        add_entry(session, Actor.account(user, ip), "set_up_two_factor", user.email)
        return True


def turn_off_two_factor(store: Store, user: User, ip: str | None = None) -> None:
    """Only for an account that doesn't need one; the caller checks the password and a current code first."""
    with store.session() as session:
        row = session.get(UserRow, user.id)
        if row is None or user_from_row(row).needs_two_factor:
            raise AccountError("this account needs a one-time password; an administrator can reset it")
        second_factor.clear(row)
        add_entry(session, Actor.account(user, ip), "turn_off_two_factor", user.email)
