"""The survey state machine: consent, questions, demographics, review, submit.

The whole in-progress response lives in one JSON-serialisable dict (the
``survey`` slot in Rasa's tracker), never in process memory, so a restarted
action server or Rasa server carries on at the same question. Free-text
answers are redacted *before* they enter the state.

The engine has no I/O: looking up a postcode and saving the response are done
by the caller (``actions/dialogue/survey.py``), which keeps this testable.

Questions are followed by id (``state["question"]``), on the consultation
version the response started on (``state["version"]``): the caller builds the
survey from that version, so an officer's edit never moves a resident to
another question. Skip logic: a question whose ``ask_if`` is false is not
asked and has no entry in ``answers`` (a skipped one has None). "Other, please
specify" text is kept, redacted, in ``state["other"]``.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..content.model import Consultation, Council, Question
from ..text.moderation import REVIEW_TAG, needs_review
from ..text.postcodes import find_postcode
from ..text.redaction import REMOVED_DETAILS_NOTICE, redact
from ..understanding import STORE, understand_review, understand_yes_no
from .parsing import (
    clean_text,
    is_explicit_skip,
    is_skip,
    normalise,
    numbered,
    options_for,
    parse_answer,
)

STATE_VERSION = 2  # 2: the current question by id, the content version, "other" texts
# The longest "other, please specify" text kept (choice and multi questions).
OTHER_MAX_LENGTH = 1000
AGE_BANDS = ("Under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75 or over")
PREFER_NOT = "Prefer not to say"
OUTSIDE_DISTRICT = "outside-district"


@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)


@dataclass
class Step:
    """What happened after one resident message."""

    state: dict
    replies: list[Reply] = field(default_factory=list)
    submit: bool = False  # the caller must now save the response
    finished: bool = False  # the survey is over (submitted or declined)
    # Answers still not understood after two tries: (question id, what was typed), for officers to see.
    unanswered: list[tuple[str, str]] = field(default_factory=list)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def new_state(
    consultation: Consultation,
    demographics: tuple[str, ...] = ("postcode", "age_band"),
    amend_reference: str | None = None,
    previous_answers: dict | None = None,
) -> dict:
    return {
        "v": STATE_VERSION,
        "slug": consultation.slug,
        "title": consultation.title,
        "key": uuid.uuid4().hex,
        "stage": "consent",
        "version": consultation.version,  # the content version this response is answered on
        "question": None,  # the current question's id
        "index": 0,  # its position, kept in step with "question" for code that reads positions
        "answers": dict(previous_answers or {}),
        "other": {},  # question id -> the "other, please specify" text, redacted
        "themes": {},
        "attempts": 0,
        "partial": [],
        "pending": None,  # a value offered back for confirmation: "I've put that as X. Is that right?"
        "hint": "",
        "consent_at": None,
        "quote": None,
        "quote_at": None,
        "notify": None,
        "notify_at": None,
        "ward": None,
        "age_band": None,
        "demographics": list(demographics),
        "return_to_review": False,
        "reference": None,
        "amend_reference": amend_reference,
        "save_failed": False,
        "redacted_notice": False,
    }


def yes_no_buttons() -> list[dict]:
    return [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]


class Survey:
    """Drives one response for one consultation."""

    # Where the outcome will reach the resident; worded for the channel (sms_wording.py for SMS and WhatsApp).
    outcome_by = "here, on this chat"
    joins_replies = False  # True: a step's replies and the next prompt are sent as one message (SMS)

    def __init__(
        self,
        consultation: Consultation,
        council: Council | None,
        resolve_sector: Callable[[str], str | None] = lambda sector: None,
        theme_tagger: Callable[[str], list[str]] = lambda text: [],
        public_places: tuple[str, ...] = (),
        postcode_proof: Callable[[str], str] | None = None,
    ):
        self.consultation = consultation
        # Turns a full postcode into a salted hash kept with the response, so that only someone who
        # knows it can withdraw the response from another conversation. The postcode itself is never kept.
        self.postcode_proof = postcode_proof
        self.council = council
        # Named places that redaction keeps: the consultation's own, and the council's wards.
        self.public_places = (
            consultation.title,
            *consultation.keywords,
            *(proposal.title for proposal in consultation.proposals),
            *(event.where for event in consultation.events),
            *public_places,
        )
        self.resolve_sector = resolve_sector
        self.theme_tagger = theme_tagger
        self.questions = consultation.questions

    # --- prompts -------------------------------------------------------------

    def prompt(self, state: dict) -> Reply:
        """The message that asks for whatever the current stage needs."""
        stage = state["stage"]
        if stage in ("question", "other") and self.current_question(state) is None:
            return self.prompt(self._recovered(state))
        hint = f"{state['hint']}\n\n" if state.get("hint") else ""
        if stage == "consent":
            buttons = [{"title": "Yes, I agree", "payload": "yes"}, {"title": "No", "payload": "no"}]
            if state.get("attempts"):
                notice = f" (privacy notice: {self.council.privacy_notice_url})" if self.council else ""
                return Reply(hint + f"Do you agree to go ahead with your response{notice}?", buttons)
            return Reply(hint + self.privacy_statement(), buttons)
        if stage == "quote":
            return Reply(
                hint + "Thank you. May we quote your comments, without your name, in the published consultation report?",
                yes_no_buttons(),
            )
        if stage == "notify":
            return Reply(
                hint + f"Would you like us to send you the outcome {self.outcome_by}, when the council publishes it?",
                yes_no_buttons(),
            )
        if stage == "question" and state.get("pending") is not None:
            question = self.current_question(state)
            shown = display_answer(state["pending"], question)
            return Reply(hint + f'I\'ve put that as "{shown}". Is that right?', yes_no_buttons())
        if stage == "question":
            return self.question_prompt(state, hint)
        if stage == "other":
            return self.other_prompt(state, hint)
        if stage == "postcode":
            return Reply(
                hint
                + "Nearly done. What's your postcode? We use it only to find your ward, and to check it's you if you ask to withdraw from another chat. We keep the first part (like MB3 4) and a scrambled code, never the postcode. You can say \"skip\".",
                [{"title": "Skip", "payload": "skip"}],
            )
        if stage == "age":
            buttons = [{"title": band, "payload": band} for band in (*AGE_BANDS, PREFER_NOT)]
            return Reply(
                hint
                + 'Which age group are you in? This helps us check we\'ve heard from everyone. You can say "prefer not to say".',
                buttons,
            )
        if stage == "review" and hint:
            # Asked again in one short sentence; the summary is just above.
            return Reply(
                hint.strip(), [{"title": "Submit", "payload": "submit"}, {"title": "Change an answer", "payload": "change"}]
            )
        if stage == "review":
            return Reply(
                self.review_text(state),
                [{"title": "Submit", "payload": "submit"}, {"title": "Change an answer", "payload": "change"}],
            )
        if stage == "change":
            count = len(self.review_questions(state))
            return Reply(hint + f"Which answer would you like to change? Reply with its number, from 1 to {count}.")
        return Reply("")

    def privacy_statement(self) -> str:
        # The same setting drives `haveyoursay purge` (actions/retention.py), so the promise and the deletion agree.
        from ..settings import get_settings

        months = get_settings().response_retention_months
        council = self.council
        name = council.name if council else "The council"
        notice = f" Full privacy notice: {council.privacy_notice_url}" if council else ""
        return (
            f"Before we start: {name} is responsible for the information you give here. We keep your answers to "
            f'report what people said about "{self.consultation.title}", for up to {months} month{"s" if months != 1 else ""} '
            "after the decision. Then we delete your comments and anything that could link your answers to you, "
            f"and keep the rest only anonymously, for the totals. We don't ask your name. {REMOVED_DETAILS_NOTICE}{notice}"
            "\n\nDo you agree to go ahead?"
        )

    def question_prompt(self, state: dict, hint: str = "") -> Reply:
        question = self.current_question(state)
        total = len(self.questions)
        header = f"Question {self.questions.index(question) + 1} of {total}"
        if not question.required:
            header += ' (optional: you can say "skip")'
        lines = [hint + f"{header}\n{question.text}"]
        buttons: list[dict] = []
        options = options_for(question)
        if question.type in ("scale", "choice"):
            lines.append(numbered(options))
            buttons = [{"title": option, "payload": option} for option in options]
        elif question.type == "yesno":
            buttons = yes_no_buttons()
        elif question.type == "multi":
            limit = question.max_choices or len(options)
            lines.append(numbered(options))
            lines.append(
                f'Reply with the numbers of up to {limit}, like "1 and 3".'
                if limit < len(options)
                else 'Reply with the numbers of any that apply, like "1 and 3".'
            )
        elif question.type == "rank":
            partial = state.get("partial") or []
            lines.append(numbered(options))
            if partial:
                done = ", ".join(f"{n}. {option}" for n, option in enumerate(partial, start=1))
                lines.append(f"So far: {done}. Which comes next?")
            else:
                example = " ".join(str(n) for n in range(1, len(options) + 1))
                lines.append(
                    f'Reply with the numbers in order, most important first, like "{example}". Or just tell me the most important one.'
                )
        elif question.type == "number":
            if question.min is not None and question.max is not None:
                lines.append(f"Reply with a number from {_show(question.min)} to {_show(question.max)}.")
        elif question.type == "text":
            lines.append(f"Reply in your own words (up to {question.max_length or 2000:,} characters).")
        if not question.required and question.type != "text":
            buttons = buttons + [{"title": "Skip", "payload": "skip"}]
        return Reply("\n".join(lines), buttons)

    def other_prompt(self, state: dict, hint: str = "") -> Reply:
        """The follow-up to "other, please specify": what it is, in the resident's own words."""
        question = self.current_question(state)
        return Reply(
            hint + f'You chose "{question.other}". Please tell us what it is, in your own words. Or say "skip".',
            [{"title": "Skip", "payload": "skip"}],
        )

    def review_text(self, state: dict) -> str:
        lines = ["Here's a summary of your answers:"]
        for number, question in enumerate(self.review_questions(state), start=1):
            shown = display_answer(state["answers"].get(question.id), question, other_text_of(state, question))
            lines.append(f"{number}. {_shorten(question.text, 70)}\n   → {shown}")
        lines.append('\nReply "submit" to send your response, or "change" and a number (like "change 2") to change an answer.')
        return "\n".join(lines)

    # --- which question ---------------------------------------------------------

    def current_question(self, state: dict) -> Question | None:
        """The question being asked, by id; by position when no id is set (a state saved before ids were kept)."""
        wanted = state.get("question")
        if wanted is None:
            index = state.get("index", 0)
            return self.questions[index] if isinstance(index, int) and 0 <= index < len(self.questions) else None
        return next((question for question in self.questions if question.id == wanted), None)

    def _set_question(self, state: dict, question: Question) -> None:
        state["question"], state["index"] = question.id, self.questions.index(question)

    def review_questions(self, state: dict) -> list[Question]:
        """The questions shown in the review, numbered from 1: those asked, given the answers."""
        return [question for question in self.questions if question.is_asked(state["answers"])]

    def _prune(self, state: dict) -> None:
        """Forget answers to questions no longer asked, and "other" texts no longer chosen (after a change)."""
        answers, other = state["answers"], state.setdefault("other", {})
        for question in self.questions:  # in order: an answer dropped here may unask a later question
            if not question.is_asked(answers):
                answers.pop(question.id, None)
                state["themes"].pop(question.id, None)
            if question.id in other and not question.chose_other(answers.get(question.id)):
                other.pop(question.id)
                state["themes"].pop(question.id, None)

    def _recovered(self, state: dict) -> dict:
        """A state at a question this version doesn't have goes on at the next question it needs. (It can't
        happen in normal use: a response keeps the version it started on, and its questions by id.)"""
        state = copy.deepcopy(state)
        state.setdefault("themes", {})
        return self._next_question(state, []).state

    def _next_needed(self, state: dict) -> Question | None:
        """The first question asked, given the answers so far, that has no answer yet (skipped counts as one)."""
        answers = state["answers"]
        return next((q for q in self.questions if q.id not in answers and q.is_asked(answers)), None)

    # --- handling answers ----------------------------------------------------

    def handle(self, state: dict, text: str) -> Step:
        state = dict(state)
        state["hint"] = ""
        if state["stage"] in ("question", "other") and self.current_question(state) is None:
            state = self._recovered(state)
        handler = getattr(self, f"_on_{state['stage']}")
        return handler(state, text)

    def _on_consent(self, state: dict, text: str) -> Step:
        answer = understand_yes_no(text, "consent")
        if answer.decision != STORE:
            return self._retry(state, 'Please reply "yes" if you agree, or "no" if you\'d rather not take part.')
        if answer.value == "no":
            state["stage"] = "declined"
            return Step(
                state,
                [
                    Reply(
                        "No problem: nothing has been saved. You can still ask me about the consultation, or come back any time."
                    )
                ],
                finished=True,
            )
        state["consent_at"] = now_iso()
        return self._advance(state, "quote")

    def _on_quote(self, state: dict, text: str) -> Step:
        answer = understand_yes_no("no" if is_explicit_skip(text) else text, "quote")
        if answer.decision != STORE:
            return self._retry(state, 'Please reply "yes" if we may quote you without your name, or "no".')
        state["quote"], state["quote_at"] = answer.value == "yes", now_iso()
        return self._advance(state, "notify")

    def _on_notify(self, state: dict, text: str) -> Step:
        answer = understand_yes_no("no" if is_explicit_skip(text) else text, "notify")
        if answer.decision != STORE:
            return self._retry(state, 'Please reply "yes" to hear the outcome, or "no".')
        state["notify"], state["notify_at"] = answer.value == "yes", now_iso()
        return self._next_question(state, [])

    def _on_question(self, state: dict, text: str) -> Step:
        question = self.current_question(state)
        if question is None:  # not a question of this survey (a state from before ids were kept)
            return self._next_question(state, [])
        if state.get("pending") is not None:
            pending, state["pending"] = state["pending"], None
            reply = understand_yes_no(text)
            if reply.decision == STORE and reply.value == "yes":
                return self._store_answer(state, question, pending)
            if reply.decision == STORE and reply.value == "no":
                state["attempts"] = 1  # the next miss offers the numbered list
                return self._retry(state, "Sorry about that. Which is it?", question)
            # Anything else is read as a fresh answer to the question.
        # "skip" always skips; softer phrases ("none", "no thanks") only when they aren't a valid answer.
        # An optional comment of "no, nothing else" is a skip, not a comment.
        skipping = is_explicit_skip(text) or (question.type == "text" and not question.required and is_skip(text))
        parsed = None if skipping else parse_answer(question, text, state.get("partial"), self.consultation)
        if parsed is None or (not parsed.ok and not parsed.partial and not parsed.confirm and is_skip(text)):
            if question.required:
                return self._retry(state, "This question needs an answer, so it can't be skipped.", question)
            state["answers"][question.id] = None
            state["themes"].pop(question.id, None)
            state["partial"] = []
            return self._next_question(state, [Reply("Skipped.")])
        if parsed.partial and not parsed.ok:
            state["partial"] = parsed.partial
            state["attempts"] = 0
            return Step(state)
        if parsed.confirm:
            state["pending"], state["attempts"] = parsed.value, 0
            return Step(state)
        if not parsed.ok:
            return self._retry(state, parsed.hint, question, text)
        return self._store_answer(state, question, parsed.value)

    def _store_answer(self, state: dict, question: Question, value) -> Step:
        replies: list[Reply] = []
        if question.type == "text":
            value = self._keep_comment(state, question.id, value, replies)
        state["answers"][question.id] = value
        state["partial"], state["pending"] = [], None
        if question.chose_other(value):
            return self._advance(state, "other", replies)  # "please specify"
        return self._next_question(state, replies)

    def _keep_comment(self, state: dict, question_id: str, text: str, replies: list[Reply]) -> str:
        """A comment (a text answer, or "other, please specify") redacted and theme-tagged, as it is kept."""
        redacted = redact(text, keep=self.public_places)
        if redacted != text:
            replies.append(
                Reply(
                    "I've removed personal details (like people's names, house numbers and streets, phone numbers or "
                    "email addresses) from your comment before saving it."
                )
            )
        themes = list(self.theme_tagger(redacted))
        if needs_review(redacted):
            themes.append(REVIEW_TAG)  # kept, but an officer looks before it is quoted
        state["themes"][question_id] = themes
        return redacted

    def keep_comment(self, state: dict, question_id: str, text: str, replies: list[Reply]) -> str:
        """The same as in the chat, for a comment keyed in by staff (survey/keyed_form.py)."""
        return self._keep_comment(state, question_id, text, replies)

    def _on_other(self, state: dict, text: str) -> Step:
        question = self.current_question(state)
        if question is None:
            return self._next_question(state, [])
        state.setdefault("other", {})
        if is_explicit_skip(text) or is_skip(text):
            state["other"].pop(question.id, None)
            state["themes"].pop(question.id, None)
            return self._next_question(state, [Reply("Skipped.")])
        cleaned = clean_text(text)
        if not cleaned:
            return self._retry(state, "I didn't get an answer there.")
        if len(cleaned) > OTHER_MAX_LENGTH:
            return self._retry(
                state,
                f"That's {len(cleaned):,} characters, and the limit here is {OTHER_MAX_LENGTH:,}. "
                "Please shorten it and send it again: I haven't cut anything off.",
            )
        replies: list[Reply] = []
        state["other"][question.id] = self._keep_comment(state, question.id, cleaned, replies)
        return self._next_question(state, replies)

    def _next_question(self, state: dict, replies: list[Reply]) -> Step:
        """On to the next question asked that has no answer yet; then the questions about you, or the review."""
        state["attempts"] = 0
        self._prune(state)
        following = self._next_needed(state)
        if following is not None:
            self._set_question(state, following)
            return self._advance(state, "question", replies)
        back = state.get("return_to_review")
        state["return_to_review"] = False
        return self._advance(state, "review" if back else self._after_questions(state), replies)

    def _after_questions(self, state: dict) -> str:
        if "postcode" in state["demographics"] and state.get("ward") is None:
            return "postcode"
        if "age_band" in state["demographics"] and state.get("age_band") is None:
            return "age"
        return "review"

    def _on_postcode(self, state: dict, text: str) -> Step:
        if is_skip(text) or normalise(text) in {"prefer not to say", "rather not", "no"}:
            state["ward"] = PREFER_NOT
        else:
            match = find_postcode(text)
            if match is None:
                return self._retry(state, 'I couldn\'t read that as a postcode. Please type it like MB3 4AB, or say "skip".')
            state["ward"] = self.resolve_sector(match.sector) or OUTSIDE_DISTRICT
            if match.full and self.postcode_proof is not None:
                state["postcode_proof"] = self.postcode_proof(match.full)
        return self._advance(state, self._after_questions(state))

    def _on_age(self, state: dict, text: str) -> Step:
        band = parse_age_band(text)
        if band is None:
            return self._retry(state, f'Please choose an age group (1 to {len(AGE_BANDS)}), or say "prefer not to say".')
        state["age_band"] = band
        return self._advance(state, "review")

    def _on_review(self, state: dict, text: str) -> Step:
        understood = understand_review(text, self._question_words(state))
        if understood.decision == STORE:
            if understood.value == "submit":
                return Step(state, submit=True)
            if understood.value == "change":
                return self._advance(state, "change")
            return self._start_change(state, understood.value[1])
        direct = self._direct_change(state, text)
        if direct:
            return direct
        return self._retry(state, understood.hint)

    def _on_change(self, state: dict, text: str) -> Step:
        wanted = normalise(text)
        if wanted.isdigit():
            return self._start_change(state, int(wanted))
        understood = understand_review(f"change {text}", self._question_words(state))
        if understood.decision == STORE and isinstance(understood.value, tuple):
            return self._start_change(state, understood.value[1])
        submit = understand_review(text, self._question_words(state))
        if submit.decision == STORE and submit.value == "submit":
            return Step(state, submit=True)
        count = len(self.review_questions(state))
        return self._retry(state, f'Please reply with a question number from 1 to {count}, like "2", or "submit" to send it.')

    def _question_words(self, state: dict) -> list[tuple[str, tuple[str, ...]]]:
        return [
            (question.text, options_for(question) if question.type != "scale" else (), question.type, question.id)
            for question in self.review_questions(state)
        ]

    def _start_change(self, state: dict, number: int) -> Step:
        shown = self.review_questions(state)
        if not 1 <= number <= len(shown):
            return self._retry(state, f"There's no question {number}. Please choose from 1 to {len(shown)}.")
        self._set_question(state, shown[number - 1])
        state.update(return_to_review=True, attempts=0, partial=[], pending=None)
        return self._advance(state, "question")

    def _direct_change(self, state: dict, text: str) -> Step | None:
        """'actually I disagree': if exactly one scale question reads the text as an answer, change it."""
        cleaned = re.sub(r"^(actually|sorry|oh|wait|no|hmm|on second thoughts?|i meant?)[\s,]+", "", normalise(text))
        candidates = []
        for question in self.review_questions(state):
            if question.type in ("scale", "yesno", "choice"):
                parsed = parse_answer(question, cleaned)
                if parsed.ok and question.type == "scale" and not cleaned.isdigit():
                    candidates.append((question, parsed.value))
        if len(candidates) != 1:
            return None
        question, value = candidates[0]
        state["answers"][question.id] = value
        state["return_to_review"] = True  # a question the change now asks is asked first
        return self._next_question(state, [Reply(f'Changed: "{_shorten(question.text, 60)}" is now "{value}".')])

    # --- outcomes --------------------------------------------------------------

    def submitted(self, state: dict, reference: str) -> Step:
        state = dict(state, stage="done", reference=reference, save_failed=False)
        closes = self.consultation.closes.strftime("%A %-d %B %Y")
        next_steps = self.consultation.next_steps or "The council will publish what people said and what it decided."
        text = (
            f"Thank you, your response has been saved. Your reference is {reference}. "
            "Keep it if you want to change or withdraw your response later.\n\n"
            f"The consultation closes on {closes}. {next_steps}"
        )
        return Step(
            state, [Reply(text, [{"title": "What else is open?", "payload": "what consultations are open"}])], finished=True
        )

    def closed_before_submit(self, state: dict) -> Step:
        return Step(
            dict(state, stage="declined"),
            [Reply(f"Sorry, {self.consultation.title} closed before your response was sent, so it can't be counted.")],
            finished=True,
        )

    def save_failed(self, state: dict) -> Step:
        state = dict(state, save_failed=True)
        return Step(
            state,
            [
                Reply(
                    "Sorry, I couldn't save your response just now because of a technical problem. "
                    'Your answers are kept: reply "submit" in a minute to try again.',
                    [{"title": "Try again", "payload": "submit"}],
                )
            ],
        )

    def _advance(self, state: dict, stage: str, replies: list[Reply] | None = None) -> Step:
        state["stage"], state["attempts"] = stage, 0
        return Step(state, replies or [])

    def _retry(self, state: dict, hint: str, question: Question | None = None, text: str = "") -> Step:
        state["attempts"] = state.get("attempts", 0) + 1
        unanswered = [(question.id, text)] if question is not None and text and state["attempts"] >= 2 else []
        if state["attempts"] >= 2 and question is not None:
            if not question.required:
                hint += ' Or say "skip" to move on.'
            options = options_for(question)
            if options and question.type in ("scale", "choice", "multi", "rank", "yesno"):
                hint += f"\nThe options are:\n{numbered(options)}\nYou can reply with just the number."
        state["hint"] = hint
        return Step(state, unanswered=unanswered)


