"""Sealing the few channel addresses we must keep: Fernet (AES-128-CBC + HMAC) with CONTACT_ENCRYPTION_KEY.

A resident's phone number or chat id is kept only when they ask to hear the
outcome, and then only encrypted, with their response. Without a key nothing
is sealed, so no address is kept and outcome notices can't be pushed.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken

from ..settings import get_settings

logger = logging.getLogger(__name__)

# Channels whose replies can reach a resident later, so an outcome notice can be pushed to them.
PUSH_CHANNELS = frozenset({"telegram", "twilio", "facebook", "slack"})

# The message metadata key under which the channel edge passes the sealed reply address to the actions.
# The tracker store drops it before writing, so it is never stored with the conversation.
SEALED_ADDRESS = "sealed_address"


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet | None:
    if not key:
        return None
    try:
        return Fernet(key.encode())
    except (ValueError, TypeError):
        raise SystemExit(
            "CONTACT_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes); run `make run` to generate one"
        ) from None


def seal_address(address: str) -> str | None:
    fernet = _fernet(get_settings().contact_encryption_key)
    return fernet.encrypt(address.encode()).decode() if fernet else None


def open_address(sealed: str | None) -> str | None:
    fernet = _fernet(get_settings().contact_encryption_key)
    if not sealed or fernet is None:
        return None
    try:
        return fernet.decrypt(sealed.encode()).decode()
    except InvalidToken:
        logger.warning("address.unreadable reason=wrong_key")
        return None
