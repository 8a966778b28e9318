"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set) and stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from actions.content.files import read_bundle
from actions.store.db import engine_for
from actions.store.migrate import upgrade
from actions.store.repository import Store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
TEST_SALT = "test-salt-not-secret"

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def reset_postgres(url: str) -> None:
    """Give each test an empty public schema in the throwaway test database."""
    with engine_for(url).begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def empty_database(backend: str, workdir: Path) -> str:
    """The URL of an empty database: a new SQLite file in ``workdir``, or the PostgreSQL test database with
    its public schema emptied. Without TEST_DATABASE_URL the PostgreSQL tests are skipped, except in CI,
    where that is a failure rather than a silent skip."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'test.db'}"
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL must be set in CI so the PostgreSQL tests run")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (for example postgresql://postgres@127.0.0.1:5432/test)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    return empty_database(request.param, tmp_path)


@pytest.fixture
def store(database_url) -> Store:
    upgrade(database_url)
    return Store(database_url, TEST_SALT)


@pytest.fixture
def seeded_store(store) -> Store:
    store.apply_bundle(read_bundle([SEEDS], known_wards=set()))
    return store
