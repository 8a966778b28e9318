"""Find names of private people in residents' words, so that redaction can remove them.

A name is found:

* after a title: "Mrs Patel", "Mr J. Smith", "Dr Anne Jones", "mrs jones";
* after a relationship cue: "my neighbour Bob", "my husband, Keith,", "our son
  Tom and daughter Amy", "next door's lad Kyle", "the lady at number 4, Doris";
  and before a place cue: "Bob next door", "Sue at number 6";
* when residents introduce themselves: "my name is jane doe", "I'm Sarah";
* in a sign-off: "Thanks, Jane", "Regards\\nBob Smith", "- Dave", "Cheers Sue x";
* anywhere, as a first name from the gazetteer (``data/names.tsv``) followed
  by a capitalised surname: "Sarah Jenkins said...".

First names that are also everyday words or places (Will, May, Grace, Mark,
Jack, Victoria, Jordan: kind ``ambiguous`` in the gazetteer) count only when
capitalised, and only in a cue position or before a surname from the
gazetteer ("Mark Evans"), so "will", "may", "jack up the price", "Mark my
words" and "Grace Church" stay. Capitalised words that are not in the
gazetteer count only right after a cue ("my neighbour Zbigniew"), never after
a comma ("like my neighbour, Westfield people...").

Public office-holders are not private people: a name after "Cllr" or
"Councillor", or followed by "MP", is never returned. A phrase the caller asks
to keep (a ward, a proposal, a place in the consultation) is never returned
either; see ``actions.text.redaction.redact``.

The gazetteer is read once, on first use; the patterns are compiled at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .name_words import (
    FUNCTION_WORDS,
    NEVER_FIRST,
    NEVER_SURNAME,
    NOT_AFTER,
    NOT_PEOPLE,
    PLACE_WORDS,
    PUBLIC_SUFFIXES,
    RELATION_WORDS,
    gazetteer,
)

Span = tuple[int, int]

_TOKEN = re.compile(r"[ \t]*([A-Za-z][A-Za-z'’-]*)")
_TITLE_CASE = re.compile(r"(?:[A-Z][a-z]*['’])?(?:Ma?c)?[A-Z][a-z]+(?:-[A-Z][a-z]+)*")
_POSSESSIVE = re.compile(r"['’]s$")


@dataclass(frozen=True)
class _Word:
    start: int
    end: int  # end of the word without a possessive 's
    after: int  # end of the whole token
    text: str  # the word without a possessive 's

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def is_title_case(self) -> bool:
        return bool(_TITLE_CASE.fullmatch(self.text))

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper() and self.text not in "IA"

    @property
    def possessive(self) -> bool:
        return self.after != self.end


def _word_at(text: str, pos: int) -> _Word | None:
    match = _TOKEN.match(text, pos)
    if not match:
        return None
    token = match.group(1).rstrip("-'’")
    start = match.start(1)
    base = _POSSESSIVE.sub("", token)
    return _Word(start, start + len(base), start + len(token), base) if base else None


@dataclass(frozen=True)
class _Cue:
    ambiguous: bool = True  # first names that are also words count
    unknown: str = "no"  # capitalised words not in the gazetteer: "no", "any", or "full" (only with a surname)
    lowercase_unknown: bool = False  # any lower-case word counts ("my name is jane doe")
    any_surname: bool = False  # any capitalised word but a place is a surname ("My name is Ann Other")


# After "my name is", a resident's own surname may be any capitalised word but a place.
_SELF_SURNAME = (NEVER_SURNAME - FUNCTION_WORDS) | {"i", "and", "or", "but", "from", "of", "in", "at", "on", "to", "the"}
CUE = _Cue()
CUE_OR_UNKNOWN = _Cue(unknown="any")
FREE_TEXT = _Cue(ambiguous=False)


def read_name(text: str, pos: int, cue: _Cue = CUE) -> Span | None:
    """The span of a person's name starting at ``pos`` (after spaces), or None."""
    names = gazetteer()
    word = _word_at(text, pos)
    if word is None:
        return None
    lower = word.lower
    if word.is_title_case:
        known = lower in names.first or (cue.ambiguous and lower in names.ambiguous)
        if not known and (cue.unknown == "no" or lower in NEVER_FIRST):
            return None
        surnames = (
            [] if word.possessive else _read_surnames(text, word.after, _SELF_SURNAME if cue.any_surname else NEVER_SURNAME)
        )
        if not known and cue.unknown == "full":
            # "I'm Zbigniew Nowak", but not "This is Bad News": the surname must be a known name.
            first_surname = _word_at(text, word.after)
            if not surnames or first_surname is None or first_surname.lower not in names.surnames | names.first:
                return None
        else:
            surnames.insert(0, word.end)
        # The longest reading not followed by a place: "Sarah Jenkins" in "Sarah Jenkins Harbour Road".
        for end in reversed(surnames):
            if not _names_a_place(text, end):
                return _unless_not_a_person(text, word.start, end)
        return None
    if word.text.islower():
        if lower in NEVER_FIRST or (lower not in names.first and not cue.lowercase_unknown):
            return None
        end = word.end
        if not word.possessive:
            end = _read_lowercase_surname(text, word.after, any_word=cue.lowercase_unknown) or end
        return word.start, end
    return None


