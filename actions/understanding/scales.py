"""Scales, for any label set: where a resident stands, in their own words.

Three steps, most certain first:
1. the label itself, its number in the list, or a rating ("8/10", "80%");
2. a stance classifier learned once from the generic phrases in
   ``data/stance.yml`` (never per consultation): polarity, intensity,
   negation ("not really"), neutrality, indifference and uncertainty;
3. the stance becomes a point on this question's scale by position, so a
   new label set works with no retraining. A custom scale whose labels run
   from negative to positive is read the other way round (the classifier
   reads its first and last labels to tell).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline, make_union

from .result import CONFIRM_AT, STORE_AT, Understanding, by_confidence, check, sure, unclear
from .words import NEGATORS, normalise, read_word_lists, tokens

STANCE_PATH = Path(__file__).resolve().parent / "data" / "stance.yml"
WORD_PATTERN = r"[^ ]+"  # marked() has already split the words
CLASSES = ("strong_for", "for", "neutral", "against", "strong_against", "indifferent", "indifferent_strong", "unsure")
SEGMENT = re.compile(r"\s*(?:[,;.!?]|\bbut\b|\bbecause\b|\bcos\b|\bas\b|\bthough\b|\bsince\b|\s-\s)\s*")
RATING = re.compile(
    r"^(?:i'?d (?:say|give it) |about |around |maybe |like )?(\d+(?:\.\d+)?)\s*(?:/|out of|outta|of|in)\s*(\d+)\b"
)
STARS = re.compile(r"^(?:i'?d (?:say|give it) )?([0-5])\s*stars?\b")
PERCENT = re.compile(r"^(?:i'?d say |about |around )?(\d+(?:\.\d+)?)\s*(?:%|percent|per cent)")
POSITION = re.compile(
    r"^(?:(?:it'?s|its|i'?ll (?:go with|say)|i'?d say|go with|number|no|option|answer|pick|choose)\s+)*(\d{1,2})(?:st|nd|rd|th)?$"
)
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7}
IMPORTANCE_WORDS = re.compile(r"\b(important|importance|matter|matters|priority|care)\b")


def marked(text: str) -> str:
    """Words under a negator get a NOT_ prefix, so 'not agree' and 'agree' differ for the classifier."""
    words = tokens(text)
    out, negate = [], 0
    for word in words:
        if word in NEGATORS or word.endswith("n't"):
            out.append(word)
            negate = 3
            continue
        out.append(f"NOT_{word}" if negate else word)
        negate = max(0, negate - 1)
    return " ".join(out)


def _examples() -> tuple[list[str], list[str]]:
    data = read_word_lists(STANCE_PATH)
    texts, labels = [], []
    for name, phrases in data.items():
        label = name.removesuffix("_more")
        for phrase in phrases:
            texts.append(str(phrase))
            labels.append(label)
    return texts, labels


@lru_cache(maxsize=1)
def stance_model():
    """Train the stance classifier (well under a second); cached for the process."""
    texts, labels = _examples()
    features = make_union(
        TfidfVectorizer(preprocessor=marked, token_pattern=WORD_PATTERN, ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    )
    model = make_pipeline(features, LogisticRegression(C=30.0, max_iter=2000, class_weight="balanced", random_state=7))
    model.fit(texts, labels)
    return model


def stance(text: str) -> tuple[str, float, dict[str, float]]:
    """The stance of ``text``: the whole message, or its most decided clause ("totally agree, about time")."""
    model = stance_model()
    clauses = [part for part in SEGMENT.split(normalise_keeping_stops(text)) if part and len(part.split()) >= 1]
    candidates = [text] + (clauses if len(clauses) > 1 else [])
    words = normalise_keeping_stops(text).split()
    if len(words) > 8:  # a stance usually comes first or last in a long sentence
        candidates += [" ".join(words[:5]), " ".join(words[-5:])]
    rows = model.predict_proba(candidates)
    # A clause of words the stance phrases never use ("it's part of the village") says little, however sure it looks.
    best_row = max(range(len(candidates)), key=lambda i: rows[i].max() * (0.5 + 0.5 * _known_share(candidates[i])))
    classes = list(model.classes_)
    unsure = classes.index("unsure")
    decided = [i for i in range(len(candidates)) if _side(classes[int(np.argmax(rows[i]))]) != 0 and rows[i].max() >= 0.7]
    doubting = [i for i in range(len(candidates)) if rows[i][unsure] >= 0.85]
    if doubting and not decided:
        best_row = doubting[0]  # "no idea, depends on the weather": the doubt is the answer
    probabilities = rows[best_row]
    ranked = dict(sorted(zip(model.classes_, probabilities, strict=True), key=lambda pair: -pair[1]))
    best = next(iter(ranked))
    confidence = float(ranked[best])
    known = _known_share(candidates[best_row])
    if known < 0.34:
        confidence = min(confidence, 0.4)  # "purple": no word of it says where anyone stands
    elif known < 0.6:
        confidence = min(confidence, 0.8)  # read mostly from words no stance phrase uses ("weather" looks like "neither")
    if len(candidates) > 1:
        # Clauses pulling opposite ways ("agree with the aim, hate the design") are not one stance.
        sides = {_side(model.classes_[int(np.argmax(row))]) for row in rows[1:] if row.max() >= 0.5}
        if {1, -1} <= sides:
            confidence = min(confidence, 0.5)
    return best, confidence, {k: float(v) for k, v in ranked.items()}


@lru_cache(maxsize=1)
def _stance_vocabulary() -> frozenset[str]:
    return frozenset(word for text in _examples()[0] for word in tokens(text))


def _known_share(text: str) -> float:
    words = [
        word for word in tokens(text) if len(word) > 2 and word not in {"the", "and", "its", "it's", "for", "but", "this", "that"}
    ]
    if not words:
        return 1.0
    return sum(1 for word in words if word in _stance_vocabulary()) / len(words)


def _side(name: str) -> int:
    return 1 if name in ("strong_for", "for") else -1 if name in ("against", "strong_against") else 0


def normalise_keeping_stops(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").lower()).strip()


@lru_cache(maxsize=256)
def _reversed(labels: tuple[str, ...]) -> bool:
    """True for a scale written from negative to positive (its first label reads as against)."""
    score = {
        "strong_for": 2,
        "for": 1,
        "neutral": 0,
        "indifferent": 0,
        "indifferent_strong": 0,
        "unsure": 0,
        "against": -1,
        "strong_against": -2,
    }
    first, last = stance(labels[0])[0], stance(labels[-1])[0]
    return score[first] < score[last]


def point_for(stance_name: str, labels: tuple[str, ...]) -> int | None:
    """Which label (by index) a stance means on this scale; None when the scale has no such point."""
    count = len(labels)
    if stance_name in ("indifferent", "indifferent_strong"):
        if any(IMPORTANCE_WORDS.search(label.lower()) for label in labels):
            # "couldn't care less" is the bottom of an importance scale; "not that bothered" is one up.
            stance_name = "strong_against" if stance_name == "indifferent_strong" else "against"
        else:
            stance_name = "neutral"
    middle = count // 2 if count % 2 else None
    index = {
        "strong_for": 0,
        "for": 1 if count >= 4 else 0,
        "neutral": middle,
        "against": count - 2 if count >= 4 else count - 1,
        "strong_against": count - 1,
    }.get(stance_name)
    if index is None:
        return None
    return count - 1 - index if _reversed(labels) else index


def understand_scale(labels: tuple[str, ...], dont_know: str | None, text: str) -> Understanding:
    """``labels`` in the question's order (most positive first, unless reversed); ``dont_know`` if offered."""
    options = (*labels, dont_know) if dont_know else labels
    wanted = normalise(text)
    hint = f"Please reply with a number from 1 to {len(options)}, or one of: {', '.join(options)}."
    if not wanted:
        return unclear(hint)

    # 1. The label itself, its number, or a rating.
    for option in options:
        if wanted == normalise(option):
            return sure(option)
    close = sorted(((fuzz.ratio(wanted, normalise(option)), option) for option in options), reverse=True)
    if close and close[0][0] >= 85 and (len(close) == 1 or close[0][0] - close[1][0] >= 8) and len(wanted) >= 5:
        return sure(close[0][1], 0.9)  # a typo of a label: "satisifed"
    position = POSITION.match(wanted)
    if position:
        number = int(position.group(1))
        return sure(options[number - 1]) if 1 <= number <= len(options) else unclear(hint)
    if wanted.removeprefix("the ").removesuffix(" one") in ORDINALS:
        number = ORDINALS[wanted.removeprefix("the ").removesuffix(" one")]
        return sure(options[number - 1]) if number <= len(options) else unclear(hint)
    stars = STARS.match(wanted)
    if stars:
        wanted = f"{stars.group(1)} out of 5"  # "5 stars" is a rating out of 5
    rating = RATING.match(wanted) or PERCENT.match(wanted)
    if rating and re.search(r"\b(?:no|not|never|nope|nah)\b|n't", wanted[rating.end() :]):
        rating = None  # "100% no" is a strong no, not a rating of 100%
    if rating and rating.re is RATING and float(rating.group(2)) not in (5, 10, 100):
        rating = None  # "50/50" is a way of saying neither
    if rating is not None:
        score = float(rating.group(1))
        out_of = float(rating.group(2)) if rating.re is RATING else 100.0
        if out_of <= 0 or score > out_of or out_of not in (5, 10, 100):
            return unclear(hint)
        share = score / out_of
        index = round((1 - share) * (len(labels) - 1))
        if _reversed(labels):
            index = len(labels) - 1 - index
        exact = share in (0.0, 1.0) or (out_of == len(labels) and score >= 1)
        if out_of == len(labels) and score >= 1:
            index = len(labels) - int(score) if not _reversed(labels) else int(score) - 1
        return sure(labels[index]) if exact else check(labels[index], 0.7)

    words = wanted.split()
    negated = any(word in NEGATORS or word.endswith("n't") for word in words)
    spans = [
        (match.start(), match.end(), option)
        for option in options
        for match in re.finditer(rf"(?<![\w-]){re.escape(normalise(option))}(?![\w-])", wanted)
    ]
    # "strongly agree" contains "agree": a label found inside a longer one found at the same place doesn't count.
    contained = sorted(
        {
            option
            for start, end, option in spans
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)
        }
    )

    # "not dissatisfied" (a negative label, negated) is no point on the scale; "not very likely" is.
    double_negative = [
        o
        for o in contained
        if re.search(rf"(?:\bnot|n't|\bnever)\s+{re.escape(normalise(o))}\b", wanted) and _side_of(o, labels) < 0
    ]
    if double_negative:
        return unclear(f'Not "{double_negative[0]}": which is it, then? {hint}')
    if len(contained) > 1:
        shown = " or ".join(f'"{label}"' for label in contained[:2])
        return unclear(f"That could be {shown}. {hint}")

    # 2. The stance classifier.
    name, confidence, ranked = stance(text)
    if name == "unsure":
        value = dont_know
    else:
        index = point_for(name, labels)
        value = labels[index] if index is not None else None
    if len(contained) == 1 and not negated:
        label_value = contained[0]
        stronger = _stronger_label(label_value, options, wanted)
        if stronger and value == stronger and confidence >= STORE_AT:
            return sure(stronger, confidence)  # "totally agree"
        if stronger:
            return check(stronger, 0.7)  # "highly likely" when the scale has "Very likely": offered back
        if value == label_value:
            return sure(label_value, max(confidence, 0.9))
        if value is not None and _side_of(value, labels) == _side_of(label_value, labels) != 0:
            return by_confidence(value, confidence, hint)  # "totally agree": the label is part of a stronger phrase
        return check(label_value, 0.6)
    if value is None:
        return unclear(hint, confidence)
    side = _side(name)
    same_side = sum(p for other, p in ranked.items() if _side(other) == side) if side else confidence
    if confidence < CONFIRM_AT <= 0.7 <= same_side:
        confidence = CONFIRM_AT  # sure of the side ("don't agree with it"), not of how strongly: offer it back
    if negated and HEDGED_NEGATION.search(wanted) and name != "unsure":
        confidence = min(confidence, 0.8)  # "not strongly agree": offer it back, never store it outright
    return by_confidence(value, confidence, hint)


HEDGED_NEGATION = re.compile(
    r"(?:\bnot|n't)\s+(?:strongly|totally|completely|fully|entirely|absolutely|really|that|too|so|sure)\b"
)


INTENSIFIER = r"(?:highly|extremely|really|very|super|massively|totally|completely|absolutely|incredibly|hugely|so|v|most)"


def _stronger_label(label: str, options: tuple[str, ...], wanted: str) -> str | None:
    """ "highly likely" names "Likely" but means "Very likely", when the scale has one."""
    if not re.search(rf"\b{INTENSIFIER}\s+{re.escape(normalise(label))}\b", wanted):
        return None
    for prefix in ("very", "strongly", "extremely", "completely"):
        candidate = next((o for o in options if normalise(o) == f"{prefix} {normalise(label)}"), None)
        if candidate:
            return candidate
    return None


def _side_of(label: str, labels: tuple[str, ...]) -> int:
    """+1 for the positive half of the scale, -1 for the negative half, 0 for the middle or Don't know."""
    if label not in labels:
        return 0
    index, count = labels.index(label), len(labels)
    side = 1 if index < (count - 1) / 2 else -1 if index > (count - 1) / 2 else 0
    return -side if _reversed(labels) else side
