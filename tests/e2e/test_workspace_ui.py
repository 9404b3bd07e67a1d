"""The workspace in Chromium against the real server with API_TOKEN set, the fake Telegram and the
fake LLM: login, live chat and dashboard pushed live, takeover, notes, manager replies, export,
alerts; and the websocket driven without the page is refused until logged in."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ai_agents.ui.auth import AuthState
from ai_agents.ui.pages.broadcasts import BroadcastsState
from ai_agents.ui.pages.dashboard import DashboardState
from ai_agents.ui.pages.integrations import IntegrationsState
from ai_agents.ui.pages.live_chat import LiveChatState
from tests.api.test_settings import PLAN_SENTIMENT
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.support.reflex_socket import ReflexSocket
from tests.support.server import ROOT, PlatformServer

pytestmark = pytest.mark.e2e
API_TOKEN = "ui-e2e-token-0123456789abcdef"
BOT = "6006:AAworkspaceuitesttokenvalue0000000006"
SCREENSHOTS = ROOT / "docs" / "screenshots"


class Workspace:
    """The running platform with one agent and one Telegram bot, and an authorised API client."""

    def __init__(self, server: PlatformServer, telegram: FakeTelegram) -> None:
        self.server, self.telegram = server, telegram
        self.api = httpx.Client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {API_TOKEN}"})
        agent = self.api.post("/api/agents", json={"name": "Shop", "model": "gpt-4o-mini"}).json()["results"]
        assert self.api.put(f"/api/agents/{agent['id']}/settings", json=PLAN_SENTIMENT).status_code == 200
        telegram.add_bot(BOT, username="shop_bot")
        body = {"type": "telegram", "token": BOT, "api_base_url": telegram.base_url}
        assert self.api.post(f"/api/agents/{agent['id']}/integrations", json=body).status_code == 201

    def conversation_of(self, chat_id: int, timeout: float = 15) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for conversation in self.api.get("/api/conversations", params={"limit": 500}).json()["results"]:
                if conversation["remote_jid"] == str(chat_id):
                    return conversation
            time.sleep(0.1)
        raise TimeoutError(f"no conversation with chat {chat_id}")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("workspace")
    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        env = {"API_TOKEN": API_TOKEN, "OPENAI_API_KEY": "sk-e2e-default-key", "OPENAI_BASE_URL": llm.base_url + "/v1"}
        server = PlatformServer(root / "data", root / "server.log", env).start()
        try:
            yield Workspace(server, telegram)
        finally:
            server.stop()


def message(page, text: str):
    """The bubble text that is exactly `text` (not the AI's "Reply to: ..." of it)."""
    return page.locator(".message-text").filter(has_text=re.compile(f"^{re.escape(text)}$"))


async def logged_in_page(browser, workspace, path: str = "/"):
    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    await page.goto(workspace.server.base_url + path)
    await page.fill("#login-password", API_TOKEN)
    await page.click("#login-submit")
    return page


def test_websocket_handlers_refuse_a_tab_not_logged_in(workspace):
    """Events sent straight over the websocket: refused without a login, also with a forged
    session value; the same events act once the same tab has logged in."""
    workspace.telegram.push_message(BOT, 101, "Hello from the socket test", first_name="Sam")
    conversation = workspace.conversation_of(101)
    live_chat, auth = LiveChatState.get_full_name(), AuthState.get_full_name()
    integrations = IntegrationsState.get_full_name()
    bot = workspace.api.get("/api/integrations").json()["results"][0]
    rates = {"integration_id": str(bot["id"]), "rate_limit_per_second": "7"}
    tab = ReflexSocket(workspace.server.base_url, "/live-chat")
    try:
        tab.emit("reflex___state____state.reflex___state____update_vars_internal_state.update_vars_internal",
                 vars={f"{auth}.session": "9999999999.forged"})
        tab.emit(f"{live_chat}.select", conversation_id=conversation["id"])
        tab.emit(f"{live_chat}.take_over")
        tab.emit(f"{integrations}.stop", integration_id=bot["id"])
        tab.emit(f"{integrations}.delete", integration_id=bot["id"])
        tab.emit(f"{integrations}.save_rates", form_data=rates)
        for reading in ("load_older", "load_newer", "jump_to_latest"):  # the message window's handlers
            tab.emit(f"{live_chat}.{reading}")
        tab.settle(1.5)
        assert "Hello from the socket test" not in json.dumps(tab.updates)  # no message read for this tab
        assert workspace.api.get(f"/api/conversations/{conversation['id']}").json()["results"]["manual_mode"] is False
        refused = workspace.api.get(f"/api/integrations/{bot['id']}").json()["results"]
        assert (refused["status"], refused["rate_limit_per_second"]) == ("connected", bot["rate_limit_per_second"])
        tab.emit(f"{auth}.login", form_data={"password": API_TOKEN})
        tab.emit(f"{live_chat}.select", conversation_id=conversation["id"])
        tab.emit(f"{live_chat}.take_over")
        tab.emit(f"{integrations}.save_rates", form_data=rates)
        tab.settle(1.5)
        tab.updates.clear()
        tab.emit(f"{live_chat}.jump_to_latest")
        tab.settle(1.0)
        assert "latest_jumps" in json.dumps(tab.updates) and "Hello from the socket test" in json.dumps(tab.updates)
    finally:
        tab.close()
    assert workspace.api.get(f"/api/conversations/{conversation['id']}").json()["results"]["manual_mode"] is True
    assert workspace.api.get(f"/api/integrations/{bot['id']}").json()["results"]["rate_limit_per_second"] == 7
    assert "🚫 UI event take_over refused: the tab is not logged in" not in workspace.server.log()  # one line per tab
    assert "🚫 UI event update_vars_internal" not in workspace.server.log()
    assert workspace.server.log().count("🚫 UI event") >= 1


def upload_csv(workspace, tab: ReflexSocket, handler: str, data: bytes) -> str:
    """A file sent the way the page's upload button sends it (POST /_upload for the tab's token)."""
    headers = {"reflex-client-token": tab.token, "reflex-event-handler": handler}
    response = httpx.post(f"{workspace.server.base_url}/_upload", headers=headers,
                          files={"files": ("list.csv", data, "text/csv")}, timeout=30)
    return response.text


def test_websocket_refuses_the_dashboard_broadcast_and_upload_handlers_without_login(workspace):
    """The dashboard's and the broadcasts page's handlers, and a CSV upload over HTTP, do nothing
    for a tab that has not logged in, and act once it has."""
    agent = workspace.api.get("/api/agents").json()["results"][0]
    body = {"message": "Later", "integration_type": "telegram", "recipients": ["105"], "scheduled_at": "2099-01-01T09:00:00Z"}
    campaign = workspace.api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body).json()["results"]
    status = f"/api/agents/{agent['id']}/settings/broadcast/{campaign['id']}"
    dashboard, broadcasts = DashboardState.get_full_name(), BroadcastsState.get_full_name()
    form = {"agent_id": str(agent["id"]), "channel": "telegram", "message": "Hi", "recipients": "105", "when": "now"}
    tab = ReflexSocket(workspace.server.base_url, "/broadcasts")

    def attempt() -> str:
        tab.updates.clear()
        tab.emit(f"{dashboard}.show_charts", utc_offset_minutes=60)
        tab.emit(f"{broadcasts}.preview_campaign", form_data=form)
        tab.emit(f"{broadcasts}.show_problems", agent_id=agent["id"], broadcast_id=campaign["id"])
        tab.emit(f"{broadcasts}.cancel", agent_id=agent["id"], broadcast_id=campaign["id"])
        uploaded = upload_csv(workspace, tab, f"{broadcasts}.upload_csv", b"chat_id,name\n106,Ann\n")
        tab.settle(1.5)
        return json.dumps(tab.updates) + uploaded

    try:
        refused = attempt()
        assert workspace.api.get(status).json()["results"]["status"] == "pending"
        assert not any(name in refused for name in ("hourly", "preview", "problems_of", "upload_summary"))
        tab.emit(f"{AuthState.get_full_name()}.login", form_data={"password": API_TOKEN})
        accepted = attempt()
    finally:
        tab.close()
    assert workspace.api.get(status).json()["results"]["status"] == "cancelled"
    assert all(name in accepted for name in ("hourly", "UTC+01:00", "preview", "problems_of", "list.csv: 1 recipients"))


