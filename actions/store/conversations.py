"""Erase a resident's conversation from Rasa's tracker store (the ``events`` table).

Responses hold only a salted hash of the sender id, so to find a
respondent's conversation we hash each sender id in the tracker store with
the same salt and channel and compare.
"""

from __future__ import annotations

from sqlalchemy import MetaData, Table, delete, inspect, select

from .db import engine_for
from .identity import hash_sender


def _events_table(tracker_url: str) -> Table | None:
    engine = engine_for(tracker_url)
    if not inspect(engine).has_table("events"):
        return None
    return Table("events", MetaData(), autoload_with=engine)


def sender_ids(tracker_url: str) -> list[str]:
    events = _events_table(tracker_url)
    if events is None:
        return []
    with engine_for(tracker_url).connect() as connection:
        return list(connection.execute(select(events.c.sender_id).distinct()).scalars())


def senders_with_hash(tracker_url: str, salt: str, channel: str, sender_hash: str) -> list[str]:
    return [sender for sender in sender_ids(tracker_url) if hash_sender(salt, channel, sender) == sender_hash]


def delete_conversations(tracker_url: str, sender_ids: list[str]) -> int:
    """Delete every tracker event of these senders; returns how many events were deleted."""
    events = _events_table(tracker_url)
    if events is None or not sender_ids:
        return 0
    with engine_for(tracker_url).begin() as connection:
        result = connection.execute(delete(events).where(events.c.sender_id.in_(sender_ids)))
        return result.rowcount or 0
