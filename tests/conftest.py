"""Shared fixtures: a running platform on SQLite and on PostgreSQL, an API client, log capture."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone

import httpx
import pytest

from ai_agents.api import build_api
from ai_agents.config import load_settings
from ai_agents.core.clock import ManualClock
from ai_agents.logs import LOGGER_NAME
from ai_agents.runtime.lifespan import platform
from ai_agents.services.context import AppContext
from tests.support.postgres import PostgresServer, find_pg_bin

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer | None]:
    """One PostgreSQL server for the session; in CI its absence is a failure, not a skip."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; `make test` installs it (apt-get install postgresql)")
        yield None
        return
    server = PostgresServer(bin_dir).start()
    yield server
    server.stop()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, pg_server) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    if pg_server is None:
        pytest.skip("PostgreSQL binaries not installed here (run `make test` to install them)")
    return pg_server.create_database()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))  # a Monday


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module to change settings (e.g. api_token)."""
    return {}


@pytest.fixture
async def ctx(database_url, tmp_path, clock, settings_overrides) -> AsyncIterator[AppContext]:
    settings = load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-0123456789",
        **settings_overrides,
    )
    async with platform(settings, clock=clock) as context:
        yield context


@pytest.fixture
async def api(ctx) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


class LogCapture(logging.Handler):
    """Collects the platform's log lines (the logger does not propagate to root)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def count(self, fragment: str) -> int:
        return sum(fragment in line for line in self.lines)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    logger = logging.getLogger(LOGGER_NAME)
    handler = LogCapture()
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
