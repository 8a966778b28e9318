"""Patches to Rasa 3.6 internals on the Rasa server's per-message hot path, behind one switch.

Each one was found with py-spy under `make bench` load (docs/performance.md) where Rasa offers no
extension point, and replaces one small function. Every patch:

* is applied in the Rasa server process only (``actions.servers.run_rasa``), and not at all with
  ``HYS_SPEEDUPS=off``, which runs stock Rasa so the two can be compared (tests/test_parity.py);
* names the Rasa version it was checked against and refuses, with a warning, to apply on any other
  (a Rasa upgrade then runs stock code until each patch has been checked again);
* keeps Rasa's behaviour, pinned by tests/test_speedups.py. ``send_actions_the_current_turn``
  changes what travels, not what actions see: the action server trims every call to the current
  turn itself (actions/action_server.py), whichever way Rasa sent it.

Speed-ups that Rasa lets us make through its own extension points live with those and follow the
same switch and version check (:func:`allowed`): the NLU components and policy named in config.yml
(actions/nlu/), the tracker store's cache (actions/store/tracker_store.py), and the warm-up before
the server reports ready (actions/channels/warm_up.py).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

# The Rasa release every patch and every extension's speed-up was last checked against.
CHECKED_AGAINST = "3.6.21"

PATCHES: list[Callable[[], bool]] = []
_refused: set[str] = set()


def enabled() -> bool:
    """False with ``HYS_SPEEDUPS=off``: every patch and every extension's speed-up is left out."""
    from .settings import get_settings

    return get_settings().speedups


def running_rasa_version() -> str:
    import rasa

    return rasa.__version__


def allowed(name: str, checked_against: str = CHECKED_AGAINST) -> bool:
    """Whether the speed-up ``name`` may run: the switch is on and this is the Rasa it was checked against.

    On any other version it is refused with a warning (once per name), and Rasa's own code runs."""
    if not enabled():
        return False
    running = running_rasa_version()
    if running == checked_against:
        return True
    if name not in _refused:
        _refused.add(name)
        logger.warning(
            "speedup.refused name=%s checked_against=rasa-%s running=rasa-%s (Rasa's own code runs instead)",
            name,
            checked_against,
            running,
        )
    return False


def rasa_patch(checked_against: str) -> Callable[[Callable[[], None]], Callable[[], bool]]:
    """Register a patch checked against one Rasa version; calling it applies it, or refuses (False)."""

    def register(apply: Callable[[], None]) -> Callable[[], bool]:
        def apply_if_allowed() -> bool:
            if not allowed(apply.__name__, checked_against):
                return False
            apply()
            return True

        apply_if_allowed.__name__ = apply.__name__
        apply_if_allowed.__doc__ = apply.__doc__
        apply_if_allowed.checked_against = checked_against  # type: ignore[attr-defined]
        PATCHES.append(apply_if_allowed)
        return apply_if_allowed

    return register


def apply_to_rasa_server() -> list[str]:
    """Apply every patch this Rasa allows; returns the names applied (none with HYS_SPEEDUPS=off)."""
    if not enabled():
        logger.info("speedups.off (HYS_SPEEDUPS=off): stock Rasa code throughout")
        return []
    applied = [patch.__name__ for patch in PATCHES if patch()]
    logger.info("speedups.applied count=%d of=%d rasa=%s", len(applied), len(PATCHES), running_rasa_version())
    return applied


@rasa_patch(checked_against="3.6.21")
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


