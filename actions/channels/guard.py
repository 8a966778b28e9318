"""Checks applied to every resident message before Rasa sees it, whatever the channel.

* The conversation is keyed by the channel and a salted hash of the sender's
  id (addressing.py), never by the raw phone number or chat id, and replies
  go back through an output channel that alone knows the real address.
* A message in Rasa's payload syntax (``/intent{"slot": ...}``) is accepted
  only when it is a button the bot offered this conversation in its last
  turn (or one of the channel's own commands). Anything else is plain text:
  the leading slashes are dropped, so it can't choose an intent or set a slot.
* Control characters are removed (plain text stays plain text).
* An empty message gets a friendly nudge instead of silence.
* A message over MAX_MESSAGE_CHARS is refused with a clear reply, and never
  reaches the NLU, the tracker store or the database.
* Metadata is kept only when it is a small JSON object.
* A widget message carrying an officer's valid preview grant made for its session id is keyed
  ``preview:<hash>`` instead (store/previews.py), so previews are stored apart from residents'
  conversations; what the conversation may see is still decided by the action server, which checks
  the grant itself.
* A sender over the per-minute limit (RATE_LIMIT_PER_SENDER) is asked to slow down.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from ..settings import get_settings
from ..store.addresses import SEALED_ADDRESS
from ..store.db import without_blocking
from ..store.previews import conversation_for
from ..survey.parsing import clean_text
from .addressing import CHANNEL_COMMANDS, PUSH_CHANNELS, AddressedOutput, key_for, store
from .limits import SLOW_DOWN_REPLY, sender_limiter

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
MAX_METADATA_CHARS = 2000
EMPTY_REPLY = 'I didn\'t get a message there. Type "help" to see what I can do.'
TOO_LONG_REPLY = (
    "Sorry, that message is too long for me ({length:,} characters; the limit is {limit:,}). "
    "Nothing from it has been saved. Please send a shorter message."
)

Handler = Callable[[UserMessage], Awaitable[None]]


def guarded(on_new_message: Handler, channel: str) -> Handler:
    """``channel`` is the connector's own name: never what a request says its channel is."""

    async def handle(message: UserMessage) -> None:
        message.input_channel = channel
        address = str(message.sender_id)
        key = _conversation_key(channel, address, message.metadata)
        output = AddressedOutput(message.output_channel, key, address)
        message.sender_id, message.output_channel = key, output
        if not sender_limiter().allow(key):
            logger.info("message.refused reason=rate_limited channel=%s", channel)
            await output.send_text_message(key, SLOW_DOWN_REPLY)
            return
        # Cleaned first, so an invisible character before the slash can't hide a payload from the check.
        text = await _as_offered_payload_or_text(key, clean_text(message.text or ""))
        if len(text) > MAX_MESSAGE_CHARS:
            logger.info("message.refused reason=too_long length=%d channel=%s", len(text), channel)
            await output.send_text_message(key, TOO_LONG_REPLY.format(length=len(text), limit=MAX_MESSAGE_CHARS))
            return
        if not text:
            await output.send_text_message(key, EMPTY_REPLY)
            return
        message.text = text
        message.metadata = _bounded_metadata(message.metadata)
        message.metadata.pop(SEALED_ADDRESS, None)  # only the edge puts an address there, never a client
        if channel in PUSH_CHANNELS:
            message.metadata[SEALED_ADDRESS] = store().seal_address(address)
        await on_new_message(message)
        offered = output.offered if output.sent_buttons else []
        await without_blocking(store().engine, lambda: store().remember_offered_payloads(key, offered))

    return handle


def _conversation_key(channel: str, address: str, metadata: object) -> str:
    if channel == "socketio":
        settings = get_settings()
        preview = conversation_for(metadata, address, settings.action_server_token, settings.sender_hash_salt)
        if preview is not None:
            return preview
    return key_for(channel, address)


async def _as_offered_payload_or_text(key: str, raw: str) -> str:
    """A payload the bot offered stays a payload; any other text starting with "/" loses its slashes."""
    stripped = raw.strip()
    if not stripped.startswith("/"):
        return raw
    if stripped in CHANNEL_COMMANDS or stripped in await without_blocking(store().engine, lambda: store().offered_payloads(key)):
        return stripped
    logger.info("message.payload_refused reason=not_offered")
    return stripped.lstrip("/ \t").strip()


def _bounded_metadata(metadata: object) -> dict:
    if not isinstance(metadata, dict):
        return {}
    try:
        encoded = json.dumps(metadata)
    except (TypeError, ValueError):
        return {}
    return dict(metadata) if len(encoded) <= MAX_METADATA_CHARS else {}
