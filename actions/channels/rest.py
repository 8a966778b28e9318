"""Rasa's REST channel (``/webhooks/rest/webhook``) behind the resident message guard."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response

from .guard import Handler, guarded
from .limits import SLOW_DOWN_REPLY, ip_limiter


class ResidentRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        webhook = super().blueprint(guarded(on_new_message))

        @webhook.middleware("request")
        async def limit_per_ip(request):
            if request.method == "POST" and not ip_limiter().allow(f"ip:{request.remote_addr or request.ip}"):
                return response.json([{"recipient_id": "", "text": SLOW_DOWN_REPLY}], status=429)
            return None

        return webhook
