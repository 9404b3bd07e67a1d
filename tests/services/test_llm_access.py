"""The server's OPENAI_API_KEY goes only to the default endpoint, never to a host an agent names."""

from __future__ import annotations

from sqlmodel import Session, select

from ai_agents.core.types import AlertKind, MessageStatus
from ai_agents.db.models import Alert, Message
from tests.fakes.openai_server import FakeOpenAI
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "7007:AAllmaccesstesttokenvalue000000007"
OTHER_TOKEN = "7008:AAllmaccesstesttokenvalue000000008"


async def test_default_key_never_goes_to_an_agents_own_host(live, live_api, fake_telegram, fake_openai):
    with FakeOpenAI() as elsewhere:
        own_host = await create_agent(live_api, "Own host", base_url=elsewhere.base_url + "/v1")
        assert own_host["uses_default_api_key"] is False
        await connect_bot(live_api, own_host["id"], fake_telegram, TOKEN, username="own_bot")
        fake_telegram.push_message(TOKEN, 51, "who gets the key?")

        async def failed():
            with Session(live.ctx.engine) as session:
                return session.exec(select(Message).where(Message.status == MessageStatus.FAILED)).first()

        await wait_until(failed, what="the message fails for want of a key")
        assert elsewhere.requests() == []
        with Session(live.ctx.engine) as session:
            alert = session.exec(select(Alert).where(Alert.kind == AlertKind.LLM_FAILURE)).one()
        assert alert.agent_id == own_host["id"]

    default_host = await create_agent(live_api, "Default host", base_url=fake_openai.base_url + "/v1/")
    assert default_host["uses_default_api_key"] is True
    await connect_bot(live_api, default_host["id"], fake_telegram, OTHER_TOKEN, username="default_bot")
    fake_telegram.push_message(OTHER_TOKEN, 52, "and here?")
    await fake_telegram.awaited_sent(1, token=OTHER_TOKEN)
    assert [r["api_key"] for r in fake_openai.requests()] == ["sk-default-test-key"]
