"""UI pieces without a browser: the signed session, message rows, the live chat merge, one loop per tab."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timezone

import pytest

from ai_agents.services.context import ContextSlot
from ai_agents.services.live_updates import LiveUpdates
from ai_agents.ui import live
from ai_agents.ui.auth import SESSION_SECONDS, session_is_valid, sign_session
from ai_agents.ui.components.rows import message_row
from ai_agents.ui.paging import with_tail

TOKEN = "a-long-random-api-token-123456"
NOW = 1_800_000_000.0


def test_a_session_is_valid_only_for_its_token_and_until_it_expires():
    session = sign_session(TOKEN, now=NOW)
    assert session_is_valid(TOKEN, session, now=NOW + 60)
    assert not session_is_valid(TOKEN, session, now=NOW + SESSION_SECONDS + 1)  # expired
    assert not session_is_valid("another-api-token-0000000000", session, now=NOW)  # API_TOKEN changed
    expires, _, mac = session.partition(".")
    assert not session_is_valid(TOKEN, f"{int(expires) + 3600}.{mac}", now=NOW)  # expiry pushed back
    for forged in ("", "9999999999.forged", "abc.def", "."):
        assert not session_is_valid(TOKEN, forged, now=NOW)


def _view(**fields):
    base = {"id": 1, "role": "assistant", "kind": "reply", "text": "t", "translation": None, "sentiment": None,
            "status": "sent", "error": None, "author": None, "created_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}
    return {**base, **fields}


def test_message_rows_mark_who_wrote_and_what_happened():
    customer = message_row(_view(role="user", kind="chat", status="handled", sentiment=-0.8, translation="hola"))
    assert (customer["label"], customer["status"], customer["translation"]) == ("Customer", "", "hola")
    assert customer["sentiment"] == "very negative -0.80" and customer["sentiment_color"] == "red"
    away = message_row(_view(role="system", kind="away"))
    assert away["label"] == "Away message" and away["automatic"]
    follow_up = message_row(_view(role="system", kind="follow_up"))
    assert follow_up["label"] == "Follow-up" and follow_up["automatic"]
    failed = message_row(_view(role="manager", kind="manager", author="Ann", status="failed", error="blocked"))
    assert (failed["label"], failed["status"], failed["failed"], failed["error"]) == (
        "Manager · Ann", "failed", True, "blocked")
    suggestion = message_row(_view(status="suggested"))
    assert suggestion["suggestion"] and suggestion["status"] == "AI suggestion" and suggestion["label"] == "AI agent"


def test_the_fresh_tail_replaces_updated_messages_and_adds_new_ones():
    shown = [{"id": 1, "status": "queued"}, {"id": 2, "status": "queued"}]
    tail = [{"id": 2, "status": "sent"}, {"id": 3, "status": "queued"}]
    assert with_tail(shown, tail, page=50) == ([{"id": 1, "status": "queued"}, {"id": 2, "status": "sent"},
                                                {"id": 3, "status": "queued"}], False)


async def test_one_loop_per_tab_and_state(monkeypatch):
    """A second loop of the same tab and state replaces the first (no duplicates after a
    re-navigation); each subscribes, and both subscriptions end with their loops."""
    updates = LiveUpdates()
    slot = ContextSlot()
    slot._context = type("Ctx", (), {"live": updates})()
    monkeypatch.setattr(live, "platform_context", slot.get)
    seen: dict[str, list] = {"first": [], "second": []}

    async def loop(name):
        async with contextlib.aclosing(live.live_bursts(("S", "tab"), ["message"])) as bursts:
            async for burst in bursts:
                seen[name].extend(burst)

    first = asyncio.create_task(loop("first"))
    await asyncio.sleep(0.01)
    second = asyncio.create_task(loop("second"))
    await asyncio.sleep(0.01)
    updates.publish("message", conversation_id=1)
    await asyncio.sleep(live.SETTLE_SECONDS + 0.05)
    assert first.done() and first.cancelled()
    assert seen == {"first": [], "second": [{"kind": "message", "conversation_id": 1}]}
    assert live.running_loops() == 1 and updates.subscriber_count == 1
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    assert live.running_loops() == 0 and updates.subscriber_count == 0
