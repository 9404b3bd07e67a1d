"""Start, stop and restart of the platform: bots restart, unhandled messages are resumed once."""

from __future__ import annotations

import httpx

from ai_agents.api import build_api
from ai_agents.config import load_settings
from ai_agents.core.clock import SystemClock
from ai_agents.runtime.lifespan import platform
from tests.conftest import FAST_ADAPTERS
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "8008:AArestarttesttokenvalue00000000008"


def _settings(database_url, tmp_path, fake_openai):
    return load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        openai_api_key="sk-default-test-key",
        openai_base_url=fake_openai.base_url + "/v1",
        retry_base_seconds=0.01,
    )


def _running(database_url, tmp_path, fake_openai):
    return platform(
        _settings(database_url, tmp_path, fake_openai),
        clock=SystemClock(),
        adapter_options=FAST_ADAPTERS,
        dispatcher_options={"idle_seconds": 0.05},
    )


async def test_restart_resumes_stored_message_and_restarts_bot(database_url, tmp_path, fake_telegram, fake_openai):
    fake_openai.set_latency(30)  # the first run stops while the model is still "thinking"
    async with _running(database_url, tmp_path, fake_openai) as running:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api(running.slot)), base_url="http://t") as api:
            agent = await create_agent(api)
            await connect_bot(api, agent["id"], fake_telegram, TOKEN)
            fake_telegram.push_message(TOKEN, 90, "are you there?")
            await wait_until(lambda: fake_openai.in_flight == 1, what="LLM call started")
    assert fake_telegram.sent(token=TOKEN) == []
    assert not fake_telegram.is_polling(TOKEN)

    fake_openai.set_latency(0)
    async with _running(database_url, tmp_path, fake_openai) as second:
        await wait_until(lambda: fake_telegram.is_polling(TOKEN), what="bot restarted")
        sent = await fake_telegram.awaited_sent(1, token=TOKEN)
        await second.pipeline.drain()
    assert [s.text for s in sent] == ["Reply to: are you there?"]
    assert len(fake_telegram.sent(token=TOKEN)) == 1


async def test_start_and_stop_are_repeatable(database_url, tmp_path, fake_openai):
    for _ in range(3):
        async with _running(database_url, tmp_path, fake_openai) as running:
            assert running.ctx.engine is not None


async def test_the_servers_start_leaves_what_it_made_out_of_later_garbage_collections(database_url, tmp_path, fake_openai):
    import gc

    gc.unfreeze()
    try:
        async with platform(_settings(database_url, tmp_path, fake_openai), workers=False):
            assert gc.get_freeze_count() == 0  # tests start many platforms: nothing frozen by default
        async with platform(_settings(database_url, tmp_path, fake_openai), workers=False, freeze_heap=True):
            frozen = gc.get_freeze_count()
            assert frozen > 50_000  # the modules, the models, the app: walked by no collection any more
            assert gc.collect() >= 0 and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


async def test_the_reflex_lifespan_starts_the_platform_with_the_heap_frozen(database_url, tmp_path, monkeypatch):
    import gc

    from ai_agents.runtime.lifespan import lifespan
    from ai_agents.services.context import ContextSlot

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    gc.unfreeze()
    try:
        async with lifespan(ContextSlot()):
            assert gc.get_freeze_count() > 50_000
    finally:
        gc.unfreeze()


async def test_the_platforms_tasks_tell_http_clients_the_async_library_without_a_system_call(database_url, tmp_path, fake_openai):
    import asyncio

    import sniffio

    async def declared_in_a_task_started_inside() -> str | None:
        return sniffio.current_async_library_cvar.get()

    async with platform(_settings(database_url, tmp_path, fake_openai), workers=False):
        assert await asyncio.create_task(declared_in_a_task_started_inside()) == "asyncio"
    assert sniffio.current_async_library_cvar.get() is None  # as it was before the start
