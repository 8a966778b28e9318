"""Explaining by retrieval over ALL of a consultation's content.

A resident's question is matched against passages made from the
consultation's own fields (each FAQ, each sentence of the summary and
background, each proposal, the next steps, events, documents and key dates),
by meaning (sentence embeddings), by words (lemmas and everyday synonyms,
weighted by how rare they are in this consultation), and by a few cues for
the kinds of passage ("after it closes" means next steps). The best passage is
the answer, with its source. Below a threshold we say plainly that the
information does not cover it: nothing is ever invented.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..content.model import Consultation, Proposal
from .embeddings import encode
from .options import ORDINALS, expand
from .words import STOP_WORDS, content_words, lemma, normalise, rarity, tokens


@dataclass(frozen=True)
class Passage:
    source: str  # summary, background, faq:N, proposal:<id>, next_steps, events, documents, dates
    key: str  # what a question is matched against
    text: str  # what the resident is told
    label: str  # where it comes from, in plain words


@dataclass(frozen=True)
class Found:
    source: str
    text: str
    label: str
    score: float
    confident: bool = True  # False: only the closest passage, offered as such ("may not answer it exactly")


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9£])", " ".join((text or "").split()))
    return [part for part in parts if part.strip()]


def _long_date(day: dt.date) -> str:
    return day.strftime("%A %-d %B %Y")


def passages(consultation: Consultation) -> list[Passage]:
    found: list[Passage] = []
    for sentence in _sentences(consultation.summary):
        found.append(Passage("summary", sentence, consultation.summary, "the summary"))
    for sentence in _sentences(consultation.background):
        found.append(Passage("background", sentence, sentence, "the background"))
    for number, faq in enumerate(consultation.faqs, start=1):
        found.append(Passage(f"faq:{number}", faq.question, faq.answer, f'the question "{faq.question}"'))
        for sentence in _sentences(faq.answer):
            found.append(Passage(f"faq:{number}", sentence, faq.answer, f'the question "{faq.question}"'))
    for proposal in consultation.proposals:
        text = f"{proposal.title}: {proposal.description}"
        found.append(Passage(f"proposal:{proposal.id}", proposal.title, text, f"the option {proposal.title}"))
        for sentence in _sentences(proposal.description):
            found.append(Passage(f"proposal:{proposal.id}", sentence, text, f"the option {proposal.title}"))
    if consultation.next_steps:
        for sentence in _sentences(consultation.next_steps):
            found.append(Passage("next_steps", sentence, consultation.next_steps, "what happens next"))
    if consultation.events:
        listing = "; ".join(f"{e.title}: {_long_date(e.when.date())}, {e.where}" for e in consultation.events)
        for event in consultation.events:
            found.append(Passage("events", f"{event.title} at {event.where}", f"Events: {listing}", "the events"))
    if consultation.documents:
        listing = "; ".join(f"{d.title}: {d.url}" for d in consultation.documents)
        for document in consultation.documents:
            found.append(Passage("documents", document.title, f"Documents: {listing}", "the documents"))
    dates = f"It opened on {_long_date(consultation.opens)} and closes on {_long_date(consultation.closes)}."
    if consultation.decision_expected:
        dates += f" A decision is expected on {_long_date(consultation.decision_expected)}."
    found.append(Passage("dates", "when does it close, closing date, deadline, when is the decision", dates, "the key dates"))
    return found


# Cues for kinds of passage that words alone find poorly.
CUES: list[tuple[str, re.Pattern]] = [
    (
        "next_steps",
        re.compile(
            r"\b(?:what happens (?:next|after|then|once|when)|after (?:it|the consultation|this|that|the survey) (?:close|end|finish)|"
            r"(?:once|when) (?:it|the consultation) (?:close|closes|ends|finishes|is over)|next steps?|what comes next|"
            r"what(?:'s| is) next|what then|who decides|who makes the decision|when will (?:we|i) (?:know|hear|find out)|"
            r"(?:when|how) (?:will|do|does|is) (?:they|you|the council|it|a decision)\b.{0,20}\b(?:decid|made)|decision|decided|"
            r"when (?:would|will|does|do) (?:it|work|works|the work|they) (?:start|begin|happen)|start date|timeline|timescale)"
        ),
    ),
    (
        "dates",
        re.compile(
            r"\b(?:when (?:does|do|will|is) (?:it|the consultation|this|the survey) (?:close|end|finish|shut)|closing date|"
            r"deadline|how long (?:do|have) (?:i|we) (?:got|have)|last day|(?:still )?open until|when does it open|"
            r"when (?:is|was) the decision|decision date|when do (?:i|we) have to)"
        ),
    ),
    (
        "documents",
        re.compile(
            r"\b(?:documents?|docs|pdfs?|brochure|drawings?|full (?:details|plans?|report)|read more|more (?:detail|details|info)|"
            r"paperwork|reports?|appraisal|assessment|survey results|where can i (?:read|see|find|look)|plans to look at|link)\b"
        ),
    ),
    (
        "events",
        re.compile(
            r"\b(?:events?|drop.?ins?|exhibitions?|meetings?|open evening|coffee morning|sessions?|in person|face to face|"
            r"come (?:and|to) (?:talk|see|ask)|meet (?:someone|the team|officers|staff|people)|talk to someone|public meeting|"
            r"where can i go|can i go along|attend)\b"
        ),
    ),
    (
        "summary",
        re.compile(
            r"\b(?:what(?:'s| is) (?:it|this|this one|the consultation) about|what are you proposing|summary|in a nutshell|overview|the gist)\b"
        ),
    ),
]
NEXT_STEPS_CUE = dict(CUES)["next_steps"]
WHY = re.compile(r"^(?:why|how come|what(?:'s| is) the (?:reason|point)|what for)\b|\bwhy\b")
PROPOSAL_WORD = r"(?:option|plan|proposal|choice|version|scenario)"
PROPOSAL_REFERENCE = re.compile(
    rf"\b{PROPOSAL_WORD}\s+(?:no\.?\s*|number\s*)?([a-z0-9]{{1,3}})\b|\b(first|second|third|fourth|fifth|last|1st|2nd|3rd|4th)\s+{PROPOSAL_WORD}\b|"
    rf"\b{PROPOSAL_WORD}\s+(one|two|three|four|five)\b"
)  # not "the second one": after a list of consultations that means the second consultation
ASKING_ABOUT = r"(?:(?:tell me|can you tell me|tell us)\s+(?:more\s+)?about|what about|how about|explain|describe|more on|what(?:'s| is)|whats)\s+"
# "the all-day one", "the hub option": a proposal named by a word of its title.
TITLE_REFERENCE = re.compile(rf"\bthe\s+((?:[\w'-]+\s+){{0,2}}[\w'-]+)\s+(?:one|{PROPOSAL_WORD})\b")
WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _letter(proposal: Proposal) -> str | None:
    """The letter or number an id ends with: option-a -> a, plan_2 -> 2, B -> b."""
    match = re.search(r"(?:^|[-_ ])([a-z0-9])$", proposal.id.lower())
    return match.group(1) if match else None


def find_proposal(consultation: Consultation, text: str) -> Proposal | None:
    """A proposal named by id, id suffix ("option b" for option-b), title or position ("the second option")."""
    proposals = consultation.proposals
    if not proposals:
        return None
    wanted = normalise(text)
    for proposal in proposals:
        ident = re.escape(proposal.id.lower())
        if len(proposal.id) > 1 and (
            # a code-like id anywhere ("option-b"); a word-like id ("hub") only when the question is about it
            (re.search(r"[-_\d]", proposal.id) and re.search(rf"(?<![\w-]){ident}(?![\w-])", wanted))
            or re.search(rf"^(?:{ASKING_ABOUT})?(?:the )?{ident}(?: {PROPOSAL_WORD}| one)?$", wanted)
        ):
            return proposal
    match = PROPOSAL_REFERENCE.search(wanted)
    if match:
        reference = match.group(1) or match.group(2) or match.group(3)
        lettered = {_letter(p): p for p in proposals if _letter(p)}
        if reference in lettered and len(lettered) == len(proposals):
            return lettered[reference]
        position = None
        if reference in ORDINALS:
            position = ORDINALS[reference]
        elif reference in WORD_NUMBERS:
            position = WORD_NUMBERS[reference]
        elif reference.isdigit():
            position = int(reference)
        elif len(reference) == 1 and reference.isalpha():
            position = ord(reference) - ord("a") + 1
        if position == -1:
            return proposals[-1]
        if position and 1 <= position <= len(proposals):
            return proposals[position - 1]
    titled = TITLE_REFERENCE.search(wanted)
    if titled:
        words = set(content_words(titled.group(1)))
        named = [p for p in proposals if words and words <= set(content_words(f"{p.title} {p.id}"))]
        if len(named) == 1:
            return named[0]
    return None


def _content_words(text: str) -> list[str]:
    return [lemma(word) for word in tokens(text) if word not in STOP_WORDS and len(word) > 1 and word not in _QUESTION_WORDS]


_QUESTION_WORDS = {
    "what", "what's", "whats", "when", "where", "why", "how", "who", "which", "whose", "will", "get", "got", "any", "much",
    "many", "happen", "tell", "know", "all", "council", "councils", "up", "still", "actually", "also", "going", "gonna",
    "long", "far", "anyone", "someone", "something", "anything",
}  # fmt: skip
# The kind of answer a question wants, and how to see it in a passage: "how much" wants a sum of money.
ANSWER_TYPES = [
    (re.compile(r"\bhow much\b|\bcost\b|\bprice\b|\bfine[ds]?\b|\bcharge\b|\bpay\b"), re.compile(r"£\s?\d|\bpence\b")),
    (
        re.compile(r"\bhow many\b|\bnumber of\b"),
        re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|dozen|hundred)\b"),
    ),
    (
        re.compile(r"^when\b|\bwhen (?:is|are|will|would|does|do|did|can|could)\b|\bwhat (?:time|date|day)\b|\bhow soon\b"),
        re.compile(
            r"\b(?:19|20)\d\d\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b|"
            r"\b(?:spring|summer|autumn|winter|easter|christmas)\b|\d\s?(?:am|pm)\b|\d:\d\d|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b"
        ),
    ),
    (
        re.compile(r"\bhow far\b|\bdistance\b|\bhow close\b|\bnearby\b"),
        re.compile(r"\b\d+\s*(?:metres|meters|m|miles?|km|yards|minutes?)\b"),
    ),
    (re.compile(r"\bhow long\b|\bfor how long\b|\bduration\b"), re.compile(r"\b(?:weeks?|months?|years?|days?|hours?)\b")),
    (
        re.compile(r"\bhow old\b|\bwhat age\b|\bwhen was (?:it|the \w+) built\b|\bbuilt in\b"),
        re.compile(r"\b(?:1[6-9]|20)\d\d\b|\bdates from\b"),
    ),
]
DEFINITION = re.compile(
    r"^(?:so )?(?:what(?:'s| is| are)|what does|whats)\s+(?:a|an|the|this)?\s*(.+?)(?:\s+(?:anyway|mean|exactly|about|then|even))*$"
)


@dataclass(frozen=True)
class _Prepared:
    """A consultation's passages, their words and the words' weights: built once per content version."""

    passages: list[Passage]
    keys: list[list[str]]
    key_sets: list[frozenset[str]]
    key_families: list[frozenset[str]]  # every word of the passage and its everyday synonyms
    idf: dict[str, float]
    vocabulary: frozenset[str]
    vectors: np.ndarray  # each passage's sentence embedding


@lru_cache(maxsize=64)
def _prepared(consultation: Consultation) -> _Prepared:
    found = passages(consultation)
    keys = [_content_words(p.key) for p in found]
    frequency: dict[str, int] = {}
    for key in keys:
        for word in set(key):
            frequency[word] = frequency.get(word, 0) + 1
    idf = {word: math.log(1 + len(found) / count) for word, count in frequency.items()}
    families = [frozenset().union(*(expand(word) for word in key)) if key else frozenset() for key in keys]
    vectors = encode([p.key for p in found])
    return _Prepared(found, keys, [frozenset(key) for key in keys], families, idf, frozenset(frequency), vectors)


UNKNOWN_WEIGHT = 0.5  # a word found nowhere in the content counts for less than one it has ("mum", "morning")


def _lexical(query: list[str], prepared: _Prepared, idf: dict[str, float]) -> np.ndarray:
    """Share of the question's words (weighted by rarity in this content) found in each passage."""
    if not query:
        return np.zeros(len(prepared.keys))
    total = sum(idf.get(word, UNKNOWN_WEIGHT) for word in query)
    query_families = [(word, expand(word)) for word in query]
    scores = []
    for key_set, key_family in zip(prepared.key_sets, prepared.key_families, strict=True):
        matched = 0.0
        for word, family in query_families:
            if word in key_set:
                matched += idf.get(word, 1.0)
            elif family & key_set or word in key_family:
                matched += 0.7 * idf.get(word, 1.0)
        scores.append(matched / total)
    return np.array(scores)


