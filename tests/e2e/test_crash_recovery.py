"""A server killed mid-broadcast and started again: nothing lost silently, nothing sent twice."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from ai_agents.services.outbound.outbox import INTERRUPTED
from tests.support.server import PlatformServer

pytestmark = pytest.mark.e2e
TOKEN = "1414:AAcrashtesttokenvalue00000000000014"
CAMPAIGNS, RECIPIENTS = 5, 1_000


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def recipients_of(campaign: int) -> list[str]:
    return [str(100_000 * (campaign + 1) + i) for i in range(RECIPIENTS)]


def test_kill_during_five_campaigns_then_restart(tmp_path, fake_telegram):
    """SIGKILL while 5 campaigns x 1,000 recipients are being sent, then a restart: at the bot API
    no recipient gets a campaign twice; in the campaign's status every recipient is sent, or
    failed with the "interrupted" reason (a send cut off by the crash is never resent); the
    counts add up to 1,000 and every campaign finishes."""
    fake_telegram.add_bot(TOKEN, username="crash_bot")
    fake_telegram.set_latency("sendMessage", 0.02)
    env = {"OUTBOX_LEASE_SECONDS": "2", "BROADCAST_TICK_SECONDS": "0.2"}
    first = PlatformServer(tmp_path / "data", tmp_path / "first.log", env).start()
    try:
        with httpx.Client(base_url=first.base_url, timeout=30) as api:
            agent = api.post("/api/agents", json={"name": "Crash", "model": "gpt-4o-mini"}).json()["results"]
            body = {
                "type": "telegram",
                "token": TOKEN,
                "api_base_url": fake_telegram.base_url,
                "rate_limit_per_second": 1000,
            }
            assert api.post(f"/api/agents/{agent['id']}/integrations", json=body).status_code == 201
            url = f"/api/agents/{agent['id']}/settings/broadcast"
            ids = []
            for campaign in range(CAMPAIGNS):
                body = {"message": f"Flash sale {campaign}", "integration_type": "telegram", "recipients": recipients_of(campaign)}
                created = api.post(url, json=body)
                assert created.status_code == 201, created.text
                ids.append(created.json()["results"]["id"])
        wait_for(lambda: len(fake_telegram.sent(token=TOKEN)) >= CAMPAIGNS * RECIPIENTS * 0.3, 60, "30% sent")
    finally:
        first.kill()
    sent_before = len(fake_telegram.sent(token=TOKEN))
    assert sent_before < CAMPAIGNS * RECIPIENTS  # really killed mid-way

    second = PlatformServer(tmp_path / "data", tmp_path / "second.log", env).start()
    try:
        with httpx.Client(base_url=second.base_url, timeout=30) as api:
            def all_finished():
                states = [api.get(f"{url}/{i}").json()["results"] for i in ids]
                return all(s["status"].startswith("completed") for s in states) and states

            finals = wait_for(all_finished, 90, "every campaign completed after the restart")
            rows = [api.get(f"{url}/{i}/recipients", params={"limit": 5000}).json()["results"] for i in ids]
    finally:
        second.stop()

    deliveries = Counter((s.text, str(s.chat_id)) for s in fake_telegram.sent(token=TOKEN))
    assert max(deliveries.values()) == 1, [k for k, n in deliveries.items() if n > 1][:5]  # never twice
    interrupted_total = 0
    for campaign, (final, recipients) in enumerate(zip(finals, rows)):
        text = f"Flash sale {campaign}"
        delivered = {chat for sent_text, chat in deliveries if sent_text == text}
        sent = {r["recipient"] for r in recipients if r["status"] == "sent"}
        interrupted = {r["recipient"] for r in recipients if r["status"] == "failed" and r["error"] == INTERRUPTED}
        assert len(recipients) == RECIPIENTS and sent | interrupted == set(recipients_of(campaign))  # nothing lost
        assert (final["sent"], final["failed"], final["pending"], final["skipped"]) == (len(sent), len(interrupted), 0, 0)
        assert final["sent"] + final["failed"] == final["total"] == RECIPIENTS
        assert sent <= delivered <= sent | interrupted  # a recorded send really happened
        interrupted_total += len(interrupted)
    assert interrupted_total <= 64  # only what was in flight at the kill (32 sends at once)
