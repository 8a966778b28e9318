"""Reference codes residents can quote, salted hashes of channel identities, and conversation keys.

A resident's channel identity (a phone number, a Telegram chat id, a website
session id) never becomes a tracker key or a database value. The channel edge
turns it into a *conversation key*: the channel's name plus a keyed hash
(HMAC-SHA256 with SENDER_HASH_SALT) of ``channel:id``. So the same number on
REST and on SMS are two different conversations, and nobody can pick a key
that reaches someone else's conversation without knowing the secret.

The hash part of the key is exactly :func:`hash_sender` of the raw id, so the
``sender_hash`` stored with a response is the same whether it is computed from
the raw id (at the edge) or read back from the key (in the action server).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# No 0/O, 1/I/L: a reference is read aloud over the phone and typed from paper.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_PATTERN = re.compile(r"\b([A-Z]{2,4})-([0-9A-Z]{4})-([0-9A-Z]{4})\b", re.IGNORECASE)
CONVERSATION_KEY = re.compile(r"^([a-z][a-z0-9_]{0,30}):([0-9a-f]{64})$")


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
    """Keyed hash of a channel identity, so the raw phone number or chat id is never stored.

    Given a conversation key of the same channel (what the action server sees),
    returns the hash inside it instead of hashing again.
    """
    if not salt:
        raise ValueError("SENDER_HASH_SALT is not set; refusing to hash sender ids without a secret salt")
    key = CONVERSATION_KEY.match(sender_id or "")
    if key and key.group(1) == channel:
        return key.group(2)
    message = f"{channel}:{sender_id}".encode()
    return hmac.new(salt.encode("utf-8"), message, hashlib.sha256).hexdigest()


def conversation_key(salt: str, channel: str, sender_id: str) -> str:
    """The tracker key for a resident on a channel: ``twilio:<hmac of twilio:+447700900111>``."""
    if not salt:
        raise ValueError("SENDER_HASH_SALT is not set; refusing to key conversations without a secret salt")
    message = f"{channel}:{sender_id}".encode()
    return f"{channel}:{hmac.new(salt.encode('utf-8'), message, hashlib.sha256).hexdigest()}"


def is_conversation_key(sender_id: str) -> bool:
    return bool(CONVERSATION_KEY.match(sender_id or ""))


def channel_of_key(sender_id: str) -> str | None:
    key = CONVERSATION_KEY.match(sender_id or "")
    return key.group(1) if key else None