@rasa_patch(checked_against="3.6.21")
def run_prediction_graph_in_plain_python() -> None:
    """Run the model's graph by calling its nodes in order, instead of through dask.

    For every message Rasa runs the NLU graph and, for every action it predicts, the policy graph,
    each time building a dask graph and letting dask's scheduler order a dozen nodes (about 9% of
    the Rasa server's CPU). The order depends only on the targets, so it is worked out once per
    set of targets; each node still gets exactly its parents' outputs, as with dask. A node that
    loads eagerly and has no hooks (every node at inference) is called as its ``GraphNode`` would
    call it, without matching inputs by name and formatting a debug line per node (about 3% more).
    Training, which runs in its own process, is untouched.
    """
    from graphlib import TopologicalSorter

    from rasa.engine.exceptions import GraphComponentException, GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.shared.exceptions import InvalidConfigException, RasaException

    graph_logger = logging.getLogger("rasa.engine.graph")

    def call_directly(name: str, node, kwargs: dict):
        """``GraphNode.__call__`` for an eager node without hooks (every node at inference): the same call of
        the component, with the same errors, without matching inputs by name and formatting a debug line."""
        try:
            return node._fn(node._component, **kwargs)
        except InvalidConfigException:
            raise
        except Exception as error:
            if not isinstance(error, RasaException):
                raise GraphComponentException(f"Error running graph component for node {name}.") from error
            graph_logger.error(f"Error running graph component for node {name}.")
            raise

    def run(self: DaskGraphRunner, inputs=None, targets=None):
        run_targets = list(targets or self._graph_schema.target_names)
        plans = self.__dict__.setdefault("_plans", {})
        plan = plans.get(tuple(run_targets))
        if plan is None:
            schema = self._graph_schema.minimal_graph_schema(run_targets)
            order = TopologicalSorter({name: set(node.needs.values()) for name, node in schema.nodes.items()})
            plan = []
            for name in order.static_order():
                if name not in schema.nodes:
                    continue
                node = self._instantiated_nodes[name]
                direct = node._eager and not node._hooks and dict(node._inputs) == dict(schema.nodes[name].needs)
                plan.append((name, node, list(schema.nodes[name].needs.items()), direct))
            plans[tuple(run_targets)] = plan
        outputs = dict(inputs or {})
        clash = set(outputs) & {name for name, *_ in plan}
        if clash:
            raise GraphRunError(f"Input names {sorted(clash)} clash with node names of the graph.")
        try:
            for name, node, needs, direct in plan:
                missing = [parent for _, parent in needs if parent not in outputs]
                if direct and not missing:
                    outputs[name] = call_directly(name, node, {argument: outputs[parent] for argument, parent in needs})
                else:  # Rasa's own call, given (name, value) pairs as dask gives them (a missing one as its name)
                    given = ((parent, outputs[parent]) if parent in outputs else parent for _, parent in needs)
                    outputs[name] = node(*given)[1]
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return {target: outputs[target] for target in run_targets}

    DaskGraphRunner.run = run


@rasa_patch(checked_against="3.6.21")
def send_actions_the_current_turn() -> None:
    """Send the action server the conversation's state and the current turn's events, not the
    whole history.

    Rasa sends every event of the conversation with every action call, so a survey's last
    answers carried about 60 kB of JSON each way: 8% of the Rasa server's CPU to build and
    encode, and most of the action server's to decode. Actions only ever see the current turn:
    the action server trims each call to it (actions/current_turn.py), so sending only that
    turn changes the bytes on the loopback, never an action's input. Everything else in the
    call is exactly as Rasa builds it.
    """
    import dataclasses

    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    from .current_turn import current_turn_start

    def _action_call_format(self, tracker, domain):
        active_loop, tracker.active_loop = tracker.active_loop, None
        try:
            state = tracker.current_state(EventVerbosity.NONE)
        finally:
            tracker.active_loop = active_loop
        # Rasa writes the active loop out with dataclasses.asdict, which deep-copies the message that
        # started the form (its whole parse); it is only encoded, so the fields themselves will do.
        state["active_loop"] = (
            {field.name: getattr(active_loop, field.name) for field in dataclasses.fields(active_loop)} if active_loop else {}
        )
        events = list(tracker.events)
        state["events"] = [event.as_dict() for event in events[current_turn_start(events) :]]
        result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    RemoteAction._action_call_format = _action_call_format


