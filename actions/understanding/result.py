"""What the understanding layer says about one message: a value, how sure it is, and what to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STORE = "store"  # sure enough to keep it
CONFIRM = "confirm"  # keep it only once the resident says it's right
NOT_UNDERSTOOD = "not understood"  # ask again, with a hint

# Confidence bands. A wrong stored answer is worse than a re-ask, so the store band is high.
STORE_AT = 0.85
CONFIRM_AT = 0.5


@dataclass(frozen=True)
class Understanding:
    decision: str
    value: Any = None
    confidence: float = 0.0
    hint: str = ""
    skipped: bool = False  # the resident is skipping the question
    partial: list = field(default_factory=list)  # rank given one item at a time

    @property
    def stored(self) -> bool:
        return self.decision == STORE


def sure(value: Any, confidence: float = 1.0) -> Understanding:
    return Understanding(STORE, value, confidence)


def check(value: Any, confidence: float, hint: str = "") -> Understanding:
    """A value worth offering back to the resident: "I've put that as X. Is that right?"."""
    return Understanding(CONFIRM, value, confidence, hint)


def unclear(hint: str = "", confidence: float = 0.0) -> Understanding:
    return Understanding(NOT_UNDERSTOOD, None, confidence, hint)


def by_confidence(value: Any, confidence: float, hint: str = "") -> Understanding:
    """Store, confirm or ask again, by the shared confidence bands."""
    if confidence >= STORE_AT:
        return sure(value, confidence)
    if confidence >= CONFIRM_AT:
        return check(value, confidence, hint)
    return unclear(hint, confidence)
