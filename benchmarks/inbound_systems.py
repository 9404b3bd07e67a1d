"""The systems the inbound benchmark measures, each run in a child process: the platform and a bare echo bot."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import agent_body, cpu_seconds, peak_rss_mb, telegram_body
from benchmarks.probes import LoopLagProbe, TransactionCounter

TOKEN = "9009:AAbenchmarkbottokenvalue0000000009"


async def run_platform(telegram_url: str, openai_url: str) -> None:
    """The platform in-process (the lifespan Reflex runs), the agent and bot made through its API."""
    import httpx

    from ai_agents.api import build_api
    from ai_agents.config import load_settings
    from ai_agents.runtime.lifespan import platform

    data = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = load_settings(data_dir=data, log_level="WARNING", max_concurrent_llm=64)
    async with platform(settings, freeze_heap=True) as running:
        transport = httpx.ASGITransport(app=build_api(running.slot))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as api:
            agent = (await api.post("/api/agents", json=agent_body(openai_url))).raise_for_status().json()
            url = f"/api/agents/{agent['results']['id']}/integrations"
            (await api.post(url, json=telegram_body(TOKEN, telegram_url))).raise_for_status()
        model = running.ctx.llm = TimedModel(running.ctx.llm)

        def extra() -> dict:
            return {"timeline": _timeline(running.ctx.engine), "llm_call_s": model.seconds}

        try:
            counter = TransactionCounter(running.ctx.engine) if os.environ.get("BENCH_COUNT_TRANSACTIONS") else None
            await _serve_until_stdin_closes(counter, extra)
        finally:
            running.ctx.llm = model.model  # the platform closes its own client


class TimedModel:
    """The platform's chat model, timing each call (seconds), to split a turn into LLM and the rest."""

    def __init__(self, model) -> None:
        self.model, self.seconds = model, []

    async def complete(self, request) -> str:
        started = time.perf_counter()
        try:
            return await self.model.complete(request)
        finally:
            self.seconds.append(time.perf_counter() - started)

    def __getattr__(self, name: str):
        return getattr(self.model, name)


def _timeline(engine) -> list[tuple[str, float, float, float]]:
    """(customer text, stored at, reply stored at, reply sent at) per answered customer message:
    the n-th customer message of a conversation pairs with its n-th reply (one reply each)."""
    from sqlmodel import Session, select

    from ai_agents.db.models import Message, OutboxMessage

    with Session(engine) as session:
        messages = session.exec(select(Message).order_by(Message.id)).all()
        sent_at = {row.message_id: row.sent_at for row in session.exec(select(OutboxMessage)).all()}
    asked: dict[int, list[Message]] = {}
    rows = []
    for message in messages:
        if message.role == "user":
            asked.setdefault(message.conversation_id, []).append(message)
        elif asked.get(message.conversation_id) and sent_at.get(message.id):
            customer = asked[message.conversation_id].pop(0)
            stamps = (customer.created_at, message.created_at, sent_at[message.id])
            rows.append((customer.text, *(stamp.timestamp() for stamp in stamps)))
    return rows


async def run_echo_bot(telegram_url: str, openai_url: str) -> None:
    """The baseline: the smallest python-telegram-bot app that asks the LLM and replies."""
    import openai
    from telegram.ext import ApplicationBuilder, MessageHandler, filters

    client = openai.AsyncOpenAI(api_key="sk-bench", base_url=openai_url + "/v1", max_retries=0)

    async def answer(update, _context):
        completion = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": update.message.text}]
        )
        await update.message.reply_text(completion.choices[0].message.content)

    builder = ApplicationBuilder().token(TOKEN).base_url(f"{telegram_url}/bot")
    app = builder.base_file_url(f"{telegram_url}/file/bot").concurrent_updates(64).build()
    app.add_handler(MessageHandler(filters.TEXT, answer))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await _serve_until_stdin_closes()
        await app.updater.stop()
        await app.stop()


async def _serve_until_stdin_closes(transactions: TransactionCounter | None = None, extra=None) -> None:
    """Serve; a "mark" line starts the measured window (probes reset, profiler started), the end
    of stdin closes it and prints the figures as one JSON line."""
    lag = LoopLagProbe().start()
    profiler, profile_path = None, os.environ.get("BENCH_PROFILE")
    cpu_at_mark = 0.0
    while line := await asyncio.to_thread(sys.stdin.readline):
        if line.strip() == "mark":
            lag.reset()
            if transactions is not None:
                transactions.reset()
            cpu_at_mark = cpu_seconds()
            if profile_path:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.001, async_mode="disabled")
                profiler.start()
    if profiler is not None:
        profiler.stop()
        every_frame = bool(os.environ.get("BENCH_PROFILE_ALL"))
        Path(profile_path).write_text(profiler.output_text(unicode=True, show_all=every_frame))
    await lag.stop()
    report = {"peak_rss_mb": round(peak_rss_mb(), 1), "cpu_s": round(cpu_seconds() - cpu_at_mark, 2),
              "stalls": dict(lag.stalls), **lag.summary()}
    if transactions is not None:
        report.update(transactions.summary())
    if extra is not None:
        report.update(extra())
    print(json.dumps(report), flush=True)

