"""The Rasa hot-path speed-ups keep Rasa's behaviour (actions/speedups.py)."""

from __future__ import annotations

import asyncio
import json

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.utils.endpoints import EndpointConfig

from actions import speedups


@pytest.fixture
def patched(monkeypatch):
    """Apply the speed-ups for one test; monkeypatch puts Rasa's originals back afterwards."""
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    speedups.apply_to_rasa_server()


def test_action_replies_are_still_validated(patched):
    schema = RemoteAction.action_response_format_spec()
    jsonschema.validate({"events": [{"event": "slot", "name": "ward", "value": "north"}], "responses": []}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"events": "not a list"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"events": [{"no_event_key": 1}]}, schema)


def test_event_types_resolve_as_before(patched):
    assert Event.resolve_by_type("slot") is SlotSet
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("slot") is SlotSet  # remembered
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no-such-event")


def test_action_calls_reuse_one_connection_and_send_the_same_json(patched):
    payload = {
        "text": "Café on the A38 / Bridge St — “quoted”",
        "n": 1.5,
        "huge": 10**30,
        "nested": [None, True, {"k": "ü"}],
    }
    seen: list[tuple] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername"), await request.read()))
        return web.json_response({"ok": True})

    async def scenario():
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/webhook")
        try:
            replies = [await endpoint.request(json=payload, method="post") for _ in range(3)]
        finally:
            await runner.cleanup()
        return replies

    replies = asyncio.run(scenario())
    assert replies == [{"ok": True}] * 3
    assert len({peer for peer, _ in seen}) == 1, "all three calls should share one kept-alive connection"
    assert all(json.loads(body) == payload for _, body in seen)
