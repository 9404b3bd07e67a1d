"""WhatsApp Cloud API adapter against the fake Graph API: token check, sends, errors, webhook parsing."""

from __future__ import annotations

import pytest

from ai_agents.channels.base import AdapterSpec, CredentialsError, SendError
from ai_agents.channels.whatsapp_cloud import WhatsAppCloudAdapter
from ai_agents.core.types import IntegrationStatus, MessageStatus
from tests.fakes.graph_server import FakeGraph
from tests.fakes.meta_webhooks import wa_change, wa_error, wa_image, wa_payload, wa_reaction, wa_status, wa_text
from tests.support.flows import wait_until

NUMBER_ID = "106540352242922"
TOKEN = "EAAGwhatsappcloudtoken00000000000001"


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        fake.add_phone_number(NUMBER_ID, TOKEN, display_phone_number="+1 555-010-0001", verified_name="Acme")
        yield fake


def spec(graph: FakeGraph, token: str = TOKEN) -> AdapterSpec:
    credentials = {"access_token": token, "app_secret": "s" * 32, "verify_token": "v"}
    return AdapterSpec(7, "whatsapp_cloud", credentials, {"phone_number_id": NUMBER_ID, "api_base_url": graph.base_url})


class Statuses:
    def __init__(self) -> None:
        self.seen: list[tuple[IntegrationStatus, str | None]] = []

    async def __call__(self, integration_id, status, error) -> None:
        self.seen.append((status, error))


async def nothing(*_args) -> None:
    return None


def adapter(graph: FakeGraph, statuses: Statuses) -> WhatsAppCloudAdapter:
    return WhatsAppCloudAdapter(spec(graph), nothing, statuses, on_dead_letter=nothing, retry_base=0.01)


async def test_probe_names_the_number_and_refuses_a_wrong_token(graph):
    identity = await WhatsAppCloudAdapter.probe(spec(graph))
    assert identity.external_id == NUMBER_ID and identity.display_name == "+1 555-010-0001 (Acme)"
    with pytest.raises(CredentialsError) as refused:
        await WhatsAppCloudAdapter.probe(spec(graph, "EAAGwrongtoken000000000000000000000"))
    assert "access_token" in str(refused.value) and "190" in str(refused.value)
    assert "EAAGwrongtoken" not in str(refused.value)


async def test_connects_sends_in_parts_and_stops(graph):
    statuses = Statuses()
    wa = adapter(graph, statuses)
    await wa.start()
    await wait_until(lambda: wa.status == IntegrationStatus.CONNECTED, what="connected")
    result = await wa.send_text("+14155550100", "word " * 1000)  # 5000 characters: two parts
    sent = graph.sent()
    assert [m.to for m in sent] == ["14155550100", "14155550100"] and len(sent[0].text) <= 4096
    assert result.parts_sent == 2 and result.external_id == sent[0].message_id
    assert sent[0].body["messaging_product"] == "whatsapp" and sent[0].body["type"] == "text"
    await wa.stop()
    assert [s for s, _ in statuses.seen] == [IntegrationStatus.STARTING, IntegrationStatus.CONNECTED, IntegrationStatus.STOPPED]


async def test_rate_limit_130429_is_retried_later_and_a_window_error_fails_with_the_reason(graph):
    wa = adapter(graph, Statuses())
    graph.fail(code=130429)
    with pytest.raises(SendError) as limited:
        await wa.send_text("+14155550100", "hi")
    graph.fail(code=131047)
    with pytest.raises(SendError) as window:
        await wa.send_text("+14155550100", "hi")
    await wa.stop()
    assert limited.value.transient and limited.value.retry_after and "130429" in limited.value.reason
    assert not window.value.transient and "24-hour messaging window" in window.value.reason
    assert "template" in window.value.reason


async def test_a_revoked_token_takes_it_down_until_the_token_works_again(graph):
    statuses = Statuses()
    wa = adapter(graph, statuses)
    await wa.start()
    await wait_until(lambda: wa.status == IntegrationStatus.CONNECTED, what="connected")
    graph.revoke(TOKEN)
    with pytest.raises(SendError) as revoked:
        await wa.send_text("+14155550100", "hi")
    assert revoked.value.transient and "access_token" in revoked.value.reason
    assert wa.status == IntegrationStatus.ERROR and "access_token" in (wa.last_error or "")
    graph.grant(NUMBER_ID, TOKEN)
    await wait_until(lambda: wa.status == IntegrationStatus.CONNECTED, what="connected again")
    await wa.stop()


def test_parses_batched_entries_customers_in_e164_and_statuses():
    payload = wa_payload(
        wa_change(NUMBER_ID, messages=[wa_text("14155550100", "Hello", "wamid.A"), wa_image("4915112345678", "wamid.B", "my order")],
                  names={"14155550100": "Ann"}),
        wa_change("222333", messages=[wa_text("447700900123", "Hi", "wamid.C"), wa_reaction("447700900123", "wamid.D", "x")]),
        wa_change(NUMBER_ID, statuses=[wa_status("wamid.OUT1", "delivered", "14155550100"),
                                       wa_status("wamid.OUT2", "failed", "14155550100",
                                                 [wa_error(131047, "Re-engagement message", "24 hours have passed")]),
                                       wa_status("wamid.OUT3", "deleted", "14155550100")]),
        entries=2,
    )
    batches = {b.account_id: b for b in WhatsAppCloudAdapter.parse_webhook(payload)}
    assert set(batches) == {NUMBER_ID, "222333"}
    ours = batches[NUMBER_ID]
    assert [(m.remote_id, m.text, m.external_id, m.sender_name) for m in ours.messages] == [
        ("+14155550100", "Hello", "wamid.A", "Ann"), ("+4915112345678", "my order", "wamid.B", "Customer")]
    assert [(u.external_id, u.status) for u in ours.updates] == [
        ("wamid.OUT1", MessageStatus.DELIVERED), ("wamid.OUT2", MessageStatus.FAILED)]
    assert "131047" in ours.updates[1].error and "24 hours" in ours.updates[1].error
    assert [m.text for m in batches["222333"].messages] == ["Hi"]  # the reaction is no customer text


@pytest.mark.parametrize("payload", [None, [], {"entry": "x"}, {"entry": [{"changes": [{"value": None}]}]},
                                     {"entry": [{"changes": [{"value": {"metadata": {}}}]}]}])
def test_malformed_bodies_parse_to_nothing(payload):
    assert WhatsAppCloudAdapter.parse_webhook(payload) == []
