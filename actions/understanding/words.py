"""Words: normalising what residents type, lemmas, negation and numbers said as words.

Everything here is pure and cached, so the understanding layer can call it on
every message. Lemmas and word frequencies come from the English tables that
the ``spacy-lookups-data`` package ships (no download); chat spellings
("v important", "defo") are spelled out first.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

# Words that turn what follows around: "not really", "don't agree", "I wouldn't".
NEGATORS = frozenset(
    "not no never dont don't doesnt doesn't didnt didn't isnt isn't wont won't wouldnt wouldn't cant can't cannot "
    "couldnt couldn't shouldnt shouldn't arent aren't wasnt wasn't hardly barely neither nor without nothing".split()
)
# Words that carry no meaning for matching an answer.
STOP_WORDS = frozenset(
    """a an the i i'd id i'm im i've ive me my we we'd our us you your it it's its that this these those is are was were be
    been am do does did to of for in on at by with from and or but so as if then than there here
    would will shall should could can may might must just really very quite pretty bit little mostly mainly usually
    generally normally probably maybe perhaps think guess reckon say said like go going want wanted please thanks thank
    ok okay well um erm er hmm oh yeah yes one ones option options choice answer number thing stuff lot lots tbh
    honestly actually basically literally kind sort sorta kinda have has had having been being get gets got getting
    does did done doing make makes made going gone come comes came they them their theirs he she his her hers who whom
    whose what which when where why how any some much many few each every such""".split()
)
# Negators are not stop words: matching leaves them out, but negation is always looked for.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NOT_WORD = re.compile(r"[^\w'%/+&.-]+")


def read_word_lists(path: Path) -> dict:
    """A YAML word list where everything stays text: "no" and "yes" are words here, not booleans."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str, list and dict


def clean(text: str) -> str:
    """Unicode-normalised text with control characters removed (line breaks and tabs kept)."""
    text = unicodedata.normalize("NFC", text or "")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()


# Chat spellings, so that "v important" reads like "very important".
CHAT_WORDS = {
    "v": "very", "rly": "really", "realy": "really", "def": "definitely", "defo": "definitely", "deffo": "definitely",
    "prob": "probably", "probs": "probably", "prolly": "probably", "pls": "please", "plz": "please", "u": "you",
    "ur": "your", "tho": "though", "coz": "because", "cos": "because", "cuz": "because", "wanna": "want to",
    "gonna": "going to", "dont": "don't", "cant": "can't", "wont": "won't", "wouldnt": "wouldn't", "doesnt": "doesn't",
    "isnt": "isn't", "didnt": "didn't", "im": "i'm", "ive": "i've", "id": "i'd", "thats": "that's", "its": "it's",
    "ok": "ok", "okay": "ok", "k": "ok", "kk": "ok", "yeh": "yeah", "ya": "yeah", "thx": "thanks", "ty": "thanks",
    "ta": "thanks", "abt": "about", "st": "street", "rd": "road", "ave": "avenue", "tmrw": "tomorrow", "w/": "with", "b4": "before", "gr8": "great", "luv": "love",
}  # fmt: skip


def _chat(text: str) -> str:
    return " ".join(CHAT_WORDS.get(word, word) for word in text.split(" "))


def normalise(text: str) -> str:
    """Lower case, one kind of apostrophe, chat spellings spelled out, punctuation to spaces, single spaces."""
    text = clean(text).lower().translate(_APOSTROPHES)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # full stops go, decimal points stay
    text = _NOT_WORD.sub(" ", text)
    return _chat(re.sub(r"\s+", " ", text).strip(" -'&+/"))


def normalise_list(text: str) -> str:
    """Like :func:`normalise`, but keeps the commas, semicolons, line breaks and '>' that separate list items."""
    text = clean(text).lower().translate(_APOSTROPHES)
    text = re.sub(r"(?<=[a-z])\.(?=\s|$)", " ; ", text)  # a full stop after a word ends a clause
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    text = re.sub(r"[^\w'%/+&.,;>\n-]+", " ", text)
    text = re.sub(r"\s*([,;>\n])\s*", r" \1 ", text)
    return _chat(re.sub(r"[ \t]+", " ", text).strip(" -'&+/,;"))


def tokens(text: str) -> list[str]:
    return normalise(text).replace("/", " / ").split()


@lru_cache(maxsize=1)
def _lemma_table() -> dict[str, str]:
    path = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    table.update(_EXTRA_LEMMAS)
    return table


