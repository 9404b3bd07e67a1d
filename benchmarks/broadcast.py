"""Broadcast benchmark: campaigns on several of many connected bots; per-bot pacing, duplicates, losses, lag, RSS.

Run: .venv/bin/python -m benchmarks.broadcast [--integrations 10] [--campaigns 2] [--recipients 200]
     [--rate 20] [--warmup 3] [--runs 3]
The platform runs in a child process (clean RSS, its own event loop); the fake Bot API runs in this one.
--integrations bots are connected, each limited to --rate messages a second. First every bot without a
campaign sends --warmup messages (other bots "answered a few messages", so their rate state exists), then
--campaigns campaigns start at once, each on its own bot, --recipients distinct chats each: only the bot's
rate limit paces them. The achieved rate of each campaign's bot is compared with that bot's limit.
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


def bot_token(index: int) -> str:
    return f"{9010 + index}:AAbenchmarkbroadcasttokenvalue{index:05d}"


def campaign_text(number: int) -> str:
    return f"Campaign {number}: our spring offer is here"


def campaign_chats(number: int, recipients: int) -> list[str]:
    return [str(1_000_000 + number * recipients + i) for i in range(recipients)]


# -- the system under test (child process) --------------------------------------------------------------
async def run_platform(telegram_url: str, bots: int, campaigns: int, recipients: int, rate: float, warmup: int) -> None:
    from ai_agents.config import load_settings
    from ai_agents.runtime.lifespan import platform
    from ai_agents.services.outbound import broadcasts
    from ai_agents.services.workspace import agents, integrations

    data = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    settings = load_settings(data_dir=data, openai_api_key="sk-bench", openai_base_url="http://127.0.0.1:9/v1",
                             log_level="WARNING", broadcast_tick_seconds=0.5)
    async with platform(settings, freeze_heap=True) as running:
        ctx = running.ctx
        agent = agents.create_agent(ctx, agents.AgentCreate(name="Bench", model="gpt-4o-mini"))
        ids = []
        for index in range(bots):
            body = integrations.IntegrationCreate(type="telegram", token=bot_token(index), api_base_url=telegram_url,
                                                  rate_limit_per_second=rate)
            ids.append((await integrations.create_integration(ctx, agent["id"], body))["id"])
        deadline = time.monotonic() + 60
        while not all(running.channels.is_running(i) for i in ids):
            if time.monotonic() > deadline:
                raise RuntimeError("the Telegram integrations did not start")
            await asyncio.sleep(0.05)

        def create(number: int, bot: int, chats: list[str]) -> dict:
            data = broadcasts.BroadcastCreate(message=campaign_text(number), integration_type="telegram",
                                              recipients=chats, integration_id=ids[bot])
            return broadcasts.create_broadcast(ctx, agent["id"], data)

        async def until_finished(views: list[dict]) -> None:
            pending = {view["id"] for view in views}
            while pending:
                await asyncio.sleep(0.25)
                for broadcast_id in list(pending):
                    view = await asyncio.to_thread(broadcasts.get_broadcast, ctx, agent["id"], broadcast_id)
                    if view["status"] in broadcasts.FINISHED:
                        pending.discard(broadcast_id)
                        final[broadcast_id] = view

        final: dict[int, dict] = {}
        if warmup:  # the other bots send a few messages first: their buckets exist (and are full again)
            chats = [str(900 + i) for i in range(warmup)]
            await until_finished([await asyncio.to_thread(create, 0, bot, chats) for bot in range(campaigns, bots)])
            await asyncio.sleep(1.0)
        final.clear()
        created_at = time.time()
        views = await asyncio.gather(*(asyncio.to_thread(create, n, n - 1, campaign_chats(n, recipients))
                                       for n in range(1, campaigns + 1)))
        created_s = time.time() - created_at
        await until_finished(views)
        done_at = time.time()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = {
        "peak_rss_mb": round(peak_rss_mb(), 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "created_at": created_at, "create_s": round(created_s, 3), "done_at": done_at,
        "statuses": sorted(Counter(v["status"] for v in final.values()).items()),
        "db_sent": sum(v["sent"] for v in final.values()), "db_failed": sum(v["failed"] for v in final.values()),
    }
    print(json.dumps(report), flush=True)


# -- the driver ---------------------------------------------------------------------------------------
def bot_figures(sent: list, number: int, recipients: int, rate: float, created_at: float) -> dict:
    """Pacing of one campaign's bot from the fake's delivery times."""
    sent = sorted(sent, key=lambda m: m.at)
    keys = Counter(int(m.chat_id) for m in sent)
    wanted = {int(chat) for chat in campaign_chats(number, recipients)}
    first, last = (sent[0].at, sent[-1].at) if sent else (0.0, 0.0)
    span = last - first
    achieved = (len(sent) - 1) / span if span > 0 else 0.0  # n sends span n-1 intervals
    lags = sorted(max(0.0, m.at - (first + i / rate)) for i, m in enumerate(sent))
    return {
        "sent": len(sent), "duplicates": sum(n - 1 for n in keys.values() if n > 1),
        "losses": len(wanted - set(keys)), "rate": achieved, "rate_ratio": achieved / rate,
        "first_send_s": first - created_at if sent else 0.0, "total_s": last - created_at if sent else 0.0,
        "p50_lag_ms": _percentile(lags, 50) * 1000, "p99_lag_ms": _percentile(lags, 99) * 1000,
    }


def measure(bots: int, campaigns: int, recipients: int, rate: float, warmup: int) -> dict:
    from tests.fakes.telegram_server import FakeTelegram

    with FakeTelegram() as telegram:
        for index in range(bots):
            telegram.add_bot(bot_token(index), username=f"bench_broadcast_{index}_bot")
        command = [sys.executable, "-m", "benchmarks.broadcast", "--serve", telegram.base_url, "--integrations",
                   str(bots), "--campaigns", str(campaigns), "--recipients", str(recipients), "--rate", str(rate),
                   "--warmup", str(warmup)]
        timeout = 180 + 3 * recipients / rate
        child = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False,
                               env={**os.environ, "PTB_TIMEDELTA": "1"})
        if child.returncode != 0:
            raise RuntimeError(f"platform failed ({child.returncode}):\n{child.stderr[-3000:]}")
        report = json.loads(child.stdout.strip().splitlines()[-1])
        per_bot = {n: bot_figures([m for m in telegram.sent(token=bot_token(n - 1)) if m.text == campaign_text(n)],
                                  n, recipients, rate, report["created_at"]) for n in range(1, campaigns + 1)}
        home = {campaign_text(n): bot_token(n - 1) for n in range(1, campaigns + 1)}
        unexpected = sum(1 for m in telegram.sent() if m.text in home and m.token != home[m.text])
    return {"bots": per_bot, "unexpected": unexpected, **report}


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, round(pct / 100 * (len(values) - 1)))
    return values[index]


COLUMNS = [("sent", "sent", "{:.0f}"), ("dup", "duplicates", "{:.0f}"), ("lost", "losses", "{:.0f}"),
           ("msg/s", "rate", "{:.2f}"), ("ratio", "rate_ratio", "{:.3f}"), ("1st s", "first_send_s", "{:.2f}"),
           ("total s", "total_s", "{:.1f}"), ("p50 lag ms", "p50_lag_ms", "{:.0f}"),
           ("p99 lag ms", "p99_lag_ms", "{:.0f}")]


def _row(label: str, r: dict) -> str:
    return f"{label:>12} " + " ".join(f"{fmt.format(r[key]):>{max(len(head), 6)}}" for head, key, fmt in COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", metavar="TELEGRAM_URL")
    parser.add_argument("--integrations", type=int, default=10, help="connected bots")
    parser.add_argument("--campaigns", type=int, default=2, help="campaigns at once, each on its own bot")
    parser.add_argument("--recipients", type=int, default=200, help="per campaign (distinct chats)")
    parser.add_argument("--rate", type=float, default=20.0, help="every bot's rate_limit_per_second")
    parser.add_argument("--warmup", type=int, default=3, help="messages each bot without a campaign sends first")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.campaigns > args.integrations:
        parser.error("--campaigns must not exceed --integrations (one campaign per bot)")
    if args.serve:
        asyncio.run(
            run_platform(args.serve, args.integrations, args.campaigns, args.recipients, args.rate, args.warmup)
        )
        return
    ideal = args.recipients / args.rate
    print(f"{args.integrations} bots connected, each limited to {args.rate:g}/s; {args.campaigns} campaigns at once "
          f"on bots 1..{args.campaigns}, {args.recipients} recipients each (ideal {ideal:.1f} s); "
          f"the other bots sent {args.warmup} message(s) each first; median of {args.runs} run(s)")
    print(f"{'run / bot':>12} " + " ".join(f"{head:>{max(len(head), 6)}}" for head, _, _ in COLUMNS))
    runs = []
    for n in range(args.runs):
        result = measure(args.integrations, args.campaigns, args.recipients, args.rate, args.warmup)
        runs.append(result)
        for bot, figures in result["bots"].items():
            print(_row(f"{n + 1} / bot {bot}", figures), flush=True)
        print(f"{'':>12} campaign states {result['statuses']}, outbox sent {result['db_sent']}, failed "
              f"{result['db_failed']}, sends on a wrong bot {result['unexpected']}, create {result['create_s']:.2f} s, "
              f"RSS {result['peak_rss_mb']:.0f} MB, CPU {result['cpu_s']:.1f} s")
    print("median over runs, per bot (limit %g/s):" % args.rate)
    for bot in runs[0]["bots"]:
        print(_row(f"bot {bot}", {key: statistics.median(r["bots"][bot][key] for r in runs) for _, key, _ in COLUMNS}))
    print("msg/s = (sent-1)/(last-first send) of the bot's campaign; ratio = msg/s / limit (target 0.95..1.05); "
          "total s = creation -> last send; lag = send time - (first send + i/limit)")


if __name__ == "__main__":
    main()
