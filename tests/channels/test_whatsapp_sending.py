"""Sends of a linked device: a person's pace (interval plus random jitter), parts, and failures as the outbox reads them."""

from __future__ import annotations

import random

import pytest

from ai_agents.channels.base import SendError
from ai_agents.channels.whatsapp_sending import MESSAGE_LIMIT, SEND_INTERVAL_SECONDS, SEND_JITTER_SECONDS, PacedSender
from ai_agents.core.retry import split_text
from tests.fakes.whatsapp_device import FakeDeviceClient, FakeWhatsApp


def connected_client() -> tuple[FakeWhatsApp, FakeDeviceClient]:
    world = FakeWhatsApp()
    client = world.factory(session="s.db", device_jid=None, on_event=lambda e: None, key="whatsapp-1")
    client.device_jid, client.connected = "15550000000:7@s.whatsapp.net", True
    return world, client


def sender(client, *, interval=SEND_INTERVAL_SECONDS, jitter=SEND_JITTER_SECONDS, seed=7):
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    paced = PacedSender(lambda: client if client.connected else None, lambda: "connection lost",
                        interval=interval, jitter=jitter, sleep=sleep, monotonic=lambda: 100.0,
                        rng=random.Random(seed))
    return paced, waits


async def test_sends_are_spaced_by_the_interval_plus_random_jitter_by_default():
    world, client = connected_client()
    paced, waits = sender(client)
    for n in range(4):
        await paced.send(f"+1555000000{n}", f"message {n}")
    draws = random.Random(7)
    expected = [SEND_INTERVAL_SECONDS + draws.uniform(0, SEND_JITTER_SECONDS) for _ in range(3)]
    assert waits == pytest.approx(expected)
    assert all(2.0 <= w <= 5.0 for w in waits) and len(set(waits)) == 3  # never a fixed rhythm
    assert [s.to for s in world.sent] == [f"1555000000{n}@s.whatsapp.net" for n in range(4)]


async def test_a_long_text_goes_in_parts_and_a_retry_sends_only_the_rest():
    world, client = connected_client()
    paced, _ = sender(client, interval=0, jitter=0)
    text = ("word " * 1000).strip() + " " + ("more " * 400).strip()
    result = await paced.send("+15550000001", text)
    assert result.parts_sent == 2 and result.external_id == world.sent[0].message_id
    world.sent.clear()
    await paced.send("+15550000001", text, start_part=1)
    assert [s.text for s in world.sent] == [split_text(text, MESSAGE_LIMIT)[1]]


async def test_a_device_that_is_not_connected_fails_transiently_without_sending():
    world, client = connected_client()
    client.connected = False
    paced, _ = sender(client)
    with pytest.raises(SendError) as raised:
        await paced.send("+15550000001", "hi")
    assert raised.value.transient and "not connected (connection lost)" in raised.value.reason
    assert world.sent == []


@pytest.mark.parametrize(
    ("reason", "transient", "unknown"),
    [
        ("websocket not connected", True, False),
        ("failed to send: info query timed out", True, True),
        ("server returned error 479: not on whatsapp", False, False),
    ],
)
async def test_library_failures_are_retried_or_failed_with_the_reason(reason, transient, unknown):
    world, client = connected_client()
    world.send_failure = reason
    paced, _ = sender(client)
    with pytest.raises(SendError) as raised:
        await paced.send("+15550000001", "hi")
    assert (raised.value.transient, raised.value.outcome_unknown) == (transient, unknown)
    assert reason in raised.value.reason


async def test_a_recipient_that_is_not_a_phone_number_fails_at_once():
    _, client = connected_client()
    paced, _ = sender(client)
    with pytest.raises(SendError, match="expected a phone number in E.164 form") as raised:
        await paced.send("not-a-number", "hi")
    assert not raised.value.transient
