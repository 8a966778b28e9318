"""Rasa's SQL tracker store, but residents' messages are redacted before they are written.

Rasa 3.6 Open Source has no built-in PII handling (that is a Rasa Pro
feature), and every UserUttered event keeps the raw text. Configured in
endpoints.yml, this store replaces the text of each user message (and its
copy in ``parse_data``) with the redacted text from
``actions.text.redaction`` before the event is saved. The actions still see
the raw text of the *current* message, in memory, for that one turn; the
survey engine redacts comments before they go into the ``survey`` slot.

It also offers erasure of one sender's events (used by withdrawal and
``haveyoursay erase``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from ..text.redaction import redact


def redacted_event(event: Event) -> Event:
    if not isinstance(event, UserUttered) or not event.text:
        return event
    clean = redact(event.text)
    if clean == event.text:
        return event
    data: dict[str, Any] = event.as_dict()
    data["text"] = clean
    if isinstance(data.get("parse_data"), dict):
        data["parse_data"] = dict(data["parse_data"], text=clean)
    return Event.from_parameters(data) or event


class RedactingSQLTrackerStore(SQLTrackerStore):
    def _additional_events(self, session, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events not yet stored, with residents' messages redacted (only new events are touched)."""
        return (redacted_event(event) for event in super()._additional_events(session, tracker))
