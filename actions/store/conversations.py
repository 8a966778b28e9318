"""Erase a resident's conversation from Rasa's tracker store (the ``events`` table), and re-key old ones.

Responses hold only a salted hash of the sender id, so to find a
respondent's conversation we hash each sender id in the tracker store with
the same salt and channel and compare.
"""

from __future__ import annotations

import json

from sqlalchemy import MetaData, Table, delete, inspect, select, update

from .db import engine_for
from .identity import conversation_key, hash_sender, is_conversation_key


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


def rekey_conversations(tracker_url: str, salt: str) -> list[tuple[str, str]]:
    """Re-key conversations stored under a raw sender id (before conversation keys existed).

    Each becomes ``channel:<salted hash>``, the channel read from its latest message, so no raw phone
    number or chat id is left as a tracker key. Idempotent; returns the (channel, raw id) re-keyed, so
    the caller can seal the addresses of residents who asked for an outcome before their id goes.
    """
    events = _events_table(tracker_url)
    if events is None:
        return []
    rekeyed: list[tuple[str, str]] = []
    with engine_for(tracker_url).begin() as connection:
        raw_senders = [
            s for s in connection.execute(select(events.c.sender_id).distinct()).scalars() if not is_conversation_key(s)
        ]
        for sender in raw_senders:
            latest_user_event = connection.execute(
                select(events.c.data)
                .where(events.c.sender_id == sender, events.c.type_name == "user")
                .order_by(events.c.id.desc())
                .limit(1)
            ).scalar()
            channel = _input_channel(latest_user_event) or "rest"
            key = conversation_key(salt, channel, sender)
            connection.execute(update(events).where(events.c.sender_id == sender).values(sender_id=key))
            rekeyed.append((channel, sender))
    if rekeyed and tracker_url.startswith("sqlite"):
        with engine_for(tracker_url).connect() as connection:
            # SQLite keeps the old pages, raw ids and all, in its write-ahead log until it is checkpointed.
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return rekeyed


def _input_channel(data: str | None) -> str | None:
    try:
        channel = json.loads(data or "{}").get("input_channel")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) and channel.isidentifier() and channel.islower() else None
