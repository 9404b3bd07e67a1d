"""The linked-device WhatsApp client as the adapter sees it: our interface over neonize, and the session store."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

# Events reach the adapter as neonize's own event objects (protobuf messages: QR, PairStatus,
# Connected, Message, Disconnected, LoggedOut, TemporaryBan, StreamReplaced, ...) plus the one
# below, which neonize only prints: the QR codes ran out without being scanned.
EventSink = Callable[[object], None]  # called from the library's threads


@dataclass(frozen=True)
class QRExpired:
    """Every QR code of a pairing expired unscanned (whatsmeow's QR channel said "timeout")."""

    detail: str = "timeout"


@dataclass(frozen=True)
class DeviceIdentity:
    """Who our linked device is: its own JID (`15550001111:7@s.whatsapp.net`, the DeviceID) and
    the account's phone JID (`15550001111@s.whatsapp.net`)."""

    device_jid: str
    phone_jid: str
    lid: str | None = None
    push_name: str = ""


class DeviceSendFailed(Exception):
    """The library refused or failed a send; the text is the library's reason."""


class DeviceClient(Protocol):
    """One linked device. `run` blocks (call it in a thread) until `stop` or a fatal error; events
    go to the sink the client was built with. The other calls block briefly; call them in threads."""

    def run(self) -> None: ...

    def stop(self) -> None: ...

    def me(self) -> DeviceIdentity | None:
        """The paired device, or None while it is not paired."""
        ...

    def send_text(self, to_jid: str, text: str) -> str:
        """Send; returns WhatsApp's message id; DeviceSendFailed with the reason."""
        ...

    def pair_phone(self, phone_digits: str) -> str:
        """The 8-character code to type on the phone (Linked devices > Link with phone number)."""
        ...

    def logout(self) -> None:
        """Unlink the device on WhatsApp's side too; the session is gone afterwards."""
        ...

    def phone_for_lid(self, lid_jid: str) -> str | None:
        """The phone JID WhatsApp gave for a LID (hidden) address, when the store knows it."""
        ...


class DeviceClientFactory(Protocol):
    """Builds the client of one device over its session store (`session`, see SessionStore)."""

    def __call__(self, *, session: str, device_jid: str | None, on_event: EventSink, key: str) -> DeviceClient:
        """`key`: unique per device in this process (the library's registry of clients)."""
        ...


@dataclass(frozen=True)
class SessionStore:
    """Where each device keeps its session: a SQLite file per device in DATA_DIR, or the PostgreSQL
    database of DATABASE_URL (whatsmeow's own tables, one row set per device)."""

    data_dir: Path
    database_url: str = ""

    def location(self, integration_id: int) -> str:
        """The session store name neonize takes: a file path or a `postgres://` URL."""
        if self.database_url.startswith("postgres"):
            return libpq_url(self.database_url)
        folder = self.data_dir / "whatsapp"
        folder.mkdir(parents=True, exist_ok=True)
        return str((folder / f"device-{integration_id}.db").resolve())

    def forget(self, integration_id: int) -> None:
        """Drop a device's SQLite session (after a logout). In PostgreSQL the device's rows stay,
        but a logged-out device is never resumed (it pairs as a new device)."""
        if self.database_url.startswith("postgres"):
            return
        path = self.data_dir / "whatsapp" / f"device-{integration_id}.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+psycopg://...`) as the Go driver reads it (`postgres://...`),
    with libpq's default `sslmode=prefer` (the Go driver's own default is `require`)."""
    parts = urlsplit(url)
    query = parts.query if "sslmode=" in parts.query else "&".join(filter(None, [parts.query, "sslmode=prefer"]))
    return urlunsplit(("postgres", parts.netloc, parts.path, query, parts.fragment))


def in_own_thread(fn: Callable[[], object], name: str) -> asyncio.Future:
    """`fn()` in a thread of its own, as a future of this loop. For a call that lasts as long as a
    connection: in the default executor (cores + 4 workers) each device would hold a worker for
    good, and with a few devices the database work and the stages run there would wait forever."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result: object, error: BaseException | None) -> None:
        if future.done():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def target() -> None:
        try:
            outcome: tuple[object, BaseException | None] = (fn(), None)
        except BaseException as exc:  # noqa: BLE001 - handed to the loop, raised where it is awaited
            outcome = (None, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass

    threading.Thread(target=target, name=name, daemon=True).start()
    return future


async def run_client(
    build: Callable[[EventSink], DeviceClient],
    handle: Callable[[object, DeviceClient], Awaitable[bool]],
    running: Callable[[DeviceClient | None], None],
) -> tuple[str | None, bool]:
    """Build a client and run it in a thread until it ends, handing its events (from the library's
    threads) to `handle` in order, in this loop; `running` is told the client, then None.
    Returns (the client's error, whether `handle` ever said it connected)."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue = asyncio.Queue()

    def on_event(event: object) -> None:  # a library thread
        try:
            loop.call_soon_threadsafe(events.put_nowait, event)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass

    try:
        client = await asyncio.to_thread(build, on_event)
    except Exception as exc:  # noqa: BLE001 - retried with backoff like a failed connection
        return f"{type(exc).__name__}: {exc}", False
    running(client)
    connected = False
    runner = in_own_thread(client.run, name="whatsapp-client")
    try:
        while not runner.done() or not events.empty():
            getter = asyncio.ensure_future(events.get())
            await asyncio.wait({getter, runner}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                continue
            connected = await handle(getter.result(), client) or connected
        runner.result()
        return None, connected
    except Exception as exc:  # noqa: BLE001 - the client's own failure: retried with backoff
        return f"{type(exc).__name__}: {exc}", connected
    finally:
        running(None)
        if not runner.done():
            client.stop()
