"""The payloads of the buttons the bot offered each conversation in its last turn.

The channel edge writes them after every message and reads them when a message arrives in payload
syntax (``/intent{...}``): a typed payload is accepted only if it was offered. They live in the
database, not in a process, so the check holds whichever Rasa process handles the next message.

Writing is one statement, compiled once to the driver's SQL: an upsert that changes nothing when the
row already holds these payloads, or, when nothing was offered, an update that empties a non-empty
row. There is no read first, no ORM unit of work and no per-call compiling: SQLAlchemy compiling the
upsert on each call was a tenth of the Rasa server's time per message.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .db import PrecompiledStatement, direct_sqlite, engine_for
from .models import OfferedPayloadsRow, utcnow

MAX_OFFERED = 50
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


class OfferedPayloads:
    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        table = OfferedPayloadsRow.__table__
        offered = bindparam("payloads", type_=JSON)
        insert = _INSERTS[self.engine.dialect.name](table).values(
            sender_hash=bindparam("key"), payloads=offered, updated_at=bindparam("now")
        )
        dialect = self.engine.dialect
        self._remember = PrecompiledStatement(
            insert.on_conflict_do_update(
                index_elements=[table.c.sender_hash],
                set_={"payloads": insert.excluded.payloads, "updated_at": insert.excluded.updated_at},
                where=cast(table.c.payloads, Text) != cast(insert.excluded.payloads, Text),
            ),
            dialect,
        )
        self._clear = PrecompiledStatement(
            update(table)
            .where(table.c.sender_hash == bindparam("key"), cast(table.c.payloads, Text) != "[]")
            .values(payloads=bindparam("payloads", type_=JSON), updated_at=bindparam("now")),
            dialect,
        )
        self._direct = direct_sqlite(self.engine)  # SQLite: straight to the driver (db.DirectSqlite)
        self._read = PrecompiledStatement(select(table.c.payloads).where(table.c.sender_hash == bindparam("key")), dialect)

    def remember(self, key: str, payloads: list[str]) -> None:
        """Keep ``payloads`` (at most MAX_OFFERED) as this conversation's offer; none clears it."""
        kept = [str(payload) for payload in list(payloads)[:MAX_OFFERED]]
        values: dict[str, Any] = {"key": key, "payloads": kept, "now": utcnow()}
        statement = self._remember if kept else self._clear
        if self._direct is not None:
            self._direct.write(statement, **values)
            return
        with self.engine.begin() as connection:
            statement.execute(connection, **values)

    def offered(self, key: str) -> list[str]:
        if self._direct is not None:
            payloads = self._direct.scalar(self._read, key=key)
        else:
            with self.engine.connect() as connection:
                payloads = self._read.scalar(connection, key=key)
        if isinstance(payloads, str):  # SQLite's driver returns the JSON text; psycopg2 decodes it
            payloads = json.loads(payloads)
        return [str(payload) for payload in payloads] if payloads else []
