"""What residents asked that a consultation's content could not answer, and answers not understood after two tries.

Officers read these (portal, JSON export) to add a FAQ, an option alias or an option. The wording is
redacted before it is written and cut to 500 characters; no sender id or hash is kept, so a row
belongs to a consultation, not to a resident. The text is never logged.

Repeats are counted by a grouping key: the redacted wording in lower case without punctuation or
extra spaces, so "Are we losing parking?" and "are we losing parking" count together.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..text.redaction import redact
from .models import ConsultationRow, UnansweredRow

KINDS = ("question", "answer")  # question: the content could not answer it; answer: not understood after two tries
MAX_TEXT = 500
MAX_QUESTION_ID = 40
EXAMPLES_PER_GROUP = 3

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_PUNCTUATION = re.compile(r"[\W_]+")


def grouping_key(text: str) -> str:
    """The wording normalised for counting repeats: "Don't know!!" and "dont  know" give "dont know"."""
    folded = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_PUNCTUATION.sub(" ", folded).split())[:MAX_TEXT]


def record(session: Session, consultation_slug: str, kind: str, text: str, question_id: str | None) -> bool:
    """Add one row; False (nothing written) for an unknown consultation or text with no words in it."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of: {', '.join(KINDS)}")
    clean = redact(text or "").strip()[:MAX_TEXT].rstrip()
    key = grouping_key(clean)
    if not key:
        return False
    consultation_id = session.scalar(select(ConsultationRow.id).where(ConsultationRow.slug == consultation_slug))
    if consultation_id is None:
        return False
    session.add(
        UnansweredRow(
            consultation_id=consultation_id,
            kind=kind,
            question_id=question_id[:MAX_QUESTION_ID] if kind == "answer" and question_id else None,
            text=clean,
            grouping_key=key,
        )
    )
    return True


def summary(session: Session, consultation_slug: str) -> list[dict[str, Any]]:
    """Groups of repeated wordings, most frequent first (then most recently seen).

    Each group: kind, question_id, count, up to three distinct example wordings (newest first),
    first_seen and last_seen (naive UTC datetimes).
    """
    consultation_id = session.scalar(select(ConsultationRow.id).where(ConsultationRow.slug == consultation_slug))
    if consultation_id is None:
        return []
    group = (UnansweredRow.kind, UnansweredRow.question_id, UnansweredRow.grouping_key)
    repeats = func.count(UnansweredRow.id)
    latest = func.max(UnansweredRow.created_at)
    totals = session.execute(
        select(*group, repeats, func.min(UnansweredRow.created_at), latest)
        .where(UnansweredRow.consultation_id == consultation_id)
        .group_by(*group)
        .order_by(repeats.desc(), latest.desc(), func.max(UnansweredRow.id).desc())
    ).all()
    # Each distinct wording once, with when it was last used; the newest come first.
    wordings = session.execute(
        select(*group, UnansweredRow.text)
        .where(UnansweredRow.consultation_id == consultation_id)
        .group_by(*group, UnansweredRow.text)
        .order_by(func.max(UnansweredRow.created_at).desc(), func.max(UnansweredRow.id).desc())
    ).all()
    examples: dict[tuple, list[str]] = {}
    for kind, question_id, key, text in wordings:
        shown = examples.setdefault((kind, question_id, key), [])
        if len(shown) < EXAMPLES_PER_GROUP:
            shown.append(text)
    return [
        {
            "kind": kind,
            "question_id": question_id,
            "count": count,
            "examples": examples.get((kind, question_id, key), []),
            "first_seen": first_seen,
            "last_seen": last_seen,
        }
        for kind, question_id, key, count, first_seen, last_seen in totals
    ]
