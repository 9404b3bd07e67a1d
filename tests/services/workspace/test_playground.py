"""The try box: typed messages go through the whole pipeline and outbox to the playground adapter,
which no health count, integration list or plan body shows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ai_agents.core.errors import NotFound, ValidationFailed
from ai_agents.services.live_updates import LiveUpdates
from ai_agents.services.workspace import conversations, playground
from ai_agents.services.workspace.health import health_report
from ai_agents.services.workspace.integrations import list_integrations
from tests.support.flows import create_agent, wait_until


def _messages(ctx, conversation_id):
    return conversations.list_messages(ctx, conversation_id)


async def _answered(ctx, conversation_id, count=2):
    await wait_until(lambda: len(_messages(ctx, conversation_id)) >= count
                     and _messages(ctx, conversation_id)[-1]["status"] == "sent", what="the reply sent")
    return _messages(ctx, conversation_id)


async def test_a_typed_message_gets_the_agents_reply_through_the_outbox(live, live_api):
    agent = await create_agent(live_api)
    chat = playground.new_chat()
    assert isinstance(live.ctx.live, LiveUpdates)
    async with live.ctx.live.subscribe(["outbox_sent"]) as sent_events:
        conversation_id = await playground.say(live.ctx, agent["id"], chat, "Hello there")
        messages = await _answered(live.ctx, conversation_id)
        event = await sent_events.get()
    assert [(m["role"], m["text"], m["status"]) for m in messages] == [
        ("user", "Hello there", "handled"), ("assistant", "Reply to: Hello there", "sent")]
    assert event["conversation_id"] == conversation_id  # what the page follows
    view = conversations.get_conversation(live.ctx, conversation_id)
    assert (view["channel"], view["contact_name"], view["remote_jid"]) == ("playground", playground.TRY_CONTACT, chat)

    again = await playground.say(live.ctx, agent["id"], chat, "And again")
    assert again == conversation_id  # the same chat is the same conversation, on the same integration
    other = await playground.say(live.ctx, agent["id"], playground.new_chat(), "A new chat")
    assert other != conversation_id
    await _answered(live.ctx, other)


async def test_the_try_box_counts_in_no_health_figure_nor_integration_list(live, live_api):
    agent = await create_agent(live_api)
    await playground.say(live.ctx, agent["id"], playground.new_chat(), "Hi")
    report = health_report(live.ctx)
    assert report["status"] == "healthy"
    assert {k: report[k] for k in ("whatsapp", "telegram", "instagram")} == {
        "whatsapp": {"total_devices": 0, "connected_devices": 0},
        "telegram": {"total_bots": 0, "running_bots": 0},
        "instagram": {"total_pages": 0, "connected_pages": 0},
    }
    assert (await live_api.get("/api/health")).json()["results"]["telegram"] == {"total_bots": 0, "running_bots": 0}
    assert list_integrations(live.ctx) == [] and list_integrations(live.ctx, agent["id"]) == []
    assert (await live_api.get("/api/integrations")).json()["results"] == []


async def test_outside_working_hours_the_try_box_gets_the_away_message(live, live_api):
    today = datetime.now(timezone.utc).date().isoformat()
    whole_week = {day: {"start": "00:00", "end": "24:00"} for day in
                  ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
    agent = await create_agent(live_api, settings={"working_hours": {
        "enabled": True, "timezone": "UTC", "schedule": whole_week, "holidays": [today],
        "away_message": "Closed today; back {next_open}."}})
    conversation_id = await playground.say(live.ctx, agent["id"], playground.new_chat(), "Are you open?")
    away = (await _answered(live.ctx, conversation_id))[-1]
    assert away["kind"] == "away" and away["text"].startswith("Closed today; back ")
    assert "{next_open}" not in away["text"] and away["text"].endswith(" 00:00 UTC.")


async def test_bad_input_and_a_missing_agent_are_refused(live, live_api):
    agent = await create_agent(live_api)
    with pytest.raises(ValidationFailed) as blank:
        await playground.say(live.ctx, agent["id"], playground.new_chat(), "")
    assert blank.value.problems[0].field == "text"
    with pytest.raises(ValidationFailed) as chat:
        await playground.say(live.ctx, agent["id"], "1234", "hi")
    assert chat.value.problems[0].field == "chat"
    with pytest.raises(NotFound):
        await playground.say(live.ctx, agent["id"] + 100, playground.new_chat(), "hi")


async def test_deleting_the_agent_removes_its_try_box(live, live_api):
    agent = await create_agent(live_api)
    await playground.say(live.ctx, agent["id"], playground.new_chat(), "Hi")
    integration_id = playground.playground_integration(live.ctx, agent["id"])
    assert live.channels.is_running(integration_id)
    assert (await live_api.delete(f"/api/agents/{agent['id']}")).status_code == 200
    assert not live.channels.is_running(integration_id)


async def test_try_box_chats_count_in_no_dashboard_counter_nor_chart(live, live_api):
    from ai_agents.services.workspace.activity import message_activity
    from ai_agents.services.workspace.dashboard import dashboard_stats

    agent = await create_agent(live_api)
    conversation_id = await playground.say(live.ctx, agent["id"], playground.new_chat(), "I love it, thanks!")
    await _answered(live.ctx, conversation_id)
    assert len(_messages(live.ctx, conversation_id)) == 2  # stored: the box talks to the real pipeline
    stats = dashboard_stats(live.ctx)
    assert (stats["messages_today"], stats["incoming_messages_today"], stats["conversations"],
            stats["active_conversations"], stats["conversations_by_channel"]) == (0, 0, 0, 0, {})
    assert stats["conversations_by_agent"] == [{"agent_id": agent["id"], "name": agent["name"], "conversations": 0}]
    activity = message_activity(live.ctx)
    assert sum(bucket["total"] for bucket in activity["hourly"]) == 0
    assert sum(activity["sentiment"].values()) == 0