@rasa_patch(checked_against="3.6.21")
def remember_applied_events() -> None:
    """Work out a tracker's applied events once per state of its history, and only for new events.

    Rasa recomputes them (a walk over the whole conversation) several times per message, twice
    in a row when deciding whether the session has expired. The answer depends only on the
    events, which only ever grow at the end, so it is remembered with the events it was computed
    for (the same deque, length and last event) and handed out as a fresh list. When events have
    been appended since, Rasa's own walk is carried on from where it stopped, over the new events
    only; that is the same walk, unless a new event names an active loop not seen before (the walk
    treats every loop named anywhere in the conversation alike), in which case it starts again.
    """
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        ActiveLoop,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    def walk(tracker, applied: list, events, loop_names: frozenset) -> list:
        """Rasa 3.6's ``DialogueStateTracker.applied_events`` loop, from ``applied`` over ``events``."""
        for event in events:
            if isinstance(event, (Restarted, SessionStarted)):
                applied = []
            elif isinstance(event, ActionReverted):
                tracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                tracker._undo_till_previous(UserUttered, applied)
                tracker._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in loop_names
                and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                tracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        return applied

    def loops_named(events) -> frozenset:
        return frozenset(event.name for event in events if isinstance(event, ActiveLoop) and event.name)

    def applied_events(self):
        events = self.events
        length = len(events)
        last = events[-1] if length else None
        known = self.__dict__.get("_applied_events")
        applied = None
        if known is not None and known[0] is events:
            done, done_last, done_applied, loop_names = known[1:]
            if done == length and done_last is last:
                return list(done_applied)
            if 0 < done < length and events[done - 1] is done_last:
                new = [events[index] for index in range(done, length)]
                if loops_named(new) <= loop_names:
                    applied = walk(self, list(done_applied), new, loop_names)
        if applied is None:
            loop_names = loops_named(events)
            applied = walk(self, [], events, loop_names)
        self.__dict__["_applied_events"] = (events, length, last, tuple(applied), loop_names)
        return list(applied)

    DialogueStateTracker.applied_events = applied_events


# A tracker's own attributes in Rasa 3.6 (and the applied-events memo above); any other means a
# tracker this copy was not written for, which Rasa copies itself.
_TRACKER_ATTRIBUTES = frozenset(
    {
        "_max_event_history",
        "_paused",
        "active_loop",
        "assistant_id",
        "events",
        "followup_action",
        "is_rule_tracker",
        "latest_action",
        "latest_bot_utterance",
        "latest_message",
        "model_id",
        "sender_id",
        "sender_source",
        "slots",
        "_applied_events",
    }
)


def _copy_slot(slot):
    """``copy.copy(slot)`` (Rasa's slots define no copy hooks), without ``copy``'s generic machinery."""
    copied = slot.__class__.__new__(slot.__class__)
    copied.__dict__.update(slot.__dict__)
    return copied


def clone_tracker(tracker, events=None):
    """A new tracker in the state Rasa would get by replaying ``tracker``'s events (or ``events``, which
    must end in the same state: the events since the latest restart), without replaying them; None
    for a tracker this was not written for (a subclass, a bounded history, unknown attributes).

    The same event objects (Rasa's replay shares them too), a copy of each slot, of the active loop
    and of the latest action, and what a replayed tracker leaves unset left unset: model and
    assistant id, sender source. The applied-events memo is carried over when the events are the
    same."""
    import dataclasses
    from collections import deque

    from rasa.shared.constants import DEFAULT_SENDER_ID
    from rasa.shared.core.trackers import DialogueStateTracker

    state = tracker.__dict__
    if (
        type(tracker) is not DialogueStateTracker
        or tracker._max_event_history is not None
        or type(tracker.slots) is not dict
        or not _TRACKER_ATTRIBUTES.issuperset(state)
    ):
        return None
    clone = DialogueStateTracker.__new__(DialogueStateTracker)
    clone.__dict__.update(
        _max_event_history=None,
        events=deque(tracker.events if events is None else events),
        sender_id=tracker.sender_id or DEFAULT_SENDER_ID,
        slots={name: _copy_slot(slot) for name, slot in tracker.slots.items()},
        sender_source=None,
        is_rule_tracker=tracker.is_rule_tracker,
        _paused=tracker._paused,
        followup_action=tracker.followup_action,
        latest_action=dict(tracker.latest_action) if tracker.latest_action is not None else None,
        latest_message=tracker.latest_message,
        latest_bot_utterance=tracker.latest_bot_utterance,
        active_loop=dataclasses.replace(tracker.active_loop) if tracker.active_loop is not None else None,
        model_id=None,
        assistant_id=None,
    )
    known = state.get("_applied_events")
    if events is None and known is not None and known[0] is tracker.events and known[1] == len(tracker.events):
        clone.__dict__["_applied_events"] = (clone.events, *known[1:])
    return clone


