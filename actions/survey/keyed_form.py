"""A response keyed in by staff from a paper form, a phone call or in person: the form's fields read into
the same survey state the chat builds, and checked the same way before anything is saved.

The portal's page (``actions/portal/keyed_responses.py``) posts one field per question, named after the
question's id (``q-<id>``): one value for scale, choice and yes/no, several for multi, a position per option
for rank (``q-<id>-<n>``, n from 1), and ``q-<id>-other`` for "other, please specify". An empty field is a
question left blank (skipped). Then the demographics the chat asks (postcode, or ward, and age band), the
quote permission, and what only a keyed response has: the channel, the date it was received and the
consent given on the form.

Each problem is one line, keyed by the field it belongs to, so the page can show it next to the field.
Skip logic: a question whose ``ask_if`` is false on the answers above it was not asked; an answer written
there is refused with a message saying why (the page's script hides and clears such questions, but the
server decides). Comments and "other" texts are redacted and theme-tagged by the survey engine's own
``keep_comment``, exactly as in the chat, and the finished state passes ``submission_problems`` (the chat's
server-side checks) before it may be saved.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..content.model import Consultation, Question
from ..text.postcodes import find_postcode
from .engine import AGE_BANDS, OTHER_MAX_LENGTH, OUTSIDE_DISTRICT, PREFER_NOT, Survey, new_state
from .parsing import clean_text, options_for
from .submission import DEFAULT_TEXT_LIMIT, answer_problem, submission_problems

# Channel codes as stored (responses.channel) and their readable names (export/labels.py has the same).
CHANNELS = {"paper": "Paper", "phone": "Phone", "in_person": "In person"}
KEY_PREFIX = "keyed-"  # submission keys of keyed responses, never those of a chat survey run
TOKEN = re.compile(r"[0-9a-f]{32}")
MAX_FIELD = 20_000  # characters in any one posted field (the portal also caps the whole body)


def new_token() -> str:
    """The idempotency token of one blank form: posting it twice saves one response."""
    return uuid.uuid4().hex


def field_name(question: Question) -> str:
    return f"q-{question.id}"


class Fields:
    """The posted form, read safely: every value is text, cut to a sane length."""

    def __init__(self, values: Mapping[str, Sequence[str]]):
        self._values = values

    def all(self, name: str) -> list[str]:
        return [value[:MAX_FIELD] for value in self._values.get(name, ()) if isinstance(value, str)]

    def one(self, name: str) -> str:
        values = self.all(name)
        return values[0].strip() if values else ""


@dataclass
class KeyedForm:
    """What was posted, read: the survey state to save, or the problems, one line per field."""

    state: dict
    errors: dict[str, str] = field(default_factory=dict)  # field name -> one line
    not_asked: list[str] = field(default_factory=list)  # question ids not asked (skip logic)
    # Required questions the resident left blank on paper (or would not answer on the phone), as the officer
    # says: saved as not answered rather than the whole response refused and lost.
    left_blank: list[str] = field(default_factory=list)
    channel: str = ""
    received_on: dt.date | None = None
    consent: bool = False
    postcode_hash: str | None = None
    token: str = ""
    duplicates_confirmed: tuple[str, ...] = ()  # references the officer saw and chose to save anyway

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def submission_key(self) -> str:
        return KEY_PREFIX + self.token


def read_keyed_form(
    survey: Survey,
    posted: Mapping[str, Sequence[str]],
    *,
    known_wards: set[str],
    today: dt.date,
    current: Consultation | None = None,
) -> KeyedForm:
    """Read a posted keyed-in response against the consultation version ``survey`` was built on.

    ``survey`` is the chat's own engine (``survey.engine.Survey``) for that consultation, built with the
    council's theme tagger, its public places, the sector-to-ward lookup and the postcode proof.
    ``current`` is the consultation as it is now (whether it was open is read from it)."""
    consultation = survey.consultation
    fields = Fields(posted)
    demographics = tuple(survey.council.demographics) if survey.council else ("postcode", "age_band")
    state = new_state(consultation, demographics)
    form = KeyedForm(state)
    errors = form.errors
    _read_office_fields(form, fields, consultation, current or consultation, today)

    answers: dict[str, Any] = state["answers"]
    for question in consultation.questions:
        name = field_name(question)
        given = _given(question, fields)
        if not question.is_asked(answers):
            form.not_asked.append(question.id)
            if given:
                errors[name] = "Not asked, because of an earlier answer: clear this answer, or correct the earlier one."
            continue
        blank = fields.one(f"{name}-blank") == "yes"
        if given and blank:
            errors[name] = "There is an answer and “left blank on the form” is ticked: keep one of them."
            answers[question.id] = None
            continue
        if not given:
            if question.required and blank:
                form.left_blank.append(question.id)
            elif question.required:
                errors[name] = "This question needs an answer. If the resident left it blank, tick “Left blank on the form”."
            answers[question.id] = None
            continue
        value, problem = _value(question, fields)
        if problem is None:
            problem = answer_problem(question, value)
        if problem is not None:
            errors[name] = _sentence(problem)
            answers[question.id] = None  # keeps later skip logic reading "no answer" rather than a bad one
            continue
        replies: list = []
        if question.type == "text":
            value = survey.keep_comment(state, question.id, value, replies)
        answers[question.id] = value
        _read_other(survey, question, value, fields, state, errors)

    _read_about_you(survey, form, fields, demographics, known_wards)
    quote = fields.one("quote")
    if quote not in ("", "yes", "no"):
        errors["quote"] = "Choose yes, no or not answered."
    state["quote"] = None if quote == "" else quote == "yes"
    state["consent_at"] = (
        dt.datetime.combine(form.received_on, dt.time()).isoformat() if form.received_on and form.consent else None
    )
    if not errors:
        # The chat's own server-side checks, on the finished state; anything left is a bug in this reader,
        # so it is shown at the top rather than hidden.
        open_on = form.received_on or today
        problems = submission_problems(consultation, state, known_wards, open_on, current, left_blank=form.left_blank)
        if problems:
            errors["form"] = _sentence("; ".join(problems))
    return form


def _read_office_fields(
    form: KeyedForm, fields: Fields, consultation: Consultation, current: Consultation, today: dt.date
) -> None:
    errors = form.errors
    token = fields.one("token")
    if not TOKEN.fullmatch(token):
        errors["form"] = "This form is missing its token: reload the page and key the response in again."
    form.token = token
    channel = fields.one("channel")
    if channel not in CHANNELS:
        errors["channel"] = "Choose how the response came in: paper, phone or in person."
    form.channel = channel
    received = fields.one("received_on")
    try:
        form.received_on = dt.date.fromisoformat(received) if received else None
    except ValueError:
        form.received_on = None
        errors["received_on"] = "Enter the date as day, month and year, for example 2026-11-20."
    else:
        if form.received_on is None:
            errors["received_on"] = "Enter the date the response was received."
        elif form.received_on > today:
            errors["received_on"] = f"The date received can't be in the future (today is {_day(today)})."
        elif form.received_on < current.opens:
            errors["received_on"] = f"The consultation opened on {_day(current.opens)}: a response can't be received before that."
        elif form.received_on > current.closes:
            errors["received_on"] = (
                f"The consultation closed on {_day(current.closes)}: responses received after that don't count."
            )
        elif current.effective_status(form.received_on) != "open":
            errors["received_on"] = f"{consultation.title} was not open on {_day(form.received_on)}."
    form.consent = fields.one("consent") == "yes"
    if not form.consent:
        errors["consent"] = "Tick this only if consent was given on the form or by the resident: without it nothing is saved."
    form.duplicates_confirmed = tuple(value.strip().upper() for value in fields.all("save_anyway") if value.strip())[:20]


def _given(question: Question, fields: Fields) -> bool:
    name = field_name(question)
    if question.type == "rank":
        return any(fields.one(f"{name}-{number}") for number in range(1, len(question.options) + 1))
    return any(value.strip() for value in fields.all(name))


def _value(question: Question, fields: Fields) -> tuple[Any, str | None]:
    """The canonical answer from the fields, or a one-line problem."""
    name = field_name(question)
    kind = question.type
    if kind in ("scale", "choice", "yesno"):
        values = [value.strip() for value in fields.all(name) if value.strip()]
        if len(values) != 1:
            return None, "choose one answer"
        return values[0], None if values[0] in options_for(question) else "not one of the options"
    if kind == "multi":
        chosen = [value.strip() for value in fields.all(name) if value.strip()]
        if not set(chosen) <= set(question.options):
            return chosen, None  # refused by answer_problem: "not a list of the options"
        return [option for option in question.options if option in chosen], None  # in the form's order
    if kind == "rank":
        return _rank(question, fields)
    if kind == "number":
        text = fields.one(name).replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None, "enter a number, in figures"
        if not math.isfinite(number):
            return None, "enter a number, in figures"
        value: float | int = int(number) if number.is_integer() else number
        if (question.min is not None and value < question.min) or (question.max is not None and value > question.max):
            return None, f"enter a number{_range(question)}"
        return value, None
    text = clean_text(fields.one(name))
    limit = question.max_length or DEFAULT_TEXT_LIMIT
    if len(text) > limit:
        return None, f"that's {len(text):,} characters, and the limit for this answer is {limit:,}"
    return text, None


def _rank(question: Question, fields: Fields) -> tuple[Any, str | None]:
    name = field_name(question)
    size = len(question.options)
    positions: dict[int, str] = {}
    for number, option in enumerate(question.options, start=1):
        text = fields.one(f"{name}-{number}")
        if not text:
            continue
        if not text.isdigit() or not 1 <= int(text) <= size:
            return None, f"number the options from 1 to {size}"
        if int(text) in positions:
            return None, f"use each number once, from 1 to {size}"
        positions[int(text)] = option
    if sorted(positions) != list(range(1, len(positions) + 1)):
        return None, f"number the options 1, 2, 3 and so on without gaps (1 to {size})"
    return [positions[number] for number in sorted(positions)], None


def _read_other(survey: Survey, question: Question, value: Any, fields: Fields, state: dict, errors: dict[str, str]) -> None:
    """The "other, please specify" text: it goes with an answer that chose the "other" option, and only then."""
    if question.other is None:
        return
    name = f"{field_name(question)}-other"
    text = clean_text(fields.one(name))
    if not question.chose_other(value):
        if text:
            errors[name] = f'Written here only when "{question.other}" is chosen: choose it, or clear this box.'
        return
    if not text:
        return  # "other" chosen with nothing written: allowed, as in the chat ("skip")
    if len(text) > OTHER_MAX_LENGTH:
        errors[name] = f"That's {len(text):,} characters, and the limit here is {OTHER_MAX_LENGTH:,}."
        return
    state["other"][question.id] = survey.keep_comment(state, question.id, text, [])


def _read_about_you(
    survey: Survey, form: KeyedForm, fields: Fields, demographics: tuple[str, ...], known_wards: set[str]
) -> None:
    state, errors = form.state, form.errors
    if "postcode" in demographics:
        postcode, ward = fields.one("postcode"), fields.one("ward")
        if ward and ward not in known_wards and ward not in (OUTSIDE_DISTRICT, PREFER_NOT):
            errors["ward"] = "Choose one of the wards."
            ward = ""
        if postcode:
            match = find_postcode(postcode)
            if match is None:
                errors["postcode"] = "Enter a postcode like MB3 4AB (or its first part, like MB3 4), or leave it blank."
            else:
                found = survey.resolve_sector(match.sector) or OUTSIDE_DISTRICT
                if ward and ward != found:
                    errors["ward"] = "This ward doesn't match the postcode: leave the ward blank, or correct one of them."
                state["ward"] = found
                if match.full and survey.postcode_proof is not None:
                    form.postcode_hash = survey.postcode_proof(match.full)
                    state["postcode_proof"] = form.postcode_hash
        elif ward:
            state["ward"] = ward
    if "age_band" in demographics:
        band = fields.one("age_band")
        if band and band not in (*AGE_BANDS, PREFER_NOT):
            errors["age_band"] = "Choose one of the age groups."
        else:
            state["age_band"] = band or None


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _range(question: Question) -> str:
    def show(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else str(value)

    if question.min is not None and question.max is not None:
        return f" from {show(question.min)} to {show(question.max)}"
    if question.min is not None:
        return f" of at least {show(question.min)}"
    if question.max is not None:
        return f" up to {show(question.max)}"
    return ""


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"


def saved_fields(form: KeyedForm) -> dict[str, Any]:
    """The keyword arguments of ``Store.submit_response`` for a form that passed every check (no store
    I/O here; the portal adds who keyed it in)."""
    state = form.state
    ward = state.get("ward")
    return {
        "consultation_slug": state["slug"],
        "channel": form.channel,
        "sender_id": form.submission_key,  # one salted hash per form: no resident identity to link
        "answers": state["answers"],
        "themes": state["themes"],
        "ward_slug": None if ward in (None, PREFER_NOT) else ward,
        "age_band": None if state.get("age_band") in (None, PREFER_NOT) else state["age_band"],
        "consent_privacy_at": dt.datetime.combine(form.received_on, dt.time()) if form.received_on else None,
        "consent_quote": state.get("quote"),
        "notify_outcome": None,
        "submission_key": form.submission_key,
        "postcode_hash": form.postcode_hash,
        "other_texts": state["other"],
        "content_version": state.get("version"),
        "received_on": form.received_on,
    }
