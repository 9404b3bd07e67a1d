"""Deleting agents and integrations: their bots stop, ids are never reused, a new bot takes over."""

from __future__ import annotations

from tests.support.flows import connect_bot, create_agent, wait_until

OLD_TOKEN = "5005:AAoldagentbottokenvalue00000000005"
NEW_TOKEN = "5006:AAnewagentbottokenvalue00000000006"


async def test_new_agent_after_deleting_one_uses_only_its_own_bot(live, live_api, fake_telegram, logs):
    """The new user's story: agent with a bot, deleted; a second agent with a new bot answers and
    broadcasts through the new bot only."""
    first = await create_agent(live_api, "First")
    await connect_bot(live_api, first["id"], fake_telegram, OLD_TOKEN, username="old_bot")
    deleted = await live_api.delete(f"/api/agents/{first['id']}")
    assert deleted.status_code == 200 and deleted.json()["results"]["deleted"] is True
    await wait_until(lambda: not fake_telegram.is_polling(OLD_TOKEN), what="the deleted agent's bot stops")
    assert logs.count("🗑️ Agent deleted: First (integrations stopped and removed: 1)") == 1

    second = await create_agent(live_api, "Second")
    assert second["id"] > first["id"]
    fake_telegram.add_bot(NEW_TOKEN, username="new_bot")
    body = {"type": "telegram", "token": NEW_TOKEN, "api_base_url": fake_telegram.base_url,
            "rate_limit_per_second": 500}
    created = await live_api.post(f"/api/agents/{second['id']}/integrations", json=body)
    assert created.status_code == 201, created.text
    await wait_until(lambda: fake_telegram.is_polling(NEW_TOKEN), what="the new bot polls")

    recipients = [str(700_000 + i) for i in range(80)]
    campaign = {"message": "News!", "integration_type": "telegram", "recipients": recipients}
    response = await live_api.post(f"/api/agents/{second['id']}/settings/broadcast", json=campaign)
    assert response.status_code == 201, response.text
    sent = await fake_telegram.awaited_sent(80, token=NEW_TOKEN, timeout=20)
    assert sorted(str(m.chat_id) for m in sent) == sorted(recipients)

    fake_telegram.push_message(NEW_TOKEN, 77, "hi new bot")
    reply = await fake_telegram.awaited_sent(1, token=NEW_TOKEN, chat_id=77)
    assert reply[0].text == "Reply to: hi new bot"
    assert fake_telegram.sent(token=OLD_TOKEN) == []
    assert not fake_telegram.is_polling(OLD_TOKEN)


async def test_ids_are_never_reused_after_delete(live, live_api, fake_telegram):
    agent = await create_agent(live_api, "Gone")
    await live_api.delete(f"/api/agents/{agent['id']}")
    assert (await create_agent(live_api, "Next"))["id"] > agent["id"]

    owner = await create_agent(live_api, "Owner")
    integration = await connect_bot(live_api, owner["id"], fake_telegram, OLD_TOKEN)
    assert (await live_api.delete(f"/api/integrations/{integration['id']}")).status_code == 200
    await wait_until(lambda: not fake_telegram.is_polling(OLD_TOKEN), what="polling stopped")
    again = await connect_bot(live_api, owner["id"], fake_telegram, OLD_TOKEN)
    assert again["id"] > integration["id"]
    assert (await live_api.get(f"/api/integrations/{again['id']}")).json()["results"]["running"] is True


async def test_removal_is_announced_to_every_registry(live, live_api, fake_telegram):
    """ChannelManager.remove is the one place an integration leaves: registered forgetters (the
    outbox's send budget) hear about every deleted integration, alone or with its agent."""
    forgotten: list[int] = []
    live.channels.on_remove(forgotten.append)
    agent = await create_agent(live_api)
    one = await connect_bot(live_api, agent["id"], fake_telegram, OLD_TOKEN, username="one_bot")
    two = await connect_bot(live_api, agent["id"], fake_telegram, NEW_TOKEN, username="two_bot")
    await live_api.delete(f"/api/integrations/{one['id']}")
    assert forgotten == [one["id"]] and not live.channels.is_running(one["id"])
    await live_api.delete(f"/api/agents/{agent['id']}")
    assert forgotten == [one["id"], two["id"]] and not live.channels.is_running(two["id"])
    await wait_until(lambda: not fake_telegram.is_polling(NEW_TOKEN), what="second bot stopped")
