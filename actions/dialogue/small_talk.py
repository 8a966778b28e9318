"""Greeting, privacy, 'talk to a person' and out-of-scope replies, using the council's own details."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..content import explain
from ..content.explain import contact_line
from ..content.model import Consultation
from ..settings import today
from .common import say
from .services import Catalogue, catalogue

GREETING_BUTTONS = [
    {"title": "What's open?", "payload": "what consultations are open"},
    {"title": "Who is my councillor?", "payload": "who is my councillor"},
    {"title": "Help", "payload": "/help"},
]


class ActionGreet(Action):
    """Say hello with the council's name and a short "what I can do"; offer to resume a paused response.

    The website widget opens with a greeting, and says which consultation the page is about, if any
    (message metadata "consultation", from ``?consultation=`` or the script tag's ``data-consultation``):
    then the chat starts with that consultation's summary."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        content = await catalogue(tracker)
        council_name = content.council.name if content.council else "your council"
        survey = tracker.get_slot("survey")
        if survey and tracker.active_loop_name == "survey_form":
            # Mid-response: the form asks its current step again straight after this (data/rules/survey.yml).
            dispatcher.utter_message(text=f"Welcome back! Let's carry on with your response to {survey.get('title')}.")
            return []
        linked = deep_linked(tracker, content)
        if linked is not None:
            say(dispatcher, explain.summary(linked, today()))
            return [SlotSet("consultation", linked.slug)]
        if survey and survey.get("stage") not in ("done", "declined"):
            dispatcher.utter_message(
                text=f"Welcome back! You have an unfinished response to {survey.get('title')}. Would you like to carry on where you left off?",
                buttons=[{"title": "Yes, continue", "payload": "/resume_survey"}, {"title": "No", "payload": "no"}],
            )
            return [SlotSet("offer", "resume")]
        dispatcher.utter_message(
            text=(
                f"Hello! I'm the Have Your Say assistant for {council_name}. "
                "I can tell you about open consultations, help you give your views, "
                "and find your ward councillor. What would you like to do?"
            ),
            buttons=GREETING_BUTTONS,
        )
        return []


def deep_linked(tracker: Tracker, content: Catalogue) -> Consultation | None:
    """The consultation the widget's page is about (its slug in the message's metadata), if it is one we show."""
    slug = ((tracker.latest_message or {}).get("metadata") or {}).get("consultation")
    return content.get(slug) if isinstance(slug, str) and len(slug) <= 100 else None


class ActionPrivacy(Action):
    def name(self) -> str:
        return "action_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        council = (await catalogue()).council
        name = council.name if council else "The council"
        notice = f" The full privacy notice is at {council.privacy_notice_url}" if council else ""
        dispatcher.utter_message(
            text=(
                f"{name} is responsible for what you tell me. If you respond to a consultation we keep your answers to report "
                "what people said, and only with your agreement. We don't ask for your name, and we remove names, phone numbers, "
                "emails and full postcodes from comments before saving them. You can withdraw a response with its reference."
                f"{notice}"
            )
        )
        return []


class ActionTalkToPerson(Action):
    def name(self) -> str:
        return "action_talk_to_person"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        council = (await catalogue()).council
        extra = f" You can also use {council.contact_web}" if council and council.contact_web else ""
        dispatcher.utter_message(text=f"Of course. {contact_line(council)}{extra}")
        return []


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        council = (await catalogue()).council
        dispatcher.utter_message(
            text=f"Sorry, I can only help with consultations. For anything else, please contact the council: {contact_line(council)}",
            buttons=[{"title": "What's open?", "payload": "/list_consultations"}, {"title": "Help", "payload": "/help"}],
        )
        return []


def outcome_message(consultation, reference: str) -> str:
    result = consultation.outcome
    return (
        f"Update on {consultation.title}, which you responded to (reference {reference}).\n"
        f"You said: {result.you_said}\nWe did: {result.we_did}"
    )


class ActionNotifyOutcome(Action):
    """Sent by `haveyoursay notify-outcome` through Rasa's API, on the resident's own channel."""

    def name(self) -> str:
        return "action_notify_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        from .common import entity
        from .services import in_thread, store

        slug, reference = entity(tracker, "consultation"), entity(tracker, "reference")
        consultation = await in_thread(store().consultation, slug) if slug else None
        if consultation is None or consultation.outcome is None or not reference:
            return []
        dispatcher.utter_message(text=outcome_message(consultation, reference))
        return []


class ActionCheckUpdates(Action):
    """When a returning website visitor opens the chat, show outcomes published since they responded."""

    def name(self) -> str:
        return "action_check_updates"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        from ..notifications import pending_for
        from .services import in_thread, store

        channel = tracker.get_latest_input_channel() or "socketio"
        for slug, reference in await in_thread(pending_for, store(), channel, tracker.sender_id):
            consultation = await in_thread(store().consultation, slug)
            if consultation and consultation.outcome:
                dispatcher.utter_message(text=outcome_message(consultation, reference))
        return []
