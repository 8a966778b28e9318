"""Shared services for the action server process: the store, and the catalogue residents see.

The catalogue (consultations, wards, and the spaCy phrase matchers that find them in residents'
words) takes a few tenths of a second to build. It is built once when the action server starts
(``actions.dialogue.warm_up``), before the server reports ready, and again when content changes,
always under one lock: concurrent first calls wait for a single build, and while content is being
rebuilt the other calls go on with the previous catalogue.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from ..content.model import Consultation, Council, Ward
from ..settings import get_settings, today
from ..store.repository import Store
from ..text.matching import ConsultationFinder

T = TypeVar("T")
logger = logging.getLogger(__name__)
CATALOGUE_CHECK_SECONDS = 2.0  # how stale the content seen by the dialogue may be after a `haveyoursay load`


@lru_cache(maxsize=1)
def store() -> Store:
    settings = get_settings()
    return Store(settings.database_url, settings.sender_hash_salt)


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store call off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)


@dataclass
class Catalogue:
    """What residents may see: open and closed consultations (never drafts), wards, the council."""

    consultations: list[Consultation]
    wards: list[Ward]
    council: Council | None
    finder: ConsultationFinder
    # Set only for an officer's preview conversation whose grant the action server has verified
    # (dialogue/preview.py): this catalogue then also holds that one draft, as if open.
    preview: Any = None
    # Set when a message carried a preview grant that no longer holds (expired, or the officer signed out):
    # the conversation sees residents' catalogue, and a survey on the draft says the preview has ended.
    preview_ended: bool = False

    def get(self, slug: str | None) -> Consultation | None:
        return next((c for c in self.consultations if c.slug == slug), None) if slug else None

    def open_now(self) -> list[Consultation]:
        day = today()
        return sorted((c for c in self.consultations if c.effective_status(day) == "open"), key=lambda c: (c.closes, c.title))

    def closed_now(self) -> list[Consultation]:
        day = today()
        return sorted(
            (c for c in self.consultations if c.effective_status(day) == "closed"), key=lambda c: c.closes, reverse=True
        )

    def ward(self, slug: str | None) -> Ward | None:
        return next((w for w in self.wards if w.slug == slug), None)


class CatalogueCache:
    """The current catalogue, checked against ``Store.content_version()`` at most every
    CATALOGUE_CHECK_SECONDS, and built by one thread at a time."""

    def __init__(self, build: Callable[[Store], Catalogue] | None = None) -> None:
        self.version: tuple | None = None
        self.checked_at = 0.0
        self.catalogue: Catalogue | None = None
        self.builds = 0
        self._build = build or build_catalogue
        self._lock = threading.Lock()

    def _fresh(self) -> bool:
        return self.catalogue is not None and time.monotonic() - self.checked_at < CATALOGUE_CHECK_SECONDS

    def get(self) -> Catalogue:
        if self._fresh():
            return self.catalogue
        # With no catalogue yet, wait for the one build. With one, don't queue behind a check or a
        # rebuild that another thread is already doing: answer from the catalogue we have.
        if not self._lock.acquire(blocking=self.catalogue is None):
            return self.catalogue
        try:
            return self.catalogue if self._fresh() else self._check()
        finally:
            self._lock.release()

    def _check(self) -> Catalogue:
        try:
            version = store().content_version()
        except SQLAlchemyError:
            if self.catalogue is None:
                raise
            # The database is briefly unavailable: keep explaining from what we last read.
            logger.warning("catalogue.stale reason=database_unavailable")
            return self.catalogue
        if self.catalogue is None or version != self.version:
            self.catalogue = self._build(store())
            self.version = version
            self.builds += 1
        self.checked_at = time.monotonic()
        return self.catalogue


def build_catalogue(source: Store) -> Catalogue:
    day = today()
    visible = [c for c in source.consultations() if c.effective_status(day) in ("open", "closed")]
    wards = source.wards()
    return Catalogue(visible, wards, source.council(), ConsultationFinder(visible, wards))


_cache = CatalogueCache()


async def catalogue(tracker: Any = None) -> Catalogue:
    """The current catalogue, rebuilt when content in the store has changed (no restart, no retraining).

    Given the conversation's ``tracker``, an officer's preview conversation with a valid grant gets the
    catalogue with its draft in it (dialogue/preview.py); every other conversation gets residents' catalogue."""
    residents = _cache.catalogue if _cache._fresh() else await in_thread(_cache.get)  # no thread hop when fresh
    if tracker is None:
        return residents
    from .preview import catalogue_for_preview

    return await catalogue_for_preview(tracker, residents)


def current_catalogue() -> Catalogue:
    """The same, for code already running in a worker thread (the warm-up)."""
    return _cache.get()