def parse_age_band(text: str) -> str | None:
    wanted = normalise(text)
    if is_skip(text) or wanted in {"prefer not to say", "rather not say", "not saying", "no"}:
        return PREFER_NOT
    for band in (*AGE_BANDS, PREFER_NOT):
        if wanted == normalise(band):
            return band
    if (
        re.fullmatch(r"\d{1,2}", wanted)
        and 1 <= int(wanted) <= len(AGE_BANDS) + 1
        and not re.search(r"\b(i'm|im|age|aged|years)\b", wanted)
    ):
        return (*AGE_BANDS, PREFER_NOT)[int(wanted) - 1]
    age = re.search(r"\b(\d{1,3})\b", wanted)
    if age and re.search(r"(i'm|im|i am|age|aged|years|yrs|old)", wanted) or (age and int(age.group(1)) > 9):
        years = int(age.group(1))
        if years < 18:
            return "Under 18"
        bounds = [(24, "18-24"), (34, "25-34"), (44, "35-44"), (54, "45-54"), (64, "55-64"), (74, "65-74")]
        return next((band for limit, band in bounds if years <= limit), "75 or over")
    return None


def display_answer(value: Any, question: Question, other: str | None = None) -> str:
    """An answer as shown back to the resident; ``other`` is what they wrote for "other, please specify"."""
    if value is None:
        return "(skipped)"
    if other and question.chose_other(value):
        written = _shorten(other, 60)
        value = (
            [f"{item}: {written}" if item == question.other else item for item in value]
            if isinstance(value, list)
            else f"{value}: {written}"
        )
    if isinstance(value, list):
        if question.type == "rank":
            return ", ".join(f"{n}. {item}" for n, item in enumerate(value, start=1))
        return "; ".join(str(item) for item in value)
    if question.type == "text":
        return _shorten(str(value), 120)
    return str(value)


def other_text_of(state: dict, question: Question) -> str | None:
    return (state.get("other") or {}).get(question.id)


def _shorten(text: str, limit: int) -> str:
    text = clean_text(text).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
