"""The Rasa hot-path speed-ups keep Rasa's behaviour (actions/speedups.py)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from pathlib import Path

import jsonschema
import pytest
import rasa
import rasa.core.actions.forms
import rasa.core.processor
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from actions import speedups
from actions.settings import get_settings
from tests.conftest import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "haveyoursay.tar.gz"


RASA_ORIGINALS = [
    (Event, "resolve_by_type"),
    (EndpointConfig, "session"),
    (RemoteAction, "_validate_action_result"),
    (DaskGraphRunner, "run"),
    (RemoteAction, "_action_call_format"),
    (DialogueStateTracker, "applied_events"),
    (DialogueStateTracker, "copy"),
    (rasa.core.actions.forms.FormAction, "_temporary_tracker"),
    (Domain, "is_empty"),
    (rasa.core.processor, "copy"),
    (rasa.core.actions.forms, "copy"),
]


RASA_IS_EMPTY = Domain.is_empty


def originals() -> list:
    return [inspect.getattr_static(owner, name) for owner, name in RASA_ORIGINALS]


@pytest.fixture
def restore_rasa(monkeypatch):
    """Whatever a test patches, monkeypatch puts Rasa's originals back afterwards."""
    for owner, name in RASA_ORIGINALS:
        monkeypatch.setattr(owner, name, inspect.getattr_static(owner, name))
    return monkeypatch


@pytest.fixture
def switch(monkeypatch):
    """Set HYS_SPEEDUPS for one test (settings are read once, so the cache is cleared around it)."""

    def set_to(value: str) -> None:
        monkeypatch.setenv("HYS_SPEEDUPS", value)
        get_settings.cache_clear()

    yield set_to
    get_settings.cache_clear()


@pytest.fixture
def patched(restore_rasa, switch):
    """Apply the speed-ups for one test."""
    switch("on")
    assert len(speedups.apply_to_rasa_server()) == len(speedups.PATCHES)
    return restore_rasa


@pytest.fixture
def trained_model() -> Path:
    assert MODEL.exists(), "train first: make train"
    return MODEL


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


def test_action_replies_are_checked_per_event_type_with_rasa_errors_kept(patched):
    action = RemoteAction("validate_survey_form", None)
    valid = {
        "events": [
            {"event": "slot", "timestamp": None, "name": "survey", "value": {"stage": "question", "answers": {"q": [1, 2]}}},
            {"event": "active_loop", "name": None},
            {"event": "bot", "text": "Question 2 of 6", "data": {"buttons": [{"title": "Yes", "payload": "yes"}]}},
        ],
        "responses": [{"text": "Thanks"}],
    }
    assert action._validate_action_result(valid) is True
    assert action._validate_action_result({}) is True
    invalid = [
        {"events": "not a list"},
        {"events": [{"no_event_key": 1}]},
        {"events": [{"event": "no-such-event"}]},
        {"events": [{"event": "slot", "name": 5, "value": 1}]},  # right type, wrong field
        {"events": [{"event": "slot", "name": "x", "timestamp": "yesterday"}]},  # a common field
        {"events": [], "responses": ["not an object"]},
    ]
    for reply in invalid:
        with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
            action._validate_action_result(reply)


