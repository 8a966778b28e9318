"""The action server (actions/action_server.py): every action sees the current turn, however Rasa sent it.

Stock Rasa (HYS_SPEEDUPS=off) sends every event of the conversation with every action call;
``speedups.send_actions_the_current_turn`` sends only the current turn. The action server trims
every call to the current turn itself, so each action gets the same input either way: that is what
makes the patch safe for every action, and these tests prove it for every action it serves.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import random

import aiohttp
import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import ActionExecutor

from actions import speedups
from actions.action_server import create_app
from actions.current_turn import current_turn, current_turn_start
from actions.settings import get_settings
from tests.conftest import PROJECT_ROOT
from tests.servers import free_port

TOKEN = "test-action-token"


def conversation(domain: Domain) -> DialogueStateTracker:
    """Several turns: a greeting, a list, a survey started and two answers, then a new message."""
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]

    def turn(text: str, intent: str, *then) -> None:
        events.append(UserUttered(text, {"name": intent, "confidence": 0.9}))
        events.extend(then)
        events.append(ActionExecuted("action_listen"))

    turn("hello", "greet", ActionExecuted("action_greet"), BotUttered("Hello!"))
    turn("what's open", "list_consultations", ActionExecuted("action_list_consultations"), BotUttered("Three are open."))
    turn(
        "I want to have my say",
        "start_response",
        ActionExecuted("survey_form"),
        ActiveLoop("survey_form"),
        SlotSet("survey", {"slug": "harbour-road-cycle-lane", "stage": "consent"}),
        BotUttered("Do you agree?"),
    )
    turn("yes", "affirm", ActionExecuted("survey_form"), SlotSet("survey", {"stage": "question", "answers": {}}))
    events.append(UserUttered("agree", {"name": "affirm", "confidence": 0.8}))
    events.append(ActionExecuted("survey_form"))
    events.append(SlotSet("survey", {"stage": "question", "answers": {"support": "Agree"}}))
    return DialogueStateTracker.from_events("rest:resident", events, domain.slots)


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture
def received(monkeypatch) -> list[dict]:
    """The calls the executor gets, with actions not run (they would read and write the store)."""
    calls: list[dict] = []

    async def run(self, action_call):
        calls.append(copy.deepcopy(action_call))
        return {"events": [], "responses": []}

    monkeypatch.setattr(ActionExecutor, "run", run)
    return calls


async def _post_all(calls: list[dict]) -> list[int]:
    app = create_app(TOKEN, warm_up=False)
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    statuses = []
    try:
        async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session:
            for call in calls:
                async with session.post(f"http://127.0.0.1:{port}/webhook", json=call) as reply:
                    statuses.append(reply.status)
    finally:
        server.close()
        await server.wait_closed()
    return statuses


def served_actions() -> list[str]:
    executor = ActionExecutor()
    executor.register_package("actions.dialogue")
    return sorted(executor.actions)


def test_every_custom_action_in_the_domain_is_served(domain):
    custom = {name for name in domain.user_actions if not name.startswith("utter_")}
    assert custom <= set(served_actions())


def test_every_action_gets_the_same_call_whether_rasa_sent_the_whole_conversation_or_the_current_turn(
    domain, received, monkeypatch
):
    tracker = conversation(domain)
    stock_format = inspect.getattr_static(RemoteAction, "_action_call_format")
    monkeypatch.setattr(RemoteAction, "_action_call_format", stock_format)
    monkeypatch.setenv("HYS_SPEEDUPS", "on")
    get_settings.cache_clear()
    try:
        assert speedups.send_actions_the_current_turn()
        patched_format = RemoteAction._action_call_format
    finally:
        get_settings.cache_clear()
    calls = []
    for name in served_actions():
        action = RemoteAction(name, None)
        monkeypatch.setattr(action, "_is_selective_domain_enabled", lambda: True, raising=False)
        whole = stock_format(action, tracker, domain)
        turn_only = patched_format(action, tracker, domain)
        assert len(whole["tracker"]["events"]) > len(turn_only["tracker"]["events"]) == 4
        calls += [whole, turn_only]
    assert asyncio.run(_post_all(calls)) == [200] * len(calls)
    assert len(received) == len(calls)
    for whole, turn_only in zip(received[::2], received[1::2], strict=True):
        assert whole == turn_only, whole["next_action"]
        assert [event["event"] for event in whole["tracker"]["events"]] == ["action", "user", "action", "slot"]
        assert whole["tracker"]["slots"]["survey"] == {"stage": "question", "answers": {"support": "Agree"}}


def test_the_current_turn_is_found_alike_in_rasas_events_and_in_their_json():
    choices = [
        lambda: ActionExecuted("action_listen"),
        lambda: UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        lambda: ActionExecuted("survey_form"),
        lambda: ActiveLoop("survey_form"),
        lambda: SlotSet("survey", {"stage": "question"}),
        lambda: BotUttered("hello"),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]
    rng = random.Random(19)
    for _ in range(300):
        events = [rng.choice(choices)() for _ in range(rng.randint(0, 40))]
        as_json = [event.as_dict() for event in events]
        assert current_turn(as_json) == as_json[current_turn_start(events) :]


def test_rasa_is_the_version_this_contract_was_checked_against():
    assert rasa.__version__ == speedups.CHECKED_AGAINST