def _unless_not_a_person(text: str, start: int, end: int) -> Span | None:
    return None if text[start:end].lower() in NOT_PEOPLE else (start, end)


def _read_surnames(text: str, pos: int, never: frozenset[str] = NEVER_SURNAME) -> list[int]:
    """Where each of up to two capitalised surnames or initials after a first name ends ("J. Smith", "Louise Jenkins")."""
    ends: list[int] = []
    while len(ends) < 2:
        word = _word_at(text, pos)
        if word is None:
            break
        dotted = text[word.after : word.after + 1] == "."
        if word.is_initial or (dotted and word.text in ("A", "I")):  # "Dr. A. Khan"
            after = word.after + 1 if dotted else word.after
            following = _word_at(text, after)
            if following is None or not following.is_title_case or following.lower in never:
                break
            pos = after
            continue
        if not word.is_title_case or word.lower in never:
            break
        ends.append(word.end)
        pos = word.after
        if word.possessive:
            break
    return ends


def _read_lowercase_surname(text: str, pos: int, *, any_word: bool) -> int | None:
    word = _word_at(text, pos)
    if word is None or not word.text.islower() or word.lower in NEVER_SURNAME:
        return None
    if any_word or word.lower in gazetteer().surnames:
        return word.end
    return None


def _names_a_place(text: str, pos: int) -> bool:
    """True when the capitalised word after ``pos`` makes the words before it a place or a public figure.

    "Victoria Road", "Stanley Park", "Sarah Jenkins MP".
    """
    word = _word_at(text, pos)
    if word is None:
        return False
    return word.text in PUBLIC_SUFFIXES or (word.is_title_case and word.lower in PLACE_WORDS)


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"'“(")
    return not before or before[-1] in ".!?\n"


def _names_from(text: str, pos: int, cue: _Cue) -> Iterator[Span]:
    """A name at ``pos`` and any more joined to it: "Bob and Sue", "Tom, Amy and Sam"."""
    span = read_name(text, pos, cue)
    while span is not None:
        yield span
        joiner = _JOINER.match(text, span[1])
        if not joiner:
            return
        following = _Cue(ambiguous=cue.ambiguous, unknown=cue.unknown if "," not in joiner.group(0) else "no")
        span = read_name(text, joiner.end(), following)


_JOINER = re.compile(r"[ \t]*(?:,[ \t]*)?(?:and|&)[ \t]+|[ \t]*,[ \t]*(?-i:(?=[A-Z]))", re.IGNORECASE)


def _alternation(words: frozenset[str] | set[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=lambda w: (-len(w), w)))


# ---- titles -------------------------------------------------------------------------------------------------------

_TITLE = r"\b(?:(?-i:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Mstr)|(?i:mr|mrs|mx))\b\.?"
TITLE = re.compile(rf"{_TITLE}(?:[ \t]+(?:and|&)[ \t]+{_TITLE})?[ \t]+")  # "Mrs Patel", "Mr and Mrs Jones"


def _title_spans(text: str) -> Iterator[Span]:
    for match in TITLE.finditer(text):
        first = _word_at(text, match.end())
        if first is None:
            continue
        if first.text.islower():  # "mrs jones" (any word but a common one), "Mr smith" (a known surname)
            if first.lower not in NEVER_SURNAME and (match.group(0)[0].islower() or first.lower in gazetteer().surnames):
                yield match.start(), first.end
            continue
        end = _read_surnames(text, match.end())
        if not end and first.is_initial:
            end = [first.after]
        for last in reversed(end):  # the longest reading that is not a place: not "Dr Jones Surgery"
            if not _names_a_place(text, last):
                yield match.start(), last
                break


# ---- cues: relationships, people at a number, self-introductions, sign-offs -------------------------------------------