# What an NLU intent suggests about where the answer is ("ask_background" -> the background).
KIND_BY_ASPECT = {"background": "background", "next_steps": "next_steps", "events": "events", "documents": "documents"}


# How much each feature counts: fitted by logistic regression on the DEV half of the understanding
# corpus (python -m tests.understanding.fit_retrieval writes data/retrieval_weights.json), never on
# the held-out test half. The running assistant only reads them: nothing is trained per consultation.
WEIGHTS_PATH = Path(__file__).resolve().parent / "data" / "retrieval_weights.json"
FEATURES = (
    "meaning",  # cosine of the sentence embeddings
    "words",  # share of the question's words (IDF-weighted, with everyday synonyms) in the passage
    "cue_here",  # a cue for this kind of passage ("after it closes" -> next steps)
    "cue_elsewhere",  # a cue for another kind
    "answer_type_here",  # "how much" and the passage has a sum of money
    "answer_type_missing",  # "how much" and it has none
    "unknown_words",  # question words the content never mentions, even in other words
    "why_background",  # "why" and a background sentence
    "aspect_here",  # the NLU's intent points at this kind of passage
    "rare_words_unknown",  # share of the question's unusual words ("swimming pool") the content never mentions
    "rare_words_missing_here",  # share of its unusual words this passage doesn't have
    "rarest_unknown_word",  # (per question) the rarity of the most unusual word the content never mentions, 0-1
    "unknown_thing",  # (per question) it names a thing the content never mentions (see unknown_thing())
    "faq_question",  # the passage is a FAQ's own question: residents ask questions
)
# Second step, per question: is the best passage really an answer?
ANSWERED_FEATURES = (
    "best_score",
    "lead_over_second",
    "rare_words_unknown",
    "rare_words_missing_in_best",
    "any_cue",
    "rarest_unknown_word",  # how unusual the most unusual word the content never mentions is ("printer")
    "best_meaning",
    "unknown_thing",  # the question is about a thing the content never mentions: "the swimming pool", "other libraries"
)


