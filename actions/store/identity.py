"""Reference codes residents can quote, and salted hashes of channel identities."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# No 0/O, 1/I/L: a reference is read aloud over the phone and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PATTERN = re.compile(r"\b([A-Z]{2,4})-([0-9A-Z]{4})-([0-9A-Z]{4})\b", re.IGNORECASE)


def new_reference(prefix: str) -> str:
    """A reference such as MB-7K3Q-9D2M (31^8, about 8.5e11 possibilities)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{prefix}-{body[:4]}-{body[4:]}"


def find_reference(text: str) -> str | None:
    """Pick a reference out of free text ('withdraw mb-7k3q-9d2m please')."""
    match = REFERENCE_PATTERN.search(text or "")
    if not match:
        return None
    return "-".join(part.upper() for part in match.groups())


def hash_sender(salt: str, channel: str, sender_id: str) -> str:
    """Keyed hash of a channel identity, so the raw phone number or chat id is never stored."""
    if not salt:
        raise ValueError("SENDER_HASH_SALT is not set; refusing to hash sender ids without a secret salt")
    message = f"{channel}:{sender_id}".encode()
    return hmac.new(salt.encode("utf-8"), message, hashlib.sha256).hexdigest()
