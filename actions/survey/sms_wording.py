"""The survey worded for SMS and WhatsApp: same steps, same answers, words that fit the channel.

By SMS every 153 characters is a paid segment, so prompts are short, written in
GSM-7 only (no arrows, ellipses or curly quotes, which would switch a whole
message to UCS-2 at 67 characters a segment), and the review is a compact list
of answers. Numbers are for numbered options only: "Skip" is always a word.
The outcome is promised "by text message" or "on WhatsApp", never "on this chat".
"""

from __future__ import annotations

from ..content.model import Question
from ..text.redaction import REMOVED_DETAILS_NOTICE
from .engine import AGE_BANDS, PREFER_NOT, Reply, Survey, display_answer, other_text_of
from .parsing import clean_text, numbered, options_for

SMS, WHATSAPP, CHAT = "sms", "whatsapp", "chat"
REVIEW_BUTTONS = [{"title": "Submit", "payload": "submit"}, {"title": "Change an answer", "payload": "change"}]
COMMENT_SHOWN = 60  # characters of a comment shown back in the SMS review
SHORT_DETAILS_NOTICE = "Please leave names, addresses, phone numbers and emails out of comments: we remove them."


class WhatsAppSurvey(Survey):
    outcome_by = "on WhatsApp"


class TextMessageSurvey(Survey):
    """The SMS wording: a whole response to a seeded consultation costs at most 25 segments (tests, `make bench`)."""

    outcome_by = "by text message"
    joins_replies = True  # "Skipped." and the next question go in one text: two texts cost at least two segments

    def prompt(self, state: dict) -> Reply:
        hint = f"{state['hint']}\n\n" if state.get("hint") else ""
        if state["stage"] == "consent" and not state.get("attempts"):
            # The introduction goes in the same text as the privacy statement (begin_survey leaves it out).
            asked = super().prompt(state)
            return Reply(f"{self.introduction()}\n\n{asked.text}", asked.buttons)
        if state["stage"] == "age":
            bands = (*AGE_BANDS, PREFER_NOT)
            return Reply(hint + f"Which age group are you in?\n{numbered(bands)}", [{"title": b, "payload": b} for b in bands])
        return super().prompt(state)

    def introduction(self) -> str:
        # Never "stop": by SMS that is a carrier keyword, and Twilio would unsubscribe the resident.
        title, count = self.consultation.title, len(self.questions)
        up_to = "up to " if self.consultation.has_skip_logic() else ""
        return f'Your response to {title}: {up_to}{count} questions. Say "pause" at any time to finish later.'

    def privacy_statement(self) -> str:
        """The same statement, with the notice about personal details in comments said in one short sentence."""
        return super().privacy_statement().replace(REMOVED_DETAILS_NOTICE, SHORT_DETAILS_NOTICE)

    def question_prompt(self, state: dict, hint: str = "") -> Reply:
        question = self.current_question(state)
        header = f"Question {self.questions.index(question) + 1} of {len(self.questions)}"
        if not question.required:
            header += ' (optional: you can say "skip")'
        lines = [hint + f"{header}\n{question.text}"]
        options = options_for(question)
        buttons: list[dict] = []
        if question.type in ("scale", "choice", "multi", "rank"):
            lines.append(numbered(options))
        if question.type in ("scale", "choice"):
            buttons = [{"title": option, "payload": option} for option in options]
        elif question.type == "yesno":
            buttons = [{"title": "Yes", "payload": "yes"}, {"title": "No", "payload": "no"}]
        lines.extend(self._how_to_answer(question, state, len(options)))
        if not question.required and question.type != "text":
            buttons.append({"title": "Skip", "payload": "skip"})  # offered as the word, never as a number
        return Reply("\n".join(lines), buttons)

    @staticmethod
    def _how_to_answer(question: Question, state: dict, count: int) -> list[str]:
        if question.type == "multi":
            limit = question.max_choices or count
            return [
                f'Reply with up to {limit} numbers, like "1 and 3".'
                if limit < count
                else 'Reply with any numbers, like "1 and 3".'
            ]
        if question.type == "rank":
            partial = state.get("partial") or []
            if partial:
                return [f"So far: {', '.join(partial)}. Which comes next?"]
            return [f'Reply with the numbers in order, most important first, like "{" ".join(map(str, range(1, count + 1)))}".']
        if question.type == "number" and question.min is not None and question.max is not None:
            return [f"Reply with a number from {_show(question.min)} to {_show(question.max)}."]
        return []

    def review_text(self, state: dict) -> str:
        lines = ["Your answers:"]
        for number, question in enumerate(self.review_questions(state), start=1):  # only those asked
            value = state["answers"].get(question.id)
            if value is None:
                shown = "(skipped)"
            elif question.type == "text":
                shown = _shorten(str(value), COMMENT_SHOWN)
            elif question.type == "rank":
                shown = ", ".join(value)  # in order; numbering them too would read as more answers
            else:
                shown = display_answer(value, question, other_text_of(state, question))
            lines.append(f"{number}. {shown}")
        lines.append("\n1. Submit\n2. Change an answer")
        return "\n".join(lines)

    def submitted(self, state: dict, reference: str):
        step = super().submitted(state, reference)
        closes = self.consultation.closes.strftime("%-d %B %Y")
        text = (
            f"Thank you, your response has been saved. Your reference is {reference}. "
            f"Keep it to change or withdraw it. The consultation closes on {closes}."
        )
        step.replies = [Reply(text)]
        return step


def survey_class(medium: str) -> type[Survey]:
    return {SMS: TextMessageSurvey, WHATSAPP: WhatsAppSurvey}.get(medium, Survey)


def _shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut between words, ending "..." (GSM-7, unlike "…")."""
    text = clean_text(text).replace("\n", " ")
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if not text[limit - 3].isspace() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "..."


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
