"""Actions that run the generic survey for any consultation (no per-consultation forms, no retraining).

Rasa side: one form, ``survey_form``, with one slot, ``survey_answer``. The
whole in-progress response lives in the ``survey`` slot (see
``actions/survey/engine.py``), so it survives action-server restarts. This
module only adapts between Rasa and the engine:

* ``validate_survey_form`` feeds each message to the engine and then asks
  whatever the engine needs next, in the same call. When the message is a
  question about the consultation ("when does it close?") it returns nothing,
  so Rasa's rules answer it; Rasa then runs the form again, which calls this
  validation without a new message, and it asks the same step again.
  There is deliberately no ``action_ask_survey_answer``: with none in the
  domain, Rasa's form leaves the asking to the validation action, which saves
  a second action-server call on every survey message (docs/performance.md).
  When the survey ends (submitted, declined, or its consultation withdrawn)
  the same call fills the form's slot, which ends Rasa's form, and clears the
  answers from the conversation state; a rule then just listens.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from ..content import explain
from ..content.model import Consultation
from ..settings import get_settings, today
from ..store.addresses import SEALED_ADDRESS
from ..store.conversations import delete_conversations
from ..store.identity import channel_of_key, find_reference
from ..survey.controls import LATE_ANSWER_REPLY, control, step_id
from ..survey.engine import PREFER_NOT, Reply, Survey, new_state
from ..survey.parsing import normalise
from ..survey.sms_wording import survey_class
from ..survey.submission import redacted_answers, redacted_other_texts, submission_problems
from ..text.postcodes import find_postcode
from ..text.themes import tagger_for
from .common import latest_text, reply_medium, resolve_consultation, say
from .preview import PREVIEW_CHANNEL, PREVIEW_ENDED, preview_submitted
from .services import Catalogue, catalogue, in_thread, store

logger = logging.getLogger(__name__)

FORM = "survey_form"
# Questions a resident may ask mid-survey; the form pauses to answer, then asks again.
INTERRUPTIONS = {
    "ask_deadline",
    "ask_documents",
    "ask_events",
    "ask_proposals",
    "ask_background",
    "ask_next_steps",
    "ask_faq",
    "ask_about",
    "help",
    "bot_challenge",
    "privacy",
    "talk_to_person",
    "pause_survey",
    "list_consultations",
    "list_closed",
    "ask_outcome",
    "find_councillor",
    "out_of_scope",
    "withdraw_response",
    "goodbye",
    "delete_my_data",
}
PAUSE_WORDS = {
    "stop",
    "pause",
    "later",
    "not now",
    "finish later",
    "do it later",
    "carry on later",
    "quit",
    "exit",
    "stop please",
    "can i finish later",
    "i'll finish later",
    "ill finish later",
    "come back later",
}
MAX_MESSAGE_CHARS = 5000
# The website widget's own commands (channels/addressing.CHANNEL_COMMANDS): on opening and reopening the chat,
# never answers. Mid-survey, a rule answers them and the form asks the current step again.
WIDGET_COMMANDS = {"greet", "check_updates"}


def channel_of(tracker: Tracker) -> str:
    """The channel named in the conversation key (set by the channel edge, so it can't be chosen by a caller)."""
    return channel_of_key(tracker.sender_id) or tracker.get_latest_input_channel() or "unknown"


def answered_step(tracker: Tracker) -> str | None:
    """The survey step an answer was given for, when the widget says so (message metadata "question")."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    step = metadata.get("question")
    return step if isinstance(step, str) else None


def sealed_address(tracker: Tracker) -> str | None:
    """The encrypted reply address the channel edge attached to the latest message (never stored in the tracker)."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    sealed = metadata.get(SEALED_ADDRESS)
    return sealed if isinstance(sealed, str) and len(sealed) < 1000 else None


def responding_to_new_message(tracker: Tracker) -> bool:
    """True when the form was run straight after the resident spoke.

    Rasa appends a marker ActionExecuted(survey_form) before calling validation,
    so the action before that marker tells us what triggered the form.
    """
    actions = [event.get("name") for event in tracker.events if event.get("event") == "action"]
    return len(actions) >= 2 and actions[-2] == "action_listen"


def survey_for(consultation: Consultation, content: Catalogue, medium: str = "chat") -> Survey:
    themes = content.council.themes if content.council else {}
    tagger = tagger_for(themes) if themes else None

    def resolve_sector(sector: str) -> str | None:
        ward = store().ward_for_sector(sector)
        return ward.slug if ward else None

    return survey_class(medium)(
        consultation,
        content.council,
        resolve_sector=resolve_sector,
        theme_tagger=tagger.tags if tagger else (lambda text: []),
        public_places=tuple(ward.name for ward in content.wards),
        postcode_proof=store().postcode_hash,
    )


def send(dispatcher: CollectingDispatcher, replies: list[Reply], control: dict | None = None) -> None:
    """``control``: the current step as data for the website widget (survey/controls.py), sent with the last reply."""
    for number, reply in enumerate(replies, start=1):
        if reply.text:
            extra = {"json_message": {"question": control}} if control and number == len(replies) else {}
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, **extra)