# Forms the lookup table leaves alone or gets wrong for our purposes.
_EXTRA_LEMMAS = {
    "cycling": "cycle",
    "biking": "bike",
    "bikes": "bike",
    "scooting": "scoot",
    "scooters": "scooter",
    "driving": "drive",
    "walking": "walk",
    "parking": "parking",
    "kids": "kid",
    "children's": "child",
    "childrens": "child",
    "busses": "bus",
    "taxis": "taxi",
    "cabs": "cab",
    "cafe": "café",
    "wi-fi": "wifi",
    "computers": "computer",
}


# Word frequencies: spacy-lookups-data ships a table of a million (mostly junk) entries, 0.9 s and
# over 100 MB to load. `make setup` keeps the ~49,000 ordinary words we can tell apart (log probability
# of -16 or more; anything rarer counts as rare anyway) in build/, and this module reads that.
RARITY_PATH = Path(__file__).resolve().parents[2] / "build" / "understanding" / "word_rarity.json"
RAREST_LOG_PROBABILITY = -16.0


def build_rarity_table(target: Path = RARITY_PATH) -> Path:
    path = resources.files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz"
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    kept = {w: round(p, 2) for w, p in table.items() if p >= RAREST_LOG_PROBABILITY and re.fullmatch(r"[a-z][a-z'-]*", w)}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(kept, separators=(",", ":"), sort_keys=True), encoding="utf-8")
    return target


@lru_cache(maxsize=1)
def _log_probabilities() -> dict[str, float]:
    if not RARITY_PATH.exists():
        build_rarity_table()  # `make setup` normally has; building it here costs about a second once
    return json.loads(RARITY_PATH.read_text(encoding="utf-8"))


def rarity(word: str) -> float:
    """How unusual a word is in general English, 0 (common: "use", "day") to 8 (rare: "headteacher").

    From the word frequencies that ``spacy-lookups-data`` ships; a word it doesn't know counts as rare."""
    return min(8.0, max(0.0, -_log_probabilities().get(word.lower(), -20.0) - 8.0))


def lemma(word: str) -> str:
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    table = _lemma_table()
    if word in table:
        return table[word]
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return table.get(word[:-1], word[:-1])  # a plural the table lacks: "sundays"
    return word


TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(?:am|pm)\b|\b(\d{1,2})[:](\d{2})\b")


def _times_as_numbers(text: str) -> str:
    """ "8:15am" and "8.15" read alike, "4pm" and "4" too: residents rarely type times as the content does."""

    def plain(match: re.Match) -> str:
        hour, minutes = match.group(1) or match.group(3), match.group(2) or match.group(4)
        return f"{hour}.{minutes}" if minutes and minutes != "00" else hour

    return TIME.sub(plain, text)


def content_words(text: str) -> list[str]:
    """Meaningful words as lemmas; hyphenated words count whole and in parts ("all-day": all-day, all, day)."""
    found = []
    for word in tokens(_times_as_numbers(text)):
        if word in STOP_WORDS or word in NEGATORS or (len(word) < 2 and not word.isdigit()):
            continue
        if "'" in word and word.split("'")[0] in STOP_WORDS | {"what", "who", "where", "when", "how", "there", "that"}:
            continue  # "what'll", "there's": a question word with a contraction
        found.append(lemma(word))
        if "-" in word:
            found += [lemma(part) for part in word.split("-") if len(part) > 1 and part not in STOP_WORDS]
    return found


def content_lemmas(text: str) -> list[str]:
    """The meaningful words of ``text`` as lemmas, in order (stop words and negators dropped)."""
    return [lemma(word) for word in tokens(text) if word not in STOP_WORDS and word not in NEGATORS and len(word) > 1]


def negated_spans(words: list[str], reach: int = 3) -> set[int]:
    """Indexes of words that fall under a negator within ``reach`` words before them."""
    under: set[int] = set()
    for index, word in enumerate(words):
        if word in NEGATORS or word.endswith("n't"):
            under.update(range(index + 1, min(len(words), index + 1 + reach)))
    return under


QUESTION_START = re.compile(
    r"^(?:what|what's|whats|when|when's|where|where's|why|how|how's|who|who's|which one is|"
    r"(?:is|are|does|do|did|can|could|will|would|should|has|have)\s+(?:it|there|you|i|we|they|the|this|that|he|she|anyone|any)\b)"
)


def is_question(text: str) -> bool:
    """'what's option b?', 'does it cost much': a question rather than an answer."""
    cleaned = clean(text)
    words = tokens(cleaned)
    if not words:
        return False
    if cleaned.endswith("?") and len(words) > 1:
        return True
    return bool(QUESTION_START.match(" ".join(words))) and len(words) >= 3
