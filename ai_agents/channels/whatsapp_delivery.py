"""Linked-device messages handed to the pipeline: customer address (E.164, LID mapped to it), retries, dead letters."""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf.json_format import MessageToDict

from ai_agents.channels.base import (
    AdapterSpec,
    DeadLetterHandler,
    FailedUpdate,
    InboundHandler,
    InboundMessage,
)
from ai_agents.channels.whatsapp_client import DeviceClient, DeviceIdentity
from ai_agents.channels.whatsapp_inbound import (
    group_chat,
    message_text,
    sender_lid,
    sender_phone,
    sent_at,
    skip_reason,
)
from ai_agents.core.phone import to_e164
from ai_agents.core.retry import backoff_delay
from ai_agents.logs import get_logger, redact

log = get_logger("whatsapp")

DELIVERY_ATTEMPTS = 3  # a message whose storing fails this often is kept as a dead letter


class InboundReader:
    """Reads a device's Message events and delivers them, in order, to the pipeline."""

    def __init__(
        self, spec: AdapterSpec, on_inbound: InboundHandler, on_dead_letter: DeadLetterHandler,
        accept_groups: bool, sleep, *, attempts: int = DELIVERY_ATTEMPTS, retry_base: float = 0.5,
    ) -> None:
        self.spec = spec
        self._on_inbound, self._on_dead_letter = on_inbound, on_dead_letter
        self._accept_groups, self._sleep = accept_groups, sleep
        self._attempts, self._retry_base = attempts, retry_base
        self._error = ""  # the last failure to store a message

    async def read(self, event: Any, client: DeviceClient, me: DeviceIdentity | None) -> None:
        source = event.Info.MessageSource
        if reason := skip_reason(source, self._accept_groups):
            log.debug("WhatsApp device %s skipped %s: %s", self.spec.integration_id, event.Info.ID, reason)
            return
        text = message_text(event.Message)
        if text is None:
            return
        remote = group_chat(source) or sender_phone(source) or await self._phone_of_lid(source, client)
        if remote is None:
            log.warning("⚠️  WhatsApp message %s has no sender address; skipped", event.Info.ID)
            return
        inbound = InboundMessage(
            integration_id=self.spec.integration_id,
            remote_id=remote,
            text=text,
            external_id=event.Info.ID,
            timestamp=sent_at(event.Info),
            sender_name=event.Info.Pushname or None,
            device_id=me.device_jid if me else None,
            jid=me.phone_jid if me else None,
        )
        await self._deliver(inbound, event)

    async def _phone_of_lid(self, source: Any, client: DeviceClient) -> str | None:
        """A LID sender as the same customer as its phone number, when the device's store knows
        the number; the LID itself otherwise."""
        lid = sender_lid(source)
        if lid is None:
            return None
        phone = await asyncio.to_thread(client.phone_for_lid, lid)
        return (to_e164(phone) if phone else None) or lid

    async def _deliver(self, inbound: InboundMessage, event: Any) -> None:
        """Store it through the pipeline; once it failed `attempts` times, keep it as a dead letter
        (retried until that works: a message is never dropped)."""
        failures = 0
        while True:
            try:
                if failures < self._attempts:
                    await self._on_inbound(inbound)
                else:
                    await self._on_dead_letter(FailedUpdate(
                        integration_id=self.spec.integration_id, external_id=inbound.external_id,
                        payload=MessageToDict(event, preserving_proto_field_name=True),
                        error=self._error, attempts=failures,
                    ))
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - retried, then set aside
                failures += 1
                self._error = redact(f"{type(exc).__name__}: {exc}")
                if failures == 1:
                    log.error("❌ WhatsApp message %s could not be stored: %s; retrying", inbound.external_id, self._error)
                await self._sleep(backoff_delay(min(failures, 8), base=self._retry_base, cap=30.0))