def on_widget(tracker: Tracker) -> bool:
    """The website widget (socket.io) draws answer controls from data sent with each survey prompt."""
    return channel_of(tracker) in ("socketio", PREVIEW_CHANNEL)  # an officer's preview is the widget too


def ask(
    dispatcher: CollectingDispatcher, survey: Survey, state: dict, before: list[Reply] | None = None, widget: bool = False
) -> dict:
    """Ask the current step (consent, a question, the review...) after the replies ``before`` it ("Skipped.");
    returns the state to keep. By SMS they go as one text. On the website widget the step also goes as data.

    A hint about a misunderstood answer is shown once, with the question it belongs to."""
    prompt = survey.prompt(state)
    replies = [*(before or []), prompt]
    if survey.joins_replies:
        replies = [Reply("\n\n".join(reply.text for reply in replies if reply.text), prompt.buttons)]
    send(dispatcher, replies, control(survey, state) if widget else None)
    return dict(state, hint="") if state.get("hint") else state


def survey_ended(how: str, state: dict | None) -> list[dict]:
    """Events that end the survey form (its one slot filled) and drop the answers from the
    conversation state, keeping the reference to quote. ``begin_survey`` empties the slot again."""
    return [
        SlotSet("survey_answer", how),
        SlotSet("survey", None),
        SlotSet("last_reference", (state or {}).get("reference")),
    ]


@lru_cache(maxsize=64)
def _consultation_version(slug: str, version: int) -> Consultation | None:
    return store().consultation_version(slug, version)  # versions never change once written


async def started_version(consultation: Consultation | None, state: dict | None) -> Consultation | None:
    """The consultation as it was when this response started: an officer's edit since then doesn't
    move the resident to another question, and the response is finished on the version it began."""
    version = (state or {}).get("version")
    if consultation is None or version is None or version == consultation.version:
        return consultation
    return await in_thread(_consultation_version, consultation.slug, version) or consultation


