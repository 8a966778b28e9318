"""Remove personal details from free text before it is stored.

What is removed, with readable markers:
* email addresses -> ``[email]``
* UK phone numbers (mobile, landline, +44, with spaces, dashes or brackets) -> ``[phone]``
* full postcodes -> the sector is kept: "MB3 4AB" -> ``MB3 4[postcode]``
* names after phrases like "my name is", "I'm", "I am", "this is", "call me",
  "signed", "regards" -> ``[name]``
* long digit runs that look like account or card numbers -> ``[number]``

Pattern-based redaction cannot be perfect (a name mentioned in passing,
"my neighbour Bob", is not detected). Officers only ever see redacted text,
and the raw text is never stored (see docs/data-protection.md).
"""

from __future__ import annotations

import re

from .postcodes import FULL_POSTCODE

EMAIL = re.compile(
    r"[A-Za-z0-9._%+'-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z0-9-]+)+", re.IGNORECASE
)
URL_WITH_USER = re.compile(r"\bhttps?://\S+@\S+", re.IGNORECASE)
# +44 7700 900123, 07700 900123, 07700-900-123, (01632) 960 100, 01632960100, 0044 7700 900123
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?44\s?\(?0?\)?\s?|\(?0)(?:\d[\s\-\)\.]{0,2}){8,9}\d(?!\d)")
LONG_NUMBER = re.compile(r"(?<![\w])\d(?:[\s-]?\d){11,18}(?!\d)")  # card or account numbers
_NAME_WORD = r"[A-Z][a-zA-Z'\-]+"
# The cue is matched in any case; the name itself must be capitalised words.
NAME_INTRO = re.compile(
    r"\b((?i:my name is|my name's|name is|i am called|i'm called|call me|this is|i am|i'm|im|signed|regards,?|thanks,?|cheers,?|from))\s+"
    rf"((?:(?:Mr|Mrs|Ms|Miss|Dr|Cllr)\.?\s+)?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})"
)
# After an unambiguous cue a name may be typed in lower case ("my name is jane doe").
STRONG_NAME_INTRO = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|call me|signed)\s+([a-z][a-z'\-]+)(?:\s+([a-z][a-z'\-]+))?", re.IGNORECASE
)
# Words that follow "I'm" / "I am" but are not names ("I'm Worried", "I am Disabled").
NOT_NAMES = {
    "a",
    "an",
    "the",
    "not",
    "very",
    "really",
    "so",
    "just",
    "also",
    "still",
    "worried",
    "concerned",
    "disabled",
    "happy",
    "unhappy",
    "against",
    "for",
    "in",
    "on",
    "at",
    "from",
    "sure",
    "afraid",
    "glad",
    "sorry",
    "writing",
    "retired",
    "pleased",
    "opposed",
    "supportive",
    "fine",
    "ok",
    "okay",
    "totally",
    "strongly",
    "fully",
    "going",
    "thinking",
    "living",
    "resident",
    "local",
    "blind",
    "deaf",
    "elderly",
    "old",
    "young",
    "new",
    "unable",
    "able",
    "aware",
    "angry",
    "fed",
    "tired",
    "scared",
    "frightened",
    "told",
    "here",
    "there",
    "millbrook",
    "harbourside",
    "riverside",
    "westfield",
    "hillcrest",
    "thornby",
    "and",
    "but",
    "with",
    "by",
    "all",
}


def redact(text: str) -> str:
    """Return ``text`` with personal details replaced by markers. Plain text in, plain text out."""
    if not text:
        return text
    text = URL_WITH_USER.sub("[email]", text)
    text = EMAIL.sub("[email]", text)
    text = FULL_POSTCODE.sub(lambda m: f"{m.group(1).upper()} {m.group(2)[0]}[postcode]", text)
    text = PHONE.sub("[phone]", text)
    text = LONG_NUMBER.sub("[number]", text)
    text = NAME_INTRO.sub(_redact_name, text)
    text = STRONG_NAME_INTRO.sub(_redact_lowercase_name, text)
    return text


def _redact_lowercase_name(match: re.Match) -> str:
    intro, first, second = match.group(1), match.group(2), match.group(3)
    if first.lower() in NOT_NAMES or first.startswith("["):
        return match.group(0)
    if second and second.lower() not in NOT_NAMES and second.lower() not in COMMON_WORDS:
        return f"{intro} [name]"
    return f"{intro} [name]" + (f" {second}" if second else "")


COMMON_WORDS = {
    "i",
    "and",
    "im",
    "i'm",
    "my",
    "we",
    "live",
    "from",
    "who",
    "please",
    "thanks",
    "here",
    "of",
    "at",
    "to",
    "is",
    "was",
}


def _redact_name(match: re.Match) -> str:
    intro, name = match.group(1), match.group(2)
    words = name.split()
    if words[0].rstrip(".").lower() in NOT_NAMES:
        return match.group(0)
    # "I'm"/"from"/"this is" are weak cues: only redact when followed by a capitalised word.
    if intro.lower() == "from":
        return match.group(0)  # "from Harbour Road" is a place far more often than a name
    return f"{intro} [name]"


def contains_contact_details(text: str) -> bool:
    return bool(EMAIL.search(text or "") or PHONE.search(text or ""))
