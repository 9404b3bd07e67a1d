"""The dashboard's charts counted in SQL: hours and days by channel, in UTC or the browser's offset; sentiment."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ai_agents.core.errors import ValidationFailed
from ai_agents.core.types import Role
from ai_agents.db.models import Agent, Conversation, Integration, Message
from ai_agents.db.session import session_scope
from ai_agents.services.workspace.activity import message_activity

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)  # the `clock` fixture's time


def seed_messages(ctx, moments_by_channel: dict[str, list[datetime]], sentiments: list[float | None] = ()) -> None:
    with session_scope(ctx.engine) as session:
        agent = Agent(name="A", model="m")
        session.add(agent)
        session.flush()
        for number, (channel, moments) in enumerate(moments_by_channel.items()):
            bot = Integration(agent_id=agent.id, channel=channel, provider="p")
            session.add(bot)
            session.flush()
            chat = Conversation(agent_id=agent.id, integration_id=bot.id, channel=channel, remote_id=str(number))
            session.add(chat)
            session.flush()
            session.add_all(Message(conversation_id=chat.id, integration_id=bot.id, role=Role.ASSISTANT, text="x",
                                    created_at=moment) for moment in moments)
            session.add_all(Message(conversation_id=chat.id, integration_id=bot.id, role=Role.USER, text="y",
                                    sentiment=score, created_at=NOW - timedelta(hours=1)) for score in sentiments)
            sentiments = ()


async def test_hours_and_days_by_channel_in_utc(ctx):
    seed_messages(ctx, {
        "telegram": [NOW, NOW + timedelta(minutes=59), NOW - timedelta(minutes=1), NOW - timedelta(hours=23),
                     NOW - timedelta(hours=24, seconds=1)],  # the last one is before the 24 hours shown
        "whatsapp": [NOW + timedelta(minutes=5), NOW - timedelta(days=13), NOW - timedelta(days=14, hours=11)],
    })
    activity = message_activity(ctx)
    hourly, daily = activity["hourly"], activity["daily"]
    assert len(hourly) == 24 and hourly[-1]["label"] == "10:00" and hourly[0]["label"] == "11:00"
    assert hourly[-1]["start"] == NOW and (hourly[-1]["telegram"], hourly[-1]["whatsapp"]) == (2, 1)
    assert hourly[-2]["label"] == "09:00" and hourly[-2]["telegram"] == 1 and hourly[-2]["total"] == 1
    assert hourly[0]["telegram"] == 1 and hourly[1]["telegram"] == 0  # 11:00 yesterday is the first hour shown
    assert sum(h["total"] for h in hourly) == 5
    assert len(daily) == 14 and daily[-1]["label"] == "23 Nov" and daily[0]["label"] == "10 Nov"
    assert (daily[-1]["telegram"], daily[-1]["whatsapp"]) == (3, 1)
    assert daily[-2]["telegram"] == 2 and daily[0]["whatsapp"] == 1  # 14 days 11 h ago: 8 Nov, not shown
    assert sum(d["total"] for d in daily) == 7 and all(d["instagram"] == 0 for d in daily)


async def test_buckets_follow_the_browsers_offset(ctx):
    """At 10:00 UTC it is 15:30 in India (+05:30) and 00:00 the same day in Hawaii (-10:00)."""
    seed_messages(ctx, {"telegram": [NOW - timedelta(minutes=20), NOW - timedelta(minutes=29), NOW - timedelta(minutes=1)]})
    india = message_activity(ctx, utc_offset_minutes=330)["hourly"]
    assert india[-1]["label"] == "15:00" and india[-1]["telegram"] == 3  # 15:00-16:00 local: 09:30-10:30 UTC
    assert india[-1]["start"] == NOW - timedelta(minutes=30)
    hawaii = message_activity(ctx, utc_offset_minutes=-600)
    assert hawaii["daily"][-1]["label"] == "23 Nov" and hawaii["daily"][-1]["telegram"] == 0
    assert hawaii["daily"][-2]["label"] == "22 Nov" and hawaii["daily"][-2]["telegram"] == 3  # before local midnight
    assert hawaii["hourly"][-1]["label"] == "00:00" and hawaii["hourly"][-2]["telegram"] == 3


async def test_sentiment_of_recent_customer_messages(ctx):
    seed_messages(ctx, {"telegram": [NOW]}, sentiments=[0.8, 0.5, 0.0, 0.05, -0.06, -0.9, None])
    assert message_activity(ctx)["sentiment"] == {"positive": 2, "neutral": 2, "negative": 2}


async def test_an_offset_out_of_range_is_refused(ctx):
    with pytest.raises(ValidationFailed) as caught:
        message_activity(ctx, utc_offset_minutes=15 * 60)
    assert caught.value.problems[0].field == "utc_offset_minutes"
