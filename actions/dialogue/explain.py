"""Actions that explain consultations: list, summary, options, documents, events, deadlines, FAQs, outcomes."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..content import explain
from ..settings import today
from ..text.matching import significant_words
from ..text.postcodes import find_postcode
from ..understanding.retrieval import NEXT_STEPS_CUE, answer_question, find_proposal
from ..understanding.words import is_question
from .common import FOLLOW_UP_WORDS, entity, latest_intent, latest_text, resolve_consultation, say
from .services import Catalogue, catalogue, in_thread, store

logger = logging.getLogger(__name__)

# A specific question read as one of these intents ("how much is the fine if I drive in during the
# closure?" as a deadline question) is answered from a fact in the content instead of the general answer.
SPECIFIC_OVERRIDES = {"summary", "deadline", "documents", "events", "proposals"}
FACT_PASSAGES = ("faq", "background", "proposal", "next_steps")

ASPECT_BY_INTENT = {
    "ask_about": "summary",
    "ask_deadline": "deadline",
    "ask_documents": "documents",
    "ask_events": "events",
    "ask_proposals": "proposals",
    "ask_background": "background",
    "ask_next_steps": "next_steps",
    "ask_faq": "faq",
    "ask_outcome": "outcome",
}


def list_all(dispatcher: CollectingDispatcher, content: Catalogue, closed: bool) -> list[dict]:
    """Every open (or finished) consultation, after "yes" to "would you like to see them all?"."""
    pool = content.closed_now() if closed else content.open_now()
    heading = (
        "These consultations have finished, most recent first:"
        if closed
        else "These consultations are open now, closing soonest first:"
    )
    say(dispatcher, explain.list_consultations(pool, today(), heading))
    return [SlotSet("listed", [c.slug for c in pool]), SlotSet("offer", None)]


class ActionListConsultations(Action):
    """'What's open?', narrowed by topic or place; 'what has finished?' lists closed ones."""

    def name(self) -> str:
        return "action_list_consultations"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        content = await catalogue(tracker)
        text = latest_text(tracker)
        closed = latest_intent(tracker) == "list_closed"
        focus = content.get(tracker.get_slot("consultation"))
        if focus is not None and NEXT_STEPS_CUE.search(text.lower()) and not content.finder.find(text):
            # "What happens after it closes?" is about the consultation in hand, not a list of closed ones.
            say(dispatcher, explain.next_steps(focus, today()))
            return []
        pool = content.closed_now() if closed else content.open_now()
        kind = "finished" if closed else "open"
        heading = (
            "These consultations have finished, most recent first:"
            if closed
            else "These consultations are open now, closing soonest first:"
        )

        ward = await _place_in(text, content)
        topic_hits = content.finder.by_topic(text) + [m.consultation for m in content.finder.find(text)]
        asked_about = ABOUT_SOMETHING.search(text)
        if ward:
            pool = [c for c in pool if "all" in c.wards or ward.slug in c.wards]
            heading = f"{kind.capitalize()} consultations affecting {ward.name}:"
        if topic_hits or asked_about:
            pool = [c for c in pool if c in topic_hits]
            heading = f"{kind.capitalize()} consultations on that topic:"

        if not pool:
            where = f" for {ward.name}" if ward else ""
            everything = content.closed_now() if closed else content.open_now()
            if not everything:
                dispatcher.utter_message(
                    text=f"There are no {kind} consultations at the moment. {explain.contact_line(content.council)}"
                )
                return []
            dispatcher.utter_message(
                text=f"I couldn't find any {kind} consultations{where} matching that. Would you like to see all {len(everything)} {kind} ones?",
                buttons=[{"title": f"Show all {kind}", "payload": "/list_closed" if closed else "/list_consultations"}],
            )
            return [SlotSet("listed", []), SlotSet("offer", f"list:{kind}")]
        # One message: on SMS a second one would replace the numbered choices the resident may reply with.
        say(dispatcher, explain.list_consultations(pool, today(), heading))
        return [SlotSet("listed", [c.slug for c in pool])]


ABOUT_SOMETHING = re.compile(r"\b(?:about|on|regarding|re)\s+(?!the moment\b|at\b|now\b|offer\b)[a-z]{3,}", re.IGNORECASE)


async def _place_in(text: str, content: Catalogue):
    postcode = find_postcode(text)
    if postcode:
        return await in_thread(store().ward_for_sector, postcode.sector)
    return content.finder.find_ward(text)


