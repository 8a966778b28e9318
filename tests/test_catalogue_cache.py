"""The action server's catalogue: built once under a lock, and warm before the server reports ready."""

from __future__ import annotations

import asyncio
import gc
import threading
import time

import pytest

from actions.dialogue import services


class FakeStore:
    def __init__(self) -> None:
        self.version = (1,)

    def content_version(self) -> tuple:
        return self.version


@pytest.fixture
def counted_builds(monkeypatch):
    """A fresh catalogue cache whose builds are slow enough to overlap, and counted."""
    fake = FakeStore()
    builds: list[tuple] = []
    building_now = threading.Semaphore(100)

    def slow_build(_store):
        with building_now:
            builds.append(fake.version)
            time.sleep(0.3)  # one real build took 0.4 s; twenty concurrent first calls took 1.45 s
            return object()

    monkeypatch.setattr(services, "store", lambda: fake)
    monkeypatch.setattr(services, "_cache", services.CatalogueCache(build=slow_build))
    return fake, builds


async def _twenty_at_once() -> list:
    return await asyncio.gather(*(services.catalogue() for _ in range(20)))


def test_twenty_concurrent_first_calls_build_the_catalogue_once(counted_builds):
    _fake, builds = counted_builds
    catalogues = asyncio.run(_twenty_at_once())
    assert len(builds) == 1
    assert all(catalogue is catalogues[0] for catalogue in catalogues), "every caller waited for the one build"


def test_new_content_is_built_once_while_the_other_calls_use_the_previous_catalogue(counted_builds, monkeypatch):
    fake, builds = counted_builds
    first = asyncio.run(_twenty_at_once())[0]
    fake.version = (2,)
    monkeypatch.setattr(services, "CATALOGUE_CHECK_SECONDS", 0.0)  # every call checks the version
    catalogues = asyncio.run(_twenty_at_once())
    assert builds == [(1,), (2,)]
    assert {id(catalogue) for catalogue in catalogues} <= {id(first), id(services._cache.catalogue)}
    assert services._cache.catalogue is not first


def test_the_warm_up_leaves_nothing_to_build_for_the_first_resident(monkeypatch, seeded_store):
    from actions.dialogue import warm_up

    monkeypatch.setenv("HYS_TODAY", "2026-11-22")
    monkeypatch.setattr(services, "store", lambda: seeded_store)
    monkeypatch.setattr(services, "_cache", services.CatalogueCache())
    warm_up.warm_up()
    assert services._cache.builds == 1
    catalogue = asyncio.run(services.catalogue())
    assert services._cache.builds == 1 and catalogue.open_now()
    gc.unfreeze()


@pytest.mark.parametrize("speedups", ["on", "off"])
def test_after_the_warm_up_everything_loaded_is_kept_out_of_garbage_collections(monkeypatch, seeded_store, speedups):
    """The first full collection under load walked the spaCy pipelines and the catalogue: a 90 ms stall in the
    first burst of replies. Frozen after the warm-up, they are never walked; HYS_SPEEDUPS=off leaves Python's way."""
    from actions.dialogue import warm_up
    from actions.settings import get_settings

    monkeypatch.setenv("HYS_TODAY", "2026-11-22")
    monkeypatch.setenv("HYS_SPEEDUPS", speedups)
    get_settings.cache_clear()
    monkeypatch.setattr(services, "store", lambda: seeded_store)
    monkeypatch.setattr(services, "_cache", services.CatalogueCache())
    gc.unfreeze()
    try:
        warm_up.warm_up()
        assert (gc.get_freeze_count() > 0) == (speedups == "on")
    finally:
        gc.unfreeze()
        get_settings.cache_clear()
