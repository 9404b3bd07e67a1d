"""Meta credentials entered again (PUT /api/integrations/{id}): a revoked token replaced in place,
the conversations kept; secrets never shown; wrong account or fields refused with the reason."""

from __future__ import annotations

from tests.fakes.meta_webhooks import post_signed, wa_change, wa_payload, wa_text
from tests.support.flows import create_agent
from tests.support.meta import APP_SECRET, connect_whatsapp_cloud

NUMBER_ID = "106540352242933"
OLD, NEW = "EAAGoldtokenvalue000000000000000000001", "EAAGnewtokenvalue000000000000000000002"
HOOK = "/api/webhooks/whatsapp"


async def test_a_revoked_token_is_replaced_and_the_conversation_goes_on(live, live_api, fake_graph, fake_openai, logs):
    agent = await create_agent(live_api)
    integration = await connect_whatsapp_cloud(live_api, agent["id"], fake_graph, NUMBER_ID, OLD)
    url = f"/api/integrations/{integration['id']}"
    payload = wa_payload(wa_change(NUMBER_ID, messages=[wa_text("14155550123", "Hi", "wamid.C1")]))
    assert (await post_signed(live_api, HOOK, payload, APP_SECRET)).status_code == 200
    await fake_graph.awaited_sent(1, account=NUMBER_ID)

    fake_graph.revoke(OLD)
    fake_graph.grant(NUMBER_ID, NEW)
    refused = await live_api.put(url, json={"token": NEW})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "token"
    replaced = await live_api.put(url, json={"access_token": NEW, "api_base_url": fake_graph.base_url})
    assert replaced.status_code == 200, replaced.text
    view = replaced.json()["results"]
    assert view["token"] == "EA...0002" and NEW not in replaced.text and NEW not in logs.text

    second = wa_payload(wa_change(NUMBER_ID, messages=[wa_text("14155550123", "Still there?", "wamid.C2")]))
    assert (await post_signed(live_api, HOOK, second, APP_SECRET)).status_code == 200  # app secret kept
    sent = await fake_graph.awaited_sent(2, account=NUMBER_ID)
    assert sent[-1].text == "Reply to: Still there?"
    conversations = (await live_api.get("/api/conversations")).json()["results"]
    assert len(conversations) == 1  # the same conversation: nothing was deleted to change the token


async def test_a_token_of_another_number_or_credentials_for_a_device_are_refused(live, live_api, fake_graph):
    agent = await create_agent(live_api)
    integration = await connect_whatsapp_cloud(live_api, agent["id"], fake_graph, NUMBER_ID, OLD)
    fake_graph.add_phone_number("999000111222333", NEW)
    other = await live_api.put(f"/api/integrations/{integration['id']}", json={"access_token": NEW})
    assert other.status_code == 400 and "access_token" in other.json()["message"]  # checked against this number
    empty = await live_api.put(f"/api/integrations/{integration['id']}", json={})
    assert empty.status_code == 422 and "access_token" in empty.json()["errors"][0]["message"]
    device = (await live_api.post(f"/api/agents/{agent['id']}/integrations", json={"type": "whatsapp"})).json()
    no_token = await live_api.put(f"/api/integrations/{device['results']['id']}", json={"access_token": NEW})
    assert no_token.status_code == 422
