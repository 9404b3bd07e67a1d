"""A fake WhatsApp at neonize's boundary: linked-device clients that emit neonize's own event objects
(QR, PairStatus, Connected, Message, Disconnected, LoggedOut, TemporaryBan, StreamReplaced) from
their own threads, keep sessions across restarts, and record what is sent."""

from __future__ import annotations

import itertools
import queue
import threading
from dataclasses import dataclass, field

from neonize.proto.Neonize_pb2 import (
    JID,
    QR,
    Connected,
    Disconnected,
    LoggedOut,
    MessageInfo,
    MessageSource,
    PairStatus,
    StreamReplaced,
    TemporaryBan,
)
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message

from ai_agents.channels.whatsapp_client import DeviceIdentity, DeviceSendFailed, QRExpired

_STOP = object()
_ids = itertools.count(1)


def jid(text: str) -> JID:
    """`15550001111@s.whatsapp.net`, `15550001111:7@s.whatsapp.net`, `123@lid` as neonize's JID."""
    user, _, server = text.partition("@")
    user, _, device = user.partition(":")
    return JID(User=user, Device=int(device or 0), Server=server)


def phone_address(phone: str) -> str:
    return f"{phone.lstrip('+')}@s.whatsapp.net"


@dataclass
class Sent:
    key: str  # the client's key: whatsapp-<integration id>
    device_jid: str
    to: str
    text: str
    message_id: str


@dataclass
class FakeWhatsApp:
    """WhatsApp's side: paired sessions (by session store location), LID mappings, sends."""

    sessions: dict[str, list[str]] = field(default_factory=dict)  # store location -> paired device JIDs
    lids: dict[str, str] = field(default_factory=dict)  # LID address -> phone JID
    sent: list[Sent] = field(default_factory=list)
    clients: dict[str, FakeDeviceClient] = field(default_factory=dict)  # key -> latest client
    offline: bool = False  # connecting fails at once, as neonize does without a network
    send_failure: str | None = None  # every send fails with this reason
    built: int = 0

    def factory(self, *, session: str, device_jid: str | None, on_event, key: str) -> FakeDeviceClient:
        self.built += 1
        client = FakeDeviceClient(self, session, device_jid, on_event, key)
        self.clients[key] = client
        return client

    def client(self, integration_id: int) -> FakeDeviceClient:
        return self.clients[f"whatsapp-{integration_id}"]

    def sent_by(self, integration_id: int) -> list[Sent]:
        return [s for s in self.sent if s.key == f"whatsapp-{integration_id}"]


