"""An httpcore network backend on plain asyncio transports, for the HTTP clients of the channels and the LLM.

httpcore's own backend for asyncio goes through anyio: every read and write opens a cancel scope
(two `asyncio.current_task()` calls, each a `getpid()` system call on Python 3.11) and yields to
the loop once more before touching the socket, and checking whether an idle pooled connection was
closed by the server polls its socket (another system call, for each pooled connection, on each
request). Here a read is one future and one timer, and "closed by the server" is known from what
the protocol has already been told. Measured in `benchmarks/http_clients.py`.

The same backend serves httpcore (httpx: python-telegram-bot, the Graph API) and httpcore2 (httpx2:
openai): they share the interface and differ in their exception classes, passed in as `errors`.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterable
from types import ModuleType
from typing import Any

_PAUSE_READING_AT = 256 * 1024  # bytes buffered and not read yet: stop reading the socket
_RESUME_READING_AT = 64 * 1024


class _StreamProtocol(asyncio.Protocol):
    """Buffers what arrives; wakes the reader waiting for it and the writer waiting for the socket
    to drain (HTTP/2 reads and writes one connection from two tasks)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.lost: Exception | None = None
        self.closed = False
        self.reading_paused = False
        self.writing_paused = False
        self.read_waiter: asyncio.Future[None] | None = None
        self.drain_waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > _PAUSE_READING_AT and not self.reading_paused:
            self.reading_paused = True
            self.transport.pause_reading()
        _wake(self.read_waiter)

    def eof_received(self) -> bool:
        self.eof = True
        _wake(self.read_waiter)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = self.closed = True
        self.lost = exc
        _wake(self.read_waiter)
        _wake(self.drain_waiter)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.drain_waiter)

    def take(self, max_bytes: int) -> bytes:
        data = bytes(self.buffer[:max_bytes])
        del self.buffer[:max_bytes]
        if self.reading_paused and len(self.buffer) < _RESUME_READING_AT and not self.closed:
            self.reading_paused = False
            self.transport.resume_reading()
        return data

    async def readable(self, timeout: float | None) -> None:
        """Until something arrives or the peer closes; TimeoutError after `timeout` seconds."""
        self.read_waiter = asyncio.get_running_loop().create_future()
        try:
            await _within(self.read_waiter, timeout)
        finally:
            self.read_waiter = None

    async def drained(self, timeout: float | None) -> None:
        """Until the transport takes writes again or the connection is lost; TimeoutError after `timeout`."""
        self.drain_waiter = asyncio.get_running_loop().create_future()
        try:
            await _within(self.drain_waiter, timeout)
        finally:
            self.drain_waiter = None


async def _within(waiter: asyncio.Future[None], timeout: float | None) -> None:
    """Await the waiter: one timer, not a cancel scope (no task lookup, no extra pass of the loop)."""
    timer = asyncio.get_running_loop().call_later(timeout, _expire, waiter) if timeout is not None else None
    try:
        await waiter
    finally:
        if timer is not None:
            timer.cancel()


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class AsyncioStream:
    """One connection (plain or TLS) as httpcore's `AsyncNetworkStream`."""

    def __init__(self, transport: asyncio.Transport, protocol: _StreamProtocol, errors: ModuleType) -> None:
        self._transport, self._protocol, self._errors = transport, protocol, errors

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.buffer and not protocol.eof:
            try:
                await protocol.readable(timeout)
            except TimeoutError:
                raise self._errors.ReadTimeout("timed out reading the response") from None
        if protocol.buffer:
            return protocol.take(max_bytes)
        if protocol.lost is not None:
            raise self._errors.ReadError(str(protocol.lost) or type(protocol.lost).__name__)
        return b""  # the peer closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if protocol.closed or self._transport.is_closing():
            raise self._errors.WriteError(str(protocol.lost or "the connection is closed"))
        self._transport.write(buffer)
        while protocol.writing_paused and not protocol.closed:
            try:
                await protocol.drained(timeout)
            except TimeoutError:
                raise self._errors.WriteTimeout("timed out writing the request") from None
        if protocol.lost is not None:
            raise self._errors.WriteError(str(protocol.lost))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> AsyncioStream:
        loop = asyncio.get_running_loop()
        try:
            handshake = loop.start_tls(self._transport, self._protocol, ssl_context, server_hostname=server_hostname)
            transport = await asyncio.wait_for(handshake, timeout)
        except TimeoutError:
            self._transport.abort()
            raise self._errors.ConnectTimeout("timed out in the TLS handshake") from None
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._transport.abort()
            raise self._errors.ConnectError(str(exc)) from exc
        self._protocol.transport = transport  # flow control through the TLS layer from now on
        return AsyncioStream(transport, self._protocol, self._errors)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle connection the server has closed, or sent something on
            return bool(self._protocol.buffer) or self._protocol.eof
        names = {"ssl_object": "ssl_object", "client_addr": "sockname", "server_addr": "peername", "socket": "socket"}
        return self._transport.get_extra_info(names[info]) if info in names else None


class AsyncioBackend:
    """httpcore's `AsyncNetworkBackend` on asyncio; `errors` is the `httpcore` or `httpcore2` module."""

    def __init__(self, errors: ModuleType) -> None:
        self._errors = errors

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[tuple] | None = None,
    ) -> AsyncioStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        connecting = loop.create_connection(_StreamProtocol, host, port, local_addr=local, happy_eyeballs_delay=0.25)
        stream = await self._connected(connecting, timeout)
        for option in socket_options or ():
            stream.get_extra_info("socket").setsockopt(*option)
        return stream

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[tuple] | None = None
    ) -> AsyncioStream:
        stream = await self._connected(asyncio.get_running_loop().create_unix_connection(_StreamProtocol, path), timeout)
        for option in socket_options or ():
            stream.get_extra_info("socket").setsockopt(*option)
        return stream

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def _connected(self, connecting, timeout: float | None) -> AsyncioStream:
        try:
            transport, protocol = await asyncio.wait_for(connecting, timeout)
        except TimeoutError:
            raise self._errors.ConnectTimeout("timed out connecting") from None
        except OSError as exc:
            raise self._errors.ConnectError(str(exc)) from exc
        return AsyncioStream(transport, protocol, self._errors)
