"""Telegram, with every inbound webhook checked against the webhook's secret token.

Telegram sends the secret given to setWebhook in the X-Telegram-Bot-Api-Secret-Token
header; a request without the right one is refused with 403. (Rasa 3.6's
connector instead asks Telegram's API for the bot's name on every message, and
sets the webhook at start-up.) Buttons become an inline keyboard, one button per
row, whose callback data is the button's number: Telegram limits callback data
to 64 bytes, so the payload itself is looked up from the remembered menu.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Update
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.telegram import TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request

from .addressing import addressed_by_key
from .guard import Handler, guarded
from .render import (
    SKIP,
    first_delivery,
    forget_buttons,
    is_word_button,
    numbered_buttons,
    remember_buttons,
    resolve_number_reply,
)

logger = logging.getLogger(__name__)


class ResidentTelegramOutput(TelegramOutput):
    def __init__(self, access_token: str, api_base: str | None = None) -> None:
        server = (
            TelegramAPIServer.from_base(api_base.rstrip("/"))
            if api_base
            else TelegramAPIServer.from_base("https://api.telegram.org")
        )
        Bot.__init__(self, access_token, server=server)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await forget_buttons(self.name(), str(recipient_id))
        for part in text.strip().split("\n\n"):
            await self.send_message(recipient_id, part)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        # Only real options are numbered (and so remembered): a typed "1" to an optional number question
        # is the answer 1, not the Skip button, whose callback is the word "skip".
        await remember_buttons(self.name(), str(recipient_id), numbered_buttons(buttons))
        keyboard = InlineKeyboardMarkup()
        number = 0
        for button in buttons:
            if is_word_button(button):
                callback = SKIP
            else:
                number += 1
                callback = str(number)
            keyboard.row(InlineKeyboardButton(str(button["title"])[:64], callback_data=callback))
        await self.send_message(recipient_id, text, reply_markup=keyboard)


class VerifiedTelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials["access_token"],
            credentials["verify"],
            credentials["webhook_url"],
            credentials["secret_token"],
            credentials.get("api_base"),
        )

    def __init__(self, access_token: str, verify: str, webhook_url: str, secret_token: str, api_base: str | None = None) -> None:
        self.access_token, self.verify, self.webhook_url = access_token, verify, webhook_url
        self.secret_token = secret_token
        self.api_base = api_base

    def channel_output(self) -> ResidentTelegramOutput:
        return ResidentTelegramOutput(self.access_token, self.api_base)

    def get_output_channel(self) -> OutputChannel | None:
        return addressed_by_key(self.channel_output())

    def is_verified(self, request: Request) -> bool:
        sent = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        return bool(self.secret_token) and hmac.compare_digest(sent.encode(), self.secret_token.encode())

    async def set_webhook(self) -> bool:
        """Register our webhook URL and secret with Telegram (aiogram 2 predates the secret_token field)."""
        bot = self.channel_output()
        try:
            return await bot.request("setWebhook", {"url": self.webhook_url, "secret_token": self.secret_token})
        finally:
            await bot.close()

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = guarded(on_new_message, self.name())
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_request: Request):
            return response.json({"status": "ok"})

        @telegram_webhook.route("/set_webhook", methods=["POST"])
        async def set_webhook(request: Request):
            if not self.is_verified(request):
                return response.text("Forbidden", status=403)
            return response.text("Webhook setup successful" if await self.set_webhook() else "Invalid webhook")

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request):
            if not self.is_verified(request):
                logger.warning("telegram.refused reason=bad_secret_token")
                return response.text("Forbidden", status=403)
            try:
                update = Update(**(request.json or {}))
            except Exception:  # noqa: BLE001 - a malformed update is answered, not crashed on
                return response.text("Bad Request", status=400)
            if not await first_delivery(self.name(), str(update.update_id) if update.update_id else None):
                return response.text("success")  # Telegram re-delivered an update we already handled
            if update.callback_query:
                chat, text = update.callback_query.message.chat, update.callback_query.data or ""
            elif update.message and update.message.text is not None:
                chat, text = update.message.chat, update.message.text
            elif update.edited_message and update.edited_message.text is not None:
                chat, text = update.edited_message.chat, update.edited_message.text
            else:
                return response.text("success")  # stickers, photos, joins: nothing to answer
            sender_id = str(chat.id)
            if text.strip() == "/start":
                text = "/greet"  # Telegram's own first message; /greet is one of the channel commands the guard accepts
            text = await resolve_number_reply(self.name(), sender_id, text)
            output = self.channel_output()
            try:
                await handle(UserMessage(text, output, sender_id, input_channel=self.name(), metadata={}))
            finally:
                await output.close()
            return response.text("success")

        return telegram_webhook
