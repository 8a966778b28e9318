"""Responses keyed in by staff (paper, phone, in person): saving one with its audit entry, finding one by its
form's token, and the possible duplicates of one.

Saving goes through ``Store.submit_response``, the chat's own path (one transaction, a reference, idempotent
per submission key), with who keyed it in and the date received; the audit entry is written in the same
transaction and holds the reference, the channel and the date received, never an answer or a postcode.

A possible duplicate is a submitted response to the same consultation with the same postcode (compared by
its salted hash, ``responses.postcode_hash``; the postcode itself is never kept) and the same answers,
"other, please specify" texts included. Without a full postcode there is nothing to compare.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .audit import Actor, add_entry
from .models import AnswerRow, ConsultationRow, QuestionRow, ResponseRow, UserRow
from .repository import Store

AUDIT_ACTION = "key_in_response"


@dataclass(frozen=True)
class Duplicate:
    reference: str
    channel: str
    received: dt.date  # the date received (keyed responses) or submitted (chat)


def reference_for_key(store: Store, submission_key: str) -> tuple[str, str] | None:
    """The reference and consultation of the response saved from this form token, if it was saved."""
    with store.session() as session:
        row = session.execute(
            select(ResponseRow.reference, ConsultationRow.slug)
            .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
            .where(ResponseRow.submission_key == submission_key)
        ).first()
    return (row.reference, row.slug) if row else None


def possible_duplicates(
    store: Store, slug: str, postcode_hash: str | None, answers: dict[str, Any], other: dict[str, str]
) -> list[Duplicate]:
    """Submitted responses to ``slug`` with this postcode and exactly these answers, oldest first."""
    if not postcode_hash:
        return []
    with store.session() as session:
        candidates = session.execute(
            select(ResponseRow.id, ResponseRow.reference, ResponseRow.channel, ResponseRow.received_on, ResponseRow.submitted_at)
            .join(ConsultationRow, ConsultationRow.id == ResponseRow.consultation_id)
            .where(
                ConsultationRow.slug == slug,
                ResponseRow.postcode_hash == postcode_hash,
                ResponseRow.status == "submitted",
            )
            .order_by(ResponseRow.id)
        ).all()
        if not candidates:
            return []
        stored: dict[int, tuple[dict, dict]] = {row.id: ({}, {}) for row in candidates}
        rows = session.execute(
            select(AnswerRow.response_id, QuestionRow.key, AnswerRow.value, AnswerRow.other_text)
            .join(QuestionRow, QuestionRow.id == AnswerRow.question_id)
            .where(AnswerRow.response_id.in_(list(stored)))
        )
        for response_id, key, value, other_text in rows:
            stored[response_id][0][key] = value
            if other_text is not None:
                stored[response_id][1][key] = other_text
    wanted = (_comparable(answers), dict(other))
    return [
        Duplicate(row.reference, row.channel, row.received_on or row.submitted_at.date())
        for row in candidates
        if (_comparable(stored[row.id][0]), stored[row.id][1]) == wanted
    ]


def _comparable(answers: dict[str, Any]) -> dict[str, Any]:
    """Numbers compared by value (3 and 3.0 are the same answer)."""
    return {
        key: float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
        for key, value in answers.items()
    }


def save_keyed(store: Store, fields: dict[str, Any], actor: Actor) -> str:
    """Save a keyed-in response (``fields``: ``survey.keyed_form.saved_fields``) and its audit entry, in one
    transaction. Idempotent per submission key: the same form posted twice saves one response, audited once."""
    channel, received_on = fields["channel"], fields["received_on"]

    def audit(session, reference: str) -> None:
        details = {"channel": channel, "received_on": received_on.isoformat() if received_on else None}
        add_entry(session, actor, AUDIT_ACTION, f"{fields['consultation_slug']} {reference}", details=details)

    return store.submit_response(**fields, keyed_by=actor.user_id, on_created=audit)


def keyed_details(store: Store, reference: str) -> dict | None:
    """Who keyed a response in and when it was received; None for a response that was not keyed in."""
    with store.session() as session:
        row = session.execute(
            select(ResponseRow.received_on, ResponseRow.keyed_by, UserRow.email)
            .outerjoin(UserRow, UserRow.id == ResponseRow.keyed_by)
            .where(ResponseRow.reference == reference.upper())
        ).first()
    if row is None or (row.received_on is None and row.keyed_by is None):
        return None
    return {"received_on": row.received_on, "keyed_by": row.email}