@lru_cache(maxsize=1)
def weights() -> dict:
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES or tuple(data["answered_features"]) != ANSWERED_FEATURES:
        raise RuntimeError(f"{WEIGHTS_PATH} was fitted for other features: run python -m tests.understanding.fit_retrieval")
    return {
        "ranker": np.array(data["ranker"]),
        "ranker_bias": data["ranker_bias"],
        "answered": np.array(data["answered"]),
        "answered_bias": data["answered_bias"],
        "answer_at": data["answer_at"],
    }


def features(consultation: Consultation, text: str, aspect: str | None = None) -> tuple[list[Passage], np.ndarray]:
    """Every passage of the consultation, with one row of :data:`FEATURES` each."""
    wanted = normalise(text)
    prepared = _prepared(consultation)
    found, keys, idf, vocabulary = prepared.passages, prepared.keys, prepared.idf, prepared.vocabulary
    query = _content_words(text)
    lexical = _lexical(query, prepared, idf)
    unknown = [w for w in query if len(w) >= 4 and w not in vocabulary and not (expand(w) & vocabulary)]
    semantic = prepared.vectors @ encode([text])[0]
    cued = {kind for kind, cue in CUES if cue.search(wanted)}
    defined = DEFINITION.match(wanted)
    if (
        defined
        and set(content_words(defined.group(1)))
        and set(content_words(defined.group(1))) <= set(content_words(f"{consultation.title} {' '.join(consultation.keywords)}"))
    ):
        cued.add("summary")  # "what is a school street anyway": the thing the consultation is about
    unusual = {word: rarity(word) for word in set(query)}  # how unusual each word is in English
    rare_total = sum(unusual.values()) + 1.0
    never_mentioned = [w for w in unusual if w not in vocabulary and not (expand(w) & vocabulary)]
    rare_unknown = sum(unusual[w] for w in never_mentioned) / rare_total
    rarest_unknown = max((unusual[w] for w in never_mentioned), default=0.0) / 8
    asks_about_unknown = float(unknown_thing(wanted, vocabulary))
    asked = [shows for asks, shows in ANSWER_TYPES if asks.search(wanted)]
    why = bool(WHY.search(wanted))
    rows = []
    for index, passage in enumerate(found):
        kind = passage.source.split(":")[0]
        answer = passage.text.lower() if kind in ("events", "documents", "dates", "next_steps") else passage.key.lower()
        has_type = any(shows.search(answer) for shows in asked)
        rows.append(
            [
                semantic[index],
                lexical[index],
                float(passage.source in cued),
                float(bool(cued) and passage.source not in cued),
                float(bool(asked) and has_type),
                float(bool(asked) and not has_type),
                min(len(unknown), 3) / 3,
                float(why and kind == "background"),
                float(KIND_BY_ASPECT.get(aspect or "") == passage.source),
                rare_unknown,
                sum(unusual[w] for w in unusual if not _in_key(w, keys[index])) / rare_total,
                rarest_unknown,
                asks_about_unknown,
                float(kind == "faq" and passage.key == _faq_question(consultation, passage.source)),
            ]
        )
    return found, np.array(rows, dtype=np.float64)


