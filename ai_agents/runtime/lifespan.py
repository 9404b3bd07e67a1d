"""Start-up and shut-down of the platform inside the server process (a Reflex lifespan task)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ai_agents.config import Settings, load_settings
from ai_agents.core.clock import Clock, SystemClock
from ai_agents.crypto import SecretBox
from ai_agents.db import migrate
from ai_agents.db.session import make_engine
from ai_agents.logs import configure_logging, get_logger
from ai_agents.services import context as context_module
from ai_agents.services.context import AppContext

log = get_logger("runtime")


def build_context(settings: Settings, clock: Clock | None = None) -> AppContext:
    """Everything the use cases need, from the settings; migrates the database to head."""
    settings.check_exposure()
    url = settings.resolved_database_url
    migrate.upgrade(url)
    return AppContext(
        settings=settings,
        engine=make_engine(url),
        box=SecretBox(settings.load_secret_key()),
        clock=clock or SystemClock(),
    )


@asynccontextmanager
async def platform(settings: Settings | None = None, clock: Clock | None = None) -> AsyncIterator[AppContext]:
    """Run the platform for the duration of the block; clean and repeatable (hot reload)."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    ctx = build_context(settings, clock)
    if not settings.api_token:
        log.warning("⚠️  API_TOKEN is not set: the API is open to anyone on %s", settings.host)
    context_module.set_current(ctx)
    log.info("✅ Platform started (database: %s)", ctx.engine.dialect.name)
    try:
        yield ctx
    finally:
        context_module.set_current(None)
        ctx.engine.dispose()
        log.info("👋 Platform stopped")


@asynccontextmanager
async def lifespan() -> AsyncIterator[None]:
    """The lifespan task registered with Reflex."""
    async with platform():
        yield
