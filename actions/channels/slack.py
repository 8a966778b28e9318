"""Slack: Rasa's connector (which verifies X-Slack-Signature with the signing secret), behind the guard.

``api_base`` (SLACK_API_BASE) may point outgoing Web API calls at a different
host, such as a local stand-in in tests.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint

from .addressing import addressed_by_key
from .guard import Handler, guarded


class ResidentSlackInput(SlackInput):
    @classmethod
    def name(cls) -> str:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = dict(credentials or {})
        api_base = credentials.pop("api_base", None)
        channel = super().from_credentials(credentials)
        channel.api_base = api_base
        return channel

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel | None:
        bot: SlackBot = super().get_output_channel(channel, thread_id)
        if getattr(self, "api_base", None):
            bot.client.base_url = self.api_base.rstrip("/") + "/"
        return addressed_by_key(bot)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(guarded(on_new_message, self.name()))
