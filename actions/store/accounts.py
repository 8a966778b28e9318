"""Portal accounts: admins, officers and ward councillors, with argon2id password hashes.

Their sessions are in ``sessions.py``, the sign-in attempt counters in ``sign_in_attempts.py`` and the audit
log in ``audit.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from .models import PortalSessionRow, UserRow, WardRow, utcnow
from .repository import Store

# An admin can do everything an officer can, and read and export the audit log.
ROLES = ("admin", "officer", "councillor")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 12
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


def user_from_row(row: UserRow) -> User:
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
        return user_from_row(row)


def authenticate(store: Store, email: str, password: str) -> User | None:
    """The account if the password is right. Callers must count the attempt first (see sign_in_attempts.reserve_attempt)."""
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
        return user_from_row(row)


def get_user(store: Store, user_id: int) -> User | None:
    with store.session() as session:
        row = session.get(UserRow, user_id)
        return user_from_row(row) if row else None


def find_user(store: Store, email: str) -> User | None:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
        return user_from_row(row) if row else None


def change_password(store: Store, user_id: int, new_password: str) -> None:
    """Set a new password and end every session of the account, wherever its cookies are."""
    _check_password(new_password)
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise AccountError("no such account")
        row.password_hash = _hasher.hash(new_password)
        session.execute(delete(PortalSessionRow).where(PortalSessionRow.user_id == user_id))
