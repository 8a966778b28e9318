"""Rasa's REST channel (``/webhooks/rest/webhook``) behind the resident message guard."""

from __future__ import annotations

from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from .guard import Handler, guarded


class ResidentRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(guarded(on_new_message))
