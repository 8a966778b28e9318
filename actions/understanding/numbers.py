"""Numbers in residents' words: "twelve", "a dozen", "twice a week", "none", and ranges that need asking.

Number words become digits with ``text2num`` (``alpha2digit``); what it leaves
alone (quantities such as "a couple", frequencies such as "twice") is ours.
A range ("3 or 4") is never guessed: the resident is asked for one number.
"""

from __future__ import annotations

import re

from text_to_num import alpha2digit

from .result import Understanding, check, sure, unclear
from .words import clean, normalise

QUANTITY_WORDS = [
    (r"\bhalf a dozen\b", "6"),
    (r"\ba dozen\b|\bdozen\b", "12"),
    (r"\ba score\b", "20"),
    (r"\bonce\b", "1 times"),
    (r"\btwice\b", "2 times"),
    (r"\bthrice\b", "3 times"),
    (r"\ba hundred\b", "100"),
    (r"\ba single\b", "1"),
]
ZERO = re.compile(
    r"^(?:none|zero|nil|nought|nothing|never|not at all|not once|no times?|0|i don'?t|i never|hardly ever|"
    r"none at all|not any|i don'?t use it|i don'?t go|never go|never do|never been|i never go|i never use it|"
    r"(?:i )?(?:haven'?t|have not|not) been(?: there)? (?:in|for) (?:years|ages|a long time|a while))$"
)
ZERO_WORDS = re.compile(r"\b(?:never|none|zero|nil|not at all|not once)\b")
COUPLE = re.compile(r"\ba couple\b|\bcouple of\b|\bcouple\b")
FEW = re.compile(r"\b(?:a few|few|several|some|loads|lots|many|a lot|tons|a bit)\b")
RANGE = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:-|–|to|or|/|and)\s*(-?\d+(?:\.\d+)?)")
BETWEEN = re.compile(r"between\s+(-?\d+(?:\.\d+)?)\s+and\s+(-?\d+(?:\.\d+)?)")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
EVERY = re.compile(
    r"\b(?:every|each|once a|once every)\s+(?:single\s+)?(day|weekday|week|fortnight|month|year)\b|\b(daily|weekly|fortnightly|monthly|yearly|weekdays)\b"
)
WEEK = ["mo", "tu", "we", "th", "fr", "sa", "su"]
DAY_RANGE = re.compile(
    r"\b(mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\s*(?:to|-|till|until|through|thru)\s*"
    r"(mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\b"
)
WEEKENDS = re.compile(r"\b(?:weekends?|the weekend|saturday and sunday|sat and sun)\b")
DAY_NAMES = re.compile(r"\b(mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?\b")
PER = re.compile(r"(\d+(?:\.\d+)?)\s*(?:times?|x)?\s*(?:a|an|per|each|every)\s+(day|week|fortnight|month|year)\b")
UNITS_PER_YEAR = {
    "day": 365.0,
    "weekday": 260.0,
    "week": 48.0,
    "fortnight": 24.0,
    "month": 12.0,
    "year": 1.0,
}  # 4 weeks a month, as people count
APPROXIMATELY = re.compile(
    r"\b(?:about|around|roughly|approx(?:imately)?|maybe|probably|at least|at most|nearly|almost|over|under|up to|max|tops|ish)\b|~"
)


def unit_of(question_text: str) -> str | None:
    """The period a question counts in: "how many days a week" -> week."""
    match = re.search(r"\b(?:a|per|each|every)\s+(day|week|fortnight|month|year)\b", (question_text or "").lower())
    return match.group(1) if match else None


