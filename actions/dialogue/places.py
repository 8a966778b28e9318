"""'Who is my councillor?' and places: postcodes and ward names resolved from the store."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from ..content import explain
from ..settings import today
from ..text.postcodes import find_postcode, looks_like_postcode_attempt
from .common import latest_intent, latest_text, say
from .services import catalogue, in_thread, store
from .survey import WITHDRAW_PROOF, prove_withdrawal

POSTCODE_EXAMPLE = "MB3 4AB"


class ActionFindCouncillor(Action):
    """Find the ward and councillors for a postcode or ward name, asking for a postcode if none was given."""

    def name(self) -> str:
        return "action_find_councillor"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        awaiting = tracker.get_slot("awaiting") or ""
        if awaiting.startswith(WITHDRAW_PROOF):  # this postcode proves a withdrawal; it isn't a place question
            return await prove_withdrawal(dispatcher, tracker, awaiting[len(WITHDRAW_PROOF) :])
        content = await catalogue()
        text = latest_text(tracker)
        council_name = content.council.name if content.council else "the council's area"
        postcode = find_postcode(text)
        if postcode:
            ward = await in_thread(store().ward_for_sector, postcode.sector)
            if ward is None:
                dispatcher.utter_message(
                    text=f"That postcode ({postcode.sector}…) is outside {council_name}, so I can't tell you a councillor there. Your own council's website will list yours."
                )
                return [SlotSet("awaiting", None)]
            return self._show(dispatcher, ward, tracker)
        ward = content.finder.find_ward(text)
        if ward:
            return self._show(dispatcher, ward, tracker)
        if looks_like_postcode_attempt(text) or tracker.get_slot("awaiting") == "place":
            dispatcher.utter_message(
                text=f"Sorry, I couldn't read that as a postcode. Please type your full postcode, for example {POSTCODE_EXAMPLE}, or the name of your ward."
            )
            return [SlotSet("awaiting", "place")]
        if latest_intent(tracker) == "inform_place":
            dispatcher.utter_message(
                text=f"I couldn't find that place in {council_name}. Please type your postcode, for example {POSTCODE_EXAMPLE}."
            )
            return [SlotSet("awaiting", "place")]
        dispatcher.utter_message(text=f"I can find your ward councillor. What's your postcode? For example {POSTCODE_EXAMPLE}.")
        return [SlotSet("awaiting", "place")]

    @staticmethod
    def _show(dispatcher: CollectingDispatcher, ward, tracker: Tracker) -> list[dict]:
        say(dispatcher, explain.councillors(ward))
        return [SlotSet("awaiting", None), SlotSet("ward", ward.slug)]


class ActionPlace(Action):
    """A resident gives a place ('MB3 4AB', 'I live in Harbourside'): answer what they were asked for."""

    def name(self) -> str:
        return "action_place"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        if (tracker.get_slot("awaiting") or "").startswith(WITHDRAW_PROOF):
            return await ActionFindCouncillor().run(dispatcher, tracker, domain)
        events = await ActionFindCouncillor().run(dispatcher, tracker, domain)
        ward_slug = next((e["value"] for e in events if e.get("name") == "ward"), None)
        if ward_slug:
            content = await catalogue(tracker)
            nearby = [c for c in content.open_now() if "all" in c.wards or ward_slug in c.wards]
            if nearby:
                day = today()
                ward = content.ward(ward_slug)
                say(
                    dispatcher,
                    explain.list_consultations(
                        nearby, day, f"Open consultations affecting {ward.name if ward else 'your ward'}:"
                    ),
                )
                events.append(SlotSet("listed", [c.slug for c in nearby]))
        return events
