"""Live chat benchmark: page load with 1,000 conversations and a 10,000-message conversation, the
time from a customer message's arrival (at the fake Telegram) to its display in Chromium with 50
messages in the pane and with the pane full (WINDOW), and the time an older page takes to come in
when the conversation is scrolled to the top (past the window too).

Run: .venv/bin/python -m benchmarks.live_chat [--conversations 1000] [--messages 10000] [--runs 5]
The real server (`reflex run --env prod`) is started; the agent and its bot are made through the
API, the extra conversations and messages written straight into its SQLite database.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx

from benchmarks.common import agent_body, telegram_body
from benchmarks.export import _add_messages

TOKEN = "9011:AAbenchmarklivechattokenvalue000011"
CHAT_ID = 4343
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def _add_conversations(database: Path, like_id: int, count: int) -> None:
    from sqlmodel import Session, create_engine

    from ai_agents.db.models import Conversation, Message

    engine = create_engine(f"sqlite:///{database}")
    with Session(engine) as session:
        model = session.get(Conversation, like_id)
        for n in range(count):
            at = model.created_at - timedelta(minutes=n + 1)
            chat = Conversation(agent_id=model.agent_id, integration_id=model.integration_id, channel=model.channel,
                                remote_id=str(900_000 + n), contact_name=f"Customer {n}", created_at=at,
                                last_message_at=at)
            session.add(chat)
            session.flush()
            session.add(Message(conversation_id=chat.id, integration_id=chat.integration_id, role="user",
                                text=f"Question {n}", created_at=at))
        session.commit()
    engine.dispose()


def add_history(database: Path, conversation_id: int, count: int) -> None:
    """`count` earlier messages of the conversation, answered long ago (status handled: the pipeline
    does not take the customer's ones for new messages to answer)."""
    from sqlalchemy import update
    from sqlmodel import create_engine

    from ai_agents.db.models import Message

    engine = create_engine(f"sqlite:///{database}")
    _add_messages(engine, conversation_id, count)
    with engine.begin() as connection:
        connection.execute(update(Message).where(Message.conversation_id == conversation_id, Message.role == "user",
                                                 Message.status == "received").values(status="handled"))
    engine.dispose()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _arrivals_shown(page, telegram, count: int, probe: str) -> list[float]:
    """Seconds from each customer message's arrival at the fake Telegram to its bubble in the page."""
    shown = []
    for n in range(count):
        text = f"Arrival probe {probe} {n}"
        started = time.perf_counter()
        telegram.push_message(TOKEN, CHAT_ID, text)
        exact = re.compile(f"^{re.escape(text)}$")
        await page.locator(".message-text").filter(has_text=exact).wait_for(timeout=30_000)
        shown.append(time.perf_counter() - started)
        await asyncio.sleep(0.2)
    return shown


async def _older_page(page) -> float:
    """Seconds from scrolling to the top of the pane to the older page in it."""
    first = await page.locator("#messages .message").first.get_attribute("id")
    started = time.perf_counter()
    await page.eval_on_selector("#messages", "pane => { pane.scrollTop = -pane.scrollHeight; }")
    await page.wait_for_function("id => document.querySelector('#messages .message').id !== id",
                                 arg=first, timeout=60_000)
    return time.perf_counter() - started


async def measure(server, telegram, conversation_id: int, runs: int, arrivals: int) -> dict:
    from playwright.async_api import async_playwright

    from ai_agents.ui.message_window import TAIL
    from ai_agents.ui.paging import WINDOW

    loads = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            started = time.perf_counter()
            await page.goto(f"{server.base_url}/live-chat?c={conversation_id}")
            await page.locator(".inbox-item").first.wait_for(timeout=60_000)
            await page.locator(".message-text").last.wait_for(timeout=60_000)
            loads.append(time.perf_counter() - started)
            await page.close()
        page = await browser.new_page(viewport={"width": 1440, "height": 900})
        await page.goto(f"{server.base_url}/live-chat?c={conversation_id}")
        await page.locator(".message-text").last.wait_for(timeout=60_000)
        bubbles = page.locator("#messages .message")
        shown = [await bubbles.count()]
        displays = await _arrivals_shown(page, telegram, arrivals, "tail")
        older = []
        while await bubbles.count() + TAIL <= WINDOW:  # the pane filled, at the latest
            older.append(await _older_page(page))
        await page.eval_on_selector("#messages", "pane => { pane.scrollTop = 0; }")
        while await bubbles.count() < WINDOW:  # filled up to WINDOW by arrivals (not timed)
            await _arrivals_shown(page, telegram, 1, f"fill {await bubbles.count()}")
        shown.append(await bubbles.count())
        displays_full = await _arrivals_shown(page, telegram, arrivals, "full")
        older += [await _older_page(page) for _ in range(runs)]  # on up, past the window
        await browser.close()
    return {"loads": loads, "displays": displays, "shown": shown, "displays_full": displays_full, "older": older}


def main() -> None:
    from tests.fakes.openai_server import FakeOpenAI
    from tests.fakes.telegram_server import FakeTelegram
    from tests.support.server import PlatformServer

    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--arrivals", type=int, default=20)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-live-chat-"))
    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        telegram.add_bot(TOKEN, username="bench_bot")
        server = PlatformServer(root / "data", root / "server.log", {"LOG_LEVEL": "WARNING"}).start()
        try:
            with httpx.Client(base_url=server.base_url, timeout=60) as api:
                agent = api.post("/api/agents", json=agent_body(llm.base_url)).raise_for_status().json()["results"]
                api.post(f"/api/agents/{agent['id']}/integrations",
                         json=telegram_body(TOKEN, telegram.base_url)).raise_for_status()
                telegram.push_message(TOKEN, CHAT_ID, "hello")
                telegram.wait_for_sent(1, token=TOKEN, chat_id=CHAT_ID, timeout=30)
                conversation_id = api.get("/api/conversations").json()["results"][0]["id"]
            database = root / "data" / "ai_agents.db"
            _add_conversations(database, conversation_id, args.conversations - 1)
            add_history(database, conversation_id, args.messages)
            figures = asyncio.run(measure(server, telegram, conversation_id, args.runs, args.arrivals))
        finally:
            server.stop()
    loads, displays = figures["loads"], figures["displays"]
    print(f"live chat page load ({args.conversations} conversations, open one of {args.messages + 2} messages): "
          f"median {statistics.median(loads) * 1000:.0f} ms, max {max(loads) * 1000:.0f} ms over {len(loads)} loads")
    print(f"live chat page load p95 {percentile(loads, 0.95) * 1000:.0f} ms")
    for count, shown in zip(figures["shown"], (displays, figures["displays_full"]), strict=True):
        print(f"customer message arrival to display, {count} messages in the pane: median "
              f"{statistics.median(shown) * 1000:.0f} ms, p95 {percentile(shown, 0.95) * 1000:.0f} ms "
              f"over {len(shown)} messages")
    older = figures["older"]
    print(f"older page on scroll to the top: median {statistics.median(older) * 1000:.0f} ms, "
          f"max {max(older) * 1000:.0f} ms over {len(older)} pages of 50")


if __name__ == "__main__":
    main()
