"""The channel manager's wiring: adapters and the checks of their credentials made off the event loop."""

from __future__ import annotations

import threading

from ai_agents.channels import telegram
from tests.support.flows import connect_bot, create_agent

TOKEN = "7001:AAwiringtesttokenvalue00000000000001"


async def test_a_bots_http_clients_are_made_outside_the_event_loops_thread(live, live_api, fake_telegram, monkeypatch):
    """Making a Bot loads the CA certificates for its HTTP clients (50-75 ms here): the token's
    check (probe) and the running adapter each make one, in a worker thread."""
    made_in: list[int] = []
    real = telegram.make_bot

    def recording(*args, **kwargs):
        made_in.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(telegram, "make_bot", recording)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    assert len(made_in) >= 2  # the probe's bot and the adapter's
    assert threading.get_ident() not in made_in