async def begin_survey(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    consultation: Consultation,
    content: Catalogue,
    amend: tuple[str, dict] | None = None,
) -> list[dict]:
    """Start (or resume) a response for ``consultation``; returns events that activate the survey form."""
    day = today()
    status = consultation.effective_status(day)
    if status != "open":
        answer = explain.outcome(consultation, day)
        dispatcher.utter_message(
            text=f"Sorry, {consultation.title} {explain.status_phrase(consultation, day)}, so it can't take responses any more."
        )
        say(dispatcher, answer)
        return [SlotSet("consultation", consultation.slug)]
    current = tracker.get_slot("survey")
    if current and current.get("slug") == consultation.slug and current.get("stage") not in ("done", "declined") and not amend:
        dispatcher.utter_message(text=f"Let's carry on with your response to {consultation.title}.")
        return [
            SlotSet("consultation", consultation.slug),
            SlotSet("survey_answer", None),
            SlotSet("offer", None),
            ActiveLoop(FORM),
        ]
    if amend is None:
        existing = await in_thread(store().submitted_response_for, consultation.slug, channel_of(tracker), tracker.sender_id)
        if existing:
            reference, _answers = existing
            dispatcher.utter_message(
                text=f"You've already responded to {consultation.title} (reference {reference}). Would you like to review and change your answers? Your new answers will replace the old ones.",
                buttons=[{"title": "Yes, change my answers", "payload": "yes"}, {"title": "No", "payload": "no"}],
            )
            return [SlotSet("consultation", consultation.slug), SlotSet("offer", f"amend:{consultation.slug}")]
    demographics = content.council.demographics if content.council else ("postcode", "age_band")
    state = new_state(
        consultation, demographics, amend_reference=amend[0] if amend else None, previous_answers=amend[1] if amend else None
    )
    if amend:
        state["return_to_review"] = True
        detail = await in_thread(store().response_detail, amend[0]) or {}
        state["other"] = dict(detail.get("other") or {})
        state["themes"] = {key: themes for key, themes in (detail.get("themes") or {}).items() if themes}
    # Never "stop": by SMS that is a carrier keyword, and Twilio would unsubscribe the resident.
    count = f"{'up to ' if consultation.has_skip_logic() else ''}{len(consultation.questions)}"
    intro = f'Great, let\'s start your response to {consultation.title}. It has {count} questions and takes a few minutes. You can say "pause" at any time to finish later.'
    if reply_medium(tracker) != "sms":  # by SMS it goes in one text with the privacy statement (sms_wording.py)
        dispatcher.utter_message(text=intro)
    return [
        SlotSet("consultation", consultation.slug),
        SlotSet("survey", state),
        SlotSet("survey_answer", None),
        SlotSet("offer", None),
        ActiveLoop(FORM),
    ]


class ActionStartSurvey(Action):
    """'I want to have my say on X' (or a 'Have my say' button)."""

    def name(self) -> str:
        return "action_start_survey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        content = await catalogue(tracker)
        resolution = resolve_consultation(tracker, content)
        consultation = resolution.consultation
        open_now = content.open_now()
        if consultation is None and not resolution.candidates and len(open_now) == 1:
            consultation = open_now[0]
        if consultation is None:
            choices = [c for c in resolution.candidates if c in open_now] or open_now
            if not choices:
                dispatcher.utter_message(text="There are no open consultations to respond to at the moment.")
                return []
            intro = "I couldn't find an open consultation matching that. " if resolution.named_something_unknown else ""
            dispatcher.utter_message(
                text=f"{intro}Which consultation would you like to respond to?\n"
                + "\n".join(f"{n}. {c.title}" for n, c in enumerate(choices, 1)),
                buttons=[{"title": c.title[:40], "payload": explain.payload("start_response", c.slug)} for c in choices[:5]],
            )
            return [SlotSet("listed", [c.slug for c in choices]), SlotSet("offer", "survey:choose")]
        return await begin_survey(dispatcher, tracker, consultation, content)


