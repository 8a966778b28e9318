"""Remove personal details from free text before it is stored.

What is removed, with readable markers:

* email addresses (also "name (at) domain (dot) com") -> ``[email]``
* UK phone numbers (mobile, landline, +44, with spaces, dashes or brackets, even digit by digit) -> ``[phone]``
* full postcodes -> the sector is kept: "MB3 4AB" -> ``MB3 4[postcode]``
* long digit runs that look like card or account numbers -> ``[number]``
* street addresses: a house or flat number with a street name and type, in any
  case ("12 Mill Lane", "flat 2b, 14 quay st", "No. 7 The Green", "Mill Lane,
  number 12") -> ``[address]`` (``street_addresses.py``)
* names of private people -> ``[name]`` (``person_names.py``): after a title
  ("Mrs Patel"), after a relationship cue ("my neighbour Bob", "the lady at
  number 4, Doris"), when residents introduce themselves ("my name is", "I'm"),
  in sign-offs ("Thanks, Jane", "- Dave"), and a first name from the gazetteer
  (``data/names.tsv``) followed by a capitalised surname ("Sarah Jenkins said").

What stays:

* a street or place without a house number ("parking on Mill Lane is awful"),
  ward and council names, and numbers that are not house numbers ("12 parking
  spaces", "the 7 bus", "£70 fine", "20mph", "12 March");
* first names that are also words (will, may, grace, mark) unless they follow a
  cue ("my daughter Grace") or come before a common surname ("Mark Evans");
* councillors named with their title ("Cllr Marsh", "Councillor Kevin Marsh")
  and names followed by "MP": public office-holders, whose names in a comment
  are part of what the resident is saying about public business;
* anything the caller passes in ``keep``: the consultation's own places, wards
  and proposal titles (see ``redact``).

Pattern-based redaction cannot be perfect: a name the gazetteer does not know,
mentioned without a cue ("Zbigniew said"), or a house name ("Rose Cottage")
stays. Officers only ever see redacted text, and the raw text is never stored
(see docs/data-protection.md). The patterns are compiled at import and the
gazetteer is read once; ``redact`` runs on every stored message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from .person_names import name_spans, public_figure_spans
from .postcodes import FULL_POSTCODE
from .street_addresses import address_spans

# Shown to residents (privacy statement, consent step): what redact() removes, in plain English.
# (Card-like long numbers are removed too; residents are not expected to type them.)
REMOVED_DETAILS_NOTICE = (
    "Please don't include names, addresses, phone numbers or email addresses in your comments. "
    "If you do, we remove people's names, house numbers with street names, phone numbers, "
    "emails and full postcodes before saving."
)

# The look-behind makes a match start only where a run of such characters starts (linear, not quadratic, time).
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+\s*(?:@|\(at\)|\[at\])\s*[A-Za-z0-9-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
URL_WITH_USER = re.compile(r"\bhttps?://\S+@\S+", re.IGNORECASE)
# +44 7700 900123, 07700 900123, 07700-900-123, (01632) 960 100, 01632960100, 0044 7700 900123
# After the leading 0 a separator is allowed too, so a number typed digit by digit ("0 7 7 0 0 ...") is caught.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?44\s?\(?0?\)?\s?|\(?0[\s\-\.]?)(?:\d[\s\-\)\.]{0,2}){8,9}\d(?!\d)")
LONG_NUMBER = re.compile(r"(?<![\w])\d(?:[\s-]?\d){11,18}(?!\d)")  # card or account numbers

Span = tuple[int, int]


def redact(text: str, keep: Iterable[str] = ()) -> str:
    """Return ``text`` with personal details replaced by markers. Plain text in, plain text out.

    ``keep`` holds phrases that must stay although they look like a name or an
    address: the consultation's places, ward names and proposal titles
    ("Ashley Down", "1 Market Square"). A name that overlaps a kept phrase
    stays. An address stays only when a kept phrase covers all of it: keeping
    "Harbour Road" keeps the street, but "14 Harbour Road" is still a
    resident's home and is removed.
    """
    if not text:
        return text
    text = URL_WITH_USER.sub("[email]", text)
    text = EMAIL.sub("[email]", text)
    text = FULL_POSTCODE.sub(lambda m: f"{m.group(1).upper()} {m.group(2)[0]}[postcode]", text)
    text = PHONE.sub("[phone]", text)
    text = LONG_NUMBER.sub("[number]", text)
    keep_pattern = _keep_pattern(_phrases(keep))
    kept = _kept_spans(text, keep_pattern)
    text = _replace(text, (span for span in address_spans(text) if not _covered(span, kept)), "[address]")
    kept = _kept_spans(text, keep_pattern) + list(public_figure_spans(text))
    return _replace(text, (span for span in name_spans(text) if not _overlaps(span, kept)), "[name]")


def contains_contact_details(text: str) -> bool:
    return bool(EMAIL.search(text or "") or PHONE.search(text or ""))


def _phrases(keep: Iterable[str]) -> tuple[str, ...]:
    if isinstance(keep, str):
        keep = (keep,)
    return tuple(sorted({" ".join(phrase.split()).lower() for phrase in keep if phrase and phrase.strip()}))


@lru_cache(maxsize=256)
def _keep_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern per set of kept phrases; callers pass the same consultation's phrases again and again."""
    if not phrases:
        return None
    parts = sorted((r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases), key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


def _kept_spans(text: str, pattern: re.Pattern[str] | None) -> list[Span]:
    return [match.span() for match in pattern.finditer(text)] if pattern else []


def _covered(span: Span, kept: list[Span]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in kept)


def _overlaps(span: Span, kept: list[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in kept)


def _replace(text: str, spans: Iterator[Span] | Iterable[Span], marker: str) -> str:
    """Replace each span (overlapping spans merged) with ``marker``."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return text
    pieces, position = [], 0
    for start, end in merged:
        pieces.append(text[position:start])
        pieces.append(marker)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
