"""The shared Meta parts: webhook signature and handshake, Graph errors over HTTP, what a failed send means."""

from __future__ import annotations

import pytest

from ai_agents.channels.base import AdapterSpec
from ai_agents.channels.meta_graph import GraphClient, GraphError, send_error, signature_valid, subscription_challenge
from tests.fakes.graph_server import FakeGraph
from tests.fakes.meta_webhooks import sign

SECRET = "0123456789abcdef0123456789abcdef"
BODY = b'{"object":"whatsapp_business_account","entry":[]}'
WINDOW = ((131047, None),)


def test_signature_is_hmac_sha256_of_the_raw_body():
    assert signature_valid(SECRET, BODY, sign(BODY, SECRET))
    assert signature_valid(SECRET, BODY, sign(BODY, SECRET).upper().replace("SHA256=", "sha256="))
    assert not signature_valid("another-secret", BODY, sign(BODY, SECRET))
    assert not signature_valid(SECRET, BODY + b" ", sign(BODY, SECRET))  # re-serialised bodies do not match
    assert not signature_valid(SECRET, BODY, sign(BODY, SECRET).removeprefix("sha256="))
    assert not signature_valid(SECRET, BODY, None) and not signature_valid("", BODY, sign(BODY, ""))


def test_subscription_challenge_only_for_a_known_verify_token():
    params = {"hub.mode": "subscribe", "hub.verify_token": "my-verify", "hub.challenge": "1158201444"}
    assert subscription_challenge(params, ["other", "my-verify"]) == "1158201444"
    assert subscription_challenge(params, ["other"]) is None
    assert subscription_challenge({**params, "hub.mode": "unsubscribe"}, ["my-verify"]) is None
    assert subscription_challenge({**params, "hub.verify_token": ""}, [""]) is None
    assert subscription_challenge(params, []) is None


@pytest.mark.parametrize(
    ("error", "transient", "words"),
    [
        (GraphError(400, 130429, None, "Rate limit hit"), True, "rate limit"),
        (GraphError(429, None, None, "Too many"), True, "rate limit"),
        (GraphError(400, 190, 463, "Session has expired"), True, "access_token"),
        (GraphError(400, 131047, None, "Re-engagement message"), False, "24-hour"),
        (GraphError(400, 131026, None, "Message undeliverable"), False, "rejected the message"),
        (GraphError(503, None, None, "Service Unavailable"), True, "unavailable"),
        (GraphError(400, 2, None, "Service temporarily unavailable"), True, "unavailable"),
    ],
)
def test_what_a_failed_send_means(error, transient, words):
    result = send_error(error, channel="WhatsApp Cloud API", parts_sent=1, window_errors=WINDOW,
                        window_reason="outside the 24-hour messaging window: templates")
    assert result.transient is transient and words in result.reason and result.parts_sent == 1
    assert (result.retry_after is not None) == error.rate_limited


def test_no_answer_is_delivery_unknown_unless_the_request_never_left():
    reached = send_error(GraphError(0, None, None, "ReadTimeout"), channel="X", parts_sent=0, window_errors=(),
                         window_reason="")
    never = send_error(GraphError(0, None, None, "ConnectError", unsent=True), channel="X", parts_sent=0,
                       window_errors=(), window_reason="")
    assert reached.transient and reached.outcome_unknown
    assert never.transient and not never.outcome_unknown


async def test_graph_errors_over_http_keep_code_and_subcode_but_never_the_token():
    token = "EAAGsecrettokenvalue0000000000000042"
    with FakeGraph() as graph:
        graph.add_page("200300", "EAAGanother")
        client = GraphClient(AdapterSpec(1, "instagram", {"access_token": token}, {"api_base_url": graph.base_url}))
        with pytest.raises(GraphError) as rejected:
            await client.get("200300")
        graph.grant("200300", token)
        graph.fail(code=10, subcode=2018278)
        with pytest.raises(GraphError) as window:
            await client.post("200300/messages", {"recipient": {"id": "1"}, "message": {"text": "x"}})
        await client.close()
    with pytest.raises(GraphError) as unreachable:
        client = GraphClient(AdapterSpec(1, "instagram", {"access_token": token}, {"api_base_url": graph.base_url}))
        await client.get("200300")
    await client.close()
    assert rejected.value.token_rejected and rejected.value.code == 190
    assert (window.value.code, window.value.subcode) == (10, 2018278)
    assert unreachable.value.status == 0 and unreachable.value.unsent
    assert all(token not in str(e.value) for e in (rejected, window, unreachable))
