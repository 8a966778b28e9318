"""The payloads of the buttons the bot offered each conversation in its last turn.

The channel edge writes them after every message and reads them when a message arrives in payload
syntax (``/intent{...}``): a typed payload is accepted only if it was offered. They live in the
database, not in a process, so the check holds whichever Rasa process handles the next message.

Writing is one statement, built once: an upsert that changes nothing when the row already holds
these payloads, or, when nothing was offered, an update that empties a non-empty row. There is no
read first and no ORM unit of work; this was about a tenth of the Rasa server's time per message.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Text, bindparam, cast, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .db import engine_for
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
        self._remember = insert.on_conflict_do_update(
            index_elements=[table.c.sender_hash],
            set_={"payloads": insert.excluded.payloads, "updated_at": insert.excluded.updated_at},
            where=cast(table.c.payloads, Text) != cast(insert.excluded.payloads, Text),
        )
        self._clear = (
            update(table)
            .where(table.c.sender_hash == bindparam("key"), cast(table.c.payloads, Text) != "[]")
            .values(payloads=bindparam("payloads", type_=JSON), updated_at=bindparam("now"))
        )
        self._read = select(table.c.payloads).where(table.c.sender_hash == bindparam("key"))

    def remember(self, key: str, payloads: list[str]) -> None:
        """Keep ``payloads`` (at most MAX_OFFERED) as this conversation's offer; none clears it."""
        values: dict[str, Any] = {"key": key, "payloads": list(payloads)[:MAX_OFFERED], "now": utcnow()}
        with self.engine.begin() as connection:
            connection.execute(self._remember if values["payloads"] else self._clear, values)

    def offered(self, key: str) -> list[str]:
        with self.engine.connect() as connection:
            payloads = connection.execute(self._read, {"key": key}).scalar()
        return list(payloads) if payloads else []
