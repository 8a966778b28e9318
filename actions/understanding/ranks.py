"""Rank: the options in the resident's order of importance, in their own words.

A whole order ("safety, air, traffic, parking", "3 1 2 4", "1234"), places ("safety first,
parking last", "number one for me is parking"), "in the order you listed them", "reverse order",
or one item at a time. Comparisons we can't place reliably ("air above traffic") are asked again.
"""

from __future__ import annotations

import re

from .options import ORDINALS, OptionSet, match_one, protect_labels
from .result import STORE_AT, Understanding, check, sure, unclear
from .words import content_words, normalise, normalise_list

REVERSE_ORDER = re.compile(
    r"^(?:in )?(?:the )?(?:reverse|reversed|opposite|backwards?) (?:order|way round)?$|^backwards$|^other way round$"
)
ENUMERATION = re.compile(r"(?:^|(?<=[\s,;]))(\d)\s*[.):-]?\s+(?=[a-z])(?!first|second|third|fourth|then|last)")
COMPARING = re.compile(
    r"\b(?:above(?! all| everything| anything)|below|beats|over|more than|less than|higher than|lower than|before|after|ahead of|behind)\b|\b\w+ (?:more|less)\b(?! important)"
)
IN_ORDER_GIVEN = re.compile(
    r"\border as (?:you(?:'ve| have)?|they(?:'re| are)?) (?:got|have|listed|put|shown|gave|given)|"
    r"\b(?:in )?(?:the )?(?:same )?order (?:you|they(?:'re| are)?|as|it'?s|that you|you'?ve) "
    r"(?:listed|gave|given|shown|written|put|have|had|got|got them|have them|listed them)|"
    r"^(?:as|like) (?:listed|they are|it is|you have them|shown)$|^(?:same|that) order$|^keep (?:the|that) order$"
)
SLOT = re.compile(
    r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|top|bottom)\b(?:\s+(?:place|most important))?|\bnumber (one|two|three|four)\b|"
    r"\b(least|most)(?: important)?\b"
)
RANK_SPLIT = re.compile(r"\s*(?:,|;|>|\bthen\b|\bfollowed by\b|\bafter that\b|\band then\b|\bnext\b|\band\b|\n|\s-\s)\s*")


def understand_rank(options: OptionSet, text: str, partial: list[str]) -> Understanding:
    labels = options.labels
    count = len(labels)
    example = " ".join(str(n) for n in range(1, count + 1))
    hint = f'Reply with the numbers in order, most important first (like "{example}"), or just the most important one.'
    wanted = normalise_list(text)
    wanted = re.sub(r"\s+(?:lol|haha|ha|ta|thanks|thank you|please|pls|x+)$", "", wanted)
    if COMPARING.search(wanted):
        # "air above traffic", "traffic more": comparisons we can't place reliably, so ask for the order.
        return unclear(hint)
    if re.fullmatch(rf"[1-{min(count, 9)}]{{{count}}}", wanted.replace(" ", "")) and len(set(wanted.replace(" ", ""))) == count:
        wanted = " ".join(wanted.replace(" ", ""))  # "1234"
    wanted = re.sub(r"^(?:(?:most important|first|1st|top|number one|no 1)\s+(?:is\s+)?)", "", wanted)
    digits = re.findall(r"\d+", wanted)
    if re.fullmatch(r"[\d\s,>.-]+", wanted) and len(digits) > 1:
        numbers = [int(d) for d in digits]
        missing = [n for n in range(1, count + 1) if n not in numbers]
        if len(numbers) == count - 1 and len(missing) == 1:
            numbers.append(missing[0])
        if sorted(numbers) != list(range(1, count + 1)):
            return unclear(f'Please give each number from 1 to {count} once, most important first, like "{example}".')
        return sure([labels[n - 1] for n in numbers])
    if IN_ORDER_GIVEN.search(wanted) and not partial:
        return sure(list(labels))
    if REVERSE_ORDER.search(wanted) and not partial:
        return sure(list(reversed(labels)))
    enumerated = [int(m.group(1)) for m in ENUMERATION.finditer(wanted)]
    if len(enumerated) >= 2 and enumerated == list(range(1, len(enumerated) + 1)):
        wanted = ENUMERATION.sub(", ", wanted)  # "1 air quality 2 safety": the numbers only count the list
    protected, placeholders = protect_labels(options, wanted)
    parts = [part.strip(" ,;>") for part in RANK_SPLIT.split(protected) if part.strip(" ,;>")]
    order: list[str] = list(partial)
    slots: dict[int, str] = {}
    confidence = 1.0
    for part in parts:
        for key, label in placeholders.items():
            part = part.replace(key, normalise(label))
        slot = SLOT.search(part)
        part = SLOT.sub(" ", part).strip()
        part = re.sub(r"^(?:(?:then|and|after|finally|lastly|is|comes?)\s+)+", "", part)
        part = re.sub(r"\s+(?:above everything|above all|most important|least important|comes?|is)$", "", part)
        if not content_words(part) and not re.search(r"\d|\b[a-h]\b", part):
            continue
        label, part_confidence, ambiguity = match_one(options, part)
        if label is None or part_confidence < 0.5:
            return unclear(ambiguity or hint)
        if order[len(partial) :] and order[-1] == label and not slot:
            continue  # "warm and quiet space" split at its own "and"
        if label in partial:
            return unclear(f'You\'ve already put "{label}" at number {partial.index(label) + 1}. Which comes next?')
        if label in order or label in slots.values():
            return unclear(f'"{label}" is in there twice. {hint}')
        if slot:
            word = next(group for group in slot.groups() if group)
            spelled = {"bottom": -1, "least": -1, "most": 1, "top": 1, "one": 1, "two": 2, "three": 3, "four": 4}
            position = spelled.get(word, ORDINALS.get(word, 0))
            slots[count if position == -1 else position] = label
        else:
            order.append(label)
        confidence = min(confidence, part_confidence)
    if slots:
        # "safety first, then air quality, then traffic, parking last": placed items take their places,
        # the rest fill the gaps in the order given.
        if partial or any(not 1 <= n <= count for n in slots):
            return unclear(hint)
        places: list[str | None] = [None] * count
        for position, label in slots.items():
            places[position - 1] = label
        rest = iter(order)
        places = [place if place is not None else next(rest, None) for place in places]
        if next(rest, None) is not None or sum(place is None for place in places) > 1:
            return unclear(hint)
        order = [place for place in places if place is not None]
        if len(order) == count - 1:
            missing = next(label for label in labels if label not in order)
            order = [place if place is not None else missing for place in places]
    if not order or order == list(partial):
        return unclear(hint)
    if len(order) >= count - 1:
        value = order + [label for label in labels if label not in order]
        return sure(value, confidence) if confidence >= STORE_AT else check(value, confidence)
    if len(order) - len(partial) == 1 and confidence >= STORE_AT:
        return Understanding("not understood", None, confidence, "", partial=order)
    return unclear(f"Please put all {count} in order, or tell me just the most important one.")
