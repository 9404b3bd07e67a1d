"""Broadcast benchmark: concurrent campaigns on one fake Telegram bot; pacing, duplicates, losses, lag, RSS.

Run: .venv/bin/python -m benchmarks.broadcast [--campaigns 5] [--recipients 400] [--rate 100] [--runs 1]
The platform runs in a child process (clean RSS, its own event loop); the fake Bot API runs in this one.
Each campaign's text carries its number; recipients are distinct numeric chat ids across campaigns,
so only the integration's rate limit (rate_limit_per_second = --rate) paces the sends.
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
from collections import Counter
from pathlib import Path

from benchmarks.common import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "9010:AAbenchmarkbroadcasttokenvalue00010"



def campaign_text(number: int) -> str:
    return f"Campaign {number}: our spring offer is here"


# -- the system under test (child process) --------------------------------------------------------------
async def run_platform(telegram_url: str, campaigns: int, recipients: int, rate: float) -> None:
    from ai_agents.config import load_settings
    from ai_agents.runtime.lifespan import platform
    from ai_agents.services import agents, broadcasts, integrations

    data = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    settings = load_settings(data_dir=data, openai_api_key="sk-bench", openai_base_url="http://127.0.0.1:9/v1",
                             log_level="WARNING", broadcast_tick_seconds=0.5)  # fmt: skip
    async with platform(settings) as running:
        ctx = running.ctx
        agent = agents.create_agent(ctx, agents.AgentCreate(name="Bench", model="gpt-4o-mini"))
        body = integrations.IntegrationCreate(type="telegram", token=TOKEN, api_base_url=telegram_url,
                                              rate_limit_per_second=rate)  # fmt: skip
        integration = await integrations.create_integration(ctx, agent["id"], body)
        deadline = time.monotonic() + 30
        while not running.channels.is_running(integration["id"]):
            if time.monotonic() > deadline:
                raise RuntimeError("the Telegram integration did not start")
            await asyncio.sleep(0.05)
        created_at = time.time()

        def create(number: int) -> dict:
            chats = [str(1_000_000 + number * recipients + i) for i in range(recipients)]
            data = broadcasts.BroadcastCreate(message=campaign_text(number), integration_type="telegram",
                                              recipients=chats, integration_id=integration["id"])  # fmt: skip
            return broadcasts.create_broadcast(ctx, agent["id"], data)

        views = await asyncio.gather(*(asyncio.to_thread(create, n) for n in range(1, campaigns + 1)))
        created_s = time.time() - created_at
        ids = [view["id"] for view in views]
        final: dict[int, dict] = {}
        while len(final) < len(ids):
            await asyncio.sleep(0.25)
            for broadcast_id in ids:
                if broadcast_id not in final:
                    view = await asyncio.to_thread(broadcasts.get_broadcast, ctx, agent["id"], broadcast_id)
                    if view["status"] in broadcasts.FINISHED:
                        final[broadcast_id] = view
        done_at = time.time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "peak_rss_mb": round(peak_rss_mb(), 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "created_at": created_at, "create_s": round(created_s, 3), "done_at": done_at,
        "statuses": sorted(Counter(v["status"] for v in final.values()).items()),
        "db_sent": sum(v["sent"] for v in final.values()), "db_failed": sum(v["failed"] for v in final.values()),
    }  # fmt: skip
    print(json.dumps(report), flush=True)


# -- the driver ---------------------------------------------------------------------------------------
def measure(campaigns: int, recipients: int, rate: float) -> dict:
    from tests.fakes.telegram_server import FakeTelegram

    expected = campaigns * recipients
    with FakeTelegram() as telegram:
        telegram.add_bot(TOKEN, username="bench_broadcast_bot")
        command = [sys.executable, "-m", "benchmarks.broadcast", "--serve", telegram.base_url,
                   "--campaigns", str(campaigns), "--recipients", str(recipients), "--rate", str(rate)]  # fmt: skip
        timeout = 120 + 3 * expected / rate
        child = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
                               env={**os.environ, "PTB_TIMEDELTA": "1"})  # fmt: skip
        if child.returncode != 0:
            raise RuntimeError(f"platform failed ({child.returncode}):\n{child.stderr[-3000:]}")
        sent = [m for m in telegram.sent(token=TOKEN) if m.text.startswith("Campaign ")]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    sent.sort(key=lambda m: m.at)
    keys = Counter((m.text, int(m.chat_id)) for m in sent)
    wanted = {(campaign_text(n), 1_000_000 + n * recipients + i) for n in range(1, campaigns + 1) for i in range(recipients)}
    first, last = (sent[0].at, sent[-1].at) if sent else (0.0, 0.0)
    span = last - first
    achieved = (len(sent) - 1) / span if span > 0 else 0.0  # n sends span n-1 intervals
    lags = sorted(max(0.0, m.at - (first + i / rate)) for i, m in enumerate(sent))
    return {
        "sent": len(sent), "expected": expected,
        "duplicates": sum(n - 1 for n in keys.values() if n > 1),
        "losses": len(wanted - set(keys)), "unexpected": len(set(keys) - wanted),
        "rate": achieved, "rate_ratio": achieved / rate,
        "first_send_s": first - report["created_at"] if sent else 0.0,
        "total_s": (last - report["created_at"]) if sent else 0.0, "ideal_s": expected / rate,
        "complete_s": report["done_at"] - report["created_at"], "create_s": report["create_s"],
        "p50_lag_ms": _percentile(lags, 50) * 1000, "p99_lag_ms": _percentile(lags, 99) * 1000,
        "max_lag_ms": (lags[-1] * 1000) if lags else 0.0,
        "peak_rss_mb": report["peak_rss_mb"], "cpu_s": report["cpu_s"],
        "statuses": report["statuses"], "db_sent": report["db_sent"], "db_failed": report["db_failed"],
    }  # fmt: skip


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, round(pct / 100 * (len(values) - 1)))
    return values[index]


COLUMNS = [("sent", "sent", "{:.0f}"), ("dup", "duplicates", "{:.0f}"), ("lost", "losses", "{:.0f}"),
           ("msg/s", "rate", "{:.1f}"), ("ratio", "rate_ratio", "{:.3f}"), ("1st s", "first_send_s", "{:.2f}"),
           ("total s", "total_s", "{:.1f}"), ("ideal s", "ideal_s", "{:.1f}"), ("done s", "complete_s", "{:.1f}"),
           ("p50 lag ms", "p50_lag_ms", "{:.0f}"), ("p99 lag ms", "p99_lag_ms", "{:.0f}"),
           ("max lag ms", "max_lag_ms", "{:.0f}"), ("RSS MB", "peak_rss_mb", "{:.0f}"), ("CPU s", "cpu_s", "{:.1f}")]  # fmt: skip


def _row(label: str, r: dict) -> str:
    return f"{label:>7} " + " ".join(f"{fmt.format(r[key]):>{max(len(head), 6)}}" for head, key, fmt in COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", metavar="TELEGRAM_URL")
    parser.add_argument("--campaigns", type=int, default=5)
    parser.add_argument("--recipients", type=int, default=400, help="per campaign (distinct chats)")
    parser.add_argument("--rate", type=float, default=100.0, help="the integration's rate_limit_per_second")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(run_platform(args.serve, args.campaigns, args.recipients, args.rate))
        return
    total = args.campaigns * args.recipients
    print(f"{args.campaigns} campaigns x {args.recipients} recipients = {total} sends on one bot at "
          f"{args.rate:g}/s (ideal {total / args.rate:.1f} s), median of {args.runs} run(s)")  # fmt: skip
    print(f"{'run':>7} " + " ".join(f"{head:>{max(len(head), 6)}}" for head, _, _ in COLUMNS))
    runs = []
    for n in range(args.runs):
        result = measure(args.campaigns, args.recipients, args.rate)
        runs.append(result)
        print(_row(str(n + 1), result), flush=True)
        print(f"{'':>7} campaign states {result['statuses']}, outbox sent {result['db_sent']}, failed "
              f"{result['db_failed']}, unexpected sends {result['unexpected']}, create {result['create_s']:.2f} s")  # fmt: skip
    if args.runs > 1:
        print(_row("median", {key: statistics.median(r[key] for r in runs) for _, key, _ in COLUMNS}))
    print("msg/s = (sent-1)/(last-first send); ratio = msg/s / rate; total s = creation -> last send; "
          "done s = creation -> all campaigns finished (status polled every 0.25 s, tick 0.5 s); "
          "lag = send time - (first send + i/rate)")  # fmt: skip


if __name__ == "__main__":
    main()
