"""End to end: the real Rasa server and action server, a throwaway database, the REST webhook."""

from __future__ import annotations

import pytest

from tests.servers import RunningAssistant, conversation_key, http

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    running = RunningAssistant(tmp_path_factory.mktemp("e2e")).start()
    yield running
    running.stop()


def test_minimal_conversation_over_rest(assistant):
    greeting = assistant.say("resident-1", "hello")
    # The greeting comes from a custom action that reads the council's name from the database.
    assert "Millbrook District Council" in greeting[0]["text"]
    assert [button["title"] for button in greeting[0]["buttons"]][:2] == ["What's open?", "Who is my councillor?"]

    help_reply = assistant.texts("resident-1", "what can you do?")
    assert "open consultations" in help_reply.lower() or "consultations are open" in help_reply.lower()

    assert "Goodbye" in assistant.texts("resident-1", "ok bye")


def test_both_servers_reported_ready_only_once_warm(assistant):
    """RunningAssistant.start waited for /health and /status: by then each had finished warming up
    (the catalogue and caches, the first parses and prediction), as the first residents need."""
    assert "action_server.warm" in assistant.log("actions")
    assert "rasa_server.warm" in assistant.log("rasa")


def test_the_http_api_requires_the_token(assistant):
    status, _ = http("GET", f"{assistant.base_url}/conversations/resident-1/tracker")
    assert status == 401
    status, _ = http("GET", f"{assistant.base_url}/conversations/resident-1/tracker?token=wrong")
    assert status == 401
    tracker = assistant.tracker("resident-1")
    assert tracker["sender_id"] == conversation_key("rest", "resident-1")


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port``, read from /proc/net/tcp."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, port_hex = local.rsplit(":", 1)
            if int(port_hex, 16) == port and state == "0A":  # 0A = LISTEN
                addresses.add(address)
    return addresses


def test_the_action_server_listens_on_loopback_only(assistant):
    addresses = listening_addresses(assistant.action_port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1 in /proc/net/tcp byte order
