"""Dashboard and broadcasts page pieces without a browser: throttled refreshes, zone labels, schedule input."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timezone

import pytest

from ai_agents.core.errors import ValidationFailed
from ai_agents.services.context import ContextSlot
from ai_agents.services.live_updates import LiveUpdates
from ai_agents.ui import live
from ai_agents.ui.pages.broadcasts import _campaign_row, scheduled_moment
from ai_agents.ui.pages.dashboard import zone_label


async def test_a_stream_of_events_is_refreshed_a_few_times_and_the_last_one_is_not_lost(monkeypatch):
    """The dashboard under load: 40 messages in 0.4 s give a handful of refreshes (not 40), and the
    refresh after the last message comes (trailing edge), so the charts end up current."""
    updates = LiveUpdates()
    slot = ContextSlot()
    slot._context = type("Ctx", (), {"live": updates})()
    monkeypatch.setattr(live, "platform_context", slot.get)
    bursts: list[list[dict]] = []

    async def follow():
        async with contextlib.aclosing(live.live_bursts(("Dash", "tab"), ["message"], min_interval=0.2)) as found:
            async for burst in found:
                bursts.append(burst)

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.01)
    for n in range(40):
        updates.publish("message", conversation_id=n)
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 2 <= len(bursts) <= 4
    assert [e["conversation_id"] for burst in bursts for e in burst] == list(range(40))


def test_zone_labels():
    assert [zone_label(m) for m in (0, 330, -600, 60)] == ["UTC", "UTC+05:30", "UTC-10:00", "UTC+01:00"]


def test_a_scheduled_time_is_read_on_the_wall_clock_of_its_zone():
    assert scheduled_moment("2026-03-29T02:30", "Europe/Berlin").astimezone(timezone.utc) == datetime(
        2026, 3, 29, 1, 30, tzinfo=timezone.utc)  # a time skipped by DST is read as the old offset
    assert scheduled_moment("2026-07-01T09:00:00", "Europe/Berlin").astimezone(timezone.utc) == datetime(
        2026, 7, 1, 7, 0, tzinfo=timezone.utc)
    for local, zone, field in (("2026-07-01T09:00", "Mars/Base", "timezone"), ("", "UTC", "scheduled_at"),
                               ("tomorrow", "UTC", "scheduled_at")):
        with pytest.raises(ValidationFailed) as caught:
            scheduled_moment(local, zone)
        assert caught.value.problems[0].field == field


def test_a_campaign_row_says_when_a_pending_campaign_is_due():
    view = {"id": 3, "agent_id": 1, "name": "", "message": "Hi", "agent": "Shop", "integration_type": "telegram",
            "status": "pending", "total": 4, "sent": 0, "failed": 1, "skipped": 1, "cancelled": 0, "pending": 2,
            "created_at": datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc),
            "scheduled_at": datetime(2026, 11, 24, 8, 0, tzinfo=timezone.utc)}
    row = _campaign_row(view)
    assert (row["scheduled"], row["problems"], row["progress"], row["cancellable"]) == (
        "scheduled for 24 Nov 08:00 UTC", 2, 50, True)
    assert _campaign_row({**view, "status": "processing"})["scheduled"] == ""
