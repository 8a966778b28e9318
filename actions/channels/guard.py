"""Checks applied to every resident message before Rasa sees it, whatever the channel.

* Control characters are removed (plain text stays plain text).
* An empty message gets a friendly nudge instead of silence.
* A message over MAX_MESSAGE_CHARS is refused with a clear reply, and never
  reaches the NLU, the tracker store or the database.
* A sender over the per-minute limit (RATE_LIMIT_PER_SENDER) is asked to slow down.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from ..survey.parsing import clean_text
from .limits import SLOW_DOWN_REPLY, sender_limiter

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 5000
EMPTY_REPLY = 'I didn\'t get a message there. Type "help" to see what I can do.'
TOO_LONG_REPLY = (
    "Sorry, that message is too long for me ({length:,} characters; the limit is {limit:,}). "
    "Nothing from it has been saved. Please send a shorter message."
)

Handler = Callable[[UserMessage], Awaitable[None]]


def guarded(on_new_message: Handler) -> Handler:
    async def handle(message: UserMessage) -> None:
        raw = message.text or ""
        if not sender_limiter().allow(f"{message.input_channel}:{message.sender_id}"):
            logger.info("message.refused reason=rate_limited channel=%s", message.input_channel)
            await message.output_channel.send_text_message(message.sender_id, SLOW_DOWN_REPLY)
            return
        if raw.startswith("/"):
            await on_new_message(message)  # a button payload such as /ask_documents{...}
            return
        text = clean_text(raw)
        if len(text) > MAX_MESSAGE_CHARS:
            logger.info("message.refused reason=too_long length=%d channel=%s", len(text), message.input_channel)
            await message.output_channel.send_text_message(
                message.sender_id, TOO_LONG_REPLY.format(length=len(text), limit=MAX_MESSAGE_CHARS)
            )
            return
        if not text:
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
            return
        message.text = text
        await on_new_message(message)

    return handle
