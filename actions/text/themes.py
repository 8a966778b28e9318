"""Tag comments with the council's themes (parking, safety, cost, ...) for councillors' review.

A spaCy PhraseMatcher over lemmas, so "parked cars" and "car parks" both
match their theme phrases. Themes come from the council file (wards.yml).
"""

from __future__ import annotations

from functools import lru_cache

from spacy.matcher import PhraseMatcher

from .pipeline import inflections, load_pipeline


def phrase_variants(phrase: str) -> set[str]:
    """The phrase plus common inflections of its last word ("crash" -> "crashes", "crashed"),
    for theme words the pipeline's lemma table doesn't know."""
    words = phrase.split()
    if not words:
        return set()
    head, last = words[:-1], words[-1]
    return {phrase} | {" ".join(head + [form]) for form in inflections(last)}


class ThemeTagger:
    def __init__(self, themes: dict[str, tuple[str, ...]]):
        self.nlp = load_pipeline()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        for theme, phrases in themes.items():
            variants = {variant for phrase in phrases for variant in phrase_variants(phrase.lower())}
            self.matcher.add(theme, [self.nlp(variant) for variant in sorted(variants)])

    def tags(self, text: str) -> list[str]:
        if not text:
            return []
        doc = self.nlp(text.lower())
        found = {self.nlp.vocab.strings[match_id] for match_id, _start, _end in self.matcher(doc)}
        return sorted(found)


@lru_cache(maxsize=4)
def _tagger(frozen_themes: tuple[tuple[str, tuple[str, ...]], ...]) -> ThemeTagger:
    return ThemeTagger(dict(frozen_themes))


def tagger_for(themes: dict[str, tuple[str, ...]]) -> ThemeTagger:
    """One tagger per distinct theme list, built once per process."""
    return _tagger(tuple(sorted((theme, tuple(phrases)) for theme, phrases in themes.items())))
