"""The Rasa hot-path speed-ups keep Rasa's behaviour (actions/speedups.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import rasa.core.actions.forms
import rasa.core.processor
import rasa.core.run
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig

from actions import speedups
from tests.conftest import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "haveyoursay.tar.gz"


@pytest.fixture
def patched(monkeypatch):
    """Apply the speed-ups for one test; monkeypatch puts Rasa's originals back afterwards."""
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)
    monkeypatch.setattr(Event, "resolve_by_type", Event.resolve_by_type)
    monkeypatch.setattr(EndpointConfig, "session", EndpointConfig.session)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(DaskGraphRunner, "run", DaskGraphRunner.run)
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", LogisticRegressionClassifier._create_X)
    monkeypatch.setattr(RulePolicy, "_find_action_from_rules", RulePolicy._find_action_from_rules)
    monkeypatch.setattr(RemoteAction, "_action_call_format", RemoteAction._action_call_format)
    monkeypatch.setattr(DialogueStateTracker, "applied_events", DialogueStateTracker.applied_events)
    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa.core.run.load_agent_on_start)
    for module in (rasa.core.processor, rasa.core.actions.forms):
        monkeypatch.setattr(module, "copy", module.copy)
    speedups.apply_to_rasa_server()
    return monkeypatch


@pytest.fixture
def trained_model() -> Path:
    assert MODEL.exists(), "train first: make train"
    return MODEL


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


def test_graph_inputs_may_not_shadow_nodes(patched, trained_model):
    from rasa.core.agent import Agent
    from rasa.engine.exceptions import GraphRunError

    runner = Agent.load(str(trained_model)).processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    with pytest.raises(GraphRunError, match="clash"):
        runner.run(inputs={node: "x"}, targets=[node])


def test_the_classifier_input_matrix_is_unchanged(monkeypatch):
    import numpy as np
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from scipy.sparse import coo_matrix

    rasa_create_x = LogisticRegressionClassifier._create_X
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", rasa_create_x)
    speedups.stack_intent_features_once()
    random = np.random.default_rng(7)

    def message(seed_text: str) -> Message:
        msg = Message(data={"text": seed_text})
        for origin, width in (("regex", 12), ("words", 300), ("chars", 900)):
            sentence = coo_matrix(random.integers(0, 3, (1, width)) * (random.random((1, width)) < 0.05))
            if origin == "regex":
                sentence = sentence.astype(float)  # mixed dtypes are joined as scipy would
            sequence = coo_matrix(random.integers(0, 2, (4, width)))
            msg.add_features(Features(sequence, "sequence", "text", origin))
            msg.add_features(Features(sentence, "sentence", "text", origin))
        return msg

    for messages in ([message("one")], [message("one"), message("two"), message("three")]):
        ours, rasas = LogisticRegressionClassifier._create_X(None, messages), rasa_create_x(None, messages)
        assert ours.shape == rasas.shape and ours.dtype == rasas.dtype and (ours != rasas).nnz == 0
    dense = message("dense")
    dense.add_features(Features(np.ones((1, 5)), "sentence", "text", "dense"))
    assert LogisticRegressionClassifier._create_X(None, [dense]).shape == (1, 1217)  # Rasa's own path


class _Searched(Exception):
    pass


def _searched(policy: RulePolicy, use_text: bool) -> bool:
    """Whether Rasa's rule search got as far as building the conversation's states."""

    def build_states(*args, **kwargs):
        raise _Searched

    policy._prediction_states = build_states
    try:
        found = policy._find_action_from_rules(SimpleNamespace(latest_action_name="action_listen"), None, use_text)
    except _Searched:
        return True
    assert found == (None, None, False)
    return False


def _rule_key(*states) -> str:
    return json.dumps(list(states), sort_keys=True)


def test_the_text_rule_search_is_skipped_only_when_no_rule_could_match_it(patched):
    policy = RulePolicy.__new__(RulePolicy)
    intent_rule = _rule_key({"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}})
    after_an_action = _rule_key({"prev_action": {"action_name": "survey_form"}, "active_loop": {"name": "should_not_be_set"}})
    policy.lookup = {RULES: {intent_rule: "action_greet", after_an_action: "action_survey_finished"}}
    assert not _searched(policy, use_text=True), "intent-only rules can never match the text search"
    assert _searched(policy, use_text=False), "the intent search always runs"
    for could_match in (
        _rule_key({"prev_action": {"action_name": "action_listen"}, "user": {"text": "hello there"}}),  # end-to-end
        _rule_key({"prev_action": {"action_name": "action_listen"}, "slots": {"ward": [1.0]}}),  # no intent named
    ):
        policy.lookup = {RULES: {intent_rule: "action_greet", could_match: "action_x"}}
        assert _searched(policy, use_text=True), could_match


def test_our_trained_rules_never_need_the_text_search(patched, trained_model):
    """If a rule is ever written so that it could, the search comes back on its own; this
    says so, so the speed cost is a known choice rather than a surprise."""
    from rasa.core.agent import Agent

    nodes = Agent.load(str(trained_model)).processor.graph_runner._instantiated_nodes.values()
    policy = next(node._component for node in nodes if isinstance(getattr(node, "_component", None), RulePolicy))
    assert policy.lookup[RULES] and not _searched(policy, use_text=True)


def test_actions_get_the_whole_state_and_the_current_turn(patched):
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_dict({"slots": {"ward": {"type": "text", "mappings": [{"type": "custom"}]}}})
    events = [
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet", "confidence": 0.9}),
        SlotSet("ward", "harbourside"),  # set turns ago: still in the slots
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
    full = tracker.current_state(EventVerbosity.ALL)
    assert {key: value for key, value in state.items() if key != "events"} == {
        key: value for key, value in full.items() if key != "events"
    }

    no_message_yet = DialogueStateTracker.from_events("resident", events[:2], domain.slots)
    call = RemoteAction("action_greet", None)._action_call_format(no_message_yet, domain)
    assert len(call["tracker"]["events"]) == 2


def test_the_loaded_model_is_frozen_for_the_garbage_collector(monkeypatch):
    import gc

    import rasa.core.run

    loaded = object()

    async def load_agent_on_start(*args, **kwargs):
        return loaded

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", load_agent_on_start)
    speedups.freeze_the_loaded_model_for_the_garbage_collector()
    try:
        assert asyncio.run(rasa.core.run.load_agent_on_start("model", None, None, None, None)) is loaded
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_applied_events_match_rasa_at_every_step_and_cannot_be_spoilt(monkeypatch):
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
    speedups.remember_applied_events()
    choices = [
        lambda: ActionExecuted("action_listen"),
        lambda: UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        lambda: ActionExecuted("survey_form"),
        lambda: ActiveLoop("survey_form"),
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


def test_debug_log_values_are_copied_only_when_debug_logging_is_on(monkeypatch):
    import logging

    import rasa.core.actions.forms
    import rasa.core.processor

    for module in (rasa.core.processor, rasa.core.actions.forms):
        monkeypatch.setattr(module, "copy", module.copy)
    speedups.copy_only_for_debug_logs()
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