class ValidateSurveyForm(FormValidationAction):
    def name(self) -> str:
        return "validate_survey_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        state = tracker.get_slot("survey")
        content = await catalogue(tracker)
        current = content.get(state.get("slug")) if state else None
        consultation = await started_version(current, state)
        if not responding_to_new_message(tracker):
            # The form (re)starts without a new message: on activation, or after an
            # interruption was answered. Nothing to read; ask the current step.
            if not state or consultation is None:
                return [*survey_ended("ended", None), ActiveLoop(None)]
            asked = ask(dispatcher, survey_for(consultation, content, reply_medium(tracker)), state, widget=on_widget(tracker))
            return [SlotSet("survey", asked)] if asked is not state else []
        if not state or consultation is None:
            gone = PREVIEW_ENDED if content.preview_ended else "Sorry, that consultation is no longer available to respond to."
            dispatcher.utter_message(text=gone)
            return survey_ended("ended", None)
        survey = survey_for(consultation, content, reply_medium(tracker))
        text = latest_text(tracker)
        widget = on_widget(tracker)
        if answered_step(tracker) not in (None, step_id(survey, state)):
            # A late click on an earlier question's control: never read as an answer to this one.
            dispatcher.utter_message(text=LATE_ANSWER_REPLY)
            return [SlotSet("survey_answer", None)]
        if len(text) > MAX_MESSAGE_CHARS:
            dispatcher.utter_message(
                text=f"That message is too long for me ({len(text):,} characters). Please keep it under {MAX_MESSAGE_CHARS:,}: nothing has been saved from it."
            )
            return [SlotSet("survey", ask(dispatcher, survey, state, widget=widget)), SlotSet("survey_answer", None)]
        if self._is_interruption(tracker, survey, state, text):
            return []  # Rasa's rules answer the question, then the form asks again
        step = await in_thread(survey.handle, state, text)
        for question_id, wording in step.unanswered if content.preview is None else ():  # a preview logs nothing
            await record_unanswered_answer(state["slug"], question_id, wording)
        if step.submit:
            step = await self._submit(tracker, survey, step.state, content, current)
        if step.finished:
            send(dispatcher, step.replies)
            return survey_ended("complete", step.state)
        return [SlotSet("survey", ask(dispatcher, survey, step.state, step.replies, widget)), SlotSet("survey_answer", None)]

    @staticmethod
    def _is_interruption(tracker: Tracker, survey: Survey, state: dict, text: str) -> bool:
        intent = (tracker.latest_message or {}).get("intent") or {}
        name, confidence = intent.get("name"), intent.get("confidence") or 0.0
        if normalise(text) in PAUSE_WORDS or (name in WIDGET_COMMANDS and text.startswith("/")):
            return True
        if name not in INTERRUPTIONS:
            return False
        trial = survey.handle(state, text)
        understood = trial.submit or trial.state.get("attempts", 0) <= state.get("attempts", 0) and not trial.state.get("hint")
        question = survey.current_question(state) if state["stage"] in ("question", "other") else None
        if question is not None and (question.type == "text" or state["stage"] == "other"):
            return confidence >= 0.8 and text.strip().endswith("?") and len(text) < 100
        return not understood and confidence >= 0.5

    @staticmethod
    async def _submit(tracker: Tracker, survey: Survey, state: dict, content: Catalogue, current: Consultation | None = None):
        def parse(moment: str | None) -> dt.datetime | None:
            return dt.datetime.fromisoformat(moment).replace(tzinfo=None) if moment else None

        current = current or survey.consultation  # open or closed now, whatever the version answered
        problems = submission_problems(survey.consultation, state, {ward.slug for ward in content.wards}, today(), current)
        if content.preview is not None:
            return preview_submitted(state, problems)  # an officer's preview: checked, never stored
        if problems:
            # Question ids and reasons only: never the answers themselves.
            logger.warning("survey.submit_refused consultation=%s problems=%s", state.get("slug"), "; ".join(problems)[:500])
            if current.effective_status(today()) != "open":
                return survey.closed_before_submit(state)
            return survey.save_failed(state)
        ward = state.get("ward")
        try:
            reference = await in_thread(
                store().submit_response,
                consultation_slug=state["slug"],
                channel=channel_of(tracker),
                sender_id=tracker.sender_id,
                answers=redacted_answers(survey.consultation, state["answers"], survey.public_places),
                themes=state["themes"],
                ward_slug=None if ward in (None, PREFER_NOT) else ward,
                age_band=None if state.get("age_band") in (None, PREFER_NOT) else state["age_band"],
                consent_privacy_at=parse(state.get("consent_at")),
                consent_quote=state.get("quote"),
                consent_quote_at=parse(state.get("quote_at")),
                notify_outcome=state.get("notify"),
                notify_outcome_at=parse(state.get("notify_at")),
                submission_key=state["key"],
                amend_reference=state.get("amend_reference"),
                contact_sealed=sealed_address(tracker) if state.get("notify") else None,
                postcode_hash=state.get("postcode_proof"),
                other_texts=redacted_other_texts(state.get("other"), survey.public_places),
                content_version=state.get("version"),
            )
        except SQLAlchemyError:
            logger.exception("survey.submit_failed consultation=%s", state["slug"])
            return survey.save_failed(state)
        return survey.submitted(state, reference)


async def record_unanswered_answer(slug: str, question_id: str, text: str) -> None:
    """Keep, redacted, an answer still not understood after two tries, for officers (best effort)."""
    try:
        await in_thread(store().record_unanswered, slug, "answer", text, question_id)
    except Exception:  # noqa: BLE001 - never let the log break the conversation
        logger.warning("unanswered.record_failed consultation=%s question=%s", slug, question_id)


