"""The workspace pages in Chromium against the real server (API_TOKEN set, fake Telegram and LLM):
the dashboard's charts rising live, dark mode kept and readable, live chat's window of messages
scrolled both ways, and a broadcast from an uploaded CSV: preview, {name}, scheduled, failed and skipped recipients."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from benchmarks.live_chat import add_history

from ai_agents.ui.paging import WINDOW
from tests.e2e.test_workspace_ui import (  # noqa: F401 (workspace: the module's running platform)
    API_TOKEN,
    BOT,
    SCREENSHOTS,
    broadcast_form,
    logged_in_page,
    message,
    workspace,
)

pytestmark = pytest.mark.e2e
PAGES = ("/", "/agents", "/integrations", "/live-chat", "/broadcasts", "/alerts")
# The contrast of every visible text against the background it is drawn on (alpha blended), lowest
# first; text drawn off the page (Recharts measures labels at top: -20000px) is not seen by anyone.
LOWEST_CONTRASTS = """() => {
  const rgba = c => { const n = c.match(/[\\d.]+/g).map(Number); const scale = c.startsWith('color(') ? 255 : 1;
    return [n[0] * scale, n[1] * scale, n[2] * scale, n.length > 3 ? n[3] : 1]; };
  const over = (top, bottom) => top.slice(0, 3).map((v, i) => v * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const background = el => { const layers = [];
    for (; el; el = el.parentElement) { const c = rgba(getComputedStyle(el).backgroundColor); if (c[3] > 0) layers.push(c); }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]); };
  const lum = c => c.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const contrast = el => { const bg = background(el), fg = over(rgba(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x); return (a + 0.05) / (b + 0.05); };
  return [...document.querySelectorAll('h1, h2, h3, p, span, a, label, button')]
    .filter(el => el.checkVisibility({opacityProperty: true, visibilityProperty: true})
      && el.getBoundingClientRect().bottom + window.scrollY > 0 && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(el => [el.innerText.slice(0, 40), Math.round(contrast(el) * 100) / 100]).sort((x, y) => x[1] - y[1]).slice(0, 3);
}"""

SCROLL_TO_THE_TOP = """id => { const pane = document.getElementById('messages'); pane.scrollTop = -pane.scrollHeight;
  return document.getElementById(id).getBoundingClientRect().y; }"""
SCROLL_TO_THE_BOTTOM = """id => { const pane = document.getElementById('messages'); pane.scrollTop = 0;
  return document.getElementById(id).getBoundingClientRect().y; }"""
IN_VIEW = """text => { const pane = document.getElementById('messages').getBoundingClientRect();
  const found = [...document.querySelectorAll('#messages .message-text')].find(el => el.innerText === text);
  if (!found) return false;
  const box = found.getBoundingClientRect(); return box.top >= pane.top - 1 && box.bottom <= pane.bottom + 1; }"""
COUNT_THE_MOST_BUBBLES = """() => { window.mostBubbles = 0; const pane = document.getElementById('messages');
  new MutationObserver(() => { window.mostBubbles = Math.max(window.mostBubbles,
    pane.querySelectorAll('.message').length); }).observe(pane, {childList: true, subtree: true}); }"""


async def number_in(page, selector: str) -> int:
    """The first number of the element's text: "12 messages · UTC", "positive: 3"."""
    return int(next(word for word in (await page.locator(selector).inner_text()).split() if word.isdigit()))


async def agent_id(workspace) -> int:
    return workspace.api.get("/api/agents").json()["results"][0]["id"]


async def test_dashboard_charts_rise_with_a_message_in_the_browsers_time_zone(workspace, browser):
    context = await browser.new_context(timezone_id="Asia/Kolkata", viewport={"width": 1440, "height": 1000})
    page = await context.new_page()
    await page.goto(workspace.server.base_url + "/")
    await page.fill("#login-password", API_TOKEN)
    await page.click("#login-submit")
    await page.locator("#messages-24h", has_text="UTC+05:30").wait_for()
    before, positive = await number_in(page, "#messages-24h"), await number_in(page, "#sentiment-positive")
    workspace.telegram.push_message(BOT, 901, "Thank you so much! Great service!", first_name="Nina")
    await page.wait_for_function(
        "n => parseInt(document.querySelector('#messages-24h').innerText) >= n + 2", arg=before, timeout=10_000)
    await page.wait_for_function(  # the customer's message and the AI's answer, with no reload
        "n => Number(document.querySelector('#sentiment-positive').innerText.split(': ')[1]) > n", arg=positive)
    assert await page.locator("#chart-hourly .recharts-bar-rectangle").count() >= 1
    assert await page.locator("#chart-daily .recharts-bar-rectangle").count() >= 1
    await page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    await context.close()


async def test_dark_mode_is_kept_after_a_reload_and_every_page_is_readable(workspace, browser):
    page = await logged_in_page(browser, workspace)
    await page.locator("#dark-mode").wait_for()
    assert await page.evaluate("document.documentElement.classList.contains('light')")
    for mode in ("light", "dark"):
        if mode == "dark":
            await page.click("#dark-mode")
            await page.wait_for_function("document.documentElement.classList.contains('dark')")
            await page.reload()
            await page.locator("#dark-mode[data-state='checked']").wait_for()
            assert await page.evaluate("document.documentElement.classList.contains('dark')")
        for path in PAGES:
            await page.goto(workspace.server.base_url + path)
            await page.locator("#health-status").wait_for()
            await asyncio.sleep(0.3)  # the page's data in
            lowest = await page.evaluate(LOWEST_CONTRASTS)
            assert lowest and lowest[0][1] >= 3.0, (mode, path, lowest)  # WCAG AA for large text and UI parts
    assert await page.evaluate("document.documentElement.classList.contains('dark')")


async def scroll_up_once(page, bubbles) -> None:
    """Scroll to the top: the older page comes in, and the message that was at the top stays put."""
    shown_first = await bubbles.first.get_attribute("id")
    top_before = await page.evaluate(SCROLL_TO_THE_TOP, shown_first)
    await page.wait_for_function("id => document.querySelector('#messages .message').id !== id", arg=shown_first)
    await asyncio.sleep(0.1)
    assert abs((await page.locator("#" + shown_first).bounding_box())["y"] - top_before) < 40  # not moved


async def scroll_down_once(page, bubbles) -> None:
    """Scroll to the bottom of the window: the newer page comes in, the last one shown stays put."""
    shown_last = await bubbles.last.get_attribute("id")
    bottom_before = await page.evaluate(SCROLL_TO_THE_BOTTOM, shown_last)
    await page.wait_for_function("id => [...document.querySelectorAll('#messages .message')].pop().id !== id",
                                 arg=shown_last)
    await asyncio.sleep(0.1)
    assert abs((await page.locator("#" + shown_last).bounding_box())["y"] - bottom_before) < 40


async def in_view(page, text: str) -> bool:
    return await page.evaluate(IN_VIEW, text)


async def test_the_pane_is_a_window_scrolled_both_ways_with_new_messages_marked_not_jumped_to(workspace, browser):
    workspace.telegram.push_message(BOT, 902, "First words", first_name="Otto")
    conversation = workspace.conversation_of(902)
    await workspace.telegram.awaited_sent(1, token=BOT, chat_id=902)
    add_history(workspace.server.data_dir / "ai_agents.db", conversation["id"], 640)
    total = workspace.api.get(f"/api/conversations/{conversation['id']}").json()["results"]["message_count"]
    page = await logged_in_page(browser, workspace, f"/live-chat?c={conversation['id']}")
    bubbles = page.locator("#messages .message")
    await message(page, "Message 639: " + "Your order ships today. " * 3).wait_for()
    await page.evaluate(COUNT_THE_MOST_BUBBLES)
    assert await bubbles.count() == 50 and total == 642
    while await page.locator("#load-older").count():  # up to the very first message
        await scroll_up_once(page, bubbles)
        assert await bubbles.count() <= WINDOW
    assert await bubbles.count() == WINDOW and await message(page, "First words").count() == 1
    assert await page.locator("#jump-latest").inner_text() == "Jump to latest ↓"

    oldest_y = (await message(page, "First words").bounding_box())["y"]
    workspace.telegram.push_message(BOT, 902, "Anyone there?", first_name="Otto")  # and the AI answers
    await page.locator("#jump-latest", has_text=re.compile(r"^2 new messages ↓$")).wait_for(timeout=10_000)
    assert abs((await message(page, "First words").bounding_box())["y"] - oldest_y) < 2  # the view did not jump
    assert await message(page, "Anyone there?").count() == 0

    await page.click("#take-over")  # an action keeps the reader where they are
    await page.locator("#taken-over-badge").wait_for()
    await asyncio.sleep(0.3)
    assert abs((await message(page, "First words").bounding_box())["y"] - oldest_y) < 2
    assert await page.locator("#jump-latest").count() == 1

    await page.click("#jump-latest")  # the marker jumps to the latest
    await message(page, "Anyone there?").wait_for()
    await page.wait_for_function(IN_VIEW, arg="Reply to: Anyone there?")
    assert await bubbles.count() == 50 and await page.locator("#jump-latest").count() == 0

    for _ in range(4):  # up past the window again; sending a message brings the latest back
        await scroll_up_once(page, bubbles)
    assert await page.locator("#load-newer").count() == 1
    await page.fill("#composer", "Here is what I found")
    await page.press("#composer", "Enter")
    await message(page, "Here is what I found").wait_for()
    await page.wait_for_function(IN_VIEW, arg="Here is what I found")

    for _ in range(4):  # and up once more, then scrolled back down to the latest
        await scroll_up_once(page, bubbles)
    while await page.locator("#load-newer").count():
        await scroll_down_once(page, bubbles)
        assert await bubbles.count() <= WINDOW
    await page.evaluate("() => { document.getElementById('messages').scrollTop = 0; }")
    assert await page.locator("#jump-latest").count() == 0 and await in_view(page, "Here is what I found")

    started = time.monotonic()  # at the bottom, a new message shows at once, in view
    workspace.telegram.push_message(BOT, 902, "Thanks, bye", first_name="Otto")
    await message(page, "Thanks, bye").wait_for()
    shown_after = time.monotonic() - started
    await page.wait_for_function(IN_VIEW, arg="Thanks, bye")
    print(f"\nnew message shown {shown_after * 1000:.0f} ms after arriving, with {await bubbles.count()} in the pane")
    assert shown_after < 1.0
    assert await page.evaluate("() => window.mostBubbles") <= WINDOW  # never more in the page


async def test_a_broadcast_from_a_csv_is_previewed_sent_with_names_and_its_skipped_row_listed(workspace, browser, tmp_path):
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("chat_id;name\n911;Ann\n912;Ben\nnot-a-chat;Nobody\n", encoding="utf-8")
    page = await broadcast_form(browser, workspace, "New arrivals", "Hello {name}, new arrivals are in")
    await page.set_input_files("#broadcast-csv input[type=file]", str(csv_file))
    await page.locator("#upload-summary", has_text="customers.csv: 3 recipients, 3 with a name").wait_for()
    await page.click("#broadcast-preview")
    await page.locator("#preview-valid", has_text="2").wait_for()
    assert await page.locator("#preview-invalid").inner_text() == "1"
    assert "not-a-chat: invalid recipient" in await page.locator(".preview-skipped").inner_text()
    assert await page.locator("#preview-sample").inner_text() == "First message: Hello Ann, new arrivals are in"
    campaigns = workspace.api.get(f"/api/agents/{await agent_id(workspace)}/settings/broadcast").json()["results"]
    assert campaigns == []  # a preview creates nothing
    await page.screenshot(path=str(SCREENSHOTS / "broadcasts.png"), full_page=True)
    await page.click("#broadcast-confirm")
    campaign = page.locator(".broadcast", has_text="New arrivals")
    await campaign.locator(".broadcast-counts", has_text="100% · 2 sent · 0 failed · 0 pending · 1 skipped of 3").wait_for()
    sent = {m.chat_id: m.text for m in workspace.telegram.sent(token=BOT) if "new arrivals" in m.text}
    assert sent == {911: "Hello Ann, new arrivals are in", 912: "Hello Ben, new arrivals are in"}
    await campaign.locator(".broadcast-problems").click()
    problem = campaign.locator(".recipient-problem")
    await problem.wait_for()
    assert "not-a-chat" in await problem.inner_text() and "invalid recipient" in await problem.inner_text()


async def test_a_scheduled_broadcast_waits_and_is_cancelled(workspace, browser):
    page = await broadcast_form(browser, workspace, "Tomorrow's offer", "See you tomorrow")
    await page.fill("#broadcast-recipients", "913")
    await page.click("#broadcast-later")
    await page.fill("#broadcast-zone", "Mars/Base")
    await page.fill("#broadcast-time", "2020-01-01T09:00:00")
    await page.click("#broadcast-preview")
    await page.locator("#broadcast-error", has_text="timezone: unknown timezone 'Mars/Base'").wait_for()
    await page.fill("#broadcast-zone", "Europe/Berlin")
    await page.click("#broadcast-preview")
    await page.locator("#broadcast-error", has_text="scheduled_at: is in the past").wait_for()
    tomorrow = (datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(days=1)).replace(second=0, microsecond=0)
    await page.fill("#broadcast-time", tomorrow.strftime("%Y-%m-%dT%H:%M:%S"))
    await page.click("#broadcast-preview")
    confirm = page.locator("#broadcast-confirm", has_text=f"Schedule for {tomorrow:%d %b %Y %H:%M} Europe/Berlin")
    await confirm.click()
    campaign = page.locator(".broadcast", has_text="Tomorrow's offer")
    await campaign.locator(".broadcast-status", has_text="pending").wait_for()
    scheduled = tomorrow.astimezone(ZoneInfo("UTC"))
    assert await campaign.locator(".broadcast-scheduled").inner_text() == f"scheduled for {scheduled:%d %b %H:%M} UTC"
    started = time.monotonic()
    while time.monotonic() - started < 1.5:  # a few of the server's broadcast ticks: it waits
        assert workspace.telegram.sent(token=BOT, chat_id=913) == []
        await asyncio.sleep(0.25)
    await campaign.locator(".broadcast-cancel").click()
    await campaign.locator(".broadcast-status", has_text="cancelled").wait_for()
    assert workspace.telegram.sent(token=BOT, chat_id=913) == []
