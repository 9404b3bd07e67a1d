"""Replies handed straight from the pipeline to the dispatcher: written leased, sent without a claim."""

from __future__ import annotations

from sqlmodel import Session, select

from ai_agents.core.types import OutboxStatus
from ai_agents.db.models import OutboxMessage
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "7007:AAhandofftokenvalue000000000000007"


def claimed_rows(live) -> list[int]:
    """Wrap the dispatcher's claim: the ids of the rows it leased."""
    claimed: list[int] = []
    claim = live.dispatcher._claim

    def counted(limit, sending):
        result = claim(limit, sending)
        claimed.extend(row.id for row in result[0])
        return result

    live.dispatcher._claim = counted
    return claimed


def rows(live) -> list[OutboxMessage]:
    with Session(live.ctx.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_reply_is_sent_without_a_claim_of_its_own(live, live_api, fake_telegram):
    claimed = claimed_rows(live)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 30, "hello")  # may come before the dispatcher saw the bot run
    await fake_telegram.awaited_sent(1, token=TOKEN)
    for chat in (31, 32, 33):
        fake_telegram.push_message(TOKEN, chat, f"hello from {chat}")
    sent = await fake_telegram.awaited_sent(4, token=TOKEN)
    assert sorted(s.text for s in sent[1:]) == [f"Reply to: hello from {chat}" for chat in (31, 32, 33)]
    await wait_until(lambda: all(row.status == OutboxStatus.SENT for row in rows(live)), what="rows marked sent")
    assert set(claimed) <= {rows(live)[0].id}  # the later rows were written leased and handed over
    slots = live.dispatcher.slots
    await wait_until(lambda: slots.free() == slots.size, what="every send slot back")


async def test_a_reply_behind_an_earlier_row_to_the_same_chat_waits_for_its_turn(live, live_api, fake_telegram):
    """Order per recipient first: while an earlier row to the chat is still to go (the channel
    failed it once), the reply is written pending and claimed after it, never handed past it."""
    claimed = claimed_rows(live)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.fail("sendMessage", status=429, retry_after=1)  # the first reply waits a second
    fake_telegram.push_message(TOKEN, 41, "first")
    await wait_until(lambda: any(row.attempts == 1 for row in rows(live)), what="the first reply failed once")
    fake_telegram.push_message(TOKEN, 41, "second")
    sent = await fake_telegram.awaited_sent(2, token=TOKEN, chat_id=41)
    assert [s.text for s in sent] == ["Reply to: first", "Reply to: second"]
    first, second = rows(live)
    assert first.id in claimed and second.id in claimed  # neither handed past the other
