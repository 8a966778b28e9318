"""Find and normalise UK postcodes in what residents type.

Residents write postcodes in lower case, without the space, or with extra
spaces ("mb34ab", "MB3  4AB"). We resolve a postcode to its *sector*
("MB3 4"), which is what wards.yml maps to wards, and never need to keep the
full postcode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Outward code: A9, A99, AA9, AA99, A9A, AA9A. Inward code: 9AA.
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
FULL_POSTCODE = re.compile(rf"\b({_OUTWARD})\s*({_INWARD})\b", re.IGNORECASE)
SECTOR_ONLY = re.compile(rf"\b({_OUTWARD})\s+([0-9])(?![0-9A-Z])", re.IGNORECASE)
# Something that looks like an attempt at a postcode but is not well formed.
POSTCODE_ATTEMPT = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]{0,4}\b", re.IGNORECASE)


@dataclass(frozen=True)
class PostcodeMatch:
    sector: str  # "MB3 4"
    full: str | None  # "MB3 4AB" when a full postcode was given
    span: tuple[int, int]


def find_postcode(text: str) -> PostcodeMatch | None:
    """The first full postcode or postcode sector in ``text``, normalised."""
    text = text or ""
    full = FULL_POSTCODE.search(text)
    if full:
        outward, inward = full.group(1).upper(), full.group(2).upper()
        return PostcodeMatch(sector=f"{outward} {inward[0]}", full=f"{outward} {inward}", span=full.span())
    sector = SECTOR_ONLY.search(text)
    if sector:
        return PostcodeMatch(sector=f"{sector.group(1).upper()} {sector.group(2)}", full=None, span=sector.span())
    return None


def looks_like_postcode_attempt(text: str) -> bool:
    """True when the text contains something postcode-shaped we could not read (e.g. 'MB3', 'MB34A')."""
    return find_postcode(text) is None and bool(POSTCODE_ATTEMPT.search(text or ""))


def full_postcodes(text: str) -> list[re.Match]:
    return list(FULL_POSTCODE.finditer(text or ""))
