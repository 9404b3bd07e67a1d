"""The real linked-device client: neonize (whatsmeow) behind our DeviceClient interface, kept thin."""

from __future__ import annotations

import ctypes
import threading
import weakref

from neonize._binder import func_callback_bytes2, gocode
from neonize.client import ChatSettingsStore, ContactStore, NewClient, log_whatsmeow
from neonize.events import (
    ConnectedEv,
    ConnectFailureEv,
    ClientOutdatedEv,
    DisconnectedEv,
    KeepAliveRestoredEv,
    KeepAliveTimeoutEv,
    LoggedOutEv,
    MessageEv,
    PairStatusEv,
    StreamErrorEv,
    StreamReplacedEv,
    TemporaryBanEv,
)
from neonize.exc import NeonizeError
from neonize.proto.Neonize_pb2 import JID, QR
from neonize.utils.jid import Jid2String

from ai_agents.channels.whatsapp_client import DeviceIdentity, DeviceSendFailed, EventSink, QRExpired
from ai_agents.logs import redact

EVENTS = (
    PairStatusEv, ConnectedEv, MessageEv, DisconnectedEv, LoggedOutEv, TemporaryBanEv, StreamReplacedEv,
    ConnectFailureEv, ClientOutdatedEv, StreamErrorEv, KeepAliveTimeoutEv, KeepAliveRestoredEv,
)


def parse_jid(text: str) -> JID:
    """`user[:device]@server` as neonize's JID."""
    user, _, server = text.partition("@")
    user, _, device = user.partition(":")
    return JID(User=user, Device=int(device or 0), Server=server, Integrator=0, RawAgent=0, IsEmpty=False)


class _NewClient(NewClient):
    """neonize's client with our key for its Go-side registry (never two devices on one key), and the
    QR channel's login status (neonize only prints it) handed to us."""

    def __init__(self, session: str, jid: JID | None, key: str, new_device: bool, on_login_status) -> None:
        super().__init__(session, jid=jid, uuid=key, new_device=new_device)
        self._stop_finalizer.detach()
        self.uuid = key.encode()  # neonize keys a resumed device by its phone number otherwise
        self.contact, self.chat_settings = ContactStore(self.uuid), ChatSettingsStore(self.uuid)
        self._stop_finalizer = weakref.finalize(self, NewClient._release_ffi, self.uuid, gocode)
        self._on_login_status = on_login_status

    def _NewClient__onLoginStatus(self, uuid: int, status: int) -> None:  # the name neonize calls
        self._on_login_status(ctypes.string_at(status).decode())


class NeonizeDeviceClient:
    """One device over neonize. Go-side calls on a client that is not registered (before `run`
    starts, after `stop`) crash the process, so every call checks that first, under a lock."""

    def __init__(self, *, session: str, device_jid: str | None, on_event: EventSink, key: str) -> None:
        stored = stored_devices(session)
        if device_jid is None and len(stored) == 1 and not session.startswith("postgres"):
            device_jid = stored[0]  # this device's own file: its one session
        resume = device_jid is not None and device_jid in stored
        self._sink = on_event
        self._lock = threading.RLock()
        self._live = False  # registered on the Go side and not stopped
        self._client = _NewClient(
            session, parse_jid(device_jid) if resume else None, key, not resume, self._login_status
        )
        self._client.event.qr(self._qr)
        for event_type in EVENTS:
            self._client.event(event_type)(self._forward)

    def _forward(self, _client: NewClient, event: object) -> None:
        with self._lock:
            self._live = True
        self._sink(event)

    def _qr(self, _client: NewClient, code: bytes) -> None:
        with self._lock:
            self._live = True
        self._sink(QR(Codes=[code.decode()]))

    def _login_status(self, status: str) -> None:
        if status != "success":
            self._sink(QRExpired(status))

    def run(self) -> None:
        try:
            self._client.connect()
        finally:
            with self._lock:
                self._live = False

    def stop(self) -> None:
        with self._lock:
            self._live = False
            self._client.stop()  # Stop is safe on any key: it only cancels what exists

    def me(self) -> DeviceIdentity | None:
        with self._lock:
            if not self._live:
                return None
            device = self._client.get_me()
        if not device.JID.User:
            return None
        phone = JID(User=device.JID.User, Server=device.JID.Server)
        lid = Jid2String(device.LID) if device.LID.User else None
        return DeviceIdentity(Jid2String(device.JID), Jid2String(phone), lid, device.PushName)

    def send_text(self, to_jid: str, text: str) -> str:
        with self._lock:
            if not self._live:
                raise DeviceSendFailed("websocket not connected")
            try:
                return self._client.send_message(parse_jid(to_jid), text).ID
            except NeonizeError as exc:
                raise DeviceSendFailed(str(exc)) from None

    def pair_phone(self, phone_digits: str) -> str:
        with self._lock:
            if not self._live:
                raise DeviceSendFailed("websocket not connected")
            try:
                return self._client.PairPhone(phone_digits, show_push_notification=True)
            except NeonizeError as exc:
                raise DeviceSendFailed(str(exc)) from None

    def logout(self) -> None:
        with self._lock:
            if self._live:
                self._client.logout()

    def phone_for_lid(self, lid_jid: str) -> str | None:
        with self._lock:
            if not self._live:
                return None
            try:
                found = self._client.get_pn_from_lid(parse_jid(lid_jid))
            except NeonizeError:
                return None
        return Jid2String(found) if found.User else None


def stored_devices(session: str) -> list[str]:
    """The device JIDs whose sessions the store holds (opens, and if need be creates, the store);
    RuntimeError with whatsmeow's reason when the store cannot be opened."""
    raw = gocode.GetAllDevices(session.encode(), func_callback_bytes2(log_whatsmeow)).decode()
    if raw.startswith("error:"):
        raise RuntimeError(f"the WhatsApp session store could not be opened: {redact(raw[6:].strip())}")
    return [entry.split(",", 1)[0] for entry in raw.split("|\u0001|") if entry]


def neonize_client(*, session: str, device_jid: str | None, on_event: EventSink, key: str) -> NeonizeDeviceClient:
    """The DeviceClientFactory of production."""
    return NeonizeDeviceClient(session=session, device_jid=device_jid, on_event=on_event, key=key)
