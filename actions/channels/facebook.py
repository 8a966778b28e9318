"""Facebook Messenger: Rasa's connector (which verifies X-Hub-Signature with the app secret), behind the guard,
with buttons sent as native quick replies.

``graph_url`` (FACEBOOK_GRAPH_URL) may point the outgoing Send API calls at a
different Graph API host, such as a local stand-in in tests.
"""

from __future__ import annotations

from typing import Any

import rasa.core.channels.facebook as rasa_facebook
from fbmessenger import MessengerClient
from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.facebook import FacebookInput, MessengerBot
from sanic import Blueprint, response

from .addressing import addressed_by_key
from .guard import Handler, guarded

MAX_QUICK_REPLIES = 13
QUICK_REPLY_TITLE_CHARS = 20


class ResidentMessengerBot(MessengerBot):
    """Buttons become Messenger quick replies: at most 13, titles cut to Messenger's 20 characters."""

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        replies = [
            {
                "content_type": "text",
                "title": str(button["title"])[:QUICK_REPLY_TITLE_CHARS],
                "payload": str(button["payload"])[:1000],
            }
            for button in buttons[:MAX_QUICK_REPLIES]
        ]
        self.messenger_client.send({"text": text, "quick_replies": replies}, recipient_id, "RESPONSE")


class ResidentFacebookInput(FacebookInput):
    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = dict(credentials or {})
        graph_url = credentials.pop("graph_url", None)
        channel = super().from_credentials(credentials)
        # Rasa's Messenger builds its client and bot from these module-level names.
        rasa_facebook.MessengerBot = ResidentMessengerBot
        if graph_url:
            _use_graph_url(graph_url)
        return channel

    def get_output_channel(self) -> OutputChannel | None:
        return addressed_by_key(super().get_output_channel())

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        webhook = super().blueprint(guarded(on_new_message, self.name()))

        @webhook.middleware("request")
        async def refuse_unsigned(request):
            # Rasa answers an unsigned POST with 200 "not validated"; say plainly that it is refused.
            if request.method == "POST" and request.path.rstrip("/").endswith("/webhook"):
                if not self.validate_hub_signature(self.fb_secret, request.body, request.headers.get("X-Hub-Signature") or ""):
                    return response.text("Forbidden", status=403)
            return None

        return webhook


def _use_graph_url(graph_url: str) -> None:
    class ConfiguredMessengerClient(MessengerClient):
        def __init__(self, page_access_token: str, **kwargs: Any) -> None:
            super().__init__(page_access_token, **kwargs)
            self.graph_url = graph_url.rstrip("/")

    rasa_facebook.MessengerClient = ConfiguredMessengerClient