class FakeDeviceClient:
    """One device's client; `run` delivers queued events from its own thread, like neonize."""

    def __init__(self, world: FakeWhatsApp, session: str, device_jid: str | None, sink, key: str) -> None:
        self.world, self.session, self.key, self._sink = world, session, key, sink
        # As the real wiring resumes: the device asked for, if its store holds it; without one, the
        # only device of a per-device SQLite file (a PostgreSQL store is shared by every device).
        stored = world.sessions.get(session, [])
        if device_jid is None and len(stored) == 1 and not session.startswith("postgres"):
            device_jid = stored[0]
        self.device_jid = device_jid if device_jid in stored else None
        self.resumed = self.device_jid is not None
        self.connected = False
        self.qr_shown = False
        self.push_name = "Shop"
        self._events: queue.Queue = queue.Queue()
        self.running = threading.Event()
        self.stopped = threading.Event()

    # -- the DeviceClient interface --------------------------------------------------------------
    def run(self) -> None:
        if self.world.offline:
            raise RuntimeError("dial tcp: lookup web.whatsapp.com: no such host")
        self.running.set()
        if self.device_jid:
            self.connected = True
            self._events.put(Connected(status=True))
        else:
            self.show_qr()
        while True:
            event = self._events.get()
            if event is _STOP:
                return
            self._sink(event)

    def stop(self) -> None:
        self.connected = False
        self.stopped.set()
        self._events.put(_STOP)

    def me(self) -> DeviceIdentity | None:
        if not self.device_jid or self.stopped.is_set():
            return None
        user = self.device_jid.partition(":")[0]
        return DeviceIdentity(self.device_jid, f"{user}@s.whatsapp.net", None, self.push_name)

    def send_text(self, to_jid: str, text: str) -> str:
        if not self.connected:
            raise DeviceSendFailed("websocket not connected")
        if self.world.send_failure:
            raise DeviceSendFailed(self.world.send_failure)
        message_id = f"3EB0{next(_ids):012X}"
        self.world.sent.append(Sent(self.key, self.device_jid or "", to_jid, text, message_id))
        return message_id

    def pair_phone(self, phone_digits: str) -> str:
        if not self.qr_shown or self.stopped.is_set():
            raise DeviceSendFailed("websocket not connected")
        if not phone_digits.isdigit():
            raise DeviceSendFailed("invalid phone number")
        self.pair_phone_number = phone_digits
        return "ABCD-1234"

    def logout(self) -> None:
        self._forget()
        self.device_jid, self.connected = None, False

    def phone_for_lid(self, lid_jid: str) -> str | None:
        return self.world.lids.get(lid_jid)

    # -- what happens on WhatsApp's side (called by tests) ---------------------------------------
    def emit(self, event: object) -> None:
        self._events.put(event)

    def show_qr(self, code: str | None = None) -> None:
        self.qr_shown = True
        self.emit(QR(Codes=[code or f"2@fake-{next(_ids)},key,identity,adv"]))

    def expire_qr(self) -> None:
        self.emit(QRExpired("timeout"))

    def scan(self, phone: str, device: int = 7, push_name: str = "Shop") -> str:
        """The phone scans the QR code (or types the code): paired, then connected."""
        self.device_jid = f"{phone.lstrip('+')}:{device}@s.whatsapp.net"
        self.push_name = push_name
        self.world.sessions.setdefault(self.session, []).append(self.device_jid)
        self.emit(PairStatus(ID=jid(self.device_jid), Status=PairStatus.SUCCESS, Platform="android"))
        self.connected = True
        self.emit(Connected(status=True))
        return self.device_jid

    def receive(
        self, sender: str, text: str = "", *, message: Message | None = None, sender_alt: str | None = None,
        chat: str | None = None, group: bool = False, from_me: bool = False, message_id: str | None = None,
        push_name: str = "Customer",
    ) -> str:
        """A message arrives: `sender` is a phone (+1555...) or an address (123@lid)."""
        sender_jid = sender if "@" in sender else phone_address(sender)
        source = MessageSource(
            Chat=jid(chat or sender_jid), Sender=jid(sender_jid), IsFromMe=from_me, IsGroup=group,
            SenderAlt=jid(sender_alt) if sender_alt else JID(),
        )
        message_id = message_id or f"3A{next(_ids):014X}"
        info = MessageInfo(MessageSource=source, ID=message_id, Type="text", Pushname=push_name,
                           Timestamp=1_795_000_000_000)
        self.emit(MessageEv(Info=info, Message=message or Message(conversation=text)))
        return message_id

    def drop(self) -> None:
        self.connected = False
        self.emit(Disconnected(status=True))

    def reconnect(self) -> None:
        self.connected = True
        self.emit(Connected(status=True))

    def _forget(self) -> None:
        stored = self.world.sessions.get(self.session, [])
        if self.device_jid in stored:
            stored.remove(self.device_jid)

    def log_out_remotely(self) -> None:
        self._forget()
        self.connected = False
        self.emit(LoggedOut(OnConnect=False, Reason=2))  # LOGGED_OUT

    def ban(self, code: int = TemporaryBan.SENT_TOO_MANY_SAME_MESSAGE, expire: int = 3600) -> None:
        self.connected = False
        self.emit(TemporaryBan(Code=code, Expire=expire))

    def replace_stream(self) -> None:
        self.connected = False
        self.emit(StreamReplaced())
