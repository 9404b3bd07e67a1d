"""The fake Graph API answers like Meta's: object fields, sends, token errors and injected failures."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.fakes.graph_server import FakeGraph

TOKEN = "EAAGfaketoken000000000000000000001"


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        fake.add_phone_number("106540352242922", TOKEN, display_phone_number="+1 555-010-0001")
        fake.add_page("200300400500", TOKEN, name="Shop Page", instagram_account_id="17841400000000009")
        yield fake


def client(graph: FakeGraph, token: str = TOKEN) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=graph.base_url + "/v21.0/", headers={"Authorization": f"Bearer {token}"})


def wa_body(to: str, text: str) -> dict:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}}


async def test_object_fields_and_sends_are_recorded(graph):
    async with client(graph) as http:
        number = (await http.get("106540352242922", params={"fields": "display_phone_number"})).json()
        page = (await http.get("200300400500", params={"fields": "name,instagram_business_account"})).json()
        wa = (await http.post("106540352242922/messages", json=wa_body("14155550100", "hi"))).json()
        ig = (await http.post("200300400500/messages",
                              json={"recipient": {"id": "6655443322"}, "message": {"text": "hello"}})).json()
    assert number == {"id": "106540352242922", "display_phone_number": "+1 555-010-0001"}
    assert page["instagram_business_account"] == {"id": "17841400000000009"} and page["name"] == "Shop Page"
    assert wa["messages"][0]["id"].startswith("wamid.") and wa["contacts"][0]["wa_id"] == "14155550100"
    assert ig["recipient_id"] == "6655443322" and ig["message_id"]
    sent = graph.sent()
    assert [(m.account, m.to, m.text) for m in sent] == [
        ("106540352242922", "14155550100", "hi"), ("200300400500", "6655443322", "hello")]
    assert sent[0].message_id == wa["messages"][0]["id"]


async def test_unknown_or_revoked_token_is_error_190_and_a_foreign_object_100(graph):
    async with client(graph, "EAAGwrong") as http:
        wrong = await http.get("106540352242922")
    graph.add_phone_number("999000", "EAAGother")
    async with client(graph) as http:
        foreign = await http.get("999000")
    graph.revoke(TOKEN)
    async with client(graph) as http:
        revoked = await http.post("106540352242922/messages", json=wa_body("1", "x"))
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 190
    assert foreign.json()["error"]["code"] == 100
    assert revoked.json()["error"]["code"] == 190 and graph.sent() == []


async def test_injected_failures_skip_then_fail_then_pass(graph):
    graph.fail(code=130429, times=2, skip=1, to="1")
    async with client(graph) as http:
        answers = [await http.post("106540352242922/messages", json=wa_body("1", f"m{i}")) for i in range(4)]
        other = await http.post("106540352242922/messages", json=wa_body("2", "other"))
    codes = [a.json().get("error", {}).get("code") for a in answers]
    assert codes == [None, 130429, 130429, None] and other.status_code == 200
    assert [m.text for m in graph.sent()] == ["m0", "m3", "other"]
    graph.fail(code=10, subcode=2018278, account="200300400500")
    async with client(graph) as http:
        window = await http.post("200300400500/messages", json={"recipient": {"id": "5"}, "message": {"text": "x"}})
    assert window.json()["error"]["error_subcode"] == 2018278


async def test_bad_bodies_are_refused(graph):
    async with client(graph) as http:
        no_product = await http.post("106540352242922/messages", json={"to": "1", "type": "text", "text": {"body": "x"}})
        no_text = await http.post("200300400500/messages", json={"recipient": {"id": "5"}, "message": {}})
    assert no_product.json()["error"]["code"] == 100 and no_text.json()["error"]["code"] == 100
    assert graph.sent() == []


async def test_latency_applies_to_sends_in_parallel(graph):
    graph.set_latency(0.2)
    async with client(graph) as http:
        started = time.monotonic()
        await asyncio.gather(*(http.post("106540352242922/messages", json=wa_body(str(i), "x")) for i in range(5)))
        took = time.monotonic() - started
    assert 0.2 <= took < 0.9 and graph.max_in_flight == 5
