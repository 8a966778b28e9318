"""Flag abusive or offensive comments for an officer to look at, rather than silently dropping them.

A comment is kept (residents have a right to be heard, and a council must not
quietly discard views), but tagged ``needs_review`` so the portal can filter
it and officers decide before quoting it. The word list is deliberately short
and conservative; councils can extend it.
"""

from __future__ import annotations

import re

REVIEW_TAG = "needs_review"
_WORDS = (
    "fuck",
    "fucking",
    "fucker",
    "shit",
    "shite",
    "bullshit",
    "cunt",
    "bastard",
    "bastards",
    "wanker",
    "wankers",
    "twat",
    "prick",
    "dickhead",
    "arsehole",
    "asshole",
    "bollocks",
    "piss off",
    "scum",
    "idiots",
    "morons",
    "kill you",
    "burn down",
    "hang them",
    "shoot them",
)
_PATTERN = re.compile(r"\b(" + "|".join(re.escape(word) for word in _WORDS) + r")\b", re.IGNORECASE)


def needs_review(text: str) -> bool:
    return bool(_PATTERN.search(text or ""))
