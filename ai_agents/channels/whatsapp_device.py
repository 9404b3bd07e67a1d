"""WhatsApp linked devices (QR or phone code): one device per integration through a DeviceClient, with
connection states, reconnects, messages for the pipeline and slow, jittered sends."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from ai_agents.channels import whatsapp_states as states
from ai_agents.channels.base import (
    AdapterSpec,
    BackgroundAdapter,
    DeadLetterHandler,
    IdentityHandler,
    Identity,
    InboundHandler,
    LinkedIdentity,
    Pairing,
    PairingHandler,
    PairingRefused,
    SendResult,
    StatusHandler,
)
from ai_agents.channels.whatsapp_client import (
    DeviceClient,
    DeviceClientFactory,
    DeviceIdentity,
    DeviceSendFailed,
    EventSink,
    SessionStore,
    run_client,
)
from ai_agents.channels.whatsapp_delivery import InboundReader
from ai_agents.channels.whatsapp_inbound import jid_text
from ai_agents.channels.whatsapp_sending import SEND_INTERVAL_SECONDS, SEND_JITTER_SECONDS, PacedSender
from ai_agents.core.phone import to_e164
from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import IntegrationStatus
from ai_agents.logs import get_logger

log = get_logger("whatsapp")

PAIR_CODE_WAIT_SECONDS = 20.0


class WhatsAppDeviceAdapter(BackgroundAdapter):
    """One linked device: pairs (QR or phone code), stays connected (whatsmeow reconnects dropped
    connections; this adapter restarts failed clients with backoff), hands messages over, sends."""

    reports_identity = True
    task_name = "whatsapp-device"

    def __init__(
        self,
        spec: AdapterSpec,
        on_inbound: InboundHandler,
        on_status: StatusHandler,
        *,
        on_dead_letter: DeadLetterHandler,
        on_identity: IdentityHandler,
        on_pairing: PairingHandler | None = None,
        client_factory: DeviceClientFactory,
        sessions: SessionStore,
        send_interval: float = SEND_INTERVAL_SECONDS,
        send_jitter: float = SEND_JITTER_SECONDS,
        retry_base: float = 2.0,
        pair_code_wait: float = PAIR_CODE_WAIT_SECONDS,
        sleep=asyncio.sleep,
        monotonic=time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.spec = spec
        self._on_status, self._on_identity = on_status, on_identity
        self._on_pairing = on_pairing
        self._factory, self._sessions = client_factory, sessions
        config = spec.config
        self._sender = PacedSender(
            self._connected_client, lambda: self._last_error or self._status,
            interval=float(config.get("send_interval_seconds", send_interval)),
            jitter=float(config.get("send_jitter_seconds", send_jitter)),
            sleep=sleep, monotonic=monotonic, rng=rng or random.Random(),
        )
        self._retry_base, self._pair_code_wait = retry_base, pair_code_wait
        self._reader = InboundReader(spec, on_inbound, on_dead_letter, bool(config.get("accept_groups")), sleep)
        self._device_jid: str | None = spec.device_id
        self._pair_phone: str | None = config.get("pair_phone")
        self._client: DeviceClient | None = None
        self._me: DeviceIdentity | None = None
        self._shown_pairing: Pairing | None = None
        self._halt: states.Halt | None = None
        self._waiting_for_person = False
        self._wake = asyncio.Event()
        self._code_ready = asyncio.Event()

    @classmethod
    async def probe(cls, spec: AdapterSpec) -> Identity:
        """Nothing to check before pairing: who the device is, is known once it is linked."""
        return Identity(external_id="", display_name="WhatsApp device (not linked yet)")

    @property
    def pairing(self) -> Pairing | None:
        return self._pairing

    @property
    def _pairing(self) -> Pairing | None:
        return self._shown_pairing

    @_pairing.setter
    def _pairing(self, pairing: Pairing | None) -> None:
        """Every change (a QR code rotated, a phone code, an error, linked) is reported, so pages
        showing the QR code update without polling."""
        changed = pairing != self._shown_pairing
        self._shown_pairing = pairing
        if changed and self._on_pairing is not None:
            self._on_pairing(self.spec.integration_id)

    async def stop(self) -> None:
        """The client is stopped first (its thread ends), then the background task."""
        client = self._client
        if client is not None:
            await asyncio.to_thread(client.stop)
        await super().stop()

    async def pair(self, phone: str | None = None) -> Pairing:
        """Link (again), by QR or with `phone` (E.164) by a code; reconnects a device that stopped."""
        if self._status == IntegrationStatus.CONNECTED:
            linked = self._me.phone_jid if self._me else "a number"
            raise PairingRefused(f"the device is linked ({linked}) and connected; "
                                 f"POST /api/integrations/{self.spec.integration_id}/logout first to link another")
        self._pair_phone = phone  # None: by QR code
        self._code_ready.clear()
        if self._pairing is not None:
            self._pairing = replace(self._pairing, phone=self._pair_phone, pair_code=None, error=None)
        self._wake.set()  # a device that stopped, or waits to retry, starts again now
        if phone and not self._waiting_for_person and self._pairing and self._pairing.qr and self._client:
            await self._request_code(self._client)  # the QR is up: the client can ask for a code now
        if phone:
            try:
                async with asyncio.timeout(self._pair_code_wait):
                    await self._code_ready.wait()
            except TimeoutError:
                pass
        return self._pairing or Pairing(phone=self._pair_phone)

    async def logout(self) -> None:
        """Unlink on WhatsApp's side when connected, then forget the session."""
        client = self._client
        self._halt = states.Halt(f"logged out by a person; POST /api/integrations/{self.spec.integration_id}/pair "
                                 "to link a device again", logged_out=True)
        if client is not None:
            if self._status == IntegrationStatus.CONNECTED:
                try:
                    await asyncio.to_thread(client.logout)
                except Exception as exc:  # noqa: BLE001 - the session is forgotten here all the same
                    log.warning("⚠️  WhatsApp logout of integration %s failed: %s", self.spec.integration_id, exc)
            await asyncio.to_thread(client.stop)
        await self._forget_session()

    async def send_text(self, recipient: str, text: str, start_part: int = 0) -> SendResult:
        """Send the parts from `start_part` on, one at a time at the device's pace."""
        return await self._sender.send(recipient, text, start_part)

    def _connected_client(self) -> DeviceClient | None:
        return self._client if self._status == IntegrationStatus.CONNECTED else None

    # -- the client's life ---------------------------------------------------------------------
    async def _run(self) -> None:
        """Run clients until stopped; a failed one is restarted with backoff, a halted one waits."""
        failures = 0
        while True:
            self._halt = None
            error, connected = await self._run_client()
            if self._halt is not None:
                failures = 0
                await self._after_halt(self._halt)
                continue
            failures = 1 if connected else failures + 1
            delay = backoff_delay(failures, base=self._retry_base, cap=300.0)
            reason = f"could not connect to WhatsApp ({error or 'connection ended'}); retrying in {delay:.0f}s"
            await self._set_status(IntegrationStatus.ERROR, reason)
            if failures == 1 or failures % 10 == 0:
                log.warning("⚠️  WhatsApp device %s: %s", self.spec.integration_id, reason)
            await self._wait(delay)

    async def _after_halt(self, halt: states.Halt) -> None:
        """Show why the device stopped, then wait for a person (or the end of a ban)."""
        self._pairing = None
        if halt.logged_out:
            await self._forget_session()
        await self._set_status(IntegrationStatus.ERROR, halt.reason)
        log.warning("⚠️  WhatsApp device %s stopped: %s", self.spec.integration_id, halt.reason)
        self._waiting_for_person = True
        try:
            await self._wait(halt.retry_after)
        finally:
            self._waiting_for_person = False

    async def _wait(self, seconds: float | None) -> None:
        self._wake.clear()
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass

    async def _run_client(self) -> tuple[str | None, bool]:
        """Run one client until it ends; (its error, whether it connected)."""
        session = self._sessions.location(self.spec.integration_id)

        def build(on_event: EventSink) -> DeviceClient:
            key = f"whatsapp-{self.spec.integration_id}"
            return self._factory(session=session, device_jid=self._device_jid, on_event=on_event, key=key)

        def running(client: DeviceClient | None) -> None:
            self._client = client

        return await run_client(build, self._handle, running)

    async def _handle(self, event: Any, client: DeviceClient) -> bool:
        """React to one library event; True when the device is connected now."""
        name = type(event).__name__
        if (halt := states.halt_for(event, self.spec.integration_id)) is not None:
            if halt is not states.PASSING:  # a passing refusal just ends this client (backoff)
                self._halt = halt
            await asyncio.to_thread(client.stop)
        elif name == "QR" and event.Codes:
            await self._show_qr(event.Codes[0], client)
        elif name == "PairStatus":
            await self._paired(event)
        elif name == "Connected":
            await self._connected(client)
            return True
        elif name == "Message":
            await self._reader.read(event, client, self._me)
        elif name == "Disconnected":
            await self._set_status(IntegrationStatus.ERROR, "connection to WhatsApp lost; reconnecting")
        return False

    # -- pairing and identity --------------------------------------------------------------------
    async def _show_qr(self, code: str, client: DeviceClient) -> None:
        first = self._pairing is None or self._pairing.qr is None
        self._pairing = Pairing(qr=code, qr_at=datetime.now(timezone.utc), phone=self._pair_phone,
                                pair_code=self._pairing.pair_code if self._pairing else None)
        await self._set_status(IntegrationStatus.WAITING_QR, None)
        if first:
            log.info("📱 WhatsApp device %s waiting to be linked: GET /api/integrations/%s/qr",
                     self.spec.integration_id, self.spec.integration_id)
            if self._pair_phone:
                await self._request_code(client)

    async def _request_code(self, client: DeviceClient) -> None:
        phone = to_e164(self._pair_phone or "") or ""
        try:
            code = await asyncio.to_thread(client.pair_phone, phone.lstrip("+"))
            self._pairing = replace(self._pairing or Pairing(), phone=phone, pair_code=code, error=None)
            log.info("🔢 WhatsApp pairing code ready for integration %s (%s)", self.spec.integration_id, phone)
        except DeviceSendFailed as exc:
            error = f"WhatsApp refused pairing by phone code for {phone}: {exc}"
            self._pairing = replace(self._pairing or Pairing(), phone=phone, pair_code=None, error=error)
        finally:
            self._code_ready.set()

    async def _paired(self, event: Any) -> None:
        if event.Status != type(event).SUCCESS:
            self._pairing = replace(self._pairing or Pairing(), error=f"pairing failed: {event.Error}")
            return
        self._device_jid = jid_text(event.ID)
        log.info("🔗 WhatsApp device %s linked as %s", self.spec.integration_id, to_e164(self._device_jid))

    async def _connected(self, client: DeviceClient) -> None:
        me = await asyncio.to_thread(client.me)
        if me is not None:
            self._me, self._device_jid = me, me.device_jid
            phone = to_e164(me.phone_jid)
            name = f"{phone} ({me.push_name})" if me.push_name else phone
            await self._on_identity(self.spec.integration_id, LinkedIdentity(phone, name, me.device_jid, me.phone_jid))
        self._pairing = None
        await self._set_status(IntegrationStatus.CONNECTED, None)
        log.info("✅ WhatsApp device connected: %s (integration %s)",
                 to_e164(me.phone_jid) if me else "unknown number", self.spec.integration_id)

    async def _forget_session(self) -> None:
        await asyncio.to_thread(self._sessions.forget, self.spec.integration_id)
        self._device_jid, self._me = None, None
        await self._on_identity(self.spec.integration_id, LinkedIdentity())  # no device; the number stays known
