"""Shared, lazily created services for the action server process."""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any, Callable, TypeVar

from ..settings import get_settings
from ..store.repository import Store

T = TypeVar("T")


@lru_cache(maxsize=1)
def store() -> Store:
    settings = get_settings()
    return Store(settings.database_url, settings.sender_hash_salt)


async def in_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking store call off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)