class ActionExplain(Action):
    """Answer about one consultation; the aspect comes from the intent, the consultation from the words or the focus."""

    def name(self) -> str:
        return "action_explain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        content = await catalogue(tracker)
        aspect = ASPECT_BY_INTENT.get(latest_intent(tracker), "faq")
        resolution = resolve_consultation(tracker, content)
        consultation = resolution.consultation
        if consultation is None:
            return self._which_one(dispatcher, content, resolution.candidates, resolution.named_something_unknown, aspect)
        day = today()
        text = latest_text(tracker)
        events: list[dict] = [SlotSet("consultation", consultation.slug)]
        # "What's option b", "tell me about the second option": by id suffix, title or position.
        proposal = find_proposal(consultation, text) if aspect in ("proposals", "summary", "faq", "background") else None
        if aspect == "summary" and asks_beyond_the_name(text, consultation):
            aspect = "faq"  # "is there a swimming pool planned?": a question about it, answered (or not) from its content
        if aspect == "outcome" and consultation.effective_status(day) == "open" and NEXT_STEPS_CUE.search(text.lower()):
            aspect = "next_steps"  # "what happens after it closes" about an open consultation
        specific = await self._specific_passage(consultation, text, aspect) if proposal is None else None
        if proposal is not None:
            answer = explain.proposal_answer(consultation, day, proposal)
        elif specific is not None:
            # "How much is the fine if I drive in during the closure?" may read as a deadline question;
            # a passage that answers it confidently beats the general answer for the intent.
            answer = explain.retrieved(consultation, day, specific.text, specific.label)
        elif aspect == "background" and not text_beyond_why(text):
            answer = explain.background(consultation, day)  # a plain "why?": the whole background
        elif aspect in ("faq", "background"):
            answer = await self._retrieve(consultation, content, text, aspect)
        elif aspect == "summary":
            answer = explain.summary(consultation, day)
        elif aspect == "deadline":
            answer = explain.deadline(consultation, day, in_survey=bool(tracker.active_loop.get("name")))
        elif aspect == "documents":
            answer = explain.documents(consultation, day, content.council)
        elif aspect == "events":
            answer = explain.events(consultation, day)
        elif aspect == "proposals":
            answer = explain.proposals(consultation, day)
        elif aspect == "next_steps":
            answer = explain.next_steps(consultation, day)
        else:
            answer = explain.outcome(consultation, day)
        say(dispatcher, answer)
        if consultation.effective_status(day) == "open" and not tracker.active_loop.get("name"):
            events.append(SlotSet("offer", f"survey:{consultation.slug}"))
        return events

    @staticmethod
    async def _specific_passage(consultation, text: str, aspect: str):
        """A confident passage of another kind than the intent's general answer, for a specific question."""
        if aspect not in SPECIFIC_OVERRIDES or not is_question(text):
            return None
        found = await in_thread(answer_question, consultation, text, aspect)
        if found is None or found.source.split(":")[0] not in FACT_PASSAGES:
            return None
        if aspect == "proposals" and found.source.startswith("proposal"):
            return None  # the general answer lists every option
        return found

    @staticmethod
    async def _retrieve(consultation, content: Catalogue, text: str, aspect: str) -> explain.Answer:
        """The passage of the consultation's own content that answers ``text``, or an honest "not covered"."""
        day = today()
        found = await in_thread(answer_question, consultation, text, aspect, True)
        if (found is None or not found.confident) and content.preview is None:  # an officer's preview logs nothing
            await record_unanswered(consultation.slug, text)  # officers see it either way
        if found is None:
            return explain.no_answer(consultation, day, content.council)
        return explain.retrieved(consultation, day, found.text, found.label, found.confident)

    @staticmethod
    def _which_one(dispatcher, content, candidates, unknown: bool, aspect: str) -> list[dict]:
        day = today()
        if candidates:
            say(dispatcher, explain.list_consultations(candidates, day, "Do you mean one of these?"))
            return [SlotSet("listed", [c.slug for c in candidates])]
        pool = content.open_now() if aspect != "outcome" else content.closed_now()
        if unknown:
            intro = "I couldn't find a consultation matching that."
        else:
            intro = "Which consultation do you mean?"
        if not pool:
            dispatcher.utter_message(text=f"{intro} There are none to show at the moment.")
            return []
        say(
            dispatcher,
            explain.list_consultations(
                pool, day, f"{intro} {'These are open now:' if aspect != 'outcome' else 'These have finished:'}"
            ),
        )
        return [SlotSet("listed", [c.slug for c in pool])]


def asks_beyond_the_name(text: str, consultation) -> bool:
    """A question with words beyond the consultation's own name and keywords ("what is it about?" has none)."""
    if not is_question(text):
        return False
    named = set(significant_words(" ".join([consultation.title, *consultation.keywords, *consultation.topics])))
    return any(word not in named and word not in FOLLOW_UP_WORDS for word in significant_words(text))


# Words that add nothing to "why?": "why is the council doing this?" is still just "why?".
WHY_FILLER = {"why", "is", "are", "this", "that", "it", "the", "council", "doing", "happening", "proposing", "so", "but", "and", "what", "for", "reason", "reasons"}  # fmt: skip


def text_beyond_why(text: str) -> bool:
    """True when the question says more than "why?" / "why is this happening?"."""
    return len([word for word in re.findall(r"[a-z']+", (text or "").lower()) if word not in WHY_FILLER]) > 1


async def record_unanswered(slug: str, text: str) -> None:
    """Keep, redacted, a question the content couldn't answer, so officers can add a FAQ (best effort)."""
    try:
        await in_thread(store().record_unanswered, slug, "question", text)
    except Exception:  # noqa: BLE001 - never let the log break the conversation
        logger.warning("unanswered.record_failed consultation=%s", slug)


class ActionFallback(Action):
    """When the NLU isn't sure: answer from the consultation's content, then a consultation name, then ask to rephrase."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        content = await catalogue(tracker)
        text = latest_text(tracker)
        day = today()
        focus = content.get(tracker.get_slot("consultation"))
        if focus:
            found = await in_thread(answer_question, focus, text, None, True)
            if found:
                if not found.confident and content.preview is None:
                    await record_unanswered(focus.slug, text)
                say(dispatcher, explain.retrieved(focus, day, found.text, found.label, found.confident))
                return []
        matches = content.finder.find(text)
        if matches and (len(matches) == 1 or matches[0].score - matches[1].score >= 0.1) and not entity(tracker, "consultation"):
            consultation = matches[0].consultation
            say(dispatcher, explain.summary(consultation, day))
            return [SlotSet("consultation", consultation.slug)]
        dispatcher.utter_message(response="utter_default")
        return []
