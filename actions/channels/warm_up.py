"""The Rasa server warms up before its first resident, right after the model has loaded.

Rasa loads the model in a ``before_server_start`` listener; this one runs ``after_server_start``
(attached to the REST channel's blueprint, which is always on) and parses a few typical messages
and predicts a first action, and reads (never writes) the tracker store and the channel edge's
table once, so the first residents don't pay for what is set up on first use (connections,
SQLAlchemy's mappers and compiled statements, the graph's run order). Only the tracker store's
read on a database server yields to the event loop; otherwise no request is served until the
warm-up has finished, so answering ``/status`` means warm.

Then, unless ``HYS_SPEEDUPS=off``, everything alive is moved into the garbage collector's
permanent generation (``gc.freeze``): the server holds millions of long-lived objects
(TensorFlow, spaCy, the model) that every full collection walked again, though none of them is
ever garbage. That made p99 latency about half.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint

from .. import speedups
from .addressing import store

WARM_UP_CONVERSATION = "warm-up"  # not a conversation key (channel:hash), so never a resident's
WARM_UP_MESSAGES = ("hello", "what consultations are open", "I want to have my say", "yes", "agree", "submit")


def attach_warm_up(blueprint: Blueprint) -> None:
    blueprint.listener("after_server_start")(warm_up_rasa)


async def warm_up_rasa(app: Any, _loop: Any) -> None:
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return  # no model yet (Rasa started without one): nothing to warm
    started = time.monotonic()
    parses = [await agent.parse_message(text) for text in WARM_UP_MESSAGES]
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    events.append(UserUttered(WARM_UP_MESSAGES[0], parses[0]["intent"], parses[0]["entities"], parses[0]))
    tracker = DialogueStateTracker.from_events("warm-up", events, agent.domain.slots)
    agent.processor.predict_next_with_tracker(tracker)
    await agent.tracker_store.retrieve(WARM_UP_CONVERSATION)
    store().offered_payloads(WARM_UP_CONVERSATION)
    frozen = speedups.allowed("freeze_the_loaded_model")
    if frozen:
        gc.collect()
        gc.freeze()
    # Printed: Rasa leaves our loggers below WARNING unshown.
    print(f"rasa_server.warm seconds={time.monotonic() - started:.2f} gc_frozen={frozen}", flush=True)