async def test_live_chat_dashboard_takeover_note_reply_export(workspace, browser):
    dashboard = await logged_in_page(browser, workspace)
    counter = dashboard.locator("#stat-messages-today")
    await counter.wait_for()
    await asyncio.sleep(0.5)
    before = int(await counter.inner_text())
    workspace.telegram.push_message(BOT, 202, "Where is my parcel?", first_name="Maria")
    await dashboard.wait_for_function(
        "n => Number(document.querySelector('#stat-messages-today').innerText) > n", arg=before, timeout=10_000)

    conversation = workspace.conversation_of(202)
    first = await logged_in_page(browser, workspace, f"/live-chat?c={conversation['id']}")
    second = await logged_in_page(browser, workspace, f"/live-chat?c={conversation['id']}")
    for page in (first, second):
        await message(page, "Where is my parcel?").wait_for()
        await page.locator(f"#conversation-{conversation['id']}").wait_for()
    started = time.monotonic()
    workspace.telegram.push_message(BOT, 202, "It was due yesterday", first_name="Maria")
    await asyncio.gather(*(message(p, "It was due yesterday").wait_for() for p in (first, second)))
    both_seen = time.monotonic() - started
    print(f"\nnew customer message shown in two browsers {both_seen * 1000:.0f} ms after the fake Telegram got it")
    assert both_seen < 1.0

    await first.click("#take-over")
    await second.locator("#taken-over-badge").wait_for()  # the other browser sees the takeover live
    await first.fill("#note-input", "Customer called twice")
    await first.click("#note-add")
    await second.locator(".note-text", has_text="Customer called twice").wait_for()
    sent_before = len(workspace.telegram.sent(token=BOT, chat_id=202))
    await first.fill("#composer", "Checking with the courier now")
    await first.press("#composer", "Enter")
    sent = await workspace.telegram.awaited_sent(sent_before + 1, token=BOT, chat_id=202)
    assert sent[-1].text == "Checking with the courier now"
    bubble = second.locator(".message", has_text="Checking with the courier now")
    await bubble.locator(".delivery", has_text="sent").wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await first.screenshot(path=str(SCREENSHOTS / "live-chat.png"))
    async with first.expect_download() as download_info:
        await first.click("#export")
    download = await download_info.value
    csv_text = Path(await download.path()).read_text(encoding="utf-8-sig")
    assert download.suggested_filename.startswith(f"conversation-{conversation['id']}-telegram-")
    assert "Where is my parcel?" in csv_text and "Checking with the courier now" in csv_text


