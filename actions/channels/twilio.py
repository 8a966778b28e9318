"""SMS and WhatsApp through Twilio, with every inbound webhook's X-Twilio-Signature verified.

Rasa 3.6's Twilio connector does not check the signature, so anyone could post
as any phone number. Here a request is refused with 403 unless the signature,
computed by the twilio library's RequestValidator over the public webhook URL
and the form fields, matches. Buttons become a numbered list ("Reply 1, 2 or 3")
and long replies are split into SMS-sized parts.

SMS (sms.py): every outgoing SMS is GSM-7, so no part is sent as costly UCS-2;
a Skip button is the word "skip", never a number; and a carrier keyword (STOP,
CANCEL, END, QUIT, UNSUBSCRIBE...) is the opt-out it is at Twilio: the response
in progress is paused and nothing is sent back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.core.channels.twilio import TwilioOutput
from sanic import Blueprint, response
from sanic.request import Request
from twilio.request_validator import RequestValidator

from .addressing import addressed_by_key, store
from .guard import Handler, guarded
from .render import (
    first_delivery,
    forget_buttons,
    numbered_buttons,
    numbered_menu,
    remember_buttons,
    resolve_number_reply,
    split_message,
)
from .sms import OPT_IN, OPT_OUT, carrier_keyword, is_whatsapp, medium, outgoing

logger = logging.getLogger(__name__)


class ResidentTwilioOutput(TwilioOutput):
    def __init__(self, account_sid: str, auth_token: str, twilio_number: str, api_base: str | None = None) -> None:
        super().__init__(account_sid, auth_token, twilio_number)
        if api_base:
            self.api.base_url = api_base.rstrip("/")  # a Twilio-compatible gateway, or a local stand-in in tests

    async def _send_message(self, message_data: dict[str, Any]):
        message_data = outgoing(message_data)  # GSM-7 for SMS
        if not message_data.get("body"):
            return None
        try:
            return await asyncio.to_thread(self.messages.create, **message_data)  # the twilio client blocks
        except Exception:  # noqa: BLE001 - a failed send must not break the conversation
            logger.exception("twilio.send_failed")
            return None

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await forget_buttons(self.name(), recipient_id)
        await self._send_parts(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        await remember_buttons(self.name(), recipient_id, numbered_buttons(buttons))  # "1" never means Skip
        await self._send_parts(recipient_id, numbered_menu(text, buttons))

    async def _send_parts(self, recipient_id: str, text: str) -> None:
        for part in split_message(text):
            await self._send_message({"to": recipient_id, "from_": self.twilio_number, "body": part})


class VerifiedTwilioInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(
            credentials["account_sid"],
            credentials["auth_token"],
            credentials["twilio_number"],
            credentials.get("webhook_url"),
            credentials.get("api_base"),
        )

    def __init__(
        self, account_sid: str, auth_token: str, twilio_number: str, webhook_url: str | None = None, api_base: str | None = None
    ) -> None:
        self.account_sid, self.auth_token, self.twilio_number = account_sid, auth_token, twilio_number
        self.webhook_url = webhook_url
        self.api_base = api_base
        self.validator = RequestValidator(auth_token)

    def channel_output(self) -> ResidentTwilioOutput:
        return ResidentTwilioOutput(self.account_sid, self.auth_token, self.twilio_number, self.api_base)

    def get_output_channel(self) -> OutputChannel | None:
        return addressed_by_key(self.channel_output())

    def is_signed(self, request: Request) -> bool:
        signature = request.headers.get("X-Twilio-Signature", "")
        # Behind a proxy the URL Twilio signed is the public one, so it is configured, not guessed.
        url = self.webhook_url or request.url
        params = {key: values[0] for key, values in request.form.items()}
        return bool(signature) and self.validator.validate(url, params, signature)

    async def handled_carrier_keyword(self, handle: Handler, sender: str, text: str) -> bool:
        """True for a carrier keyword Twilio acts on and answers itself, so we must say nothing.

        STOP and the other opt-out words unsubscribe the number at Twilio, which refuses anything we send until
        START: the response in progress is paused (as "pause" would) with every reply discarded. START and UNSTOP
        re-subscribe, and Twilio confirms. WhatsApp has no carrier keywords, but a STOP there is still honoured."""
        keyword = carrier_keyword(text)
        if keyword == OPT_OUT:
            logger.info("twilio.opted_out")
            await forget_buttons(self.name(), sender)
            # Twilio will refuse anything we send now, so an address kept for an outcome notice has no use left.
            await asyncio.to_thread(store().forget_addresses_of, self.name(), sender)
            silent = CollectingOutputChannel()  # collected, never sent
            await handle(UserMessage("pause", silent, sender, input_channel=self.name(), metadata={"medium": medium(sender)}))
            return True
        return keyword == OPT_IN and not is_whatsapp(sender)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        handle = guarded(on_new_message, self.name())
        twilio_webhook = Blueprint("twilio_webhook", __name__)

        @twilio_webhook.route("/", methods=["GET"])
        async def health(_request: Request):
            return response.json({"status": "ok"})

        @twilio_webhook.route("/webhook", methods=["POST"])
        async def message(request: Request):
            if not self.is_signed(request):
                logger.warning("twilio.refused reason=bad_signature")
                return response.text("Forbidden", status=403)
            sender = request.form.get("From")
            text = request.form.get("Body") or ""
            if not sender:
                return response.text("", status=204)
            if not await first_delivery(self.name(), request.form.get("MessageSid")):
                return response.text("", status=204)  # Twilio retried a message we already answered
            if await self.handled_carrier_keyword(handle, sender, text):
                return response.text("", status=204)
            text = await resolve_number_reply(self.name(), sender, text.replace("¡", "@"))  # carriers mangle @
            metadata = {"medium": medium(sender)}  # "sms" or "whatsapp", for wording that fits
            await handle(UserMessage(text, self.channel_output(), sender, input_channel=self.name(), metadata=metadata))
            return response.text("", status=204)

        return twilio_webhook
