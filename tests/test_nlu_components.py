"""The NLU components and the Rule policy in config.yml (actions/nlu/) parse and predict exactly as
Rasa's own classes, with their speed-ups on or off (HYS_SPEEDUPS)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix

from actions.nlu import components
from actions.nlu.components import (
    LeanCountVectorsFeaturizer,
    LeanLogisticRegressionClassifier,
    LeanSpacyNLP,
    LeanSpacyTokenizer,
    ParseMemory,
    RecallParse,
    RememberParse,
)
from actions.nlu.policies import LeanRulePolicy
from actions.settings import get_settings
from tests.conftest import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "haveyoursay.tar.gz"
# Residents' messages, short ones repeated (the second time they are recalled), and one long one.
MESSAGES = [
    "hello",
    "what consultations are open",
    "the second one",
    "I want to have my say on the cycle lane",
    "yes",
    "no",
    "agree",
    "the painted one",
    "parking and cost",
    "about 12",
    "The junction by the station needs fixing first, and the lights by the school",
    "MB1 2AB",
    "45-54",
    "submit",
    "yes",
    "no",
    "agree",
    "submit",
    "what consultations are open",
]


@pytest.fixture
def switch(monkeypatch):
    def set_to(value: str) -> None:
        monkeypatch.setenv("HYS_SPEEDUPS", value)
        get_settings.cache_clear()

    yield set_to
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def trained_model() -> Path:
    assert MODEL.exists(), "train first: make train"
    return MODEL


def parse_all(model: Path) -> tuple[list[dict], object]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [asyncio.run(agent.parse_message(text)) for text in MESSAGES], agent


def nodes_of(agent, kind: type) -> list:
    return [
        node._component
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(getattr(node, "_component", None), kind)
    ]


def test_config_names_our_components(trained_model):
    from rasa.core.agent import Agent

    agent = Agent.load(str(trained_model))
    for kind in (
        RecallParse,
        LeanSpacyNLP,
        LeanSpacyTokenizer,
        LeanCountVectorsFeaturizer,
        LeanLogisticRegressionClassifier,
        RememberParse,
        LeanRulePolicy,
    ):
        assert nodes_of(agent, kind), f"config.yml should use {kind.__name__}"


def test_the_model_parses_every_message_the_same_with_the_speed_ups_on_or_off(trained_model, switch):
    switch("off")
    stock, _ = parse_all(trained_model)
    switch("on")
    lean, agent = parse_all(trained_model)
    assert lean == stock  # same intents, confidences, rankings and tokens, recalled or not
    memory = nodes_of(agent, RecallParse)[0].memory
    assert memory.recalled >= 5, "the repeated short messages should have been recalled"
    assert stock[4]["intent"]["name"] == "affirm"


def test_short_messages_are_remembered_by_a_keyed_hash_never_as_text():
    memory = ParseMemory()
    assert memory.key("yes") == memory.key("yes") and memory.key("yes") != ParseMemory().key("yes")
    assert memory.key("a message of more than four words") is None
    assert memory.key("x" * 41) is None
    assert memory.key('/ask_deadline{"consultation": "x"}') is None  # payloads: Rasa's RegexMessageHandler
    memory.remember(memory.key("yes"), {"intent": {"name": "affirm", "confidence": 0.9}})
    assert "yes" not in repr(memory._parses)
    recalled = memory.recall(memory.key("yes"))
    recalled["intent"]["name"] = "spoilt"  # a caller changing its copy changes nothing remembered
    assert memory.recall(memory.key("yes"))["intent"]["name"] == "affirm"
    assert ParseMemory(size=0).key("yes") is None, "PARSE_MEMORY_SIZE=0 parses every message in full"


def test_a_new_model_starts_with_an_empty_memory():
    assert components.memory_for("model-a") is components.memory_for("model-a")
    assert components.memory_for("model-b") is not components.memory_for("model-a")


def test_at_inference_the_featurizer_makes_only_the_sentence_row_and_training_data_gets_every_row(trained_model, switch):
    from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.shared.nlu.training_data.training_data import TrainingData

    switch("on")
    _, agent = parse_all(trained_model)
    spacy, tokenizer = nodes_of(agent, SpacyNLP)[0], nodes_of(agent, SpacyTokenizer)[0]
    featurizer = nodes_of(agent, LeanCountVectorsFeaturizer)[0]

    def tokenized(text: str) -> Message:
        message = Message(data={"text": text})
        spacy.process([message], spacy.provide())
        tokenizer.process([message])
        return message

    at_inference = tokenized("when does the cycle lane consultation close")
    featurizer.process([at_inference])
    assert {features.type for features in at_inference.features} == {"sentence"}
    training = TrainingData([tokenized("when does the cycle lane consultation close")])
    featurizer.process_training_data(training)
    assert {features.type for features in training.training_examples[0].features} == {"sequence", "sentence"}
    inference_row = at_inference.get_sparse_features("text")[1].features
    training_row = training.training_examples[0].get_sparse_features("text")[1].features
    assert (inference_row != training_row).nnz == 0


def test_the_classifier_input_matrix_is_unchanged(switch):
    switch("on")
    random = np.random.default_rng(7)
    lean = LeanLogisticRegressionClassifier.__new__(LeanLogisticRegressionClassifier)

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
        ours, rasas = lean._create_X(messages), LogisticRegressionClassifier._create_X(lean, messages)
        assert ours.shape == rasas.shape and ours.dtype == rasas.dtype and (ours != rasas).nnz == 0
    dense = message("dense")
    dense.add_features(Features(np.ones((1, 5)), "sentence", "text", "dense"))
    assert lean._create_X([dense]).shape == (1, 1217)  # Rasa's own path


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


def test_the_text_rule_search_is_skipped_only_when_no_rule_could_match_it(switch):
    switch("on")
    policy = LeanRulePolicy.__new__(LeanRulePolicy)
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


def test_with_the_speed_ups_off_the_rule_search_is_rasas(switch):
    switch("off")
    policy = LeanRulePolicy.__new__(LeanRulePolicy)
    policy.lookup = {RULES: {_rule_key({"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}): "x"}}
    assert _searched(policy, use_text=True)


def test_our_trained_rules_never_need_the_text_search(trained_model, switch):
    """If a rule is ever written so that it could, the search comes back on its own; this
    says so, so the speed cost is a known choice rather than a surprise."""
    from rasa.core.agent import Agent

    switch("on")
    policy = nodes_of(Agent.load(str(trained_model)), LeanRulePolicy)[0]
    assert policy.lookup[RULES] and not _searched(policy, use_text=True)


def test_the_rules_that_fit_a_conversation_are_rasas_own_answer(trained_model, switch):
    """The trained rules, filtered against 400 made-up conversations built from the rules' own states
    (so many of them fit, some only in part), give exactly what Rasa's filter gives."""
    import random

    from rasa.core.agent import Agent

    switch("on")
    policy = nodes_of(Agent.load(str(trained_model)), LeanRulePolicy)[0]
    lookup = policy.lookup[RULES]
    rule_states = [RulePolicy._rule_key_to_state(key) for key in lookup]
    pieces = [state for states in rule_states for state in states]
    chosen = random.Random(19)
    fitting = 0
    for _ in range(400):
        history = [chosen.choice(pieces) for _ in range(chosen.randint(0, 12))] + list(chosen.choice(rule_states))
        if chosen.random() < 0.3:
            history[-1 - chosen.randrange(len(history))] = chosen.choice(pieces)  # spoil one turn
        ours = policy._get_possible_keys(lookup, history)
        assert ours == RulePolicy._get_possible_keys(policy, lookup, history)
        fitting += bool(ours)
    assert fitting > 200  # the conversations really do fit rules, so the comparison means something
    assert policy._rule_key_to_state(next(iter(lookup))) is policy._rule_key_to_state(next(iter(lookup)))  # read once
