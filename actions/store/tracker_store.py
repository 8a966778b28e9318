"""Rasa's SQL tracker store, with residents' messages redacted before they are written, and a cache.

Redaction. Rasa 3.6 Open Source has no built-in PII handling (that is a Rasa
Pro feature), and every UserUttered event keeps the raw text. Configured in
endpoints.yml, this store replaces the text of each user message (and its
copy in ``parse_data``) with the redacted text from
``actions.text.redaction`` before the event is saved. The actions still see
the raw text of the *current* message, in memory, for that one turn; the
survey engine redacts comments before they go into the ``survey`` slot.

Cache. Rasa reads the whole conversation from SQL and replays it for every
message, then counts the stored events again to know which ones are new;
under load that was 40% of the Rasa server's time. This store remembers,
per conversation, the (redacted) events it last wrote or read and the id of
the newest stored row. A read then costs one indexed ``max(id)`` query: if
the database still ends at that row, Rasa gets a copy of the tracker those
events make (kept up to date here by applying each saved event, and copied
by state rather than by replaying the conversation); if anything else wrote
or deleted events (another Rasa server, ``haveyoursay erase``, retention
purge), it is read from SQL as before. The kept tracker is never handed to
Rasa and never holds an unredacted message, so a tracker Rasa changes is
never shared. Set ``TRACKER_CACHE_SIZE=0`` to
turn the cache off; ``HYS_SPEEDUPS=off`` turns it off too and writes events
with the standard library's JSON encoder, as Rasa's own store does, so the
parity test compares against Rasa's way of storing.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import SESSION_START_METADATA_SLOT
from rasa.shared.core.events import Event, SessionStarted, SlotSet, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from .. import speedups
from ..settings import get_settings
from ..speedups import encode_json
from ..text.redaction import redact
from .addresses import SEALED_ADDRESS
from .db import DirectSqlite, PrecompiledStatement, direct_sqlite, engine_for, without_blocking
from .previews import GRANT_METADATA

T = TypeVar("T")


# Message metadata that must never be stored: the sealed reply address (channels/guard.py) and an officer's
# preview grant (store/previews.py).
UNSTORED_METADATA = (SEALED_ADDRESS, GRANT_METADATA)


def redacted_metadata(metadata: Any, depth: int = 0) -> Any:
    """A message's metadata as it may be stored: the sealed address dropped, every string redacted like the
    text (a client may put anything in it), and nothing nested deeper than a few levels."""
    if isinstance(metadata, str):
        return redact(metadata)
    if depth >= 4:
        return None
    if isinstance(metadata, dict):
        return {
            str(key): redacted_metadata(value, depth + 1)
            for key, value in metadata.items()
            if not (depth == 0 and key in UNSTORED_METADATA)
        }
    if isinstance(metadata, list):
        return [redacted_metadata(value, depth + 1) for value in metadata]
    if isinstance(metadata, float) and not math.isfinite(metadata):
        return None  # NaN and infinities are not JSON
    return metadata if isinstance(metadata, (int, float, bool, type(None))) else None


def redacted_event(event: Event) -> Event:
    if isinstance(event, SlotSet) and event.key == SESSION_START_METADATA_SLOT:
        # Rasa copies the first message's metadata into this slot when a session starts.
        clean_value = redacted_metadata(event.value) if isinstance(event.value, dict) else event.value
        return event if clean_value == event.value else SlotSet(event.key, clean_value, event.timestamp, event.metadata)
    if not isinstance(event, UserUttered):
        return event
    clean = redact(event.text) if event.text else event.text
    metadata = redacted_metadata(event.metadata or {})
    if clean == event.text and metadata == (event.metadata or {}):
        return event
    data: dict[str, Any] = event.as_dict()
    data["text"] = clean
    if isinstance(data.get("parse_data"), dict):
        data["parse_data"] = dict(data["parse_data"], text=clean)
        if "metadata" in data["parse_data"]:  # Rasa keeps a second copy of the metadata here
            data["parse_data"]["metadata"] = metadata
    data["metadata"] = metadata
    return Event.from_parameters(data) or event


@dataclass(frozen=True)
class _Stored:
    """What the database holds for one conversation's current session."""

    events: tuple[Event, ...]  # redacted, as written
    last_id: int | None  # newest row for the sender, to notice writes from elsewhere
    # The tracker those events make, kept up to date by applying each new event; never handed to
    # Rasa, which gets a copy (a copy of its state, not a replay: speedups.clone_tracker).
    tracker: DialogueStateTracker | None = None
    # True when ``events`` are known to be exactly the latest session (what Rasa's SQL read returns),
    # which starts at ``session_start`` (None: no SessionStarted), so a read need not work it out again.
    whole_session: bool = False
    session_start: float | None = None