UNKNOWN_THING_MEANING = 0.6
# Words for the consultation itself, which no passage need repeat.
GENERIC_THINGS = {
    "consultation",
    "plan",
    "proposal",
    "scheme",
    "council",
    "info",
    "information",
    "detail",
    "thing",
    "option",
    "idea",
}
THING = re.compile(r"\b(?:the|a|an|my|our|your|their|any|some)\s+((?:[\w'-]+\s+)?[\w'-]+)")
OTHER_THING = re.compile(r"\b(?:other|another|different|elsewhere)\s+([\w'-]+)")


def unknown_thing(wanted: str, vocabulary: set[str]) -> bool:
    """ "the swimming pool", "a 3d printer", "my council tax", "other libraries": a thing outside this content."""
    if OTHER_THING.search(wanted):
        return True
    for match in THING.finditer(wanted):
        head = lemma(match.group(1).split()[-1])
        if len(head) >= 3 and head not in STOP_WORDS and head not in GENERIC_THINGS and rarity(head) >= 2.0:
            if head not in vocabulary and not (expand(head) & vocabulary):
                return True
    return False


def _faq_question(consultation: Consultation, source: str) -> str:
    return consultation.faqs[int(source.split(":")[1]) - 1].question


def _in_key(word: str, key: list[str]) -> bool:
    return word in key or bool(expand(word) & set(key))


