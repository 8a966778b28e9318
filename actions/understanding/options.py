"""Choice, multi and rank: which of a question's options the resident means.

An option is found by its label, number, letter or position ("b", "plan A",
"the second one", "last"), by the words of its label and its officer-written
``aliases`` (as lemmas, with typos forgiven), and by everyday words that no
label contains ("drive" for "Car", "on foot" for "Walking") from the generic
groups in ``data/synonyms.yml``. Negation excludes an option ("not the
painted lane"); lists joined by "and", "or", "&", commas or "plus" keep every
item; "all of them", "none of them" and "all except X" work where allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from .result import STORE_AT, Understanding, check, sure, unclear
from .words import NEGATORS, content_words, lemma, normalise, normalise_list, read_word_lists, tokens

SYNONYMS_PATH = Path(__file__).resolve().parent / "data" / "synonyms.yml"
ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9, "tenth": 10, "10th": 10,
    "last": -1, "final": -1, "top": 1, "penultimate": -2,
}  # fmt: skip
NONE_LABEL = re.compile(r"^(?:none|neither|nothing|no preference|no option|no change)\b")
UNSURE_LABEL = re.compile(r"^(?:not sure|don'?t know|unsure|no opinion)\b")
OTHER_LABEL = re.compile(r"^other\b")
LETTER_PREFIX = re.compile(r"^(?:option|plan|proposal|choice)?\s*\(?([a-h])\)?\s*(?:[-:–).]|$)", re.IGNORECASE)
SAYS_NONE = re.compile(
    r"^(?:none|neither|nothing|no|nope|nah)(?: of (?:them|these|those|the above|em|'em|it))?(?: really| thanks| tbh| to be honest| i'm afraid)*$|"
    r"^(?:i )?(?:don'?t|do not) (?:like|want|use|need|fancy|prefer) (?:any|either|none) (?:of (?:them|these|those|the above))?$|"
    r"^not (?:any|either) of (?:them|these|those)$|^neither really$|^none really$"
)
SAYS_UNSURE = re.compile(r"^(?:not sure|unsure|don'?t know|dunno|idk|no idea|i'?m not sure|can'?t decide|undecided)\b")
SAYS_ALL = re.compile(
    r"^(?:(?:honestly|probably|basically|well|erm|um|oh|i'?d say|i use|we use|i do|i'?d use)\s+)*"
    r"(?:all|all of (?:them|these|those|the above|em|'em)|all the above|everything|the lot|all of it|every one|"
    r"each of them|any of them|all those|all these|all options|all of the options)"
    r"(?:\s+(?:really|please|tbh|at some point|at one time or another|i guess|to be honest|honestly|probably))*$"
)
# A part that only closes the list: "books and computers, none of the rest".
LIST_CLOSER = re.compile(
    r"^(?:none of the (?:rest|others)|nothing else|no others?|that'?s (?:it|all)|and that'?s it|only those|just those)$"
)
EXCEPT = re.compile(
    r"^(?:all|everything|any|anything|all of (?:them|these|those|the above)|the lot|all options)\s*,?\s*(?:except|except for|but|apart from|"
    r"other than|bar|besides|minus|excluding|but not|not)\s+(.+)$"
)
NEGATED_PART = re.compile(r"^(?:i |we )?(?:don'?t|do not|never|not|no longer|can'?t|cannot|won'?t)\b")
# How people say they prefer something, which names no option: "the timed closure makes most sense".
PREFERENCE_TALK = re.compile(
    r"\b(?:makes? (?:the )?most sense|makes? (?:more )?sense|sounds? (?:the )?(?:best|good|right|sensible|fair)|"
    r"seems? (?:the )?(?:best|better|fairest|fair|sensible|right)|(?:is|would be) (?:the )?(?:best|better|my choice|my pick|my preference)|"
    r"for me|to me|personally|properly|by far|definitely|obviously|i reckon|i think|i'?d say|i vote|if i had to choose)\b"
)
CONTEXT_ONLY = re.compile(r"^(?:it )?(?:depends|depending)\b|^(?:if|when|unless)\b|\b(?:weather|raining|pouring|rains)\b")
NONE_BUT = re.compile(
    r"^(?:none|nothing|not really|not much)\s*,?\s*(?:except|apart from|but|other than|besides|bar|only)\s+(?:the\s+|maybe\s+(?:the\s+)?)?(.+)$"
)
EXCLUDING = re.compile(
    r"\b(?:not|rather than|instead of|except|apart from|but not|anything but|never|(?:i\s+)?(?:don'?t|do not|wouldn'?t|would not)\s+"
    r"(?:want|like|fancy|support|choose|pick|go for)|no to|against|hate|dislike|not keen on)\s+(?:the\s+)?(.+?)(?=,|;|\bbut\b|$)"
)
SPLIT = re.compile(r"\s*(?:,|;|/|&|\+|\band\b|\bor\b|\bplus\b|\balso\b|\bas well as\b|\baswell as\b|\bn\b|\bbut\b|\n)\s*")
FILLER_LEADS = re.compile(
    r"^(?:(?:i|we|i'd|id|we'd|i'll|i would|we would|usually|mostly|mainly|normally|generally|sometimes|often|always|"
    r"probably|maybe|definitely|prefer|go for|go with|choose|pick|like|want|the|a|an|its|it's|it is|my|our|answer|is|"
    r"option|plan|choice|proposal|number|no|one|say|i say|vote|vote for|id go for|i'd go for|i'd pick|i pick|"
    r"i choose|i prefer|prefer the|rather|i'd rather|by|on|via|using|use|take|get|catch|ride|do)\s+)+"
)
TRAILING = re.compile(
    r"\s+(?:one|ones|option|please|thanks|mostly|mainly|usually|i think|tbh|really|if i can|sometimes|too|as well)$"
)


@dataclass(frozen=True)
class OptionSet:
    labels: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]]
    # Words that describe an option without naming it: the matching proposal's title and description.
    descriptions: dict[str, str] = field(default_factory=dict)
    # The question's "other, please specify" option (YAML `other:`), whatever its label says.
    other: str | None = None

    @property
    def none_option(self) -> str | None:
        return next((label for label in self.labels if NONE_LABEL.match(normalise(label))), None)

    @property
    def unsure_option(self) -> str | None:
        return next((label for label in self.labels if UNSURE_LABEL.match(normalise(label))), None)

    @property
    def other_option(self) -> str | None:
        if self.other:
            return self.other
        return next((label for label in self.labels if OTHER_LABEL.match(normalise(label))), None)

    @property
    def ordinary(self) -> list[str]:
        """Options that can be chosen together (not None or Not sure)."""
        return [label for label in self.labels if label not in (self.none_option, self.unsure_option)]


@lru_cache(maxsize=1)
def synonym_groups() -> list[frozenset[str]]:
    data = read_word_lists(SYNONYMS_PATH)
    return [frozenset(lemma(str(word)) for word in group) | frozenset(str(word) for word in group) for group in data["groups"]]


@lru_cache(maxsize=1)
def _kinds() -> dict[str, frozenset[str]]:
    """Word -> the kinds (from ``kinds:`` in synonyms.yml) its groups belong to: car and bus are both "travel"."""
    data = read_word_lists(SYNONYMS_PATH)
    found: dict[str, set[str]] = {}
    for kind, heads in (data.get("kinds") or {}).items():
        for head in heads:
            for group in synonym_groups():
                if lemma(str(head)) in group:
                    for word in group:
                        found.setdefault(word, set()).add(kind)
    return {word: frozenset(kinds) for word, kinds in found.items()}


def kind_of(word: str) -> frozenset[str]:
    return _kinds().get(word, frozenset())


@lru_cache(maxsize=4096)
def expand(word: str) -> frozenset[str]:
    """A lemma and every everyday word grouped with it."""
    found = {word}
    for group in synonym_groups():
        if word in group:
            found |= group
    return frozenset(found)


def _words(text: str) -> list[str]:
    return content_words(text)


@lru_cache(maxsize=1024)
def _option_vocabulary(label: str, aliases: tuple[str, ...], description: str = "") -> tuple[frozenset[str], ...]:
    """(the option's own lemmas, the same with everyday words added, words of its description)."""
    own: set[str] = set()
    for text in (re.sub(r"^(?:option|plan|proposal|choice)\s+[a-h]\s*[-:–]\s*", "", label, flags=re.I), *aliases):
        own.update(_words(text))
    wide: set[str] = set()
    for word in own:
        wide |= expand(word)
    described = set(_words(description)) - own
    return frozenset(own), frozenset(wide), frozenset(described)


def _word_hits(word: str, own: frozenset[str], wide: frozenset[str], described: frozenset[str] = frozenset()) -> float:
    if word in own:
        return 1.0
    if expand(word) & own or word in wide:
        return 0.95
    if len(word) > 4 and any(len(o) > 4 and fuzz.ratio(word, o) >= 80 for o in own):
        return 0.9  # a typo of the label's own word
    if word in described or expand(word) & described:
        return 0.8  # a word of the option's description ("the one with the café")
    return 0.0


def letter_of(label: str) -> str | None:
    match = LETTER_PREFIX.match(label.strip())
    return match.group(1).lower() if match and len(label.strip()) > 2 else None


def _by_position(options: OptionSet, text: str) -> str | None:
    wanted = normalise(text)
    wanted = re.sub(
        r"^(?:(?:i'?d|i|we|i'll|go|for|with|pick|choose|say|the|options?|plan|choice|proposal|number|no|answer|its|it's)\s+)+",
        "",
        wanted,
    )
    wanted = re.sub(r"^(?:last but one|second to last|second last|one before last)(?: one)?$", "penultimate", wanted)
    wanted = TRAILING.sub("", wanted).strip()
    wanted = re.sub(r"\s+(?:one|option)$", "", wanted)
    if re.fullmatch(r"\d{1,2}[.)]?", wanted):
        number = int(wanted.rstrip(".)"))
        return options.labels[number - 1] if 1 <= number <= len(options.labels) else None
    wanted = re.sub(r"^(?:last but one|second to last|second last)$", "penultimate", wanted)
    if wanted in ORDINALS:
        number = ORDINALS[wanted]
        if number < 0:
            return options.labels[number] if -number <= len(options.labels) else None
        return options.labels[number - 1] if number <= len(options.labels) else None
    letter = re.fullmatch(r"\(?([a-h])\)?", wanted)
    if letter:
        wanted_letter = letter.group(1)
        lettered = {letter_of(label): label for label in options.labels if letter_of(label)}
        if lettered:
            return lettered.get(wanted_letter)
        number = ord(wanted_letter) - ord("a") + 1
        return options.labels[number - 1] if number <= len(options.labels) else None
    return None


def _spelled_reference_word(match: re.Match) -> str:
    word = match.group(1)
    close = [name for name in ("plan", "option", "choice") if fuzz.ratio(word, name) >= 75]
    return close[0] if close else word


REFERENCE = re.compile(
    r"\b(?:option|plan|choice|proposal|number|no)\s+([a-h]|\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\b"
)
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
LEADING_LETTER = re.compile(r"^\(?([a-h])\)?(?:\s|$)")
SURE_WORDS = {
    "for",
    "sure",
    "definitely",
    "def",
    "deffo",
    "defo",
    "obviously",
    "every",
    "time",
    "please",
    "pls",
    "thanks",
    "thank",
    "you",
    "ta",
    "mate",
    "all",
    "the",
    "way",
    "probably",
    "i",
    "think",
    "reckon",
    "guess",
    "then",
    "its",
    "it's",
    "it",
    "is",
    "one",
    "option",
    "100%",
    "absolutely",
    "really",
    "to",
    "be",
    "honest",
    "tbh",
    "id",
    "i'd",
    "say",
    "go",
    "with",
    "pick",
    "choose",
}


def _by_reference(options: OptionSet, wanted: str) -> str | None:
    """ "plan A but only in the mornings", "B for sure": a letter or number that names one option."""
    wanted = re.sub(r"\b(\w{3,7})(?=\s+[a-h]\b)", _spelled_reference_word, wanted)  # "plam b", "optoin c"
    reference = REFERENCE.search(wanted)
    if not reference:
        leading = LEADING_LETTER.match(wanted)
        rest = wanted[leading.end() :].split() if leading else []
        if leading and leading.group(1) != "a" and all(word in SURE_WORDS for word in rest):
            reference = leading
        elif leading and leading.group(1) == "a" and rest and all(word in SURE_WORDS for word in rest) and "for" in rest:
            reference = leading  # "a for sure"; a lone "a ..." is usually the article
    if not reference:
        return None
    return _by_position(options, NUMBER_WORDS.get(reference.group(1), reference.group(1)))


def match_one(options: OptionSet, text: str) -> tuple[str | None, float, str]:
    """The single option ``text`` names: (label or None, confidence, hint)."""
    wanted = normalise(text)
    if not wanted:
        return None, 0.0, ""
    for label in options.labels:
        if wanted == normalise(label) or wanted in (normalise(a) for a in options.aliases.get(label, ())):
            return label, 1.0, ""
    positioned = _by_position(options, text)
    if positioned:
        return positioned, 1.0, ""
    referenced = _by_reference(options, wanted)
    if referenced:
        return referenced, 0.9, ""
    if SAYS_NONE.match(wanted):
        return (options.none_option, 0.95, "") if options.none_option else (None, 0.0, "")
    if SAYS_UNSURE.match(wanted) and options.unsure_option:
        return options.unsure_option, 0.95, ""
    wanted = PREFERENCE_TALK.sub(" ", wanted).strip() or wanted
    stripped = TRAILING.sub("", FILLER_LEADS.sub("", wanted)).strip()
    for label in options.labels:
        if stripped and (stripped == normalise(label) or stripped in (normalise(a) for a in options.aliases.get(label, ()))):
            return label, 1.0, ""
    words = _words(stripped or wanted)
    if not words:
        return None, 0.0, ""
    vocabularies = {
        label: _option_vocabulary(label, options.aliases.get(label, ()), options.descriptions.get(label, ""))
        for label in options.labels
    }
    # A word every option has ("library" when all three options are about the library) tells them apart no better than none.
    telling = [
        w for w in words if len(options.labels) < 2 or not all(_word_hits(w, *vocabularies[label]) for label in options.labels)
    ]
    if not telling:
        return None, 0.0, ""
    words = telling
    scored = []
    for label in options.labels:
        own, wide, described = vocabularies[label]
        hits = [_word_hits(word, own, wide, described) for word in words]
        matched = [hit for hit in hits if hit]
        if not matched:
            continue
        covered = len(matched) / len(words)
        strength = sum(matched) / len(matched)
        scored.append((covered * strength, len(matched), label))
    if not scored:
        return None, 0.0, ""
    scored.sort(key=lambda item: (-item[0], -item[1]))
    best_score, best_count, best = scored[0]
    if len(scored) > 1 and scored[1][0] >= best_score - 0.05 and scored[1][1] >= best_count:
        return None, 0.3, f'That could be "{best}" or "{scored[1][2]}".'
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    # Every meaningful word matched, or the only option any word matched: sure. Otherwise offer it back.
    if best_score >= 0.9 and runner_up < 0.5:
        confidence = 0.95
    elif runner_up == 0.0 and best_score >= 0.3:
        confidence = 0.9
    elif best_score - runner_up >= 0.4 or (runner_up == 0.0 and best_score >= 0.15):
        confidence = 0.7
    else:
        confidence = 0.3
    own, wide, described = vocabularies[best]
    if all(_word_hits(word, own, wide) == 0 for word in words):
        confidence = min(confidence, 0.7)  # only the proposal's description matched: offer it back
    return best, confidence, ""


def _excluded(options: OptionSet, text: str) -> list[str]:
    """Options the resident says they do NOT want."""
    excluded = []
    for match in EXCLUDING.finditer(normalise_list(text)):
        for part in re.split(r"\s*(?:\band\b|\bor\b|\bnor\b|&)\s*(?:not\s+|(?:the\s+))*", match.group(1)):
            label, confidence, _ = match_one(options, part) if part.strip() else (None, 0.0, "")
            if label and confidence >= 0.6 and label not in excluded:
                excluded.append(label)
    return excluded


def _negated(text: str) -> bool:
    words = tokens(text)
    return any(word in NEGATORS or word.endswith("n't") for word in words)


def understand_choice(options: OptionSet, text: str) -> Understanding:
    count = len(options.labels)
    hint = f"Please reply with the number of one option, from 1 to {count}."
    label, confidence, ambiguity = match_one(options, text)
    if _negated(text) and not SAYS_NONE.match(normalise(text)) and (label is None or label != options.none_option):
        excluded = _excluded(options, text)
        rest = re.sub(
            r"\b(?:so|then|instead|rather|either|and|but|i'?d|go|for|with|the)\b", " ", EXCLUDING.sub(" ", normalise_list(text))
        )
        rest = " ".join(rest.replace(",", " ").replace(";", " ").split())
        positive, positive_confidence, _ = match_one(options, rest) if rest else (None, 0.0, "")
        if positive and positive not in excluded:
            return check(positive, min(positive_confidence, 0.7))
        remaining = [label for label in options.ordinary if label not in excluded]
        if excluded and len(remaining) == 1 and not options.none_option:
            return check(remaining[0], 0.6)  # "not the van, and not shut for 9 months either": the one left
        if excluded:
            return unclear(f'You said not "{excluded[0]}". Which would you prefer? {hint}')
        return unclear(ambiguity or hint)
    if label is None:
        return unclear(ambiguity or hint)
    if confidence >= STORE_AT:
        return sure(label, confidence)
    if confidence >= 0.5:
        return check(label, confidence)
    return unclear(hint)


def protect_labels(options: OptionSet, text: str) -> tuple[str, dict[str, str]]:
    """Replace whole labels and aliases in ``text`` by placeholders, so "Car or van" isn't split at "or"."""
    lowered = text
    found: dict[str, str] = {}
    phrases = [(normalise(label), label) for label in options.labels]
    phrases += [(normalise(alias), label) for label, aliases in options.aliases.items() for alias in aliases]
    for phrase, label in sorted(phrases, key=lambda pair: -len(pair[0])):
        if len(phrase.split()) < 2 and not re.search(r"[&/+,]| or | and ", phrase):
            continue  # one-word labels split fine
        pattern = re.compile(rf"(?<![\w]){re.escape(phrase)}(?![\w])")
        if pattern.search(lowered):
            key = f"zzopt{len(found)}zz"
            found[key] = label
            lowered = pattern.sub(key, lowered)
    return lowered, found


def understand_multi(options: OptionSet, text: str, max_choices: int | None) -> Understanding:
    limit = max_choices or len(options.labels)
    count = len(options.labels)
    wanted = normalise(text)
    listed = normalise_list(text)
    example = '"1 and 3"'
    if not wanted:
        return unclear(f"Please choose at least one option, for example {example}.")
    chosen: list[str] = []
    confidence = 1.0
    placeholders: dict[str, str] = {}
    all_but = EXCEPT.match(wanted)
    if SAYS_ALL.match(wanted):
        chosen = options.ordinary
    elif all_but:
        chosen = list(options.ordinary)
        for part in SPLIT.split(all_but.group(1)):
            if not part.strip():
                continue
            label, part_confidence, _ = match_one(options, part)
            if label is None or part_confidence < 0.6:
                return unclear(
                    f'I couldn\'t tell which option "{part.strip()[:60]}" is. You can reply with numbers, like {example}.'
                )
            if label in chosen:
                chosen.remove(label)
            confidence = min(confidence, part_confidence)
    elif NONE_BUT.match(wanted):
        # "none apart from the books": just the books
        for part in SPLIT.split(NONE_BUT.match(wanted).group(1)):
            if part.strip():
                label, part_confidence, _ = match_one(options, part)
                if label is None or part_confidence < 0.6:
                    return unclear(f"Which of the options do you mean? You can reply with numbers, like {example}.")
                chosen.append(label)
                confidence = min(confidence, part_confidence)
    elif SAYS_NONE.match(wanted):
        if not options.none_option:
            return unclear(f'If none of these apply, you can say "skip". Otherwise reply with numbers, like {example}.')
        return sure([options.none_option])
    else:
        if re.fullmatch(r"[\d\s.,]+", listed):
            parts = re.split(r"[\s,.]+", listed)
        else:
            protected, placeholders = protect_labels(options, listed)
            parts = SPLIT.split(protected)
        excluded = _excluded(options, text) if _negated(text) else []
        for part in parts:
            part = part.strip()
            if not part:
                continue
            for key, label in placeholders.items():
                if key in part:
                    part = part.replace(key, normalise(label))
            if (not _words(part) and not re.search(r"\d|\b[a-h]\b", part)) or LIST_CLOSER.match(part):
                continue  # "mostly", "sometimes", "none of the rest": nothing to match
            label, part_confidence, ambiguity = match_one(options, part)
            single = len([p for p in parts if p.strip()]) == 1
            if label is None and not ambiguity and single and options.other_option and not re.fullmatch(r"\d+", part):
                label, part_confidence = options.other_option, 0.55  # "motorbike": offered back as Other
            if label is None and not ambiguity and CONTEXT_ONLY.search(part) and len(parts) > 1:
                continue  # "depends on the weather", "if it's raining": when, not what
            if label is None:
                if re.fullmatch(r"\d+", part):
                    return unclear(f"{part} isn't one of the options: please use numbers from 1 to {count}.")
                return unclear(
                    ambiguity or f'I couldn\'t match "{part[:60]}" to an option. You can reply with numbers, like {example}.'
                )
            if label in excluded or NEGATED_PART.search(part):
                continue  # "I don't drive, I walk": not that one
            if label not in chosen:
                chosen.append(label)
            confidence = min(confidence, part_confidence)
    if not chosen:
        return unclear(f"Please choose at least one option, for example {example}.")
    special = [label for label in chosen if label in (options.none_option, options.unsure_option)]
    if special and len(chosen) > 1:
        return unclear(f'"{special[0]}" can\'t go with other answers. Which do you mean?')
    if len(chosen) > limit:
        return unclear(f"Please choose no more than {limit}. That was {len(chosen)}.")
    value = [label for label in options.labels if label in chosen]
    if confidence >= STORE_AT:
        return sure(value, confidence)
    if confidence >= 0.5:
        return check(value, confidence)
    return unclear(f"Please reply with the numbers of the options, like {example}.")
