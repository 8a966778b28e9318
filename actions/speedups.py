"""Speed-ups for Rasa 3.6's per-message hot path, applied in the Rasa server process only.

Each one was found with py-spy under `make bench` load (docs/performance.md)
and replaces one small function, so it is easy to re-check on a Rasa upgrade
(tests/test_speedups.py pins what they must keep). All but one keep Rasa's
behaviour exactly; ``send_actions_the_current_turn`` is a deliberate contract
with our action server (actions get the state and the current turn's events).
The tracker cache lives in ``actions.store.tracker_store``.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable


def apply_to_rasa_server() -> None:
    validate_with_cached_validators()
    validate_action_replies_by_event_type()
    resolve_event_types_once()
    reuse_action_server_connections()
    run_prediction_graph_in_plain_python()
    stack_intent_features_once()
    skip_text_rule_lookup_without_text_rules()
    send_actions_the_current_turn()
    freeze_the_loaded_model_for_the_garbage_collector()
    remember_applied_events()
    copy_only_for_debug_logs()


def validate_with_cached_validators() -> None:
    """Make Rasa's check of every action-server reply cheap, without weakening it.

    Rasa 3.6 checks each reply from the action server with ``jsonschema.validate``,
    which first re-validates the (constant) schema against the JSON Schema
    metaschema on every call. Profiling the Rasa server under load (py-spy)
    showed about 65% of its CPU there. The replacement validates the reply
    against the same schema, with a validator built once per schema.
    """
    import json as _json

    import jsonschema
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for

    cache: dict[str, object] = {}
    original = jsonschema.validate

    def validate(instance, schema, cls=None, *args, **kwargs):
        if cls is not None or args or kwargs:
            return original(instance, schema, cls, *args, **kwargs)
        key = _json.dumps(schema, sort_keys=True, default=str)
        validator = cache.get(key)
        if validator is None:
            validator_class = validator_for(schema)
            validator_class.check_schema(schema)  # once, not on every reply
            validator = cache[key] = validator_class(schema)
        error = best_match(validator.iter_errors(instance))
        if error is not None:
            raise error

    jsonschema.validate = validate


def validate_action_replies_by_event_type() -> None:
    """Check each action-server reply against only the schema of each event's own type.

    Rasa's schema for a reply's events is a ``oneOf`` over all 23 event types, so every event of
    every reply was checked against all 23 (about 0.3 ms per event; 9% of the Rasa server's CPU,
    even with a cached validator). Each alternative fixes ``event`` to a different constant, so an
    event satisfies the ``oneOf`` exactly when it satisfies its own type's alternative. That one
    is compiled to Python (fastjsonschema). A reply this check does not accept goes through Rasa's
    own check, so what is rejected, and the error Rasa reports, are exactly as before.
    """
    import fastjsonschema
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    event_schema = spec["properties"]["events"]["items"]
    common = {key: value for key, value in event_schema.items() if key != "oneOf"}
    by_type: dict[str, Callable] = {}
    for alternative in event_schema["oneOf"]:
        event_type = alternative.get("properties", {}).get("event", {}).get("const")
        if not isinstance(event_type, str) or event_type in by_type:
            return  # not the schema this was written for (a Rasa upgrade): keep Rasa's check
        by_type[event_type] = fastjsonschema.compile({"allOf": [common, alternative]})
    reply_shape = fastjsonschema.compile(
        {**spec, "properties": {**spec["properties"], "events": {"type": "array", "items": common}}}
    )
    rasa_check = RemoteAction._validate_action_result

    def _validate_action_result(self, result) -> bool:
        try:
            reply_shape(result)
            for event in result.get("events") or ():
                by_type[event["event"]](event)
        except (fastjsonschema.JsonSchemaException, KeyError):
            return rasa_check(self, result)
        return True

    RemoteAction._validate_action_result = _validate_action_result


def run_prediction_graph_in_plain_python() -> None:
    """Run the model's graph by calling its nodes in order, instead of through dask.

    For every message Rasa runs the NLU graph and, for every action it predicts, the policy graph,
    each time building a dask graph and letting dask's scheduler order a dozen nodes (about 9% of
    the Rasa server's CPU). The order depends only on the targets, so it is worked out once per
    set of targets; each node still gets exactly its parents' outputs, as with dask. Training,
    which runs in its own process, is untouched.
    """
    from graphlib import TopologicalSorter

    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(self: DaskGraphRunner, inputs=None, targets=None):
        run_targets = list(targets or self._graph_schema.target_names)
        plans = self.__dict__.setdefault("_plans", {})
        plan = plans.get(tuple(run_targets))
        if plan is None:
            schema = self._graph_schema.minimal_graph_schema(run_targets)
            order = TopologicalSorter({name: set(node.needs.values()) for name, node in schema.nodes.items()})
            plan = plans[tuple(run_targets)] = [
                (name, list(schema.nodes[name].needs.values())) for name in order.static_order() if name in schema.nodes
            ]
        # Inputs reach nodes as (name, value) pairs, the same shape as every node's output.
        outputs = {name: (name, value) for name, value in (inputs or {}).items()}
        clash = set(outputs) & {name for name, _ in plan}
        if clash:
            raise GraphRunError(f"Input names {sorted(clash)} clash with node names of the graph.")
        try:
            for name, parents in plan:
                outputs[name] = self._instantiated_nodes[name](*(outputs.get(parent, parent) for parent in parents))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(outputs[target] for target in run_targets)

    DaskGraphRunner.run = run


def stack_intent_features_once() -> None:
    """Build the LogisticRegression classifier's input row in one step.

    Rasa's classifier deep-copies each featurizer's sentence features, joins them pairwise, then
    joins the result with an empty dense block and stacks the rows: over 10% of the Rasa
    server's CPU for a one-row matrix. The same blocks, in the same order, are joined once here,
    so the matrix, and therefore the intent ranking, are unchanged. Messages with dense features
    or none at all (not produced by config.yml) go through Rasa's own code.
    """
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from scipy.sparse import csr_matrix, hstack, vstack

    rasa_create_x = LogisticRegressionClassifier._create_X

    def sparse_sentence_blocks(message) -> list | None:
        blocks = []
        for features in message.features:
            if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
                continue
            if not features.is_sparse():
                return None
            blocks.append(features.features)
        return blocks or None

    def one_row(blocks):
        """``hstack(blocks, format="csr")`` for one-row blocks, without scipy's general machinery."""
        if any(block.shape[0] != 1 for block in blocks):
            return hstack(blocks, format="csr")
        data, columns, width = [], [], 0
        for block in blocks:
            block = block.tocoo()
            data.append(block.data)
            columns.append(block.col + width)
            width += block.shape[1]
        data = np.concatenate(data)
        return csr_matrix((data, np.concatenate(columns), np.array([0, len(data)])), shape=(1, width))

    def _create_X(self, messages):
        rows = [sparse_sentence_blocks(message) for message in messages]
        if not rows or any(blocks is None for blocks in rows):
            return rasa_create_x(self, messages)
        stacked = [one_row(blocks) for blocks in rows]
        return stacked[0] if len(stacked) == 1 else vstack(stacked, format="csr")

    LogisticRegressionClassifier._create_X = _create_X


