"""Export benchmark: the event loop's lag while GET /api/conversations/{id}/export builds the CSV
of a 10,000-message conversation, with the platform running (channels, dispatcher) in the same loop.

Run: .venv/bin/python -m benchmarks.export [--messages 10000] [--runs 5]
The API is called in-process (httpx over ASGI, the same FastAPI app Reflex serves); the agent and
its bot are made through the API; the messages are written straight into the database.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from benchmarks.common import agent_body, telegram_body
from benchmarks.probes import LoopLagProbe

TOKEN = "9010:AAbenchmarkbottokenvalue0000000010"
CHAT_ID = 4242


async def measure(telegram, llm, messages: int, runs: int) -> list[dict]:
    import httpx

    from ai_agents.api import build_api
    from ai_agents.config import load_settings
    from ai_agents.runtime.lifespan import platform

    settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-export-")), log_level="WARNING")
    async with platform(settings, freeze_heap=True) as running:
        transport = httpx.ASGITransport(app=build_api(running.slot))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=120) as api:
            agent = (await api.post("/api/agents", json=agent_body(llm.base_url))).raise_for_status().json()
            url = f"/api/agents/{agent['results']['id']}/integrations"
            (await api.post(url, json=telegram_body(TOKEN, telegram.base_url))).raise_for_status()
            telegram.push_message(TOKEN, CHAT_ID, "hello")
            await telegram.awaited_sent(1, token=TOKEN, chat_id=CHAT_ID, timeout=30)
            conversation = (await api.get("/api/conversations")).raise_for_status().json()["results"][0]
            _add_messages(running.ctx.engine, conversation["id"], messages)
            results, stalls = [], Counter()
            for _ in range(runs):
                lag = LoopLagProbe().start()
                await asyncio.sleep(0.05)
                lag.reset()
                started = time.perf_counter()
                response = (await api.get(f"/api/conversations/{conversation['id']}/export")).raise_for_status()
                took = time.perf_counter() - started
                await lag.stop()
                rows = response.text.count("\n") - 1
                size_kb = len(response.content) / 1024
                results.append({"export_s": took, "rows": rows, "csv_kb": size_kb, **lag.summary()})
                stalls.update(lag.stalls)
    return results, stalls


def _add_messages(engine, conversation_id: int, count: int) -> None:
    """`count` messages alternating customer and agent, some translated, in one transaction."""
    from sqlmodel import Session, select

    from ai_agents.db.models import Message

    with Session(engine) as session:
        first = session.exec(select(Message).where(Message.conversation_id == conversation_id)).first()
        for n in range(count):
            customer = n % 2 == 0
            text = f"Message {n}: " + ("¿Dónde está mi pedido? " if customer else "Your order ships today. ") * 3
            session.add(Message(
                conversation_id=conversation_id, integration_id=first.integration_id,
                role="user" if customer else "assistant", text=text, language="es",
                translation=f"Where is my order? ({n})" if customer else None,
                status="received" if customer else "sent", sentiment=0.1,
                created_at=first.created_at + timedelta(seconds=n),
            ))
        session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.telegram_server import FakeTelegram

    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        telegram.add_bot(TOKEN, username="bench_export_bot")
        runs, stalls = asyncio.run(measure(telegram, llm, args.messages, args.runs))
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"export of a {median['rows']:.0f}-message conversation ({median['csv_kb']:.0f} KB CSV), "
          f"median of {args.runs} runs, event-loop lag from a 10 ms probe:")
    print(f"{'export s':>9} {'lag p50 ms':>11} {'lag p99 ms':>11} {'lag max ms':>11} {'samples':>8}")
    print(f"{median['export_s']:>9.2f} {median['lag_p50_ms']:>11.1f} {median['lag_p99_ms']:>11.1f} "
          f"{median['lag_max_ms']:>11.1f} {median['lag_samples']:>8.0f}")
    probe = LoopLagProbe()
    probe.stalls = stalls
    probe.print_stalls()


if __name__ == "__main__":
    main()
