"""Inbound benchmark: chats -> fake Telegram -> platform -> fake LLM -> reply, vs a bare PTB echo bot.

Run: .venv/bin/python -m benchmarks.inbound [--chats 20] [--messages 10] [--latency 0 0.5] [--runs 3]
Each system under test runs in its own process (clean RSS); the fakes run in this one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "9009:AAbenchmarkbottokenvalue0000000009"



# -- the systems under test (child processes) ---------------------------------------------------------
async def run_platform(telegram_url: str, openai_url: str) -> None:
    from ai_agents.config import load_settings
    from ai_agents.runtime.lifespan import platform
    from ai_agents.services.workspace import agents, integrations

    data = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = load_settings(data_dir=data, openai_api_key="sk-bench", openai_base_url=openai_url + "/v1",
                             log_level="WARNING", max_concurrent_llm=64)  # fmt: skip
    async with platform(settings) as running:
        agent = agents.create_agent(running.ctx, agents.AgentCreate(name="Bench", model="gpt-4o-mini"))
        # The fake has no flood limits: lift Telegram's pacing (25/s, 1/s per chat) to measure the platform.
        body = integrations.IntegrationCreate(type="telegram", token=TOKEN, api_base_url=telegram_url,
                                              rate_limit_per_second=1000, per_chat_rate_limit_per_second=1000)  # fmt: skip
        await integrations.create_integration(running.ctx, agent["id"], body)
        await _serve_until_stdin_closes()


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

    app = (ApplicationBuilder().token(TOKEN).base_url(f"{telegram_url}/bot")
           .base_file_url(f"{telegram_url}/file/bot").concurrent_updates(64).build())  # fmt: skip
    app.add_handler(MessageHandler(filters.TEXT, answer))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await _serve_until_stdin_closes()
        await app.updater.stop()
        await app.stop()


async def _serve_until_stdin_closes() -> None:
    await asyncio.to_thread(sys.stdin.read)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"peak_rss_mb": round(peak_rss_mb(), 1), "cpu_s": round(cpu, 2)}), flush=True)


# -- the driver ---------------------------------------------------------------------------------------
def measure(system: str, chats: int, messages: int, latency: float) -> dict:
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.telegram_server import FakeTelegram

    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        telegram.add_bot(TOKEN, username="bench_bot")
        llm.set_latency(latency)
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.inbound", "--serve", system, telegram.base_url, llm.base_url],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PTB_TIMEDELTA": "1"},
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not telegram.is_polling(TOKEN):
            if time.monotonic() > deadline or child.poll() is not None:
                raise RuntimeError(f"{system} did not start polling")
            time.sleep(0.05)
        latencies: list[float] = []
        started = time.monotonic()
        asyncio.run(_drive(telegram, chats, messages, latencies))
        elapsed = time.monotonic() - started
        out, _ = child.communicate("", timeout=60)
    report = json.loads(out.strip().splitlines()[-1])
    added = sorted(max(0.0, x - latency) * 1000 for x in latencies)
    return {
        "messages_per_s": len(latencies) / elapsed,
        "p50_ms": _percentile(added, 50), "p95_ms": _percentile(added, 95), "p99_ms": _percentile(added, 99),
        "peak_rss_mb": report["peak_rss_mb"], "cpu_ms_per_msg": report["cpu_s"] * 1000 / len(latencies),
    }  # fmt: skip


async def _drive(telegram, chats: int, messages: int, latencies: list[float]) -> None:
    """Each chat sends its next message once the previous one is answered (a person typing)."""

    async def chat(chat_id: int) -> None:
        for n in range(messages):
            pushed = time.time()
            telegram.push_message(TOKEN, chat_id, f"c{chat_id} m{n}")
            sent = await telegram.awaited_sent(n + 1, token=TOKEN, chat_id=chat_id, timeout=60)
            latencies.append(sent[n].at - pushed)

    await asyncio.gather(*(chat(10_000 + i) for i in range(chats)))


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, round(pct / 100 * (len(values) - 1)))
    return values[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=3, metavar=("SYSTEM", "TELEGRAM", "OPENAI"))
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.serve:
        system, telegram_url, openai_url = args.serve
        runner = run_platform if system == "platform" else run_echo_bot
        asyncio.run(runner(telegram_url, openai_url))
        return
    print(f"{args.chats} chats x {args.messages} messages, median of {args.runs} runs")
    header = f"{'LLM latency':>11} {'system':>9} {'msg/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'RSS MB':>8}"
    print(header)
    for latency in args.latency:
        results = {}
        for system in ("echo-bot", "platform"):
            runs = [measure(system, args.chats, args.messages, latency) for _ in range(args.runs)]
            results[system] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            r = results[system]
            print(f"{latency * 1000:>9.0f}ms {system:>9} {r['messages_per_s']:>8.1f} {r['p50_ms']:>8.1f} "
                  f"{r['p95_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['peak_rss_mb']:>8.0f}")  # fmt: skip
        p, e = results["platform"], results["echo-bot"]
        print(f"{'':>11} {'ratio':>9} {p['messages_per_s'] / e['messages_per_s']:>8.2f} "
              f"{p['p50_ms'] / max(e['p50_ms'], 0.1):>8.2f} {p['p95_ms'] / max(e['p95_ms'], 0.1):>8.2f} "
              f"{p['p99_ms'] / max(e['p99_ms'], 0.1):>8.2f} {p['peak_rss_mb'] / e['peak_rss_mb']:>8.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
