"""Memory of the whole server (`reflex run --env prod`, every process) idle and after translated chats."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx

from benchmarks.common import memory_mb
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.support.server import PlatformServer

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "tests" / "data" / "languages.jsonl"
TOKEN = "4242:AAservermemorybenchmarktoken000000042"
SETTLE_SECONDS = 10  # after start-up and after the traffic, before memory is read


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(descendant for child in children for descendant in process_tree(int(child)))]


def report(title: str, root: int) -> float:
    """Print RSS, PSS and USS of every process of the server; return the total PSS."""
    print(f"\n{title}")
    print(f"{'pid':>8}{'RSS':>9}{'PSS':>9}{'USS':>9}   process")
    total = 0.0
    for index, pid in enumerate(process_tree(root)):
        memory = memory_mb(pid)
        total += memory["pss"]
        role = "supervisor (reflex run, Granian's parent)" if index == 0 else "child (Granian worker)"
        print(f"{pid:>8}{memory['rss']:>9.1f}{memory['pss']:>9.1f}{memory['uss']:>9.1f}   {role}")
    print(f"{'total PSS':>26}: {total:.0f} MB")
    return total


def chat(server: PlatformServer, telegram: FakeTelegram, openai: FakeOpenAI, messages: int) -> None:
    """One agent with translation on; ``messages`` customers write a dataset line each and get replies."""
    with httpx.Client(base_url=server.base_url, timeout=30) as api:
        agent_body = {"name": "Memory", "model": "gpt-4o-mini", "api_key": "sk-memory-benchmark"}
        agent_body["base_url"] = f"{openai.base_url}/v1"
        agent = api.post("/api/agents", json=agent_body).json()["results"]
        flags = ("enabled", "auto_detect", "translate_incoming", "translate_outgoing")
        translation = {"source_language": "en", **dict.fromkeys(flags, True)}
        api.put(f"/api/agents/{agent['id']}/settings", json={"translation": translation}).raise_for_status()
        body = {"type": "telegram", "token": TOKEN, "api_base_url": telegram.base_url}
        api.post(f"/api/agents/{agent['id']}/integrations", json=body).raise_for_status()
    rows = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for index in range(messages):
        telegram.push_message(TOKEN, 10_000 + index, rows[index % len(rows)]["text"])
    deadline = time.monotonic() + 120
    while len({m.chat_id for m in telegram.sent(token=TOKEN)}) < messages and time.monotonic() < deadline:
        time.sleep(0.5)
    print(f"\n{len({m.chat_id for m in telegram.sent(token=TOKEN)})}/{messages} customers got a reply")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=60, help="customers writing one message each")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server; repeatable")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    with tempfile.TemporaryDirectory() as data, FakeTelegram() as telegram, FakeOpenAI() as openai:
        telegram.add_bot(TOKEN, username="memory_bot")
        server = PlatformServer(Path(data) / "data", Path(data) / "server.log", env).start(timeout=900)
        try:
            time.sleep(SETTLE_SECONDS)
            assert server.process is not None
            idle = report("idle, after start-up", server.process.pid)
            chat(server, telegram, openai, args.messages)
            time.sleep(SETTLE_SECONDS)
            busy = report("after the chats (translation on: language detector built)", server.process.pid)
        finally:
            server.stop()
    print(f"\ngrowth from the chats: {busy - idle:.0f} MB PSS")


if __name__ == "__main__":
    main()
