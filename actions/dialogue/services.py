"""Shared, lazily created services for the action server process."""

from __future__ import annotations

import asyncio
import logging
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


class _CatalogueCache:
    def __init__(self) -> None:
        self.version: tuple | None = None
        self.checked_at = 0.0
        self.catalogue: Catalogue | None = None

    def get(self) -> Catalogue:
        now = time.monotonic()
        if self.catalogue is not None and now - self.checked_at < CATALOGUE_CHECK_SECONDS:
            return self.catalogue
        try:
            version = store().content_version()
        except SQLAlchemyError:
            if self.catalogue is None:
                raise
            # The database is briefly unavailable: keep explaining from what we last read.
            logger.warning("catalogue.stale reason=database_unavailable")
            return self.catalogue
        self.checked_at = now
        if self.catalogue is None or version != self.version:
            self.catalogue = build_catalogue(store())
            self.version = version
        return self.catalogue


def build_catalogue(source: Store) -> Catalogue:
    day = today()
    visible = [c for c in source.consultations() if c.effective_status(day) in ("open", "closed")]
    wards = source.wards()
    return Catalogue(visible, wards, source.council(), ConsultationFinder(visible, wards))


_cache = _CatalogueCache()


async def catalogue() -> Catalogue:
    """The current catalogue, rebuilt when content in the store has changed (no restart, no retraining)."""
    return await in_thread(_cache.get)