@rasa_patch(checked_against="3.6.21")
def copy_trackers_without_replaying_them() -> None:
    """Copy a tracker by copying its state, instead of replaying its whole conversation.

    Rasa copies the tracker before every action it runs; each copy replayed every event of the
    conversation into a new tracker (about 5% of the Rasa server's CPU near the end of a survey). A
    tracker's state is, by Rasa's own rule, what replaying its events gives, so the copy takes that
    state directly (:func:`clone_tracker`). Trackers it was not written for are copied by Rasa.
    """
    from rasa.shared.core.trackers import DialogueStateTracker

    rasa_copy = DialogueStateTracker.copy

    def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
        return clone_tracker(self) or rasa_copy(self)

    DialogueStateTracker.copy = copy_tracker


@rasa_patch(checked_against="3.6.21")
def build_form_trackers_without_replaying() -> None:
    """Give a form's validation its temporary tracker without replaying the conversation.

    Before validating an answer, Rasa's form builds a temporary tracker from every event since the
    latest restart plus two marker events and the new ones (another 5% of the Rasa server's CPU).
    Replaying the events since the latest restart ends in the tracker's current state, so the
    temporary tracker starts as a copy of that state holding those events (:func:`clone_tracker`),
    and the marker and new events are applied to it one by one, as Rasa's replay would. Domain slots
    that the tracker lacks, or a tracker it was not written for, go through Rasa's own code.
    """
    from rasa.core.actions.forms import FormAction
    from rasa.shared.core.constants import REQUESTED_SLOT
    from rasa.shared.core.events import ActionExecuted, SlotSet

    rasa_temporary_tracker = FormAction._temporary_tracker

    def _temporary_tracker(self, current_tracker, additional_events, domain):
        if {slot.name for slot in domain.slots} != set(current_tracker.slots):
            return rasa_temporary_tracker(self, current_tracker, additional_events, domain)
        temporary = clone_tracker(current_tracker, current_tracker.events_after_latest_restart())
        if temporary is None:
            return rasa_temporary_tracker(self, current_tracker, additional_events, domain)
        for event in [SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)), ActionExecuted(self.name())]:
            temporary.update(event)
        for event in additional_events:
            temporary.update(event)
        return temporary

    FormAction._temporary_tracker = _temporary_tracker


@rasa_patch(checked_against="3.6.21")
def check_a_domain_is_empty_once() -> None:
    """Before using each message's parse, Rasa checks that its domain is not empty by writing out the
    whole domain as a dict and comparing it with an empty domain's (about 3% of the Rasa server's
    CPU). A domain does not change once loaded (a new model brings a new domain object), so the
    answer is worked out once per domain object."""
    from rasa.shared.core.domain import Domain

    rasa_is_empty = Domain.is_empty

    def is_empty(self) -> bool:
        known = self.__dict__.get("_hys_is_empty")
        if known is None:
            known = self.__dict__["_hys_is_empty"] = rasa_is_empty(self)
        return known

    Domain.is_empty = is_empty


class _CopyForDebugLogs:
    """Stands in for the ``copy`` module in a Rasa module that deep-copies values only to pass
    them to ``structlogger.debug``: copies when that module logs at debug level, else not."""

    def __init__(self, module_name: str) -> None:
        self._logger = logging.getLogger(module_name)  # the logger structlog filters by

    def deepcopy(self, value, memo=None):
        return copy.deepcopy(value, memo) if self._logger.isEnabledFor(logging.DEBUG) else value

    def __getattr__(self, name: str):
        return getattr(copy, name)


@rasa_patch(checked_against="3.6.21")
def copy_only_for_debug_logs() -> None:
    """Rasa's message processor and forms deep-copy events, slots and the latest message for
    every debug log line, whether or not debug logging is on (about 3% of the Rasa server's
    CPU). In those two modules ``copy.deepcopy`` is used for nothing else, so there it now
    copies only when debug logging is on."""
    import rasa.core.actions.forms
    import rasa.core.processor

    for module in (rasa.core.processor, rasa.core.actions.forms):
        module.copy = _CopyForDebugLogs(module.__name__)


@rasa_patch(checked_against="3.6.21")
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


@rasa_patch(checked_against="3.6.21")
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
