"""Turn what a resident types into a canonical answer for one question.

Every parser accepts what people actually type (button payloads, option
numbers, labels in any case, common variants, fuzzy words) and either returns
a canonical value or a short, friendly hint for the re-ask. Parsers are pure
functions with no I/O, so they are easy to test exhaustively.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from ..content.model import DONT_KNOW, SCALES, Question

# Said only to move on: these skip even where a word like "none" could be a real answer.
EXPLICIT_SKIPS = {
    "skip",
    "skip it",
    "skip this",
    "skip this one",
    "skip question",
    "pass",
    "next",
    "next question",
    "no comment",
    "no comments",
    "prefer not to say",
    "rather not say",
    "i'd rather not say",
    "id rather not say",
}
SKIP_PHRASES = EXPLICIT_SKIPS | {
    "n/a",
    "na",
    "not applicable",
    "prefer not to answer",
    "rather not answer",
    "no answer",
    "dont want to answer",
    "don't want to answer",
    "none",
    "nothing",
    "nothing to add",
    "nothing else",
    "no thanks",
    "no thank you",
}
DONT_KNOW_PHRASES = {
    "dont know",
    "don't know",
    "do not know",
    "not sure",
    "unsure",
    "dunno",
    "no idea",
    "cant say",
    "can't say",
    "not certain",
    "i dont know",
    "i don't know",
    "im not sure",
    "i'm not sure",
    "dk",
    "idk",
}
YES_WORDS = {
    "yes",
    "y",
    "yeah",
    "yep",
    "yup",
    "ya",
    "yes please",
    "sure",
    "of course",
    "definitely",
    "absolutely",
    "i do",
    "i have",
    "i would",
    "i am",
    "correct",
    "true",
    "aye",
    "certainly",
    "ok",
    "okay",
    "yes i do",
    "yes i have",
    "yes i would",
    "probably yes",
}
NO_WORDS = {
    "no",
    "n",
    "nope",
    "nah",
    "no thanks",
    "never",
    "i dont",
    "i don't",
    "i do not",
    "i havent",
    "i haven't",
    "i have not",
    "i wouldnt",
    "i wouldn't",
    "not really",
    "false",
    "no i dont",
    "no i don't",
    "no i havent",
    "no i haven't",
    "i'm not",
    "im not",
    "no never",
    "definitely not",
    "not at all",
}
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "7th": 7,
    "eighth": 8,
    "8th": 8,
    "ninth": 9,
    "9th": 9,
    "tenth": 10,
    "10th": 10,
    "last": -1,
}
NUMBER_WORDS = {
    "zero": 0,
    "none": 0,
    "nil": 0,
    "no": 0,
    "one": 1,
    "once": 1,
    "two": 2,
    "twice": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a dozen": 12,
    "dozen": 12,
}
FILLER_WORDS = {
    "the",
    "a",
    "an",
    "one",
    "i",
    "id",
    "i'd",
    "like",
    "choose",
    "pick",
    "prefer",
    "want",
    "would",
    "please",
    "think",
    "option",
    "number",
    "go",
    "for",
    "with",
    "it",
    "its",
    "it's",
    "that",
    "is",
    "my",
    "answer",
    "say",
    "probably",
    "maybe",
    "guess",
    "ones",
    "and",
    "of",
    "them",
    "to",
    "be",
    "im",
    "i'm",
}

# Common ways of saying each scale point, by scale. Checked after exact labels.
SCALE_VARIANTS: dict[str, dict[str, int]] = {
    "agree5": {
        "strongly agree": 0,
        "totally agree": 0,
        "completely agree": 0,
        "fully agree": 0,
        "agree strongly": 0,
        "definitely agree": 0,
        "very much agree": 0,
        "love it": 0,
        "agree": 1,
        "i agree": 1,
        "mostly agree": 1,
        "somewhat agree": 1,
        "agree a bit": 1,
        "tend to agree": 1,
        "neither": 2,
        "neutral": 2,
        "no opinion": 2,
        "in the middle": 2,
        "not bothered": 2,
        "dont mind": 2,
        "don't mind": 2,
        "indifferent": 2,
        "meh": 2,
        "disagree": 3,
        "i disagree": 3,
        "dont agree": 3,
        "don't agree": 3,
        "do not agree": 3,
        "not agree": 3,
        "tend to disagree": 3,
        "somewhat disagree": 3,
        "mostly disagree": 3,
        "strongly disagree": 4,
        "totally disagree": 4,
        "completely disagree": 4,
        "disagree strongly": 4,
        "definitely disagree": 4,
        "hate it": 4,
        "strongly against": 4,
        "totally against": 4,
        "really dont agree": 4,
        "really don't agree": 4,
    },
    "satisfied5": {
        "very satisfied": 0,
        "very happy": 0,
        "extremely satisfied": 0,
        "satisfied": 1,
        "happy": 1,
        "fairly satisfied": 1,
        "quite happy": 1,
        "neither": 2,
        "neutral": 2,
        "ok": 2,
        "okay": 2,
        "fine": 2,
        "dissatisfied": 3,
        "unsatisfied": 3,
        "not satisfied": 3,
        "unhappy": 3,
        "not happy": 3,
        "very dissatisfied": 4,
        "very unsatisfied": 4,
        "very unhappy": 4,
        "extremely dissatisfied": 4,
        "terrible": 4,
        "awful": 4,
    },
    "likely5": {
        "very likely": 0,
        "definitely": 0,
        "certainly": 0,
        "absolutely": 0,
        "likely": 1,
        "probably": 1,
        "quite likely": 1,
        "maybe": 2,
        "perhaps": 2,
        "neither": 2,
        "might": 2,
        "50 50": 2,
        "unlikely": 3,
        "probably not": 3,
        "not likely": 3,
        "very unlikely": 4,
        "definitely not": 4,
        "never": 4,
        "no way": 4,
        "not at all likely": 4,
    },
}


@dataclass(frozen=True)
class Parsed:
    """A parse result: ``ok`` with a canonical ``value``, or not ok with a ``hint`` for the re-ask."""

    ok: bool
    value: Any = None
    hint: str = ""
    skipped: bool = False
    partial: list = field(default_factory=list)  # rank answered one item at a time


def accepted(value: Any) -> Parsed:
    return Parsed(True, value)


def rejected(hint: str) -> Parsed:
    return Parsed(False, hint=hint)


def clean_text(text: str) -> str:
    """Normalise Unicode and drop control characters (keeping line breaks and tabs). Plain text stays plain."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