class ActionPauseSurvey(Action):
    def name(self) -> str:
        return "action_pause_survey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        state = tracker.get_slot("survey")
        if not state or state.get("stage") in ("done", "declined"):
            # The widget's "Save and finish later" is always there, so it is pressed outside a response too.
            dispatcher.utter_message(
                text="You don't have a response in progress, so there's nothing to save. You can come back any time.",
                buttons=[{"title": "What's open?", "payload": "/list_consultations"}],
            )
            return [ActiveLoop(None), SlotSet("requested_slot", None)]
        dispatcher.utter_message(
            text="OK, I've paused your response. Your answers so far are kept in this conversation. Say \"carry on\" when you're ready.",
            buttons=[
                {"title": "Carry on", "payload": "/resume_survey"},
                {"title": "What's open?", "payload": "/list_consultations"},
            ],
        )
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("offer", "resume")]


class ActionResumeSurvey(Action):
    def name(self) -> str:
        return "action_resume_survey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        state = tracker.get_slot("survey")
        content = await catalogue(tracker)
        consultation = content.get(state.get("slug")) if state else None
        if not state or consultation is None or state.get("stage") in ("done", "declined"):
            dispatcher.utter_message(
                text="You don't have a response in progress. Would you like to see what's open?",
                buttons=[{"title": "What's open?", "payload": "/list_consultations"}],
            )
            return []
        return await begin_survey(dispatcher, tracker, consultation, content)


class ActionAffirm(Action):
    """'Yes' outside the survey: accept whatever was last offered (start, change or resume a response, withdraw)."""

    def name(self) -> str:
        return "action_affirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        offer = tracker.get_slot("offer") or ""
        content = await catalogue(tracker)
        kind, _, value = offer.partition(":")
        if kind == "survey" and content.get(value):
            return await begin_survey(dispatcher, tracker, content.get(value), content)
        if kind == "amend" and content.get(value):
            existing = await in_thread(store().submitted_response_for, value, channel_of(tracker), tracker.sender_id)
            if existing:
                return await begin_survey(dispatcher, tracker, content.get(value), content, amend=existing)
        if kind == "resume":
            return await ActionResumeSurvey().run(dispatcher, tracker, domain)
        if kind == "withdraw":
            return await withdraw(dispatcher, tracker, value)
        if kind == "erase_me":
            return await erase_me(dispatcher, tracker)
        if kind == "list":
            from .explain import list_all

            return list_all(dispatcher, content, closed=value == "finished")
        dispatcher.utter_message(
            text="OK! What would you like to do?",
            buttons=[{"title": "What's open?", "payload": "/list_consultations"}, {"title": "Help", "payload": "/help"}],
        )
        return [SlotSet("offer", None)]


class ActionDeny(Action):
    def name(self) -> str:
        return "action_deny"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(
            text="No problem. Is there anything else I can help with?",
            buttons=[
                {"title": "What's open?", "payload": "/list_consultations"},
                {"title": "No, that's all", "payload": "/goodbye"},
            ],
        )
        return [SlotSet("offer", None)]


class ActionWithdrawResponse(Action):
    """'Withdraw my response MB-7K3Q-9D2M': confirm first, then withdraw."""

    def name(self) -> str:
        return "action_withdraw_response"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        reference = find_reference(latest_text(tracker)) or tracker.get_slot("last_reference")
        if not reference:
            dispatcher.utter_message(text="To withdraw a response, please tell me its reference, which looks like MB-7K3Q-9D2M.")
            return []
        standing = await in_thread(store().withdrawal_standing, reference, channel_of(tracker), tracker.sender_id)
        if standing == "missing":
            dispatcher.utter_message(
                text=f"I can't find a submitted response with reference {reference}. Please check it and try again."
            )
            return []
        if standing == "own":
            return confirm_withdrawal(dispatcher, reference)
        if standing == "postcode":
            dispatcher.utter_message(
                text=f"Response {reference} wasn't sent from this chat. To check it's yours, please type the full postcode you gave with it."
            )
            return [SlotSet("awaiting", f"{WITHDRAW_PROOF}{reference}"), SlotSet("offer", None)]
        content = await catalogue()
        dispatcher.utter_message(
            text=f"Response {reference} wasn't sent from this chat, and I can't check from here that it's yours. "
            f"To withdraw it, please contact the council and quote the reference. {explain.contact_line(content.council)}"
        )
        return [SlotSet("offer", None)]