def test_the_model_parses_exactly_as_without_the_speed_ups(patched, trained_model):
    """Same intents and the same confidences: the graph runner and the classifier's input row."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model))
    messages = ["when does the cycle lane consultation close", "hello", "I want to have my say", "agree"]
    with_plain_python = [asyncio.run(agent.parse_message(text)) for text in messages]
    patched.undo()
    with_dask = [asyncio.run(agent.parse_message(text)) for text in messages]
    assert with_plain_python == with_dask
    assert with_dask[0]["intent"]["name"] == "ask_deadline"


def test_a_failing_component_fails_the_parse_as_it_does_through_dask(patched, trained_model):
    from rasa.core.agent import Agent
    from rasa.engine.exceptions import GraphComponentException

    from actions.nlu.components import RecallParse

    def broken(self, messages):
        raise ValueError("broken component")

    # Each graph node takes the class's function when the model loads.
    working, RecallParse.process = RecallParse.process, broken
    failures = []
    try:
        agent = Agent.load(str(trained_model))
        for _ in ("plain python", "dask"):
            with pytest.raises(GraphComponentException) as failure:
                asyncio.run(agent.parse_message("hello"))
            failures.append((str(failure.value), type(failure.value.__cause__), str(failure.value.__cause__)))
            patched.undo()
    finally:
        RecallParse.process = working
    assert (
        failures[0]
        == failures[1]
        == (
            "Error running graph component for node run_actions.nlu.components.RecallParse0.",
            ValueError,
            "broken component",
        )
    )


def test_graph_inputs_may_not_shadow_nodes(patched, trained_model):
    from rasa.core.agent import Agent
    from rasa.engine.exceptions import GraphRunError

    runner = Agent.load(str(trained_model)).processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clash"):
        runner.run(inputs={node: "x"}, targets=[node])


def test_actions_get_the_whole_state_and_the_current_turn(patched):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict({"slots": {"ward": {"type": "text", "mappings": [{"type": "custom"}]}}})
    events = [
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet", "confidence": 0.9}),
        SlotSet("ward", "harbourside"),  # set turns ago: still in the slots
        ActiveLoop("survey_form"),  # started by "hello": its trigger message travels with the state
        BotUttered("Hello!"),
        ActionExecuted("action_listen"),
        UserUttered("agree", {"name": "affirm", "confidence": 0.8}),
        ActionExecuted("survey_form"),
    ]
    tracker = DialogueStateTracker.from_events("resident", events, domain.slots)
    call = RemoteAction("validate_survey_form", None)._action_call_format(tracker, domain)
    state = call["tracker"]
    assert [event["event"] for event in state["events"]] == ["action", "user", "action"]
    assert state["events"][0]["name"] == "action_listen" and state["events"][1]["text"] == "agree"
    assert state["slots"]["ward"] == "harbourside"
    assert state["latest_message"]["text"] == "agree" and state["latest_action_name"] == "survey_form"
    assert call["next_action"] == "validate_survey_form" and call["sender_id"] == "resident"
    assert state["active_loop"]["name"] == "survey_form" and state["active_loop"]["trigger_message"]["text"] == "hello"
    full = tracker.current_state(EventVerbosity.ALL)
    assert tracker.active_loop is not None  # put back after the call
    assert {key: value for key, value in state.items() if key != "events"} == {
        key: value for key, value in full.items() if key != "events"
    }

    no_message_yet = DialogueStateTracker.from_events("resident", events[:2], domain.slots)
    call = RemoteAction("action_greet", None)._action_call_format(no_message_yet, domain)
    assert len(call["tracker"]["events"]) == 2


def test_applied_events_match_rasa_at_every_step_and_cannot_be_spoilt(monkeypatch, switch):
    import random

    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        BotUttered,
        Restarted,
        UserUtteranceReverted,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_applied_events = DialogueStateTracker.applied_events
    monkeypatch.setattr(DialogueStateTracker, "applied_events", rasa_applied_events)
    switch("on")
    assert speedups.remember_applied_events()
    choices = [
        lambda: ActionExecuted("action_listen"),
        lambda: UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        lambda: ActionExecuted("survey_form"),
        lambda: ActiveLoop("survey_form"),
        lambda: ActiveLoop("other_form"),
        lambda: ActionExecuted("other_form"),
        lambda: ActiveLoop(None),
        lambda: SlotSet("ward", "north"),
        lambda: BotUttered("hello"),
        lambda: ActionReverted(),
        lambda: UserUtteranceReverted(),
        lambda: Restarted(),
    ]
    rng = random.Random(3)
    for _ in range(20):
        tracker = DialogueStateTracker("resident", [])
        for _ in range(60):
            tracker.update(rng.choice(choices)())
            first = tracker.applied_events()
            first.append("spoilt")  # a caller changing its list must not change the next answer
            assert tracker.applied_events() == rasa_applied_events(tracker)


def test_debug_log_values_are_copied_only_when_debug_logging_is_on(monkeypatch, switch):
    import logging

    import rasa.core.actions.forms
    import rasa.core.processor

    for module in (rasa.core.processor, rasa.core.actions.forms):
        monkeypatch.setattr(module, "copy", module.copy)
    switch("on")
    assert speedups.copy_only_for_debug_logs()
    events = [SlotSet("ward", {"name": "north"})]
    for module in (rasa.core.processor, rasa.core.actions.forms):
        logger = logging.getLogger(module.__name__)
        level = logger.level
        try:
            logger.setLevel(logging.INFO)
            assert module.copy.deepcopy(events) is events
            logger.setLevel(logging.DEBUG)
            copied = module.copy.deepcopy(events)
            assert copied == events and copied is not events and copied[0] is not events[0]
            assert module.copy.copy(events) == events  # the rest of the module is the real one
        finally:
            logger.setLevel(level)


def test_the_copied_modules_use_deepcopy_only_for_debug_logs():
    """If a Rasa upgrade uses deepcopy for anything else in these modules, this fails."""
    import inspect
    import re

    import rasa.core.actions.forms
    import rasa.core.processor

    for module in (rasa.core.processor, rasa.core.actions.forms):
        source = inspect.getsource(module)
        for match in re.finditer(r"copy\.deepcopy\(", source):
            call_start = source.rfind("structlogger.debug(", 0, match.start())
            assert (
                call_start != -1
                and source.count("(", call_start, match.start()) - source.count(")", call_start, match.start()) == 1
            ), f"{module.__name__}: deepcopy outside a debug log at offset {match.start()}"


def test_every_patch_names_the_rasa_it_was_checked_against_and_that_is_the_one_installed():
    """After a Rasa upgrade this fails: check each patch against the new Rasa, then update its version."""
    assert speedups.PATCHES
    for patch in speedups.PATCHES:
        assert patch.checked_against == speedups.CHECKED_AGAINST == rasa.__version__, patch.__name__
        assert patch.__doc__, f"{patch.__name__} should say what it replaces and why"


def test_with_hys_speedups_off_rasa_is_left_as_it_is(restore_rasa, switch):
    switch("off")
    before = originals()
    assert speedups.apply_to_rasa_server() == []
    assert all(now is then for now, then in zip(originals(), before, strict=True))
    assert not speedups.allowed("RecallParse")


def test_on_another_rasa_every_patch_refuses_with_a_warning(restore_rasa, switch, monkeypatch, caplog):
    switch("on")
    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    monkeypatch.setattr(speedups, "_refused", set())
    before = originals()
    with caplog.at_level(logging.WARNING, logger="actions.speedups"):
        assert speedups.apply_to_rasa_server() == []
        assert not speedups.allowed("LeanCountVectorsFeaturizer")
    assert all(now is then for now, then in zip(originals(), before, strict=True))
    refused = {record.getMessage().split("name=")[1].split()[0] for record in caplog.records}
    assert refused == {patch.__name__ for patch in speedups.PATCHES} | {"LeanCountVectorsFeaturizer"}
    assert all("checked_against=rasa-3.6.21 running=rasa-3.6.22" in record.getMessage() for record in caplog.records)


def _without_times(value):
    if isinstance(value, dict):
        return {key: _without_times(item) for key, item in value.items() if key not in ("timestamp", "latest_event_time")}
    if isinstance(value, list):
        return [_without_times(item) for item in value]
    return value


def _tracker_state(tracker: DialogueStateTracker, times: bool = True) -> dict:
    """Everything a copy must reproduce: the public state, each slot's flags, and the rest. Without
    ``times``, events created at the moment (a form's marker events, an empty bot message) compare
    by content."""
    state = {
        "state": tracker.current_state(EventVerbosity.ALL),
        "slots": {name: (slot.value, slot.has_been_set, type(slot)) for name, slot in tracker.slots.items()},
        "events": [event.as_dict() for event in tracker.events],
        "active_loop": tracker.active_loop,
        # Before any bot message Rasa's replay makes a new empty one, stamped when the copy is made.
        "latest_bot_utterance": _without_times(tracker.latest_bot_utterance.as_dict()),
        "attributes": (tracker.model_id, tracker.assistant_id, tracker.sender_source, tracker.is_rule_tracker),
        "applied": [event.as_dict() for event in tracker.applied_events()],
    }
    if times:
        state["event objects"] = list(tracker.events)
        return state
    return _without_times(state)


def random_histories(seed: int, conversations: int = 40, length: int = 50):
    """(domain, tracker, event maker) after each of ``length`` random events, in ``conversations`` conversations."""
    import random

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionExecutionRejected,
        ActiveLoop,
        BotUttered,
        ConversationPaused,
        ConversationResumed,
        FollowupAction,
        LoopInterrupted,
        Restarted,
        SessionStarted,
    )

    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    choices = [
        lambda: ActionExecuted("action_listen"),
        lambda: UserUttered("hi", {"name": "greet", "confidence": 1.0}, metadata={"medium": "sms"}),
        lambda: ActionExecuted("survey_form"),
        lambda: ActiveLoop("survey_form"),
        lambda: ActiveLoop(None),
        lambda: LoopInterrupted(True),
        lambda: ActionExecutionRejected("survey_form"),
        lambda: SlotSet("survey", {"stage": "question", "answers": {"q": [1, 2]}}),
        lambda: SlotSet("consultation", "harbour-road-cycle-lane"),
        lambda: BotUttered("hello", {"buttons": [{"title": "Yes", "payload": "yes"}]}),
        lambda: FollowupAction("action_greet"),
        lambda: ConversationPaused(),
        lambda: ConversationResumed(),
        lambda: Restarted(),
        lambda: SessionStarted(),
    ]
    rng = random.Random(seed)

    def event():
        return rng.choice(choices)()

    for _ in range(conversations):
        tracker = DialogueStateTracker.from_events("resident", [], domain.slots)
        tracker.model_id, tracker.assistant_id = "model", "have-your-say"
        for _ in range(length):
            tracker.update(event(), domain)
            tracker.applied_events()  # as Rasa does before copying: the memo is carried over
            yield domain, tracker, event


def test_a_tracker_copy_is_the_one_rasa_makes_by_replaying_and_is_independent(restore_rasa, switch):
    rasa_copy = inspect.getattr_static(DialogueStateTracker, "copy")
    switch("on")
    speedups.apply_to_rasa_server()
    for domain, tracker, event in random_histories(19):
        ours, rasas = tracker.copy(), rasa_copy(tracker)
        assert _tracker_state(ours) == _tracker_state(rasas)
        before = _tracker_state(tracker)
        ours.update(event(), domain)  # changing the copy leaves the original alone
        ours.slots["survey"].value = {"spoilt": True}
        if ours.active_loop is not None:
            ours.active_loop.is_interrupted = not ours.active_loop.is_interrupted
        assert _tracker_state(tracker) == before
    from rasa.shared.core.domain import Domain

    slots = Domain.load(str(PROJECT_ROOT / "domain.yml")).slots
    bounded = DialogueStateTracker.from_events("resident", [], slots, max_event_history=3)
    assert _tracker_state(bounded.copy()) == _tracker_state(rasa_copy(bounded))


def test_a_forms_temporary_tracker_is_the_one_rasa_builds_by_replaying(restore_rasa, switch):
    from rasa.core.actions.forms import FormAction

    rasas = inspect.getattr_static(FormAction, "_temporary_tracker")
    switch("on")
    speedups.apply_to_rasa_server()
    form = FormAction("survey_form", None)
    for domain, tracker, event in random_histories(23, conversations=25):
        additional = [event(), event()]
        ours = form._temporary_tracker(tracker, additional, domain)
        assert _tracker_state(ours, times=False) == _tracker_state(rasas(form, tracker, additional, domain), times=False)


def test_whether_a_domain_is_empty_is_rasas_answer(patched):
    ours = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    rasas = inspect.getattr_static(Domain, "is_empty")
    assert ours.is_empty() is False and ours.is_empty() == RASA_IS_EMPTY(ours)
    assert Domain.empty().is_empty() is True and rasas is not RASA_IS_EMPTY