CLOSEST_AT = 0.5  # a passage this likely, but below the answer threshold, can be offered as "the closest I found"
OWN_WORDS_OR_MEANING = 0.55  # a confident answer shares a word with the question, is this close in meaning, or is cued


def answer_question(consultation: Consultation, text: str, aspect: str | None = None, closest: bool = False) -> Found | None:
    """The passage that answers ``text`` from this consultation's content, or None when nothing does.

    ``aspect`` is what the NLU made of the question, if anything; it nudges, never decides. With
    ``closest``, a likely but uncertain passage comes back too, marked not ``confident``, for the
    caller to offer honestly as the closest thing the content says."""
    if not normalise(text):
        return None
    proposal = find_proposal(consultation, text)
    if proposal is not None:
        return Found(f"proposal:{proposal.id}", f"{proposal.title}\n{proposal.description}", f"the option {proposal.title}", 1.0)
    found, rows = features(consultation, text, aspect)
    best, answered = judge(rows)
    shares_word = bool(set(_content_words(text)) & _prepared(consultation).key_sets[best])
    decision = decide(rows, best, answered, shares_word, weights()["answer_at"])
    if decision is None or (decision == CLOSEST and not closest):
        return None
    passage = found[best]
    if passage.source == "background" and WHY.search(normalise(text)):
        # "Why does it need to move?": the reasons are the whole background, not one sentence of it.
        return Found("background", consultation.background, passage.label, answered, decision == ANSWER)
    return Found(passage.source, passage.text, passage.label, answered, decision == ANSWER)