WITHDRAW_PROOF = "withdraw_proof:"


def confirm_withdrawal(dispatcher: CollectingDispatcher, reference: str) -> list[dict]:
    dispatcher.utter_message(
        text=f"Withdraw response {reference}? Your answers will be deleted and won't be counted. This can't be undone.",
        buttons=[{"title": "Yes, withdraw it", "payload": "yes"}, {"title": "No, keep it", "payload": "no"}],
    )
    return [SlotSet("offer", f"withdraw:{reference}"), SlotSet("awaiting", None)]


async def prove_withdrawal(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str) -> list[dict]:
    """The resident answered "which postcode did you give?" for a response sent from another conversation."""
    postcode = find_postcode(latest_text(tracker))
    if postcode is None or postcode.full is None:
        dispatcher.utter_message(text="Please type the full postcode you gave with that response, like MB3 4AB.")
        return []
    if await in_thread(store().prove_withdrawal, reference, postcode.full, channel_of(tracker), tracker.sender_id):
        return confirm_withdrawal(dispatcher, reference)
    content = await catalogue()
    dispatcher.utter_message(
        text=f"That postcode doesn't match response {reference}, so I can't withdraw it from here. "
        f"Please contact the council and quote the reference. {explain.contact_line(content.council)}"
    )
    return [SlotSet("awaiting", None)]


class ActionDeleteMyData(Action):
    """'Delete everything you hold about me': confirm, then withdraw every response and erase the conversation."""

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        dispatcher.utter_message(
            text="I can delete everything we hold from this chat: any responses you've sent from here (they won't be counted) "
            "and this conversation. This can't be undone. Shall I go ahead?",
            buttons=[{"title": "Yes, delete it all", "payload": "yes"}, {"title": "No, keep it", "payload": "no"}],
        )
        return [ActiveLoop(None), SlotSet("offer", "erase_me")]


async def erase_me(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict]:
    references = await in_thread(store().withdraw_sender, channel_of(tracker), tracker.sender_id)
    withdrawn = f" I've withdrawn {len(references)} response(s): {', '.join(references)}." if references else ""
    dispatcher.utter_message(text=f"Done.{withdrawn} This conversation will be erased in a few seconds. Goodbye.")
    schedule_conversation_erasure(tracker.sender_id)
    return [SlotSet("offer", None), SlotSet("survey", None)]


async def withdraw(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str) -> list[dict]:
    # Checked again here, on the server: the "withdraw:REF" offer is only ever set after this same check.
    standing = await in_thread(store().withdrawal_standing, reference, channel_of(tracker), tracker.sender_id)
    if standing != "own":
        dispatcher.utter_message(text=f"I can't withdraw response {reference} from this chat.")
        return [SlotSet("offer", None)]
    done = await in_thread(store().withdraw_response, reference)
    if done:
        dispatcher.utter_message(
            text=f"Done: response {reference} has been withdrawn and its answers deleted. It won't be counted or included in any report. This conversation will be erased too."
        )
        schedule_conversation_erasure(tracker.sender_id)
    else:
        dispatcher.utter_message(text=f"I couldn't find response {reference}.")
    return [SlotSet("offer", None)]


ERASE_AFTER_SECONDS = 3.0
_pending_erasures: set[asyncio.Task] = set()


def schedule_conversation_erasure(sender_id: str) -> None:
    """Delete this conversation's tracker events once Rasa has saved the current turn.

    Deleting them inside the action would not work: Rasa saves the in-memory
    tracker after the action and would write the events back.
    """

    async def erase_later() -> None:
        await asyncio.sleep(ERASE_AFTER_SECONDS)
        await in_thread(delete_conversations, get_settings().tracker_store_url, [sender_id])

    task = asyncio.get_running_loop().create_task(erase_later())
    _pending_erasures.add(task)
    task.add_done_callback(_pending_erasures.discard)
