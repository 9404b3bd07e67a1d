"""Tests for FakeTelegram driven over real HTTP by python-telegram-bot and httpx."""

from __future__ import annotations

import asyncio
import datetime as dtm
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_server import CONFLICT, FakeTelegram

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TOKEN = "123456:TEST-token"


def build_app(fake: FakeTelegram, token: str = TOKEN) -> Application:
    app = (ApplicationBuilder().token(token).base_url(f"{fake.base_url}/bot")
           .base_file_url(f"{fake.base_url}/file/bot").build())

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def api(fake: FakeTelegram, method: str, token: str = TOKEN) -> str:
    return f"{fake.base_url}/bot{token}/{method}"


def seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_ptb_polling_replies_to_pushed_message(fake_telegram: FakeTelegram) -> None:
    bot_user = fake_telegram.add_bot(TOKEN, username="shop_bot")
    async with polling(build_app(fake_telegram)) as app:
        assert app.bot.username == "shop_bot" and app.bot.id == bot_user["id"] == 123456
        update_id = fake_telegram.push_message(TOKEN, 42, "hello", first_name="Bob")
        sent = await fake_telegram.awaited_sent(1, chat_id=42, timeout=5)
    assert [(m.token, m.chat_id, m.text) for m in sent] == [(TOKEN, 42, "echo: hello")]
    assert sent[0].message_id == 2  # inbound message was 1 in this chat
    assert fake_telegram.pending_updates(TOKEN) == 0  # PTB's shutdown call confirmed it
    assert fake_telegram.calls(TOKEN, "getUpdates")[-1].params["offset"] == update_id + 1
    assert [c.method for c in fake_telegram.calls(TOKEN)][:2] == ["getMe", "deleteWebhook"]


