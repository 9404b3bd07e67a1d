"""Inbound benchmark: chats -> fake Telegram -> platform -> fake LLM -> reply, vs a bare PTB echo bot.

Run: .venv/bin/python -m benchmarks.inbound [--chats 20] [--messages 30] [--latency 0 0.5] [--runs 3]
                                            [--profile inbound-profile.txt]  (BENCH_PROFILE_ALL=1: every frame)
Each system under test runs in its own process (clean RSS); the fakes run in this one. Inside it,
probes measure the event loop's lag (both systems) and the platform's database transactions and
statements per customer message (benchmarks/probes.py), over the load only (from "mark" on stdin).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks.inbound_systems import TOKEN, run_echo_bot, run_platform
from benchmarks.probes import LoopLagProbe, percentile, print_transactions

ROOT = Path(__file__).resolve().parents[1]



# -- the driver ---------------------------------------------------------------------------------------
def measure(system: str, chats: int, messages: int, latency: float, profile: str | None = None,
            count_transactions: bool = False) -> dict:
    """One run of `system` under the load. `count_transactions`: with the statement probe, whose
    own CPU (a stack walk per statement) is left out of the timed runs."""
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.telegram_server import FakeTelegram

    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        telegram.add_bot(TOKEN, username="bench_bot")
        llm.set_latency(latency)
        env = {**os.environ, "PTB_TIMEDELTA": "1"}
        if profile:
            env["BENCH_PROFILE"] = profile
        if count_transactions:
            env["BENCH_COUNT_TRANSACTIONS"] = "1"
        command = [sys.executable, "-m", "benchmarks.inbound", "--serve", system, telegram.base_url, llm.base_url]
        child = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        deadline = time.monotonic() + 60
        while not telegram.is_polling(TOKEN):
            if time.monotonic() > deadline or child.poll() is not None:
                raise RuntimeError(f"{system} did not start polling")
            time.sleep(0.05)
        child.stdin.write("mark\n")
        child.stdin.flush()
        latencies: list[float] = []
        pushed_at: dict[str, float] = {}
        started = time.monotonic()
        asyncio.run(_drive(telegram, chats, messages, latencies, pushed_at))
        elapsed = time.monotonic() - started
        out, _ = child.communicate("", timeout=60)
        llm_calls = len(llm.requests())
    report = json.loads(out.strip().splitlines()[-1])
    added = [max(0.0, x - latency) * 1000 for x in latencies]
    count = len(latencies)
    figures = {"messages_per_s": count / elapsed, "messages": count, "cpu_ms_per_msg": report["cpu_s"] * 1000 / count,
               "llm_calls_per_msg": llm_calls / count}
    figures.update({f"p{pct}_ms": percentile(added, pct) for pct in (50, 95, 99)})
    figures.update({key: report[key] for key in ("peak_rss_mb", "lag_p50_ms", "lag_p99_ms", "lag_max_ms")})
    if "timeline" in report:
        figures.update(_stages(report["timeline"], pushed_at, latency))
        overheads = [(x - latency) * 1000 for x in report["llm_call_s"]]
        figures["llm_call_ms"], figures["llm_call_95_ms"] = percentile(overheads, 50), percentile(overheads, 95)
    return figures, report


def _stages(timeline: list, pushed_at: dict[str, float], latency: float) -> dict[str, float]:
    """Median and p95 milliseconds of each stage: pushed -> stored (poll + accept), stored -> reply
    stored (turn, less the LLM's latency), reply stored -> sent (dispatch and the Telegram call)."""
    rows = [(pushed_at[text], stored, replied, sent) for text, stored, replied, sent in timeline if text in pushed_at]
    accept = [(stored - pushed) * 1000 for pushed, stored, _, _ in rows]
    turn = [(replied - stored - latency) * 1000 for _, stored, replied, _ in rows]
    send = [(sent - replied) * 1000 for _, _, replied, sent in rows]
    stages = {"accept": accept, "turn": turn, "send": send}
    return {f"{name}_{q}_ms": percentile(values, q) for name, values in stages.items() for q in (50, 95)}


async def _drive(telegram, chats: int, messages: int, latencies: list[float], pushed_at: dict[str, float]) -> None:
    """Each chat sends its next message once the previous one is answered (a person typing)."""

    async def chat(chat_id: int) -> None:
        for n in range(messages):
            pushed = pushed_at[f"c{chat_id} m{n}"] = time.time()
            telegram.push_message(TOKEN, chat_id, f"c{chat_id} m{n}")
            sent = await telegram.awaited_sent(n + 1, token=TOKEN, chat_id=chat_id, timeout=60)
            latencies.append(sent[n].at - pushed)

    await asyncio.gather(*(chat(10_000 + i) for i in range(chats)))


COLUMNS = [("msg/s", "messages_per_s", ".1f"), ("p50 ms", "p50_ms", ".1f"), ("p95 ms", "p95_ms", ".1f"),
           ("p99 ms", "p99_ms", ".1f"), ("RSS MB", "peak_rss_mb", ".0f"), ("CPU ms/msg", "cpu_ms_per_msg", ".2f"),
           ("lag p50", "lag_p50_ms", ".1f"), ("lag p99", "lag_p99_ms", ".1f"), ("lag max", "lag_max_ms", ".1f")]


def _row(first: str, second: str, cells: list[str]) -> str:
    return f"{first:>11} {second:>9} " + " ".join(f"{c:>10}" for c in cells)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", nargs=3, metavar=("SYSTEM", "TELEGRAM", "OPENAI"))
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=30)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.5])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="write a pyinstrument profile of the platform's first run here")
    args = parser.parse_args()
    if args.serve:
        system, telegram_url, openai_url = args.serve
        runner = run_platform if system == "platform" else run_echo_bot
        asyncio.run(runner(telegram_url, openai_url))
        return
    print(f"{args.chats} chats x {args.messages} messages, median of {args.runs} runs; "
          "lag = event-loop lag under the load (ms, 10 ms probe)")
    print(_row("LLM latency", "system", [title for title, _, _ in COLUMNS]))
    for latency in args.latency:
        runs: dict[str, list[dict]] = {"echo-bot": [], "platform": []}
        for _ in range(args.runs):  # alternating, so a drift of the machine's speed hits both alike
            for system in runs:
                first = system == "platform" and latency == args.latency[0] and not runs[system]
                profile = args.profile if first else None
                runs[system].append(measure(system, args.chats, args.messages, latency, profile)[0])
        results = {system: {key: statistics.median(r[key] for r in done) for key in done[0]}
                   for system, done in runs.items()}
        for system, r in results.items():
            print(_row(f"{latency * 1000:.0f}ms", system, [format(r[key], fmt) for _, key, fmt in COLUMNS]))
        ratios = [p["messages_per_s"] / e["messages_per_s"] for p, e in zip(runs["platform"], runs["echo-bot"])]
        print(f"{'':>21} throughput ratio of each pair of runs: {', '.join(f'{r:.2f}' for r in ratios)}")
        p, e = results["platform"], results["echo-bot"]
        print(_row("", "ratio", [f"{p[key] / max(e[key], 0.1):.2f}" for _, key, _ in COLUMNS]))
        print(f"  platform stages, median / p95 ms: poll + accept {p['accept_50_ms']:.1f} / {p['accept_95_ms']:.1f}, "
              f"turn less LLM latency {p['turn_50_ms']:.1f} / {p['turn_95_ms']:.1f} (of which the LLM call less its "
              f"latency {p['llm_call_ms']:.1f} / {p['llm_call_95_ms']:.1f}), "
              f"dispatch + Telegram call {p['send_50_ms']:.1f} / {p['send_95_ms']:.1f}; "
              "LLM calls per message "
              f"{p['llm_calls_per_msg']:.2f} (echo bot {e['llm_calls_per_msg']:.2f})")
        figures, report = measure("platform", args.chats, args.messages, latency, count_transactions=True)
        _print_transactions([(figures["messages"], report)])
    if args.profile:
        print(f"profile of the platform (first run): {args.profile}")


def _print_transactions(reports: list[tuple[int, dict]]) -> None:
    """The platform's database work per customer message, in a run of its own with the probe on."""
    by_function: dict[str, list[int]] = {}
    issued_by: Counter[str] = Counter()
    stalls: Counter[str] = Counter()
    for _, report in reports:
        for where, counts in report["by_function"].items():
            by_function[where] = [a + b for a, b in zip(by_function.get(where, [0, 0, 0]), counts)]
        issued_by.update(report["issued_by"])
        stalls.update(report["stalls"])
    messages = sum(count for count, _ in reports)
    print(f"  platform database work, {messages} customer messages (a run of its own, the statement probe on):")
    print_transactions(by_function, issued_by, messages, sum(r["rollbacks"] for _, r in reports))
    probe = LoopLagProbe()
    probe.stalls = stalls
    probe.print_stalls()


if __name__ == "__main__":
    main()
