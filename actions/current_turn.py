"""What an action sees of the conversation: every slot, the latest message, and the current turn.

The current turn runs from the ``action_listen`` before the resident's latest message to the end:
that message and everything the bot has done since. Older events are not part of any action's
input; state an action needs later belongs in a slot (docs/ARCHITECTURE.md, "What actions see").

The action server trims every call to the current turn (actions/action_server.py), so actions see
the same thing whether Rasa sent the whole history (stock Rasa, ``HYS_SPEEDUPS=off``) or only the
current turn (``speedups.send_actions_the_current_turn``). Both sides find the turn here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

USER = "user"
ACTION = "action"
ACTION_LISTEN = "action_listen"


def turn_start(kinds: Sequence[tuple[Any, Any]]) -> int:
    """Index of the ``action_listen`` before the latest user message (0 if there is none), given each
    event's (type, action name)."""
    for index in range(len(kinds) - 1, -1, -1):
        if kinds[index][0] == USER:
            for before in range(index - 1, -1, -1):
                if kinds[before][0] == ACTION and kinds[before][1] == ACTION_LISTEN:
                    return before
            return 0
    return 0


def current_turn(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The current turn of events as Rasa sends them to the action server (dicts)."""
    return list(events[turn_start([(event.get("event"), event.get("name")) for event in events]) :])


def current_turn_start(events: Sequence[Any]) -> int:
    """The same start, for Rasa's own event objects (in the Rasa server)."""
    return turn_start([(event.type_name, getattr(event, "action_name", None)) for event in events])