ANSWER, CLOSEST = "answer", "closest"


def decide(rows: np.ndarray, best: int, answered: float, shares_word: bool, answer_at: float) -> str | None:
    """ANSWER (confidently), CLOSEST (offered as the closest thing the content says) or None (not covered).

    Kept apart so that the fitting script chooses the threshold with exactly this rule."""
    column = FEATURES.index
    if (
        rows[best, column("unknown_thing")]
        and rows[best, column("meaning")] < UNKNOWN_THING_MEANING
        and not rows[:, column("cue_here")].any()
    ):
        return None  # about something the content never mentions, and nothing close in meaning either
    if answered >= answer_at and (
        shares_word or rows[best, column("meaning")] >= OWN_WORDS_OR_MEANING or rows[best, column("cue_here")]
    ):
        # A confident answer shares a word with the question, is close in meaning, or is the kind of passage a cue
        # asks for ("is there a meeting I can go to" and the events). A match made only through everyday synonyms
        # ("wifi" and "online") is offered, not asserted.
        return ANSWER
    return CLOSEST if answered >= CLOSEST_AT else None


def judge(rows: np.ndarray) -> tuple[int, float]:
    """(the best passage, the probability that it answers the question)."""
    fitted = weights()
    scores = ranked(rows)
    best = int(np.argsort(-scores)[0])
    summary = answered_features(rows, scores, best)
    return best, float(1 / (1 + np.exp(-(summary @ fitted["answered"] + fitted["answered_bias"]))))


def ranked(rows: np.ndarray) -> np.ndarray:
    """Each passage's score from the ranker."""
    fitted = weights()
    return 1 / (1 + np.exp(-(rows @ fitted["ranker"] + fitted["ranker_bias"])))


def answered_features(rows: np.ndarray, scores: np.ndarray, best: int) -> np.ndarray:
    column = {name: index for index, name in enumerate(FEATURES)}
    others = np.delete(scores, best)
    lead = float(scores[best] - others.max()) if len(others) else float(scores[best])
    return np.array(
        [
            scores[best],
            lead,
            rows[best, column["rare_words_unknown"]],
            rows[best, column["rare_words_missing_here"]],
            float(rows[:, column["cue_here"]].max() > 0),
            rows[best, column["rarest_unknown_word"]],
            rows[best, column["meaning"]],
            rows[best, column["unknown_thing"]],
        ]
    )