def skip_text_rule_lookup_without_text_rules() -> None:
    """Skip the Rule policy's search for rules written with the resident's exact words when the
    model has no rule that could match such a search.

    After every message the Rule policy rebuilds the dialogue states of the whole conversation
    twice: once with the message's text in place of its intent (for end-to-end rules) and once
    with its intent. The text search was 11% of the Rasa server's CPU, and with our intent-only
    rules it can never match: in that search the latest turn has no intent and no entities, so
    only a rule whose last step follows ``action_listen`` without naming an intent or entities
    could match it. Whether the trained rules include any such rule is checked once per policy;
    if one does, Rasa's search runs as before.
    """
    from rasa.core.policies.rule_policy import RULES, RulePolicy
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
    from rasa.shared.nlu.constants import ACTION_NAME, ENTITIES, INTENT

    rasa_find = RulePolicy._find_action_from_rules

    def constrains(value) -> bool:
        return bool(value) and value != SHOULD_NOT_BE_SET

    def could_match_text_turn(rule_key: str) -> bool:
        last_state = RulePolicy._rule_key_to_state(rule_key)[-1]
        previous_action = last_state.get(PREVIOUS_ACTION)
        if not previous_action or previous_action.get(ACTION_NAME) not in (None, ACTION_LISTEN_NAME):
            return False  # a conversation start, or a step after some other action
        user = last_state.get(USER, {})
        return not constrains(user.get(INTENT)) and not constrains(user.get(ENTITIES))

    def _find_action_from_rules(self, tracker, domain, use_text_for_last_user_input):
        if use_text_for_last_user_input:
            rules = self.lookup.get(RULES, {})
            known = self.__dict__.get("_text_turn_rules")
            if known is None or known[0] is not rules:
                known = self.__dict__["_text_turn_rules"] = (rules, any(map(could_match_text_turn, rules)))
            if not known[1]:
                return None, None, False
        return rasa_find(self, tracker, domain, use_text_for_last_user_input)

    RulePolicy._find_action_from_rules = _find_action_from_rules


def current_turn_start(events: list) -> int:
    """Index of the ``action_listen`` before the resident's latest message (0 if there is none).

    From there on the events hold the latest message and everything the bot has done since."""
    from rasa.shared.core.constants import ACTION_LISTEN_NAME
    from rasa.shared.core.events import ActionExecuted, UserUttered

    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], UserUttered):
            for before in range(index - 1, -1, -1):
                if isinstance(events[before], ActionExecuted) and events[before].action_name == ACTION_LISTEN_NAME:
                    return before
            return 0
    return 0