_OWNER = r"(?:my|our|his|her|their|your|the|and|next[ \t-]door(?:['’]s)?)"
_MODIFIER = r"(?-i:[a-z0-9][a-z0-9'’-]*)[ \t]+"
_NAMED = r"(?P<sep>[ \t]*(?:[,:–—-][ \t]*)?)(?P<named>(?:(?:who(?:['’]s| is)[ \t]+)?(?:called|named)[ \t]+)?)"
RELATION_CUE = re.compile(
    rf"\b{_OWNER}[ \t]+(?:{_MODIFIER}){{0,3}}?(?:{_alternation(RELATION_WORDS - {'other', 'half'})}|other half)(?!['’]s)\b{_NAMED}",
    re.IGNORECASE,
)
_PEOPLE = r"(?:lady|ladies|man|men|woman|women|gentleman|gent|couple|family|chap|bloke|guy|fella|girl|boy|lad|lads|people|folks?|tenants?|owners?|pensioner|widow|widower)"
_WHERE = (
    r"(?:(?:at|from|in|who lives at)[ \t]+(?:(?:number|no\.?|#)[ \t]*\d{1,4}[a-z]?\b|\[address\])"
    r"|next[ \t-]door|opposite|across the road|over the road|upstairs|downstairs)"
)
PEOPLE_AT_CUE = re.compile(rf"\bthe[ \t]+(?:{_MODIFIER}){{0,2}}?{_PEOPLE}[ \t]+{_WHERE}{_NAMED}", re.IGNORECASE)
# "Bob next door", "Sue at number 6": the name comes before the cue.
PLACE_AFTER_NAME = re.compile(rf"[ \t]+(?:{_WHERE})(?!['’]s)", re.IGNORECASE)
_LAST_WORDS = re.compile(r"(?:([A-Za-z][A-Za-z'’-]*)[ \t]+)?([A-Za-z][A-Za-z'’-]*)$")

SELF_INTRO = re.compile(r"\b(?:my name is|my name['’]s|i am called|i['’]m called)[ \t]*[,:]?[ \t]*", re.IGNORECASE)
CALL_ME = re.compile(r"\b(?:call me|name is|name['’]s|known as)[ \t]*[,:]?[ \t]*", re.IGNORECASE)
WEAK_SELF_INTRO = re.compile(r"\b(?:i['’]m|i am|im|this is)[ \t]+", re.IGNORECASE)
_AFTER_AMBIGUOUS_INTRO = re.compile(r"[ \t]*(?:[,.!?;:\n]|$|(?:and|from|at|here|of|in|i|my)\b)", re.IGNORECASE)

_SIGN_OFF_WORDS = (
    r"many thanks|thanks again|thanks|thank you|thankyou|ta|cheers|with thanks|kind regards|best regards|warm regards|"
    r"warmest regards|regards|rgds|best wishes|all the best|yours sincerely|yours faithfully|yours truly|sincerely"
)
_GAP_TO_NAME = r"[ \t]*[,.!:;–—-]*[ \t]*(?:\n[ \t\n]*)?"
SIGN_OFF = re.compile(rf"(?<![\w'’])(?:{_SIGN_OFF_WORDS})\b{_GAP_TO_NAME}", re.IGNORECASE)
# Weaker sign-off words count only at the start of a line or a sentence: "...idea. Best, Sue", "From\nBob".
LINE_SIGN_OFF = re.compile(rf"(?:^|(?<=[\n.!?])[ \t]*)(?:from|love|best|yours|signed|bye)\b{_GAP_TO_NAME}", re.IGNORECASE)
# A name alone at the very end after a comma, a new line, a dash or a full stop: "..., Jane", "\nBob Smith",
# "- Dave", "...first. Dave".
FINAL_NAME = re.compile(r"(?:[,\n]|(?<!\S)[-–—~]+|[.!?](?=[ \t]))[ \t]*(?=[A-Za-z])")
END = re.compile(r"[ \t]*(?:[,.!]+[ \t]*)?(?:\(?[xX]{1,5}\)?[ \t]*)?[.!]*\s*\Z")


def _cue_spans(text: str) -> Iterator[Span]:
    for pattern in (RELATION_CUE, PEOPLE_AT_CUE):
        for match in pattern.finditer(text):
            loose = match.group("named") or not match.group("sep").strip()
            yield from _names_from(text, match.end(), CUE_OR_UNKNOWN if loose else CUE)
    for match in PLACE_AFTER_NAME.finditer(text):
        yield from _name_before(text, match.start())
    for match in SELF_INTRO.finditer(text):
        yield from _names_from(text, match.end(), _Cue(unknown="any", lowercase_unknown=True, any_surname=True))
    for match in CALL_ME.finditer(text):
        yield from _names_from(text, match.end(), CUE_OR_UNKNOWN)
    for match in WEAK_SELF_INTRO.finditer(text):
        span = read_name(text, match.end(), _Cue(unknown="full"))
        if span and _is_ambiguous(text[span[0] : span[1]]) and not _AFTER_AMBIGUOUS_INTRO.match(text, span[1]):
            continue
        if span:
            yield span