def _digits(text: str) -> str:
    """Number words as digits; a leading minus sign is kept ("-1" stays below zero)."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", clean(text))  # 1,000 -> 1000
    negative = text.lstrip().startswith("-") and text.lstrip()[1:2].isdigit()
    text = ("-" if negative else "") + normalise(text.replace(",", " "))
    for pattern, replacement in QUANTITY_WORDS:
        text = re.sub(pattern, replacement, text)
    try:
        text = alpha2digit(text, "en", threshold=0)
    except Exception:  # noqa: BLE001, S110 - text2num is strict about odd input; the words just stay words
        pass
    return text


def understand_number(text: str, question_text: str = "", low: float | None = None, high: float | None = None) -> Understanding:
    text = re.sub(r"(?<=\w)-?ish\b", "", text)  # "fifteen-ish", "10ish"
    wanted = normalise(text).replace("everyday", "every day")
    if not wanted:
        return unclear(range_hint(low, high))
    if ZERO.match(wanted):
        return _bounded(0, 1.0, low, high)
    digits = _digits(text)
    unit = unit_of(question_text)

    between = BETWEEN.search(digits) or RANGE.search(digits)
    if between and between.group(1) != between.group(2):
        first, second = _show(float(between.group(1))), _show(float(between.group(2)))
        return unclear(f"Is that {first} or {second}? Please give just one number: your best guess is fine.")

    per = PER.search(digits)
    if per and unit:
        amount, period = float(per.group(1)), per.group(2)
        if period == unit:
            return _bounded(amount, 1.0, low, high)
        converted = amount * UNITS_PER_YEAR[period] / UNITS_PER_YEAR[unit]
        return _bounded(_round(converted), 0.6, low, high)  # a conversion is offered back, not stored
    every = EVERY.search(digits)
    if every and unit and not NUMBER.search(digits):
        period = (
            every.group(1)
            or {
                "daily": "day",
                "weekly": "week",
                "fortnightly": "fortnight",
                "monthly": "month",
                "yearly": "year",
                "weekdays": "weekday",
            }[every.group(2)]
        )
        converted = UNITS_PER_YEAR[period] / UNITS_PER_YEAR[unit]
        exact = (period, unit) in {
            ("day", "week"),
            ("weekday", "week"),
            ("week", "week"),
            ("month", "month"),
            ("year", "year"),
            ("day", "day"),
        }
        if (period, unit) == ("weekday", "week"):
            converted = 5
        elif (period, unit) == ("day", "week"):
            converted = 7
        return _bounded(_round(converted), 1.0 if exact else 0.6, low, high)

    numbers = [float(n) for n in NUMBER.findall(digits)]
    days = {match.group(1)[:2] for match in DAY_NAMES.finditer(wanted)}
    day_range = DAY_RANGE.search(wanted)
    if not numbers and unit == "week" and day_range:
        first, last = WEEK.index(day_range.group(1)[:2]), WEEK.index(day_range.group(2)[:2])
        return _bounded((last - first) % 7 + 1, 0.9, low, high)  # "mon to fri"
    if not numbers and unit == "week" and re.search(r"\b(?:school days|weekdays|week days|work days|working days)\b", wanted):
        return _bounded(5, 0.9, low, high)
    if not numbers and unit == "week" and WEEKENDS.search(wanted) and not days:
        return _bounded(2, 0.9, low, high)
    if not numbers and days and unit == "week":
        return _bounded(len(days), 0.9 if len(days) == 1 or "and" in wanted or "," in text else 0.6, low, high)
    if not numbers:
        if COUPLE.search(digits):
            return _bounded(2, 0.6, low, high)
        if FEW.search(digits):
            return unclear("Roughly how many? Please give a number: your best guess is fine.")
        if ZERO_WORDS.search(wanted):
            return _bounded(0, 0.7, low, high)
        return unclear(range_hint(low, high))
    if len(set(numbers)) > 1:
        return unclear("Please give just one number: your best guess is fine.")
    value = numbers[0]
    confidence = 1.0
    if re.search(r"\b(?:at least|over|more than|under|less than|up to)\b", digits):
        confidence = 0.6  # "more than 5" is not 5
    return _bounded(value, confidence, low, high)


def _bounded(value: float, confidence: float, low: float | None, high: float | None) -> Understanding:
    if (low is not None and value < low) or (high is not None and value > high):
        return unclear(range_hint(low, high))
    number = int(value) if float(value).is_integer() else value
    return sure(number, confidence) if confidence >= 0.85 else check(number, confidence)


def _round(value: float) -> float:
    """A converted count, as people count: 4 weeks a month, whole numbers from 1 up."""
    return float(round(value)) if value >= 1 else round(value, 1)


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def range_hint(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"Please reply with a number from {_show(low)} to {_show(high)}."
    if low is not None:
        return f"Please reply with a number of at least {_show(low)}."
    if high is not None:
        return f"Please reply with a number no more than {_show(high)}."
    return "Please reply with a number."
