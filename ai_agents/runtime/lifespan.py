"""Start-up and shut-down of the platform inside the server process (a Reflex lifespan task)."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import sniffio
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from ai_agents.config import ConfigError, Settings, load_settings
from ai_agents.core.clock import Clock, SystemClock
from ai_agents.crypto import SecretBox
from ai_agents.db import migrate
from ai_agents.db.session import make_engine, run_db
from ai_agents.llm.openai_chat import OpenAIChat
from ai_agents.logs import configure_logging, get_logger
from ai_agents.runtime.channels import ChannelManager, adapter_options_for
from ai_agents.services.context import AppContext, ContextSlot
from ai_agents.services.inbound.language import configure_detector
from ai_agents.services.inbound.pipeline import Pipeline
from ai_agents.services.outbound.broadcast_states import refresh_statuses
from ai_agents.services.outbound.dispatcher import Dispatcher
from ai_agents.services.outbound.followups import FollowUpScheduler
from ai_agents.services.ports import ChatModel

log = get_logger("runtime")


@dataclass
class Platform:
    """The running parts, for tests and the lifespan."""

    ctx: AppContext
    pipeline: Pipeline
    dispatcher: Dispatcher
    channels: ChannelManager
    slot: ContextSlot  # the context while running; hand it to build_api for an API over it
    follow_ups: FollowUpScheduler | None = None  # None when the platform runs without workers


def build_context(settings: Settings, clock: Clock | None = None) -> AppContext:
    """Everything the use cases need, from the settings; migrates the database to head."""
    settings.check_exposure()
    try:
        configure_detector(settings.detect_languages, accuracy=settings.language_accuracy)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    url = settings.resolved_database_url
    migrate.upgrade(url)
    return AppContext(
        settings=settings,
        engine=make_engine(url),
        box=SecretBox(settings.load_secret_key()),
        clock=clock or SystemClock(),
    )


@asynccontextmanager
async def platform(
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    llm: ChatModel | None = None,
    adapter_options: dict[str, Any] | None = None,
    dispatcher_options: dict[str, Any] | None = None,
    workers: bool = True,
    slot: ContextSlot | None = None,
    freeze_heap: bool = False,
) -> AsyncIterator[Platform]:
    """Run the platform for the duration of the block; clean and repeatable (hot reload).
    With workers=False nothing runs in the background (no channels, dispatcher or scheduler).
    `slot` (the app's, see build_api) holds the context while the platform runs. `freeze_heap`:
    the server's own start (see freeze_startup_heap); tests, which start many, leave it off."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    # Every task started below inherits it: httpx, httpcore and anyio ask sniffio which async
    # library runs several times per request, and sniffio otherwise finds out through
    # asyncio.current_task(), a getpid() system call each time (4% of the inbound CPU, measured).
    declared = sniffio.current_async_library_cvar.set("asyncio")
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # python-telegram-bot: timedelta retry_after
    ctx = build_context(settings, clock)
    owned_llm = llm is None
    ctx.llm = llm or OpenAIChat()
    pipeline = Pipeline(ctx)
    dispatcher = Dispatcher(
        ctx,
        retry_base=settings.retry_base_seconds,
        lease_seconds=settings.outbox_lease_seconds,
        retry_hours=settings.outbox_retry_hours,
        **(dispatcher_options or {}),
    )
    channels = ChannelManager(ctx, pipeline, adapter_options_for(settings, adapter_options))
    ctx.channels, ctx.outbox_wakeup, ctx.direct_send = channels, dispatcher.wake, dispatcher
    channels.on_remove(dispatcher.forget)  # a deleted integration's rate state goes with it
    if not settings.api_token:
        log.warning("⚠️  API_TOKEN is not set: the API is open to anyone on %s", settings.bind_host)
    slot = slot or ContextSlot()
    slot.fill(ctx)
    dispatch_task = asyncio.create_task(dispatcher.run(), name="outbox-dispatcher") if workers else None
    scheduler = start_scheduler(ctx) if workers else None
    follow_ups = FollowUpScheduler(ctx, max_wait=settings.follow_up_tick_seconds) if workers else None
    if follow_ups is not None:
        follow_ups.start()
    try:
        if workers:
            await channels.start_enabled()
        resumed = await pipeline.resume() if workers else 0
        if freeze_heap:
            freeze_startup_heap()
        log.info("✅ Platform started (database: %s, conversations resumed: %s)", ctx.engine.dialect.name, resumed)
        yield Platform(ctx, pipeline, dispatcher, channels, slot, follow_ups)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        if follow_ups is not None:
            await follow_ups.stop()
        await channels.stop_all()
        await pipeline.stop()
        if dispatch_task is not None:
            dispatch_task.cancel()
            with suppress(asyncio.CancelledError):
                await dispatch_task
        if owned_llm and isinstance(ctx.llm, OpenAIChat):
            await ctx.llm.close()
        slot.fill(None)
        ctx.engine.dispose()
        with suppress(ValueError):  # stopped from another context than it started in: nothing to undo there
            sniffio.current_async_library_cvar.reset(declared)
        log.info("👋 Platform stopped")


def freeze_startup_heap() -> None:
    """Leave what start-up made (modules, the UI's components, the models: ~220,000 objects)
    out of every later garbage collection: a full collection walked all of them, 132 ms with
    the event loop stopped (measured), and the frequent young ones paid for them too."""
    gc.collect()
    gc.freeze()


def start_scheduler(ctx: AppContext) -> AsyncIOScheduler:
    """Short ticks over database state (APScheduler): campaign states. Follow-ups have their own
    worker (FollowUpScheduler), which wakes at each one's due time rather than on a tick."""
    scheduler = AsyncIOScheduler(event_loop=asyncio.get_running_loop())
    every = {"trigger": "interval", "max_instances": 1, "coalesce": True}
    scheduler.add_job(
        run_db,
        args=[ctx.engine, refresh_statuses, ctx],
        id="broadcast-states",
        seconds=ctx.settings.broadcast_tick_seconds,
        **every,
    )
    scheduler.start()
    return scheduler


@asynccontextmanager
async def lifespan(slot: ContextSlot) -> AsyncIterator[None]:
    """The lifespan task registered with Reflex; the running context goes into the app's slot."""
    async with platform(slot=slot, freeze_heap=True):
        yield
