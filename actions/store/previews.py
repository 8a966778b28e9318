"""Preview grants: an officer's short-lived, signed permission for one conversation to see one draft.

The portal's preview page (``actions/portal/preview.py``) mints a grant for the signed-in officer, naming:

* the consultation's slug and the stored version to preview (the latest saved one);
* the conversation it works in: ``preview:<keyed hash of a new socket.io session id>``. The page gives the
  widget that session id; the channel edge keys the conversation this way only for a grant that verifies
  (``conversation_for``), so preview conversations are stored apart from residents' (the ``preview:``
  prefix) and purged an hour after they go idle (``idle_preview_conversations``);
* the officer's portal session (the SHA-256 the sessions table keeps) and account;
* when it expires (GRANT_LIFETIME).

It is signed with HMAC-SHA256 under a key derived from ACTION_SERVER_TOKEN, the secret the portal, the Rasa
server and the action server already share (``.env``); no new setting. The action server checks the grant
itself on every call (``verified_grant``): the signature, the expiry, that it is this conversation's grant,
and that the officer's session is still live and belongs to an officer or admin who is not disabled.
Signing out, a password change or a disabled account ends every preview of that officer at once.

The grant travels in each widget message's metadata (``GRANT_METADATA``) and is never stored: the tracker
store drops it before writing (``store/tracker_store.UNSTORED_METADATA``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .identity import conversation_key
from .models import PortalSessionRow, UserRow, utcnow
from .repository import Store

PREVIEW_CHANNEL = "preview"  # the conversation key's channel part: preview:<hash>
GRANT_METADATA = "preview_grant"  # the message metadata key the widget sends the grant under
GRANT_LIFETIME = dt.timedelta(minutes=30)
PREVIEW_IDLE_PURGE = dt.timedelta(hours=1)  # preview conversations are deleted this long after their last event
MAX_GRANT_CHARS = 1000
PREVIEW_ROLES = ("officer", "admin")
_KEY_LABEL = b"haveyoursay/preview-grant/v1"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PreviewGrant:
    slug: str
    version: int
    conversation: str  # the conversation key this grant works in
    session: str  # SHA-256 of the officer's portal session token (as the sessions table keeps it)
    user_id: int
    expires: int  # Unix time


@dataclass(frozen=True)
class MintedGrant:
    grant: str  # the signed grant, for the widget's message metadata
    session_id: str  # the widget's socket.io session id, which the grant's conversation is keyed from
    expires: dt.datetime  # UTC


def grant_key(secret: str) -> bytes | None:
    """The signing key, derived from ACTION_SERVER_TOKEN (None when it is not set: no previews)."""
    if not secret:
        return None
    return hmac.new(secret.encode(), _KEY_LABEL, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def session_hash(token: str) -> str:
    """How the sessions table keeps a portal session token (store/sessions.py)."""
    return hashlib.sha256(token.encode()).hexdigest()


def preview_conversation(salt: str, session_id: str) -> str:
    return conversation_key(salt, PREVIEW_CHANNEL, session_id)


def mint_grant(
    secret: str,
    salt: str,
    *,
    slug: str,
    version: int,
    session_token: str,
    user_id: int,
    now: float | None = None,
    lifetime: dt.timedelta = GRANT_LIFETIME,
) -> MintedGrant:
    """A new grant for a new preview conversation (a fresh socket.io session id each time)."""
    key = grant_key(secret)
    if key is None:
        raise ValueError("ACTION_SERVER_TOKEN is not set, so previews cannot be signed")
    session_id = str(uuid.uuid4())
    expires = int((now if now is not None else time.time()) + lifetime.total_seconds())
    payload = {
        "slug": slug,
        "version": int(version),
        "conversation": preview_conversation(salt, session_id),
        "session": session_hash(session_token),
        "user": int(user_id),
        "exp": expires,
    }
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    signature = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    return MintedGrant(f"{body}.{signature}", session_id, dt.datetime.fromtimestamp(expires, dt.timezone.utc))


def read_grant(text: Any, secret: str, now: float | None = None) -> PreviewGrant | None:
    """The grant if ``text`` is one signed with our key and not expired; None for anything else."""
    key = grant_key(secret)
    if key is None or not isinstance(text, str) or len(text) > MAX_GRANT_CHARS or text.count(".") != 1:
        return None
    body, signature = text.split(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    try:
        payload = json.loads(_unb64(body))
        grant = PreviewGrant(
            slug=str(payload["slug"]),
            version=int(payload["version"]),
            conversation=str(payload["conversation"]),
            session=str(payload["session"]),
            user_id=int(payload["user"]),
            expires=int(payload["exp"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if not _SLUG.match(grant.slug) or not _HEX64.match(grant.session) or grant.version < 1:
        return None
    if grant.expires <= (now if now is not None else time.time()):
        return None
    return grant


def grant_in(metadata: Any) -> Any:
    return metadata.get(GRANT_METADATA) if isinstance(metadata, dict) else None


def conversation_for(metadata: Any, address: str, secret: str, salt: str, now: float | None = None) -> str | None:
    """For the channel edge: the preview conversation key for a widget message whose metadata carries a valid
    grant made for this very session id, else None (the message is a resident's, keyed as usual)."""
    raw = grant_in(metadata)
    if raw is None or not salt:
        return None
    grant = read_grant(raw, secret, now)
    if grant is None or grant.conversation != preview_conversation(salt, address):
        return None
    return grant.conversation


def officer_session_live(store: Store, grant: PreviewGrant) -> bool:
    """The officer's portal session named in the grant is still signed in, as the officer it names, and the
    account may preview (an officer or admin, not disabled)."""
    with store.session() as session:
        found = session.scalar(
            select(func.count())
            .select_from(PortalSessionRow)
            .join(UserRow, UserRow.id == PortalSessionRow.user_id)
            .where(
                PortalSessionRow.token_hash == grant.session,
                PortalSessionRow.user_id == grant.user_id,
                PortalSessionRow.expires_at > utcnow(),
                PortalSessionRow.awaiting_code.is_(False),
                UserRow.disabled_at.is_(None),
                UserRow.role.in_(PREVIEW_ROLES),
            )
        )
    return bool(found)


def verified_grant(store: Store, metadata: Any, sender_id: str, secret: str, now: float | None = None) -> PreviewGrant | None:
    """For the action server: the grant in this message's metadata, if it is signed, in date, made for this
    conversation (``sender_id``), and its officer is still signed in. None otherwise: the conversation then
    sees exactly what residents see."""
    grant = read_grant(grant_in(metadata), secret, now)
    if grant is None or not hmac.compare_digest(grant.conversation, sender_id or ""):
        return None
    if not grant.conversation.startswith(PREVIEW_CHANNEL + ":"):
        return None
    return grant if officer_session_live(store, grant) else None


def idle_preview_conversations(tracker_url: str, idle: dt.timedelta = PREVIEW_IDLE_PURGE, now: float | None = None) -> list[str]:
    """Preview conversations with no event for ``idle``: ``haveyoursay purge`` deletes them."""
    from .conversations import _events_table
    from .db import engine_for

    events = _events_table(tracker_url)
    if events is None:
        return []
    cutoff = (now if now is not None else time.time()) - idle.total_seconds()
    with engine_for(tracker_url).connect() as connection:
        return list(
            connection.execute(
                select(events.c.sender_id)
                .where(events.c.sender_id.like(PREVIEW_CHANNEL + ":%"))
                .group_by(events.c.sender_id)
                .having(func.max(events.c.timestamp) < cutoff)
            ).scalars()
        )
