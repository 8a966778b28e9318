"""Rasa's REST channel (``/webhooks/rest/webhook``) behind the resident message guard, with strict edges.

* When REST_CHANNEL_TOKEN is set, every POST needs ``Authorization: Bearer <token>``
  (with HYS_ENV=production the Rasa server refuses to start without one).
* The body is at most MAX_BODY_BYTES of JSON: an object with a ``sender`` of 1-128
  printable characters, a ``message`` string and optional ``metadata`` object.
  There is no default sender: without one, everyone would share a conversation.
* Anything else gets a 4xx with a one-line reason, before Rasa or the database see it.
* The conversation is then keyed by the guard: ``rest:<salted hash of sender>``, so a
  REST caller who sends an SMS resident's number reaches a different conversation.
"""

from __future__ import annotations

import hmac
import json

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from ..settings import get_settings
from .guard import Handler, guarded
from .limits import SLOW_DOWN_REPLY, ip_limiter
from .warm_up import attach_warm_up

MAX_BODY_BYTES = 16 * 1024
MAX_SENDER_CHARS = 128


def body_problem(request: Request) -> tuple[int, str] | None:
    """(status, one-line reason) when the request must be refused, else None."""
    token = get_settings().rest_channel_token
    if token:
        sent = request.headers.get("Authorization", "")
        if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return 401, "a bearer token is required (Authorization: Bearer <REST_CHANNEL_TOKEN>)"
    if len(request.body or b"") > MAX_BODY_BYTES:
        return 413, f"the body is larger than {MAX_BODY_BYTES // 1024} KB"
    if request.content_type.split(";")[0].strip().lower() != "application/json":
        # Also keeps other websites from posting plain-text forms to it from a resident's browser.
        return 415, "the body must be sent as application/json"
    try:
        body = json.loads(request.body or b"", parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return 400, "the body must be a JSON object"
    if not isinstance(body, dict):
        return 400, "the body must be a JSON object"
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender:
        return 400, '"sender" is required: a string of 1 to 128 printable characters'
    if len(sender) > MAX_SENDER_CHARS or not sender.isprintable():
        return 400, '"sender" must be 1 to 128 printable characters'
    if not isinstance(body.get("message"), str):
        return 400, '"message" must be a string'
    if "metadata" in body and not isinstance(body["metadata"], (dict, type(None))):
        return 400, '"metadata" must be an object'
    return None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


class ResidentRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_input_channel(self, request: Request) -> str:
        # Rasa's REST channel takes the channel from the body ("input_channel": "twilio"), which let a REST
        # caller take an SMS resident's conversation key. A REST message is always a REST message.
        return self.name()

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        webhook = super().blueprint(guarded(on_new_message, self.name()))
        attach_warm_up(webhook)  # REST is always on: the Rasa server warms up before its first resident

        @webhook.middleware("request")
        async def check_request(request: Request):
            if request.method != "POST":
                return None
            if not ip_limiter().allow(f"ip:{request.remote_addr or request.ip}"):
                return response.json([{"recipient_id": "", "text": SLOW_DOWN_REPLY}], status=429)
            problem = body_problem(request)
            if problem:
                status, reason = problem
                return response.json({"error": reason}, status=status)
            return None

        return webhook