@dataclass(frozen=True)
class _HandedOut:
    """A tracker given to Rasa, and how many of its first events are already stored."""

    tracker: DialogueStateTracker
    stored_count: int


def session_start(events: Iterable[Event]) -> float | None:
    """The newest SessionStarted's timestamp, or None."""
    return max((event.timestamp for event in events if isinstance(event, SessionStarted)), default=None)


def latest_session(events: Iterable[Event]) -> list[Event]:
    """The events Rasa's SQL read returns: from the newest SessionStarted's timestamp on, or all."""
    events = list(events)
    newest = session_start(events)
    return events if newest is None else [event for event in events if event.timestamp >= newest]


def continues_session(new_events: Iterable[Event], start: float | None) -> bool:
    """Whether appending ``new_events`` to the latest session that began at ``start`` leaves it the latest
    session, whole: no new session starts, and no event is timed before this one began."""
    return all(not isinstance(event, SessionStarted) and (start is None or event.timestamp >= start) for event in new_events)


class _Lru(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def put(self, key: str, value: Any) -> None:
        if self.size <= 0:
            return
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)


ROW_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


class _Inserts:
    """One multi-row INSERT per number of new events, compiled once, that also tells the newest id:
    RETURNING on PostgreSQL, the connection's last inserted row id on SQLite. That id is what the
    cache checks against on the next read, so no ``max(id)`` query is needed after a write."""

    def __init__(self, table, dialect) -> None:
        self.table, self.dialect = table, dialect
        self._by_count: dict[int, PrecompiledStatement] = {}

    def _query(self, count: int) -> PrecompiledStatement:
        query = self._by_count.get(count)
        if query is None:
            rows = [{name: sa.bindparam(f"{name}_{n}") for name in ROW_COLUMNS} for n in range(count)]
            statement = sa.insert(self.table).values(rows)
            if self.dialect.name != "sqlite":
                statement = statement.returning(self.table.c.id)
            query = self._by_count[count] = PrecompiledStatement(statement, self.dialect)
        return query

    @staticmethod
    def _values(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {f"{name}_{n}": value for n, row in enumerate(rows) for name, value in row.items()}

    def insert_directly(self, direct: DirectSqlite, rows: list[dict[str, Any]]) -> int | None:
        """As :meth:`insert`, committed, through the SQLite driver's own connection."""
        return direct.write(self._query(len(rows)), **self._values(rows))

    def insert(self, connection, rows: list[dict[str, Any]]) -> int | None:
        """Insert ``rows`` in one statement; the id of the last one (None if the driver can't tell)."""
        query = self._query(len(rows))
        values = self._values(rows)
        result = query.execute(connection, **values)
        if self.dialect.name == "sqlite":
            return result.lastrowid
        ids = result.scalars().all()
        return max(ids) if ids else None


class RedactingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        lean = speedups.allowed("tracker_cache")
        size = get_settings().tracker_cache_size if lean else 0
        self._encode: Callable[[Any], str] = encode_json if lean else json.dumps
        self._stored: _Lru = _Lru(size)
        self._handed_out: _Lru = _Lru(size)
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Share the project's SQLite engine: WAL, pooled connections, synchronous=NORMAL
            # (Rasa's own opens a connection per call and syncs the disk on every commit).
            self.engine = engine_for(self.engine.url.render_as_string(hide_password=False))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._table = self.SQLEvent.__table__
        self._newest_id_query = PrecompiledStatement(
            sa.select(sa.func.max(self._table.c.id)).where(self._table.c.sender_id == sa.bindparam("sender_id")),
            self.engine.dialect,
        )
        self._inserts = _Inserts(self._table, self.engine.dialect)
        # SQLite: the check and the insert for each message go straight to the driver (db.DirectSqlite).
        self._direct = direct_sqlite(self.engine) if lean else None

    @property
    def domain(self):
        return self._domain

    @domain.setter
    def domain(self, value) -> None:
        # A new model may bring different slots: rebuild trackers from scratch.
        self._domain = value
        self._stored.clear()
        self._handed_out.clear()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker for the latest session, from the cache when the database has not changed."""
        cached = self._stored.get(sender_id)

        def read(connection) -> tuple[int | None, list[Event] | None]:
            last_id = self._last_id(connection, sender_id)
            if cached is not None and cached.last_id == last_id:
                return last_id, None
            return last_id, self._read_session(connection, sender_id)

        if (
            self._direct is not None
            and cached is not None
            and cached.last_id == self._direct.scalar(self._newest_id_query, sender_id=sender_id)
        ):
            last_id, read_events = cached.last_id, None  # the database still ends where the cache does
        else:
            last_id, read_events = await self._database(read)
        if read_events is not None:
            events, start = read_events, session_start(read_events)
        elif cached.whole_session:
            events, start = list(cached.events), cached.session_start
        else:
            events = latest_session(cached.events)
            start = session_start(events)
        if not self.domain or not events:
            self._stored.put(sender_id, _Stored(tuple(events), last_id, whole_session=True, session_start=start))
            self._handed_out.pop(sender_id, None)
            return None
        kept = cached.tracker if read_events is None and len(events) == len(cached.events) else None
        if self._stored.size <= 0:
            tracker = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        else:
            kept = kept or DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
            self._stored.put(sender_id, _Stored(tuple(events), last_id, kept, whole_session=True, session_start=start))
            # Rasa asks for the applied events at once. Worked out on the kept tracker, over the events
            # saved since the last time only (speedups.remember_applied_events), they go to the copy.
            kept.applied_events()
            tracker = kept.copy()
        self._handed_out.put(sender_id, _HandedOut(tracker, len(events)))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the new events (redacted) and remember what the database now holds."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        handed_out = self._handed_out.pop(sender_id, None)
        known_count = handed_out.stored_count if handed_out is not None and handed_out.tracker is tracker else None
        all_events = list(tracker.events)

        def write(connection) -> tuple[int, list[Event], int | None]:
            # Unknown for a tracker Rasa created, or one read twice: count in the database, as Rasa does.
            stored_count = self._count_session_events(connection, sender_id) if known_count is None else known_count
            new_events = [redacted_event(event) for event in all_events[stored_count:]]
            newest = None
            if new_events:
                newest = self._inserts.insert(connection, [self._row(sender_id, event) for event in new_events])
            return stored_count, new_events, newest if newest is not None else self._last_id(connection, sender_id)

        if self._direct is not None and known_count is not None:
            stored_count = known_count
            new_events = [redacted_event(event) for event in all_events[stored_count:]]
            if new_events:
                last_id = self._inserts.insert_directly(self._direct, [self._row(sender_id, event) for event in new_events])
            else:
                last_id = self._direct.scalar(self._newest_id_query, sender_id=sender_id)
        else:
            stored_count, new_events, last_id = await self._database(write, transaction=True)
        self._handed_out.put(sender_id, _HandedOut(tracker, len(all_events)))
        # Remember the stored events only when we know all of them in their redacted form:
        # never copy the live tracker, whose current message is not redacted.
        previous = self._stored.pop(sender_id, None)
        if previous is not None and len(previous.events) == stored_count:
            kept = previous.tracker
            if kept is not None:
                for event in new_events:
                    kept.update(event)
            whole = previous.whole_session and continues_session(new_events, previous.session_start)
            self._stored.put(
                sender_id, _Stored(previous.events + tuple(new_events), last_id, kept, whole, previous.session_start)
            )

    # --- SQL, written to match Rasa's own queries ----------------------------------------------

    async def _database(self, work: Callable[[Any], T], transaction: bool = False) -> T:
        """Run ``work(connection)``. SQLite answers in microseconds, in this thread; a database
        server is waited on in a worker thread, so other conversations go on meanwhile."""

        def run() -> T:
            with self.engine.begin() if transaction else self.engine.connect() as connection:
                return work(connection)

        return await without_blocking(self.engine, run)

    def _row(self, sender_id: str, event: Event) -> dict[str, Any]:
        data = event.as_dict()
        parse_data = data.get("parse_data")
        intent = parse_data.get("intent", {}).get(INTENT_NAME_KEY) if isinstance(parse_data, dict) else None
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": intent,
            "action_name": data.get("name"),
            "data": self._encode(data),
        }

    def _last_id(self, connection, sender_id: str) -> int | None:
        return self._newest_id_query.scalar(connection, sender_id=sender_id)

    def _session_filter(self, sender_id: str):
        """Rows of the latest session: at or after the newest SessionStarted, or all if there is none."""
        table = self._table
        session_start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(table.c.sender_id == sender_id, table.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        return sa.and_(table.c.sender_id == sender_id, sa.or_(table.c.timestamp >= session_start, session_start.is_(None)))

    def _read_session(self, connection, sender_id: str) -> list[Event]:
        rows = connection.execute(
            sa.select(self._table.c.data).where(self._session_filter(sender_id)).order_by(self._table.c.id)
        ).scalars()
        return deserialise_events([json.loads(data) for data in rows])

    def _count_session_events(self, connection, sender_id: str) -> int:
        return connection.execute(sa.select(sa.func.count()).where(self._session_filter(sender_id))).scalar() or 0
