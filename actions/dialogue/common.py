"""Helpers shared by the dialogue actions: sending answers and working out which consultation is meant."""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from ..content.explain import Answer
from ..content.model import Consultation
from ..text.matching import ordinal_reference, significant_words
from ..understanding.words import is_question
from .services import Catalogue

# Words that say "the one we're talking about" rather than naming a consultation.
FOLLOW_UP_WORDS = {
    "more",
    "it",
    "this",
    "that",
    "them",
    "they",
    "one",
    "again",
    "else",
    "details",
    "detail",
    "full",
    "meeting",
    "meetings",
    "event",
    "events",
    "document",
    "documents",
    "read",
    "date",
    "dates",
    "closing",
    "respond",
    "response",
    "background",
    "why",
    "where",
    "next",
    "after",
    "faq",
    "faqs",
    "question",
    "questions",
    "decide",
    "decided",
    "decision",
    "outcome",
    "result",
    "results",
    "happened",
    "come",
    "came",
    "link",
    "links",
    "pdf",
    "exhibition",
    "drop",
    "session",
    "sessions",
}


def say(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    dispatcher.utter_message(text=answer.text, buttons=answer.buttons or None)


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def reply_medium(tracker: Tracker) -> str:
    """How replies reach the resident: "sms", "whatsapp" (told by the Twilio channel) or "chat", so wording fits."""
    medium = ((tracker.latest_message or {}).get("metadata") or {}).get("medium")
    return medium if medium in ("sms", "whatsapp") else "chat"


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def entity(tracker: Tracker, name: str) -> str | None:
    values = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == name]
    return values[0] if values else None


@dataclass
class Resolution:
    consultation: Consultation | None
    candidates: list[Consultation]
    named_something_unknown: bool = False


def resolve_consultation(tracker: Tracker, catalogue: Catalogue, allow_focus: bool = True) -> Resolution:
    """Which consultation the resident means, from a button, "the first one", their words, or the current focus."""
    slug = entity(tracker, "consultation")
    if slug:
        chosen = catalogue.get(slug)
        return Resolution(chosen, [])
    text = latest_text(tracker)
    ordinal = ordinal_reference(text)
    listed = tracker.get_slot("listed") or []
    if ordinal is not None and listed:
        try:
            chosen = catalogue.get(listed[ordinal])
        except IndexError:
            chosen = None
        if chosen:
            return Resolution(chosen, [])
    matches = catalogue.finder.find(text)
    if matches:
        top = matches[0]
        if len(matches) == 1 or top.score - matches[1].score >= 0.1:
            return Resolution(top.consultation, [])
        return Resolution(None, [m.consultation for m in matches if top.score - m.score < 0.1])
    by_topic = catalogue.finder.by_topic(text)
    if len(by_topic) == 1:
        return Resolution(by_topic[0], [])
    if len(by_topic) > 1:
        return Resolution(None, by_topic)
    focus = catalogue.get(tracker.get_slot("consultation"))
    unknown_words = [w for w in significant_words(text) if w not in FOLLOW_UP_WORDS]
    # "Tell me about the skate park" names a consultation we don't have; "is there a skate park planned?" asks
    # about the one in hand, and is answered (or honestly not) from its content.
    names_another = unknown_words and ordinal is None and latest_intent(tracker) == "ask_about" and not is_question(text)
    if focus and allow_focus and not names_another:
        return Resolution(focus, [])
    return Resolution(None, [], named_something_unknown=bool(unknown_words))
