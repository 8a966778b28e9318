"""Plausible, deterministic demo responses for the portal demo and benchmarks.

``haveyoursay demo-data --consultation SLUG --responses N [--seed S]`` spreads
responses over wards (weighted by population), channels, dates and answers,
with comments drawn from a varied bank. Comments go through the same
redaction and theme tagging as real ones, and every response is marked as
demo data so ``haveyoursay demo-data --delete`` can remove it all.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from functools import cache

from .content.model import DONT_KNOW, Consultation, Question, Ward
from .survey.engine import AGE_BANDS
from .text.redaction import redact

CHANNELS = (("socketio", 45), ("twilio", 20), ("telegram", 12), ("facebook", 10), ("rest", 8), ("slack", 5))
# Comments by topic; a consultation draws from the banks of its topics plus the general one.
COMMENT_BANKS: dict[str, tuple[str, ...]] = {
    "transport": (
        "Parking is already hard to find near the shops, please don't take any more spaces away.",
        "I cycle to work every day and Harbour Road feels dangerous at rush hour. Anything safer is welcome.",
        "Please think about deliveries to the shops on the corner, the lorries block the road already.",
        "Not sure about option B, painted lanes don't stop cars parking in them.",
        "Safer junctions are the most important thing. Two crashes outside my house this year.",
        "More cycle parking at the station would help as much as the lane.",
        "I don't drive, so anything that helps walking and buses gets my vote.",
        "Air quality on Harbour Road is awful, fewer cars would help everyone.",
        "I'm against it. It will push traffic onto the side streets.",
        "My mum is 84 and uses a mobility scooter. Please make sure the pavements stay wide enough.",
    ),
    "libraries": (
        "The library is a lifeline for my kids after school. Shorter hours would really hurt us.",
        "Open access sounds fine for adults but what about teenagers studying for exams?",
        "Please keep the Saturday opening, it's the only day I can go.",
        "Wheelchair access to the library entrance needs fixing first.",
        "Self service machines are confusing for older people, please keep staff.",
        "The warm space in winter matters more than people think.",
    ),
    "events": (
        "I'm worried about noise late at night, we have young children who go to bed at 7.",
        "I run a small business on the square and events bring customers in. Fully support it.",
        "Street food and music in the square would be lovely in summer.",
        "The Christmas market is great but the toilets are a problem.",
        "Finish by 9pm on weekdays please, some of us work early.",
    ),
    "general": (
        "This seems like a waste of money when the roads are full of potholes.",
        "Great idea, about time! My name is Sam Jones and I'm happy to help.",
        "Could you add more trees and benches while you're at it? It would make the area greener.",
        "The consultation leaflet was hard to read. Please send paper copies to older residents.",
        "Email me at resident@example.com with updates please.",
        "Council tax keeps going up and services keep getting cut. Not happy.",
        "Call me on 07700 900123 if you want to discuss, I've lived here 40 years.",
        "Je pense que c'est une bonne idée.",
        "أؤيد هذا الاقتراح بشدة",
        "=SUM(A1:A9) is what my spreadsheet says about this plan",
    ),
}
TOPIC_BANKS = {
    "transport": "transport",
    "cycling": "transport",
    "roads": "transport",
    "buses": "transport",
    "libraries": "libraries",
    "community": "libraries",
    "events": "events",
    "town centre": "events",
    "licensing": "events",
}


def comment_bank(consultation: Consultation) -> tuple[str, ...]:
    banks = {TOPIC_BANKS[t] for t in consultation.topics if t in TOPIC_BANKS}
    return tuple(comment for bank in sorted(banks) for comment in COMMENT_BANKS[bank]) + COMMENT_BANKS["general"]


@cache
def _processed_comment(text: str, tagger: Callable[[str], list[str]] | None) -> tuple[str, tuple[str, ...]]:
    clean = redact(text)
    return clean, tuple(tagger(clean)) if tagger else ()


def _answer(question: Question, rng: random.Random, lean: float, comments: tuple[str, ...]):
    if not question.required and rng.random() < 0.15:
        return None
    if question.type == "scale":
        labels = question.scale_labels
        if rng.random() < 0.05:
            return DONT_KNOW
        index = min(4, max(0, int(rng.gauss(lean * 4, 1.1))))
        return labels[index]
    if question.type == "choice":
        weights = [1.0 / (position + 1 + lean) for position in range(len(question.options))]
        return rng.choices(question.options, weights=weights)[0]
    if question.type == "multi":
        limit = question.max_choices or len(question.options)
        count = rng.randint(1, max(1, min(limit, 3)))
        chosen = set(rng.sample(question.options, count))
        return [option for option in question.options if option in chosen]
    if question.type == "rank":
        order = list(question.options)
        rng.shuffle(order)
        return order
    if question.type == "yesno":
        return "Yes" if rng.random() < 0.6 - lean * 0.2 else "No"
    if question.type == "number":
        low, high = question.min if question.min is not None else 0, question.max if question.max is not None else 100
        return int(min(high, max(low, rng.expovariate(1 / max(1.0, (high - low) / 8)) + low)))
    return rng.choice(comments)


def generate(
    consultation: Consultation,
    wards: list[Ward],
    count: int,
    seed: int,
    today: dt.date,
    tagger: Callable[[str], list[str]] | None = None,
) -> Iterator[dict]:
    rng = random.Random(f"{seed}:{consultation.slug}")
    eligible = [w for w in wards if "all" in consultation.wards or w.slug in consultation.wards] or wards
    ward_weights = [w.population or 1 for w in eligible]
    first = dt.datetime.combine(consultation.opens, dt.time(7))
    last = dt.datetime.combine(min(consultation.closes, today), dt.time(22))
    span = max(60.0, (last - first).total_seconds())
    channels, channel_weights = zip(*CHANNELS, strict=True)
    comments = comment_bank(consultation)
    for number in range(count):
        lean = rng.random()
        answers, themes = {}, {}
        for question in consultation.questions:
            if not question.is_asked(answers):
                continue  # skip logic: a question not asked has no answer at all
            value = _answer(question, rng, lean, comments)
            if question.type == "text" and value is not None:
                value, tags = _processed_comment(value, tagger)
                themes[question.id] = list(tags)
            answers[question.id] = value
        ward = rng.choices(eligible, weights=ward_weights)[0].slug if rng.random() < 0.9 else None
        yield {
            "channel": rng.choices(channels, weights=channel_weights)[0],
            "sender_id": f"demo-{seed}-{consultation.slug}-{number}",
            "submitted_at": first + dt.timedelta(seconds=rng.random() * span),
            "answers": answers,
            "themes": themes,
            "ward_slug": ward,
            "age_band": rng.choice(AGE_BANDS) if rng.random() < 0.8 else None,
            "consent_quote": rng.random() < 0.7,
            "notify_outcome": rng.random() < 0.4,
            "is_demo": True,
        }
