"""Conversation keys at the channel edge, and output channels that know the real address.

Rasa keys a conversation by the ``sender_id`` an input channel gives it, and
replies to that same id. Here every resident message is re-keyed before Rasa
sees it (``channel:<salted hash of the channel's id>``, store/identity.py),
and the output channel is wrapped so that replies to that key go to the real
address (phone number, chat id, socket.io room) that only this request knows.

A reply to a key outside a request (an outcome notice sent through Rasa's
``trigger_intent`` API) is addressed from the encrypted address kept, only
for residents who asked to hear the outcome, with their response
(``Store.kept_address``). Without one, nothing is sent.

Payloads offered as buttons are collected per turn, so a later message in
payload syntax (``/intent{...}``) can be accepted only if the bot offered it.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

from rasa.core.channels.channel import OutputChannel

from ..settings import get_settings
from ..store.addresses import PUSH_CHANNELS
from ..store.identity import conversation_key, is_conversation_key
from ..store.repository import Store

logger = logging.getLogger(__name__)

# Payloads a channel itself sends (the widget's greeting and its "anything new?" on reopening).
CHANNEL_COMMANDS = frozenset({"/greet", "/check_updates"})


@lru_cache(maxsize=1)
def store() -> Store:
    settings = get_settings()
    return Store(settings.database_url, settings.sender_hash_salt)


def key_for(channel: str, sender_id: str) -> str:
    return conversation_key(get_settings().sender_hash_salt, channel, sender_id)


def offered_payloads(message: dict[str, Any]) -> list[str]:
    """The payloads of a bot message's buttons and quick replies."""
    choices = list(message.get("buttons") or []) + list(message.get("quick_replies") or [])
    return [str(choice.get("payload")) for choice in choices if isinstance(choice, dict) and choice.get("payload")]


class AddressedOutput(OutputChannel):
    """Wraps a channel's output: replies to the conversation key go to the address behind it."""

    def __init__(self, inner: OutputChannel, key: str | None = None, address: str | None = None) -> None:
        self.inner = inner
        self.key, self.address = key, address
        self.offered: list[str] = []
        self.sent_buttons = False

    def name(self) -> str:  # type: ignore[override] - Rasa calls it on instances too
        return self.inner.name()

    def __getattr__(self, name: str) -> Any:
        # Anything channel-specific (CollectingOutputChannel.messages, a bot's close()) is the inner channel's.
        return getattr(self.inner, name)

    async def _address(self, recipient_id: str) -> str | None:
        if self.key is not None and recipient_id == self.key:
            return self.address
        if not is_conversation_key(recipient_id):
            return recipient_id  # already an address (the guard's own replies before keying)
        address = await asyncio.to_thread(store().kept_address, recipient_id)
        if address is None:
            logger.info("reply.not_sent reason=no_address channel=%s", self.name())
        return address

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        payloads = offered_payloads(message)
        if payloads:
            self.offered, self.sent_buttons = payloads, True
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_response(address, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_text_message(address, text, **kwargs)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        self.offered, self.sent_buttons = offered_payloads({"buttons": buttons}), True
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_text_with_buttons(address, text, buttons, **kwargs)

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list, **kwargs: Any) -> None:
        self.offered, self.sent_buttons = offered_payloads({"quick_replies": quick_replies}), True
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_quick_replies(address, text, quick_replies, **kwargs)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_custom_json(address, json_message, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_image_url(address, image, **kwargs)

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_attachment(address, attachment, **kwargs)

    async def send_elements(self, recipient_id: str, elements: list, **kwargs: Any) -> None:
        address = await self._address(recipient_id)
        if address is not None:
            await self.inner.send_elements(address, elements, **kwargs)


def addressed_by_key(output: OutputChannel | None) -> OutputChannel | None:
    """An input channel's output for replies outside a request (outcome notices through Rasa's HTTP API):
    replies to a conversation key go to the address sealed with the resident's response, or nowhere."""
    return AddressedOutput(output) if output is not None else None


__all__ = ["PUSH_CHANNELS", "AddressedOutput", "addressed_by_key", "key_for", "offered_payloads"]