async def test_offsets_confirm_updates_so_restart_does_not_redeliver(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    async with polling(build_app(fake_telegram)):
        fake_telegram.push_message(TOKEN, 1, "first")
        fake_telegram.push_message(TOKEN, 2, "second")
        await fake_telegram.awaited_sent(2, timeout=5)
    async with polling(build_app(fake_telegram)):
        fake_telegram.push_message(TOKEN, 1, "third")
        await fake_telegram.awaited_sent(3, timeout=5)
        await asyncio.sleep(0.1)  # room for a (wrong) redelivery to show up
    assert sorted(m.text for m in fake_telegram.sent()) == ["echo: first", "echo: second", "echo: third"]


async def test_get_updates_offset_limit_and_negative_offset(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    ids = [fake_telegram.push_message(TOKEN, 7, f"m{i}") for i in range(4)]
    async with httpx.AsyncClient() as client:
        first = (await client.get(api(fake_telegram, "getUpdates"), params={"limit": 2})).json()
        assert [u["update_id"] for u in first["result"]] == ids[:2]
        assert fake_telegram.pending_updates(TOKEN) == 4  # reading does not confirm
        body = {"offset": ids[1] + 1, "timeout": 0}
        rest = (await client.post(api(fake_telegram, "getUpdates"), json=body)).json()
        assert [u["update_id"] for u in rest["result"]] == ids[2:]
        assert rest["result"][0]["message"]["text"] == "m2"
        assert fake_telegram.pending_updates(TOKEN) == 2
        last = (await client.post(api(fake_telegram, "getUpdates"), data={"offset": "-1"})).json()
        assert [u["update_id"] for u in last["result"]] == ids[3:]
        assert fake_telegram.pending_updates(TOKEN) == 1


async def test_long_poll_waits_for_push_and_times_out(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    async with httpx.AsyncClient() as client:
        started = time.monotonic()
        empty = (await client.get(api(fake_telegram, "getUpdates"), params={"timeout": 0.3})).json()
        assert empty == {"ok": True, "result": []} and time.monotonic() - started >= 0.25
        threading.Timer(0.2, fake_telegram.push_message, (TOKEN, 5, "wake up")).start()
        started = time.monotonic()
        woken = (await client.get(api(fake_telegram, "getUpdates"), params={"timeout": 5})).json()
    assert woken["result"][0]["message"]["text"] == "wake up"
    assert time.monotonic() - started < 2


async def test_new_get_updates_terminates_waiting_one_with_409(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    async with httpx.AsyncClient() as client:
        first = asyncio.create_task(client.get(api(fake_telegram, "getUpdates"), params={"timeout": 5}))
        while not fake_telegram.is_polling(TOKEN):
            await asyncio.sleep(0.01)
        second = await client.get(api(fake_telegram, "getUpdates"), params={"timeout": 0})
        older = await asyncio.wait_for(first, 2)
    assert second.json() == {"ok": True, "result": []}
    assert older.status_code == 409
    assert older.json() == {"ok": False, "error_code": 409, "description": CONFLICT}


async def test_reject_newer_mode_answers_409_to_second_poller() -> None:
    with FakeTelegram(conflict="reject_newer") as fake:
        fake.add_bot(TOKEN)
        async with httpx.AsyncClient() as client:
            first = asyncio.create_task(client.get(api(fake, "getUpdates"), params={"timeout": 5}))
            while not fake.is_polling(TOKEN):
                await asyncio.sleep(0.01)
            second = await client.get(api(fake, "getUpdates"), params={"timeout": 5})
            assert second.status_code == 409 and second.json()["description"] == CONFLICT
            fake.push_message(TOKEN, 9, "still served")
            older = (await asyncio.wait_for(first, 2)).json()
    assert older["result"][0]["message"]["text"] == "still served"


async def test_unknown_token_is_401_and_unknown_method_404(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    async with httpx.AsyncClient() as client:
        unknown = await client.post(api(fake_telegram, "getMe", token="999:nope"))
        missing = await client.post(api(fake_telegram, "fooBar"))
    assert unknown.status_code == 401
    assert unknown.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert missing.status_code == 404 and missing.json()["description"] == "Not Found"
    with pytest.raises(InvalidToken):
        async with Bot("999:nope", base_url=f"{fake_telegram.base_url}/bot"):
            pass


async def test_scripted_failures_surface_as_ptb_errors(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    fake_telegram.fail("sendMessage", status=429, retry_after=2)
    fake_telegram.fail("sendMessage", chat_id=13, status=400)
    async with Bot(TOKEN, base_url=f"{fake_telegram.base_url}/bot") as bot:
        with pytest.raises(RetryAfter) as rate_limited:
            await bot.send_message(chat_id=5, text="too fast")
        assert seconds(rate_limited.value.retry_after) == 2
        with pytest.raises(BadRequest, match="Chat not found"):
            await bot.send_message(chat_id=13, text="nobody")
        message = await bot.send_message(chat_id=5, text="now fine")  # failures were used up
    assert message.text == "now fine" and message.chat.id == 5 and message.from_user.is_bot
    assert [m.text for m in fake_telegram.sent()] == ["now fine"]
    assert [c.status for c in fake_telegram.calls(method="sendMessage")] == [429, 400, 200]
    raw = fake_telegram.calls(method="sendMessage")[0]
    assert raw.params == {"chat_id": 5, "text": "too fast"}


async def test_blocked_chat_is_forbidden_until_unblocked(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    fake_telegram.block_chat(TOKEN, 77)
    async with Bot(TOKEN, base_url=f"{fake_telegram.base_url}/bot") as bot:
        for _ in range(2):
            with pytest.raises(Forbidden, match="bot was blocked by the user"):
                await bot.send_message(chat_id=77, text="hello?")
        await bot.send_message(chat_id=78, text="other chat works")
        fake_telegram.unblock_chat(TOKEN, 77)
        await bot.send_message(chat_id=77, text="welcome back")
    assert [m.chat_id for m in fake_telegram.sent()] == [78, 77]


async def test_params_from_json_form_and_query_are_decoded(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    url = api(fake_telegram, "sendMessage")
    async with httpx.AsyncClient() as client:
        await client.post(url, json={"chat_id": 1, "text": "json"})
        await client.post(url, data={"chat_id": "2", "text": "123", "reply_parameters": '{"message_id": 4}'})
        await client.get(url, params={"chat_id": "-1003", "text": "query"})
        empty = await client.post(url, json={"chat_id": 1})
    assert [(m.chat_id, m.text) for m in fake_telegram.sent()] == [(1, "json"), (2, "123"), (-1003, "query")]
    assert fake_telegram.sent(chat_id=2)[0].params["reply_parameters"] == {"message_id": 4}
    assert empty.status_code == 400


async def test_latency_overlaps_and_counts_concurrent_sends(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    fake_telegram.set_latency("sendMessage", 0.3)
    app = build_app(fake_telegram)
    async with app:
        started = time.monotonic()
        await asyncio.gather(*(app.bot.send_message(chat_id=i, text=f"hi {i}") for i in range(5)))
        elapsed = time.monotonic() - started
    assert elapsed < 1.0
    assert fake_telegram.max_in_flight_send == 5 and fake_telegram.in_flight_send == 0


async def test_misc_methods_calls_log_and_reset(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    fake_telegram.push_message(TOKEN, 3, "dropped")
    async with Bot(TOKEN, base_url=f"{fake_telegram.base_url}/bot") as bot:
        assert await bot.send_chat_action(chat_id=3, action="typing")
        assert await bot.set_my_commands([("help", "Show help")])
        assert [(c.command, c.description) for c in await bot.get_my_commands()] == [("help", "Show help")]
        assert await bot.delete_webhook(drop_pending_updates=True)
    assert fake_telegram.pending_updates(TOKEN) == 0
    assert "sendChatAction" in [c.method for c in fake_telegram.calls(TOKEN)]
    fake_telegram.reset()
    assert fake_telegram.calls() == [] and fake_telegram.sent() == []


def test_wait_for_sent_blocks_until_sent_and_explains_timeouts(fake_telegram: FakeTelegram) -> None:
    fake_telegram.add_bot(TOKEN)
    body = {"chat_id": 8, "text": "late"}
    threading.Timer(0.1, httpx.post, (api(fake_telegram, "sendMessage"),), {"json": body}).start()
    assert [m.text for m in fake_telegram.wait_for_sent(1, chat_id=8, timeout=5)] == ["late"]
    with pytest.raises(TimeoutError, match=r"expected 2 sent message.*saw 1: \['late'\]"):
        fake_telegram.wait_for_sent(2, chat_id=8, timeout=0.1)


async def test_stop_releases_a_waiting_long_poll_quickly() -> None:
    fake = FakeTelegram().start()
    fake.add_bot(TOKEN)
    async with httpx.AsyncClient() as client:
        poll = asyncio.create_task(client.get(api(fake, "getUpdates"), params={"timeout": 30}))
        while not fake.is_polling(TOKEN):
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert time.monotonic() - started < 1.5
        response = await asyncio.wait_for(poll, 2)
    assert response.json() == {"ok": True, "result": []}