def normalise(text: str) -> str:
    """Lower case, apostrophes unified, punctuation to spaces, single spaces."""
    text = clean_text(text).lower().replace("\u2019", "'").replace("`", "'")
    text = re.sub(r"[^\w'\s/+&-]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" -'")


def is_explicit_skip(text: str) -> bool:
    return normalise(text) in EXPLICIT_SKIPS


def is_skip(text: str) -> bool:
    return normalise(text) in SKIP_PHRASES


def options_for(question: Question) -> tuple[str, ...]:
    if question.type == "scale":
        return (*SCALES[question.scale or "agree5"], DONT_KNOW)
    if question.type == "yesno":
        return ("Yes", "No")
    return question.options


def parse_answer(question: Question, text: str, partial: list | None = None) -> Parsed:
    """Parse ``text`` as an answer to ``question``. Skips are handled by the caller (see :func:`is_skip`)."""
    if not clean_text(text):
        return rejected("I didn't get an answer there.")
    parser = {
        "scale": parse_scale,
        "choice": parse_choice,
        "multi": parse_multi,
        "rank": parse_rank,
        "yesno": parse_yesno,
        "number": parse_number,
        "text": parse_text,
    }[question.type]
    if question.type == "rank":
        return parse_rank(question, text, partial or [])
    return parser(question, text)


def _number_in(text: str) -> int | None:
    """An option number: '2', 'option 2', 'number 2', '2.', 'the second one'."""
    words = normalise(text).split()
    meaningful = [w for w in words if w not in FILLER_WORDS]
    if len(meaningful) == 1:
        word = meaningful[0].rstrip(".)")
        if word.isdecimal():
            return int(word)
        if word in ORDINALS:
            return ORDINALS[word]
    return None


def _option_by_number(options: tuple[str, ...], number: int | None) -> str | None:
    if number is None:
        return None
    if number == -1:
        return options[-1]
    return options[number - 1] if 1 <= number <= len(options) else None


def _content_words(text: str) -> set[str]:
    return {w for w in normalise(text).replace("-", " ").split() if w not in FILLER_WORDS and len(w) > 1}


def _match_option(options: tuple[str, ...], text: str) -> tuple[str | None, str]:
    """Best option for ``text`` by number, exact label, label prefix or fuzzy words. Returns (option, reason)."""
    by_number = _option_by_number(options, _number_in(text))
    if by_number:
        return by_number, ""
    wanted = normalise(text)
    if not wanted:
        return None, ""
    for option in options:
        label = normalise(option)
        if wanted == label:
            return option, ""
    # "option b" or "b" for labels like "Option B - painted lane"
    prefixes = {option: normalise(option.split(" - ")[0]) for option in options}
    for option, prefix in prefixes.items():
        short = prefix.replace("option ", "")
        if wanted in (prefix, short, f"option {short}") or wanted.endswith(f" {prefix}") or wanted == f"the {prefix}":
            return option, ""
    words = _content_words(text)
    if not words:
        return None, ""
    scored = []
    for option in options:
        option_words = _content_words(option)
        overlap = sum(1 for w in words if any(w == o or (len(w) > 3 and fuzz.ratio(w, o) >= 85) for o in option_words))
        fuzzy = fuzz.token_set_ratio(" ".join(words), " ".join(option_words)) / 100
        scored.append((overlap / len(words) + 0.3 * fuzzy, overlap, option))
    scored.sort(reverse=True)
    best_score, best_overlap, best_option = scored[0]
    if best_overlap == 0 and best_score < 0.3 * 0.9:
        return None, ""
    if best_overlap == 0:
        return best_option, ""
    if len(scored) > 1 and abs(scored[1][0] - best_score) < 0.05 and scored[1][1] == best_overlap:
        return None, f'That could be "{best_option}" or "{scored[1][2]}".'
    return best_option, ""


def numbered(options: tuple[str, ...]) -> str:
    return "\n".join(f"{index}. {option}" for index, option in enumerate(options, start=1))


def parse_scale(question: Question, text: str) -> Parsed:
    options = options_for(question)
    labels = options[:-1]
    wanted = normalise(text)
    if wanted in DONT_KNOW_PHRASES:
        return accepted(DONT_KNOW)
    number = _number_in(text)
    if number is not None:
        if 1 <= number <= len(labels):
            return accepted(labels[number - 1])
        return rejected(f"Please choose a number from 1 to {len(labels)}.")
    for option in options:
        if wanted == normalise(option):
            return accepted(option)
    variants = SCALE_VARIANTS.get(question.scale or "agree5", {})
    if wanted in variants:
        return accepted(labels[variants[wanted]])
    stripped = re.sub(r"^(i|i'd|i would|i think i|id say|i'd say|i)\s+", "", wanted)
    stripped = re.sub(r"\s+(i think|really|to be honest|tbh)$", "", stripped)
    if stripped in variants:
        return accepted(labels[variants[stripped]])
    best = max(options, key=lambda option: fuzz.ratio(wanted, normalise(option)))
    if fuzz.ratio(wanted, normalise(best)) >= 85:
        return accepted(best)
    best_variant = max(variants, key=lambda variant: fuzz.ratio(stripped, variant), default=None)
    if best_variant and fuzz.ratio(stripped, best_variant) >= 88:
        return accepted(labels[variants[best_variant]])
    return rejected(f"Please reply with a number from 1 to {len(labels)}, or one of: {', '.join(options)}.")


def parse_choice(question: Question, text: str) -> Parsed:
    option, ambiguity = _match_option(question.options, text)
    if option:
        return accepted(option)
    number = _number_in(text)
    if number is not None:
        return rejected(f"Please choose a number from 1 to {len(question.options)}.")
    return rejected(ambiguity or f"Please reply with the number of one option, from 1 to {len(question.options)}.")


_SPLIT = re.compile(r"\s*(?:,|;|/|&|\+|\band\b|\bplus\b|\balso\b|\n)\s*", re.IGNORECASE)


def parse_multi(question: Question, text: str) -> Parsed:
    options = question.options
    limit = question.max_choices or len(options)
    wanted = normalise(text)
    if wanted in {"all", "all of them", "all of the above", "everything", "the lot"}:
        chosen = list(options)
    else:
        parts = [part for part in _SPLIT.split(clean_text(text)) if part.strip()]
        # "1 3 5" or "1,3": bare numbers separated by spaces
        if len(parts) == 1 and re.fullmatch(r"[\d\s.]+", parts[0].strip()):
            parts = parts[0].split()
        chosen = []
        for part in parts:
            option, ambiguity = _match_option(options, part)
            if option is None:
                if re.fullmatch(r"\d+", part.strip()):
                    return rejected(f"{part.strip()} isn't one of the options: please use numbers from 1 to {len(options)}.")
                return rejected(
                    ambiguity
                    or f'I couldn\'t match "{part.strip()[:60]}" to an option. You can reply with numbers, like "1 and 3".'
                )
            if option not in chosen:
                chosen.append(option)
    if not chosen:
        return rejected('Please choose at least one option, for example "1 and 3".')
    if len(chosen) > limit:
        return rejected(f"Please choose no more than {limit}. You chose {len(chosen)}.")
    return accepted([option for option in options if option in chosen])


def parse_rank(question: Question, text: str, partial: list) -> Parsed:
    """A full order ("3 1 2" or labels separated by commas), or the next item when ranking one per turn."""
    options = question.options
    remaining = [option for option in options if option not in partial]
    parts = [part for part in re.split(r"[\s,;>]+(?:then\s+)?|\bthen\b", clean_text(text)) if part.strip()]
    if len(parts) > 1 and all(re.fullmatch(r"\d+", part) for part in parts):
        numbers = [int(part) for part in parts]
        missing = [n for n in range(1, len(options) + 1) if n not in numbers]
        if len(numbers) == len(options) - 1 and len(missing) == 1:
            numbers.append(missing[0])  # the last one is implied
        if sorted(numbers) != list(range(1, len(options) + 1)):
            return rejected(
                f'Please give each number from 1 to {len(options)} once, most important first, like "{" ".join(str(n) for n in range(len(options), 0, -1))}".'
            )
        return accepted([options[n - 1] for n in numbers])
    label_parts = [part for part in re.split(r"\s*(?:,|;|>|\bthen\b|\n)\s*", clean_text(text)) if part.strip()]
    if len(label_parts) > 1:
        order = []
        for part in label_parts:
            option, _ = _match_option(options, part)
            if option is None or option in order:
                return rejected(
                    f'I couldn\'t follow that order. Reply with the option numbers, most important first, like "{" ".join(str(n) for n in range(1, len(options) + 1))}".'
                )
            order.append(option)
        if len(order) == len(options):
            return accepted(order)
        if len(order) == len(options) - 1:
            return accepted(order + [option for option in options if option not in order])
        return rejected(f"Please put all {len(options)} in order, or tell me just the most important one.")
    # One item: the next most important.
    option, _ = _match_option(options, text)
    if option is None:
        return rejected(
            f'Reply with the numbers in order, most important first (like "{" ".join(str(n) for n in range(1, len(options) + 1))}"), or just the most important one.'
        )
    if option in partial:
        return rejected(f'You\'ve already put "{option}" at number {partial.index(option) + 1}. Which comes next?')
    ranked = partial + [option]
    if len(ranked) >= len(options) - 1:
        return accepted(ranked + [o for o in remaining if o not in ranked])
    return Parsed(False, partial=ranked, hint="")


def parse_yesno(question: Question, text: str) -> Parsed:
    wanted = normalise(text)
    if wanted in YES_WORDS or wanted == "1" or re.match(r"^(yes|yeah|yep)\b", wanted):
        return accepted("Yes")
    if wanted in NO_WORDS or wanted == "2" or re.match(r"^(no|nope|nah)\b", wanted):
        return accepted("No")
    return rejected("Please answer yes or no.")


_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def parse_number(question: Question, text: str) -> Parsed:
    wanted = re.sub(r"(?<=\d),(?=\d{3}\b)", "", clean_text(text).lower())  # 1,000 -> 1000
    low, high = question.min, question.max
    numbers = [float(match.replace(",", ".")) for match in _NUMBER.findall(wanted)]
    if not numbers:
        words = normalise(wanted).split()
        total = None
        for index, word in enumerate(words):
            if word in NUMBER_WORDS or " ".join(words[index : index + 2]) in NUMBER_WORDS:
                value = NUMBER_WORDS.get(" ".join(words[index : index + 2]), NUMBER_WORDS.get(word))
                total = (total or 0) + value
        if total is not None:
            numbers = [float(total)]
    if not numbers:
        return rejected(_range_hint(low, high))
    if len(numbers) > 1 and not re.search(r"\b(about|around|roughly)\b", wanted):
        return rejected("Please give just one number (your best guess is fine).")
    value = numbers[0]
    if not math.isfinite(value):
        return rejected(_range_hint(low, high))
    if (low is not None and value < low) or (high is not None and value > high):
        return rejected(_range_hint(low, high))
    return accepted(int(value) if value.is_integer() else value)


def _range_hint(low: float | None, high: float | None) -> str:
    def show(value: float) -> str:
        return str(int(value)) if float(value).is_integer() else str(value)

    if low is not None and high is not None:
        return f"Please reply with a number from {show(low)} to {show(high)}."
    if low is not None:
        return f"Please reply with a number of at least {show(low)}."
    if high is not None:
        return f"Please reply with a number no more than {show(high)}."
    return "Please reply with a number."


def parse_text(question: Question, text: str) -> Parsed:
    cleaned = clean_text(text)
    limit = question.max_length or 2000
    if len(cleaned) > limit:
        return rejected(
            f"That's {len(cleaned):,} characters, and the limit for this answer is {limit:,}. "
            "Please shorten it and send it again: I haven't cut anything off."
        )
    return accepted(cleaned)