async def test_customer_text_is_shown_as_text(workspace, browser):
    dialogs: list[str] = []
    workspace.telegram.push_message(BOT, 303, "<img src=x onerror=alert(1)>", first_name="<b>Eve</b>")
    workspace.telegram.push_message(BOT, 303, "[x](javascript:alert(1))", first_name="<b>Eve</b>")
    conversation = workspace.conversation_of(303)
    page = await logged_in_page(browser, workspace, f"/live-chat?c={conversation['id']}")
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await message(page, "[x](javascript:alert(1))").wait_for()
    texts = await page.locator(".message-text").all_inner_texts()
    assert "<img src=x onerror=alert(1)>" in texts
    assert await page.locator("#messages img").count() == 0 and await page.locator("#messages a").count() == 0
    assert await page.locator("#conversation-contact").inner_text() == "<b>Eve</b>"
    await message(page, "Reply to: [x](javascript:alert(1))").wait_for()
    assert dialogs == []


async def test_alert_of_a_very_negative_message_links_to_its_conversation(workspace, browser):
    page = await logged_in_page(browser, workspace, "/alerts")
    await page.locator("#alerts-table").wait_for()
    workspace.telegram.push_message(BOT, 404, "This is the worst experience ever! I want a refund immediately!",
                                    first_name="Olga")
    link = page.locator(".alert-row .alert-conversation", has_text="Olga").first
    await link.wait_for(timeout=10_000)  # pushed to the open page
    await link.click()
    await page.wait_for_url("**/live-chat?c=*")
    await page.locator("#conversation-contact", has_text="Olga").wait_for()
    await message(page, "This is the worst experience ever! I want a refund immediately!").wait_for()


async def broadcast_form(browser, workspace, name: str, text: str):
    """The broadcasts page with the agent chosen, the campaign's name and message filled in."""
    page = await logged_in_page(browser, workspace, "/broadcasts")
    await page.click("#broadcast-agent")
    await page.get_by_role("option", name="Shop").click()
    await page.fill("#broadcast-name", name)
    await page.fill("#broadcast-message", text)
    return page


async def test_a_broadcast_created_in_the_page_reaches_100_percent(workspace, browser):
    page = await broadcast_form(browser, workspace, "Spring sale", "Hi {name}, 20% off today")
    await page.fill("#broadcast-recipients", "202\n303, 404\nnot-a-chat")
    await page.click("#broadcast-preview")
    await page.locator("#preview-valid", has_text="3").wait_for()
    await page.click("#broadcast-confirm")
    campaign = page.locator(".broadcast", has_text="Spring sale")
    await campaign.locator(".broadcast-counts", has_text="100% · 3 sent · 0 failed · 0 pending · 1 skipped of 4").wait_for()
    assert await campaign.locator(".broadcast-progress").get_attribute("data-state") == "complete"
    sent = {m.chat_id: m.text for m in workspace.telegram.sent(token=BOT) if "20% off" in m.text}
    assert sent == {202: "Hi Maria, 20% off today", 303: "Hi <b>Eve</b>, 20% off today", 404: "Hi Olga, 20% off today"}


async def test_health_badge_follows_an_integration_stopped(workspace, browser):
    """Last in this module: it stops the bot. The badge changes at once, with no reload (its 30 s
    refresh would be too late for this wait)."""
    page = await logged_in_page(browser, workspace, "/")
    telegram = page.locator("#health-telegram")
    await telegram.filter(has_text="Telegram 1/1").wait_for()
    integration = workspace.api.get("/api/integrations").json()["results"][0]
    started = time.monotonic()
    assert workspace.api.post(f"/api/integrations/{integration['id']}/stop").status_code == 200
    await telegram.filter(has_text="Telegram 0/1").wait_for(timeout=5_000)
    print(f"\nhealth badge updated {(time.monotonic() - started) * 1000:.0f} ms after the bot was stopped")
