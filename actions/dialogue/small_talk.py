"""Greeting and other conversation-management actions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from .services import in_thread, store

GREETING_BUTTONS = [
    {"title": "What's open?", "payload": "what consultations are open"},
    {"title": "Who is my councillor?", "payload": "who is my councillor"},
    {"title": "Help", "payload": "/help"},
]


class ActionGreet(Action):
    """Say hello with the council's name and a short "what I can do"."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        council = await in_thread(store().council)
        council_name = council.name if council else "your council"
        dispatcher.utter_message(
            text=(
                f"Hello! I'm the Have Your Say assistant for {council_name}. "
                "I can tell you about open consultations, help you give your views, "
                "and find your ward councillor. What would you like to do?"
            ),
            buttons=GREETING_BUTTONS,
        )
        return []
