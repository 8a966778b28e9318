"""Recognise consultations and wards in residents' own words, from the database, with no retraining.

Consultation titles, keywords, topics and ward names are turned into spaCy
PhraseMatcher patterns over lemmas, so "the libraries" finds "Future of
library opening hours". RapidFuzz catches typos ("libary", "harbor road").
The finder is rebuilt whenever the content in the store changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import PhraseMatcher

from ..content.model import Consultation, Ward
from .pipeline import load_pipeline

# Words too generic to identify a consultation on their own.
GENERIC_WORDS = set(STOP_WORDS) | {
    "consultation",
    "consultations",
    "plan",
    "plans",
    "proposal",
    "proposals",
    "council",
    "future",
    "option",
    "options",
    "review",
    "new",
    "tell",
    "happen",
    "happening",
    "know",
    "about",
    "open",
    "closed",
    "close",
    "say",
    "info",
    "information",
    "please",
    "pls",
    "thing",
    "one",
    "ones",
    "lot",
    "want",
    "like",
    "think",
    "view",
    "views",
    "comment",
    "survey",
    "millbrook",
    "district",
    "current",
    "latest",
    "change",
    "changes",
    "deadline",
    "when",
    "what",
    "which",
}
ORDINAL_WORDS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "sixth": 5,
    "6th": 5,
    "last": -1,
    "top": 0,
}
ORDINAL_PATTERN = re.compile(
    r"\b(?:the\s+)?(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|last|top)(?:\s+one)?\b|\b(?:number|no\.?|#)\s*(\d)\b",
    re.IGNORECASE,
)

WEIGHTS = {"title": 1.0, "keyword": 0.9, "topic": 0.6}


@dataclass(frozen=True)
class Match:
    consultation: Consultation
    score: float


def ordinal_reference(text: str) -> int | None:
    """'the first one' -> 0, 'number 2' -> 1, 'the last one' -> -1."""
    match = ORDINAL_PATTERN.search(text or "")
    if not match:
        return None
    if match.group(2):
        return int(match.group(2)) - 1
    return ORDINAL_WORDS[match.group(1).lower()]


def significant_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in GENERIC_WORDS and len(w) > 2]


class ConsultationFinder:
    def __init__(self, consultations: list[Consultation], wards: list[Ward]):
        self.nlp = load_pipeline()
        self.consultations = {c.slug: c for c in consultations}
        self.wards = {w.slug: w for w in wards}
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        self.kinds: dict[str, tuple[str, str]] = {}  # match key -> (slug, kind)
        for consultation in consultations:
            phrases = {"title": [consultation.title], "keyword": list(consultation.keywords), "topic": list(consultation.topics)}
            # The title without generic words ("Harbour Road cycle lane" -> "harbour road cycle lane")
            for kind, texts in phrases.items():
                key = f"{consultation.slug}|{kind}"
                patterns = [self.nlp(text.lower()) for text in texts if text.strip()]
                if patterns:
                    self.matcher.add(key, patterns)
                    self.kinds[key] = (consultation.slug, kind)
        self.ward_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        for ward in wards:
            names = {ward.name.lower(), ward.slug.replace("-", " ")}
            names |= {part.strip() for part in ward.name.lower().split(" and ") if len(part.strip()) > 3}
            self.ward_matcher.add(ward.slug, [self.nlp.make_doc(name) for name in names])

    def find(self, text: str) -> list[Match]:
        """Consultations the text refers to, best first. Empty when nothing is a reasonable match."""
        lowered = (text or "").lower()
        if not lowered.strip():
            return []
        doc = self.nlp(lowered)
        scores: dict[str, float] = {}
        for match_id, _start, _end in self.matcher(doc):
            slug, kind = self.kinds[self.nlp.vocab.strings[match_id]]
            scores[slug] = max(scores.get(slug, 0), WEIGHTS[kind])
        lemmas = {token.lemma_ for token in doc} | {token.text for token in doc}
        words = significant_words(" ".join(lemmas))
        for slug, consultation in self.consultations.items():
            title_words = significant_words(consultation.title) + significant_words(" ".join(consultation.keywords))
            title_lemmas = {token.lemma_ for token in self.nlp(" ".join(title_words))} | set(title_words)
            if not title_words:
                continue
            # Share of the message's distinctive words found in the title or keywords (exact or fuzzy).
            hits = sum(1 for w in words if w in title_lemmas or any(len(w) > 4 and fuzz.ratio(w, t) >= 84 for t in title_lemmas))
            if hits:
                scores[slug] = max(scores.get(slug, 0), 0.5 + 0.4 * min(hits, 2) / 2)
            partial = fuzz.partial_ratio(consultation.title.lower(), lowered) / 100 if len(lowered) >= 8 else 0
            if partial >= 0.9:
                scores[slug] = max(scores.get(slug, 0), 0.85)
        ranked = sorted((Match(self.consultations[slug], score) for slug, score in scores.items()), key=lambda m: -m.score)
        return [match for match in ranked if match.score >= 0.5]

    def by_topic(self, text: str) -> list[Consultation]:
        lowered = (text or "").lower()
        doc = self.nlp(lowered)
        lemmas = {token.lemma_ for token in doc} | {token.text for token in doc}
        found = []
        for consultation in self.consultations.values():
            single = {t.lower() for t in consultation.topics if " " not in t.strip()}
            phrases = [t.lower() for t in consultation.topics if " " in t.strip()]
            single_lemmas = single | {token.lemma_ for t in single for token in self.nlp(t)}
            # One-word topics match by lemma ("buses" -> bus); multi-word topics only as a whole phrase.
            if single_lemmas & lemmas or any(re.search(rf"\b{re.escape(t)}\b", lowered) for t in phrases):
                found.append(consultation)
        return found

    def find_ward(self, text: str) -> Ward | None:
        doc = self.nlp.make_doc((text or "").lower())
        matches = self.ward_matcher(doc)
        if matches:
            return self.wards[self.nlp.vocab.strings[matches[0][0]]]
        for word in re.findall(r"[a-z]{5,}", (text or "").lower()):
            for ward in self.wards.values():
                if fuzz.ratio(word, ward.name.lower().split()[0]) >= 88:
                    return ward
        return None