def send_actions_the_current_turn() -> None:
    """Send the action server the conversation's state and the current turn's events, not the
    whole history.

    Rasa sends every event of the conversation with every action call, so a survey's last
    answers carried about 60 kB of JSON each way: 8% of the Rasa server's CPU to build and
    encode, and most of the action server's to decode. Our actions read slots (the survey's
    whole state is the ``survey`` slot), the latest message, and the events since the
    resident's latest message (Rasa SDK's ``slots_to_validate`` and ``responding_to_new_message``
    in actions/dialogue/survey.py). Everything else in the call is exactly as Rasa builds it.
    This is a contract for the action server: an action that needs older events must keep
    what it needs in a slot (docs/ARCHITECTURE.md).
    """
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    def _action_call_format(self, tracker, domain):
        state = tracker.current_state(EventVerbosity.NONE)
        events = list(tracker.events)
        state["events"] = [event.as_dict() for event in events[current_turn_start(events) :]]
        result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    RemoteAction._action_call_format = _action_call_format


def freeze_the_loaded_model_for_the_garbage_collector() -> None:
    """Once the model is loaded, move everything alive into the garbage collector's permanent
    generation (``gc.freeze``).

    The Rasa server holds millions of long-lived objects (TensorFlow, spaCy, the model), and
    every full collection walked all of them again, though none of them is ever garbage.
    Per-message objects are collected as before.
    """
    import gc

    import rasa.core.run

    rasa_load = rasa.core.run.load_agent_on_start

    async def load_agent_on_start(*args, **kwargs):
        agent = await rasa_load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    rasa.core.run.load_agent_on_start = load_agent_on_start


def remember_applied_events() -> None:
    """Work out a tracker's applied events once per state of its history.

    Rasa recomputes them (a walk over the whole conversation) several times per message, twice
    in a row when deciding whether the session has expired. The answer depends only on the
    events, which only ever grow at the end, so it is remembered with the events it was
    computed for (the same deque, length and last event) and handed out as a fresh list.
    """
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_applied_events = DialogueStateTracker.applied_events

    def applied_events(self):
        events = self.events
        last = events[-1] if events else None
        known = self.__dict__.get("_applied_events")
        if known is not None and known[0] is events and known[1] == len(events) and known[2] is last:
            return list(known[3])
        applied = rasa_applied_events(self)
        self.__dict__["_applied_events"] = (events, len(events), last, tuple(applied))
        return applied

    DialogueStateTracker.applied_events = applied_events


class _CopyForDebugLogs:
    """Stands in for the ``copy`` module in a Rasa module that deep-copies values only to pass
    them to ``structlogger.debug``: copies when that module logs at debug level, else not."""

    def __init__(self, module_name: str) -> None:
        self._logger = logging.getLogger(module_name)  # the logger structlog filters by

    def deepcopy(self, value, memo=None):
        return copy.deepcopy(value, memo) if self._logger.isEnabledFor(logging.DEBUG) else value

    def __getattr__(self, name: str):
        return getattr(copy, name)


def copy_only_for_debug_logs() -> None:
    """Rasa's message processor and forms deep-copy events, slots and the latest message for
    every debug log line, whether or not debug logging is on (about 3% of the Rasa server's
    CPU). In those two modules ``copy.deepcopy`` is used for nothing else, so there it now
    copies only when debug logging is on."""
    import rasa.core.actions.forms
    import rasa.core.processor

    for module in (rasa.core.processor, rasa.core.actions.forms):
        module.copy = _CopyForDebugLogs(module.__name__)


def resolve_event_types_once() -> None:
    """Rasa looks up an event's class by scanning every Event subclass for every stored event it
    reads (10% of the Rasa server's CPU under load). Remember each answer; unknown names still go
    through Rasa's own lookup, so behaviour is unchanged."""
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    known: dict[str, type] = {}

    def resolve_by_type(type_name, default=None):
        found = known.get(type_name)
        if found is None:
            found = original(type_name, default)
            if found is not None and found is not default:
                known[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


# The action server (Sanic) closes idle connections after 5 s; stop reusing them well before.
IDLE_CONNECTION_SECONDS = 2.0


def encode_json(value) -> str:
    """The same JSON as the standard library writes for Rasa's payloads, several times faster."""
    import ujson

    return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)


class _Borrowed:
    """``async with endpoint.session() as s`` without closing the shared session at the end."""

    def __init__(self, session):
        self._session = session

    async def __aenter__(self):
        return self._session

    async def __aexit__(self, *exc_info) -> bool:
        return False


def reuse_action_server_connections() -> None:
    """Rasa opens a new HTTP client session, and so a new TCP connection, for every action it runs,
    and encodes the whole conversation with the standard library's JSON encoder. Keep one session
    per endpoint and event loop (connections are reused), and encode with ujson (already installed
    with Sanic), which writes the same JSON several times faster."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    def session(self: EndpointConfig) -> _Borrowed:
        loop = asyncio.get_running_loop()
        owner, shared = getattr(self, "_shared_session", (None, None))
        if shared is None or shared.closed or owner is not loop:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
            shared = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
                json_serialize=encode_json,
            )
            self._shared_session = (loop, shared)
        return _Borrowed(shared)

    EndpointConfig.session = session
