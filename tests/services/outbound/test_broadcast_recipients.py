"""Campaign recipients: names for {name} (API and service), a CSV file read, a preview before sending,
the failed and skipped recipients listed with their reasons."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from ai_agents.core.errors import ValidationFailed
from ai_agents.db.models import Broadcast, Conversation
from ai_agents.services.outbound.broadcast_recipients import MAX_CSV_BYTES, check_recipients, read_recipients_csv
from tests.services.outbound.test_broadcasts import TOKEN, bot_agent, status
from tests.support.flows import wait_until


@pytest.fixture
def settings_overrides():
    return {"broadcast_tick_seconds": 0.1}


def test_a_csv_with_a_header_names_its_columns():
    data = "\ufeffName;Phone\nAnn;+1 415 555 0100\n\n;+14155550101\nBo;\n".encode()
    assert read_recipients_csv(data) == (["+1 415 555 0100", "+14155550101"], {"+1 415 555 0100": "Ann"},
                                         ["row 5: no recipient"])


def test_a_csv_without_a_header_is_recipient_then_name():
    data = b"123456789,Ann\n987654321\n123456789,Ann again\n"
    assert read_recipients_csv(data) == (["123456789", "987654321", "123456789"], {"123456789": "Ann"}, [])


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\xff\xfe1\x002\x00", "not UTF-8"),
        (b"\n \n", "no rows"),
        (b"name,city\nAnn,Rome\n", "no recipient column"),
        (b"1" * (MAX_CSV_BYTES + 1), "at most 8 MB"),
    ],
)
def test_a_file_that_is_not_a_recipient_csv_is_refused_naming_the_file(data, fragment):
    with pytest.raises(ValidationFailed) as caught:
        read_recipients_csv(data)
    assert caught.value.problems[0].field == "file" and fragment in caught.value.problems[0].message


def test_recipients_are_normalised_deduplicated_and_named():
    checked = check_recipients("whatsapp", ["+1 (415) 555-0100", "14155550100", "+1415", "+14155550199"],
                               {"+1 415 555 0100": " Ann "})
    assert checked.names == {"+14155550100": "Ann", "+1415": None, "+14155550199": None}
    assert checked.duplicates == 1 and list(checked.invalid) == ["+1415"]
    assert "expected a phone number in E.164 form" in checked.invalid["+1415"]
    with pytest.raises(ValidationFailed) as caught:
        check_recipients("telegram", ["1"], {"2": "Bo"})
    assert caught.value.problems[0].field == "names.2"


async def test_names_fill_the_placeholder_and_the_preview_says_what_will_happen(live, live_api, fake_telegram):
    agent = await bot_agent(live_api, fake_telegram)
    fake_telegram.push_message(TOKEN, 555, "hi", first_name="Carla")
    fake_telegram.push_message(TOKEN, 556, "hi", first_name="Dan")
    await fake_telegram.awaited_sent(2, token=TOKEN)
    with Session(live.ctx.engine) as session:
        session.exec(select(Conversation).where(Conversation.remote_id == "556")).one().opted_out = True
        session.commit()
    body = {"message": "Hi {name}, 20% off", "integration_type": "telegram", "name": "Sale",
            "recipients": ["100001", "555", "556", "not-a-chat", "100002", "100001"], "names": {"100001": "Ann"}}
    url = f"/api/agents/{agent['id']}/settings/broadcast"
    preview = (await live_api.post(f"{url}/preview", json=body)).json()["results"]
    assert (preview["total"], preview["valid"], preview["invalid"], preview["opted_out"], preview["duplicates"]) == (
        5, 3, 1, 1, 1)
    assert preview["skipped"] == [
        {"recipient": "556", "reason": "the customer opted out of broadcasts"},
        {"recipient": "not-a-chat", "reason": "invalid recipient 'not-a-chat': expected a numeric Telegram chat id, e.g. 123456789"},
    ]
    assert preview["sample"] == {"recipient": "100001", "text": "Hi Ann, 20% off"}
    with Session(live.ctx.engine) as session:
        assert session.exec(select(Broadcast)).all() == []  # a preview creates nothing
    created = (await live_api.post(url, json=body)).json()["results"]
    await wait_until(lambda: len(fake_telegram.sent(token=TOKEN)) >= 5, what="three campaign sends")
    texts = {s.chat_id: s.text for s in fake_telegram.sent(token=TOKEN) if "20% off" in s.text}
    assert texts == {100001: "Hi Ann, 20% off", 555: "Hi Carla, 20% off", 100002: "Hi, 20% off"}
    skipped = (await live_api.get(f"{url}/{created['id']}/recipients", params={"status": "skipped"})).json()["results"]
    assert [(r["recipient"], r["status"]) for r in skipped] == [("556", "skipped"), ("not-a-chat", "skipped")]


async def test_failed_recipients_are_listed_with_the_reason(live, live_api, fake_telegram):
    agent = await bot_agent(live_api, fake_telegram)
    fake_telegram.fail("sendMessage", token=TOKEN, chat_id=700001, status=403, times=1,
                       description="Forbidden: bot was blocked by the user")
    body = {"message": "News", "integration_type": "telegram", "recipients": ["700001", "700002"]}
    url = f"/api/agents/{agent['id']}/settings/broadcast"
    created = (await live_api.post(url, json=body)).json()["results"]

    async def finished():
        return (await status(live_api, agent["id"], created["id"]))["status"].startswith("completed")

    await wait_until(finished, timeout=20, what="campaign finished")
    failed = (await live_api.get(f"{url}/{created['id']}/recipients", params={"status": "failed"})).json()["results"]
    assert [r["recipient"] for r in failed] == ["700001"] and "blocked" in failed[0]["error"]
    wrong = await live_api.get(f"{url}/{created['id']}/recipients", params={"status": "lost"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "status"


@pytest.mark.parametrize(
    ("names", "field"),
    [({"2": "Bo"}, "names.2"), ({"1": "x" * 201}, "names.1"), ({"1" * 65: "Al"}, "names.1111111111111111111111111111111111111111111111111111111111111111")],
)
async def test_names_are_checked(live, live_api, fake_telegram, names, field):
    agent = await bot_agent(live_api, fake_telegram)
    body = {"message": "Hi {name}", "integration_type": "telegram", "recipients": ["1"], "names": names}
    response = await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]][0].startswith(field[:40])
