"""Time-based one-time passwords (RFC 6238: 6 digits, 30 seconds, SHA-1, as every authenticator app reads them).

The shared secret is kept sealed (Fernet) with a key derived from PORTAL_SECRET_KEY by HKDF, so neither a
copy of the database nor the cookie key alone gives it away, and it is never shown again once set up. A code
is accepted for the current 30 seconds and one step either side (clocks drift), and only for a later step
than the last code accepted, so a code seen over someone's shoulder can't be used again. The check and the
update of the last step are one conditional update, so two requests racing with one code can't both pass.

Callers count each code against the account's sign-in attempts first (``sign_in_attempts.reserve_attempt``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import re

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from .models import UserRow, utcnow
from .repository import Store

STEP_SECONDS = 30
WINDOW = 1  # steps either side of now
_CODE = re.compile(r"^\d{6}$")


class SecondFactorUnreadable(RuntimeError):
    """The sealed secret can't be opened: PORTAL_SECRET_KEY has changed since it was set up."""


def _sealer(portal_secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"have-your-say portal one-time password secrets")
    return Fernet(base64.urlsafe_b64encode(derived.derive(portal_secret_key.encode())))


def _seal(secret: str, key: str) -> str:
    return _sealer(key).encrypt(secret.encode()).decode()


def _open(sealed: str, key: str) -> str:
    try:
        return _sealer(key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecondFactorUnreadable("the one-time password secret can't be read with this PORTAL_SECRET_KEY") from None


def time_step(now: dt.datetime) -> int:
    """The RFC 6238 counter for a UTC time (naive datetimes are UTC, as everywhere in the store)."""
    return int(now.replace(tzinfo=dt.timezone.utc).timestamp()) // STEP_SECONDS


def normalise_code(code: str) -> str:
    """What people type ("123 456", "123-456") as six digits, or "" if it is not a code."""
    digits = re.sub(r"[\s-]", "", code or "")
    return digits if _CODE.match(digits) else ""


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    if not code:
        return None
    totp = pyotp.TOTP(secret)
    current = time_step(now)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):  # every step compared, so timing says nothing
            found = step if found is None else found
    return found


def setup_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def pending_secret(store: Store, user_id: int, key: str) -> str:
    """The secret being set up for the account: made (and kept sealed) the first time, then the same one until
    set-up is finished, so reloading the page doesn't invalidate what the app has already scanned."""
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise LookupError("no such account")
        if row.totp_pending_sealed:
            try:
                return _open(row.totp_pending_sealed, key)
            except SecondFactorUnreadable:
                pass  # nothing depends on a half-finished set-up: start again
        secret = pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends
        row.totp_pending_sealed = _seal(secret, key)
        return secret


def confirm_setup(session: Session, user_id: int, code: str, key: str, now: dt.datetime | None = None) -> bool:
    """Finish setting up if ``code`` fits the pending secret, in the caller's transaction. The code's step is
    recorded as used, so the same code can't also sign in."""
    now = now or utcnow()
    row = session.get(UserRow, user_id)
    if row is None or not row.totp_pending_sealed:
        return False
    try:
        secret = _open(row.totp_pending_sealed, key)
    except SecondFactorUnreadable:
        return False
    step = _matching_step(secret, normalise_code(code), now)
    if step is None:
        return False
    row.totp_secret_sealed = row.totp_pending_sealed
    row.totp_pending_sealed = None
    row.totp_enrolled_at = now
    row.totp_last_step = step
    return True


def verify(store: Store, user_id: int, code: str, key: str, now: dt.datetime | None = None) -> bool:
    """True once for a right code: the step it belongs to must be later than the last one accepted."""
    now = now or utcnow()
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None or not row.totp_secret_sealed:
            return False
        sealed = row.totp_secret_sealed
        step = _matching_step(_open(sealed, key), normalise_code(code), now)
        if step is None:
            return False
        accepted = session.execute(
            update(UserRow)
            .where(
                UserRow.id == user_id,
                UserRow.totp_secret_sealed == sealed,
                or_(UserRow.totp_last_step.is_(None), UserRow.totp_last_step < step),
            )
            .values(totp_last_step=step)
        ).rowcount
        return accepted == 1


def clear(row: UserRow) -> None:
    """Forget the account's one-time password set-up (it sets one up again at its next sign-in if it needs one)."""
    row.totp_secret_sealed = None
    row.totp_pending_sealed = None
    row.totp_enrolled_at = None
    row.totp_last_step = None
