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
from ai_agents.core.clock import ManualClock, SystemClock
from ai_agents.core.types import Provider
from ai_agents.logs import LOGGER_NAME
from ai_agents.runtime.lifespan import Platform, platform
from ai_agents.services.context import AppContext, ContextSlot
from tests.fakes.graph_server import FakeGraph
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_device import FakeWhatsApp
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
    async with platform(settings, clock=clock, workers=False) as running:
        yield running.ctx


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def fake_graph() -> Iterator[FakeGraph]:
    with FakeGraph() as fake:
        yield fake


FAST_ADAPTERS = {
    Provider.TELEGRAM_BOT: {"poll_timeout": 1, "retry_base": 0.05},
    Provider.WHATSAPP_CLOUD: {"retry_base": 0.05},
    Provider.INSTAGRAM: {"retry_base": 0.05},
}


@pytest.fixture
def fake_whatsapp() -> FakeWhatsApp:
    return FakeWhatsApp()


def whatsapp_options(fake: FakeWhatsApp, **overrides) -> dict:
    """Linked devices on the fake WhatsApp, without the pause between sends, fast retries."""
    return {"client_factory": fake.factory, "send_interval": 0.0, "send_jitter": 0.0, "retry_base": 0.01,
            "pair_code_wait": 2.0, **overrides}


@pytest.fixture
def live_clock():
    """The clock of the live platform; override with a ManualClock to test schedules."""
    return SystemClock()


@pytest.fixture
async def live(
    database_url, tmp_path, settings_overrides, fake_telegram, fake_openai, fake_whatsapp, live_clock
) -> AsyncIterator[Platform]:
    """The whole platform on the real clock, its LLM the fake OpenAI server, fast retries."""
    settings = load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key-0123456789",
        openai_api_key="sk-default-test-key",
        openai_base_url=fake_openai.base_url + "/v1",
        retry_base_seconds=0.01,
        **settings_overrides,
    )
    adapters = {**FAST_ADAPTERS, Provider.WHATSAPP_DEVICE: whatsapp_options(fake_whatsapp)}
    async with platform(
        settings, clock=live_clock, adapter_options=adapters, dispatcher_options={"idle_seconds": 0.05}
    ) as running:
        yield running


@pytest.fixture
async def live_api(live) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api(live.slot))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def api(ctx) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api(ContextSlot(ctx)))
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
