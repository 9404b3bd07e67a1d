"""The playground adapter (an agent's try box): status, typed messages to the pipeline, sends."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ai_agents.channels.base import AdapterSpec, InboundMessage, SendError
from ai_agents.channels.playground import PlaygroundAdapter
from ai_agents.channels.registry import adapter_class
from ai_agents.core.types import IntegrationStatus, Provider


def _message(integration_id: int) -> InboundMessage:
    return InboundMessage(integration_id, "try-0123456789ab", "hi", "try-1", datetime(2026, 1, 1, tzinfo=timezone.utc))


async def test_it_reports_its_status_hands_typed_messages_on_and_sends_only_while_running():
    received, statuses = [], []

    async def on_inbound(message):
        received.append(message)

    async def on_status(integration_id, status, error):
        statuses.append((integration_id, status, error))

    async def on_dead_letter(_failed):
        raise AssertionError("a try box has no updates to set aside")

    adapter = adapter_class(Provider.PLAYGROUND)(AdapterSpec(7, Provider.PLAYGROUND, {}), on_inbound, on_status,
                                                 on_dead_letter=on_dead_letter)
    assert isinstance(adapter, PlaygroundAdapter)
    with pytest.raises(SendError) as stopped:
        await adapter.send_text("try-0123456789ab", "Reply")
    assert stopped.value.transient  # waits in the outbox until the try box runs again
    await adapter.start()
    await adapter.start()  # once reported
    await adapter.receive(_message(7))
    with pytest.raises(ValueError):
        await adapter.receive(_message(8))  # another integration's message is not this try box's
    first, second = await adapter.send_text("try-0123456789ab", "Reply"), await adapter.send_text("x", "Again")
    assert first.external_id != second.external_id and first.external_id.startswith("playground-")
    await adapter.stop()
    assert [m.integration_id for m in received] == [7]
    assert statuses == [(7, IntegrationStatus.CONNECTED, None), (7, IntegrationStatus.STOPPED, None)]
