"""What the website widget needs to draw an answer control for the current survey step.

Every channel gets the survey's prompt as text and buttons (engine.py). The
website widget also gets, with the prompt, a description of the step as data
(``control``): its type, options, limits and hint, so it can show radio-style
buttons, checkboxes, a reorderable list, a number field or a text area. The
widget sends what a resident could have typed (an option's label or number,
"1, 3" for checkboxes, "3, 1, 2, 4" for an order), so the engine reads a
widget answer exactly as it reads a typed one.

Each step has an id (``step_id``). The widget sends it with an answer given
through a control, and an answer whose id is not the current step's (a late
click on an earlier question) is refused without being read.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..content.model import DONT_KNOW, Question
from ..understanding.options import OptionSet
from .engine import OTHER_MAX_LENGTH, Survey
from .parsing import options_for

# The reply to an answer given for a step that is no longer the current one.
LATE_ANSWER_REPLY = "That answer was for an earlier question, so I haven't saved it. Please answer the latest question."

# Words shown as the control's accessible name for steps that are not the consultation's own questions.
STAGE_LABELS = {
    "consent": "Do you agree to go ahead?",
    "quote": "May we quote your comments?",
    "notify": "Would you like to hear the outcome?",
    "postcode": "Your postcode",
    "age": "Your age group",
    "review": "Send your response?",
    "change": "Which answer would you like to change?",
}


def step_id(survey: Survey, state: dict) -> str:
    """The id of the step the survey is waiting on: the same for every asking of that step in one run."""
    run = hashlib.sha256(str(state.get("key", "")).encode()).hexdigest()[:8]
    stage = state.get("stage", "")
    question = survey.current_question(state) if stage in ("question", "other") else None
    if question is None:
        return f"{run}:{stage}"
    if stage == "question" and state.get("pending") is not None:
        stage = "confirm"
    return f"{run}:{stage}:{question.id}"


def control(survey: Survey, state: dict) -> dict[str, Any] | None:
    """The current step as data for the widget, or None for a step with nothing to answer."""
    stage = state.get("stage")
    prompt = survey.prompt(state)
    base: dict[str, Any] = {"id": step_id(survey, state), "stage": stage, "display": None, "hint": ""}
    buttons = [{"label": b["title"], "value": b["payload"]} for b in prompt.buttons if b["payload"] != "skip"]
    skip = "skip" if any(b["payload"] == "skip" for b in prompt.buttons) else None
    question = survey.current_question(state) if stage in ("question", "other") else None
    if stage == "question" and question is not None and state.get("pending") is None:
        return {**base, **_question_control(survey, question, buttons, skip)}
    if stage == "question" and question is not None:  # "I've put that as X. Is that right?"
        return {**base, "type": "buttons", "label": question.text, "options": buttons, "skip": None}
    if stage == "other" and question is not None:  # "other, please specify"
        return {
            **base,
            "type": "text",
            "label": f"{question.other}: please specify",
            "max_length": OTHER_MAX_LENGTH,
            "hint": f"Up to {OTHER_MAX_LENGTH:,} characters.",
            "skip": skip or "skip",
        }
    if stage == "postcode":
        return {
            **base,
            "type": "postcode",
            "label": STAGE_LABELS["postcode"],
            "hint": 'Like MB3 4AB. Or choose "Skip".',
            "skip": skip,
        }
    if stage == "change":  # numbered as in the review: the questions asked
        options = [
            {"label": f"{number}. {asked.text}", "value": str(number)}
            for number, asked in enumerate(survey.review_questions(state), start=1)
        ]
        return {**base, "type": "buttons", "label": STAGE_LABELS["change"], "options": options, "skip": None}
    if stage in STAGE_LABELS and buttons:
        return {**base, "type": "buttons", "label": STAGE_LABELS[stage], "options": buttons, "skip": skip}
    return None


def _question_control(survey: Survey, question: Question, buttons: list[dict], skip: str | None) -> dict[str, Any]:
    options = options_for(question)
    number = survey.questions.index(question) + 1  # as the engine numbers it
    heading = f"Question {number} of {len(survey.questions)}" + ("" if question.required else " (optional)")
    shown = {
        "label": question.text,
        "display": f"{heading}\n{question.text}",
        "required": question.required,
        # Other channels offer no Skip button for a comment (the word "skip" does it); the widget has room for one.
        "skip": skip or (None if question.required else "skip"),
        "question": question.id,
    }
    numbered = [{"label": option, "value": str(position)} for position, option in enumerate(options, start=1)]
    if question.type in ("scale", "choice", "yesno"):
        return {**shown, "type": "buttons", "options": buttons, "hint": _pick_one_hint(question.type, options)}
    if question.type == "multi":
        limit = min(question.max_choices or len(options), len(options))
        sets = OptionSet(options, {})
        exclusive = [label for label in (sets.none_option, sets.unsure_option) if label]
        hint = f"Choose up to {limit}, then Done." if limit < len(options) else "Choose any that apply, then Done."
        return {**shown, "type": "multi", "options": numbered, "max_choices": limit, "exclusive": exclusive, "hint": hint}
    if question.type == "rank":
        hint = "Put them in order, most important first, with Move up and Move down, then Done."
        return {**shown, "type": "rank", "options": numbered, "hint": hint}
    if question.type == "number":
        low, high = question.min, question.max
        if low is not None and high is not None:
            hint = f"A number from {_number(low)} to {_number(high)}."
        elif low is not None:
            hint = f"A number of at least {_number(low)}."
        elif high is not None:
            hint = f"A number up to {_number(high)}."
        else:
            hint = "A number."
        return {**shown, "type": "number", "min": low, "max": high, "hint": hint}
    limit = question.max_length or 2000
    return {**shown, "type": "text", "max_length": limit, "hint": f"Up to {limit:,} characters."}


def _pick_one_hint(kind: str, options: tuple[str, ...]) -> str:
    """Names exactly what is offered: the numbers 1 to N, and "Don't know" when it is one of them."""
    if kind == "yesno":
        return 'Choose "Yes" or "No".'
    count = len(options)
    if kind == "scale" and options[-1] == DONT_KNOW and count > 2:
        first, last, unsure = options[0], options[-2], options[-1]
        return (
            f'Choose one, from "{first}" to "{last}", or "{unsure}". '
            f'You can also type its number, from 1 to {count} ({count} is "{unsure}").'
        )
    return f"Choose one. You can also type its number, from 1 to {count}."


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