def _name_before(text: str, pos: int) -> Iterator[Span]:
    words = _LAST_WORDS.search(text, max(0, pos - 60), pos)
    if not words:
        return
    names = gazetteer()
    for group in (1, 2):  # "Bob Smith next door" or "Bob next door"
        if words.group(group) is None:
            continue
        start = words.start(group)
        previous = _PREVIOUS_WORD.search(text, max(0, start - 30), start)
        if previous and previous.group(1).lower() in _DETERMINERS:
            return  # "the Jack Russell next door" is a dog
        span = read_name(text, start, CUE)
        if span is None or span[1] != pos:
            continue
        first = text[start : start + len(words.group(group))].lower()
        if first in names.ambiguous and _sentence_start(text, start):
            return  # "Will next door be asked?" (the verb, at the start of a sentence)
        yield span
        return


def _is_ambiguous(name: str) -> bool:
    first = name.split()[0].lower()
    return first in gazetteer().ambiguous


def _sign_off_spans(text: str) -> Iterator[Span]:
    for match in SIGN_OFF.finditer(text):
        span = read_name(text, match.end(), CUE_OR_UNKNOWN)
        if span and END.match(text, span[1]):
            yield span
        else:
            yield from _names_from(text, match.end(), FREE_TEXT)  # "Thanks Sarah for organising it"
    for match in LINE_SIGN_OFF.finditer(text):
        span = read_name(text, match.end(), CUE_OR_UNKNOWN)
        if span and END.match(text, span[1]):
            yield span
    tail_start = max(0, len(text) - 80)
    for match in FINAL_NAME.finditer(text, tail_start):
        span = read_name(text, match.end(), CUE)
        if span and END.match(text, span[1]):
            yield span


# ---- a gazetteer first name and a surname, anywhere ------------------------------------------------------------------

_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b(?!['’])")


def _full_name_spans(text: str) -> Iterator[Span]:
    names = gazetteer()
    for match in _CAPITALISED.finditer(text):
        first = match.group(0).lower()
        if first not in names.first and first not in names.ambiguous:
            continue
        before = _PREVIOUS_WORD.search(text, max(0, match.start() - 30), match.start())
        if before and (before.group(1).lower() in NOT_AFTER or before.group(1).lower() in _DETERMINERS):
            continue  # "St John Street", "Queen Elizabeth", "the Jack Russell"
        span = read_name(text, match.start(), CUE)
        if span is None or span[1] <= match.end():
            continue  # a first name alone is not enough here
        surname = _word_at(text, match.end())
        if first in names.ambiguous and (surname is None or surname.lower not in names.surnames):
            continue  # "Mark Evans" is a name, "Will Harbour Road close" is not
        yield span


_PREVIOUS_WORD = re.compile(r"([A-Za-z][A-Za-z.'’-]*)[ \t]+$")
_DETERMINERS = frozenset("the a an this that these those my our your his her their its".split())


# ---- public office-holders -------------------------------------------------------------------------------------------

COUNCILLOR = re.compile(
    r"\b(?:cllr|councillor|councilor)\b\.?(?:[ \t]+(?-i:[A-Z]\b\.?|(?:[A-Z][a-z]*['’])?[A-Z][a-z]+(?:-[A-Z][a-z]+)*))+",
    re.IGNORECASE,
)
_LOWER_COUNCILLOR = re.compile(r"\b(?:cllr|councillor|councilor)\.?[ \t]+([a-z][a-z'’-]+)", re.IGNORECASE)


def public_figure_spans(text: str) -> Iterator[Span]:
    """Councillors named with their title ("Cllr Kevin Marsh", "councillor marsh"): public figures, kept."""
    for match in COUNCILLOR.finditer(text):
        yield match.span()
    for match in _LOWER_COUNCILLOR.finditer(text):
        if match.group(1).lower() not in FUNCTION_WORDS:
            yield match.span()


def name_spans(text: str) -> Iterator[Span]:
    """The (start, end) of each name of a private person in ``text``; spans may overlap."""
    yield from _title_spans(text)
    yield from _cue_spans(text)
    yield from _sign_off_spans(text)
    yield from _full_name_spans(text)
