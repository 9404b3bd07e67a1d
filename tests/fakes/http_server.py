"""Run an ASGI app with uvicorn in a background thread on 127.0.0.1 for tests."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import uvicorn

T = TypeVar("T")


class _ThreadServer(uvicorn.Server):
    """uvicorn server that stops on an event instead of polling every 100 ms."""

    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready
        self._exit_event: asyncio.Event | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._exit_event = asyncio.Event()
        await super().startup(sockets=sockets)
        self._ready.set()

    async def main_loop(self) -> None:
        await self.on_tick(0)  # sets the default (date/server) headers once
        assert self._exit_event is not None
        await self._exit_event.wait()

    def request_exit(self) -> None:
        """Wake ``main_loop`` so shutdown begins (call on the server loop)."""
        self.should_exit = True
        if self._exit_event is not None:
            self._exit_event.set()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Like uvicorn's shutdown, minus its fixed 100 ms sleeps (tests start many servers)."""
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()  # closes idle keep-alive connections, ends busy ones after reply
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.config.timeout_graceful_shutdown or 0)
        state = self.server_state
        while (state.connections or state.tasks) and loop.time() < deadline and not self.force_exit:
            await asyncio.sleep(0.005)
        for task in list(state.tasks):
            task.cancel()
        for server in self.servers:
            await server.wait_closed()
        await self.lifespan.shutdown()


class BackgroundServer:
    """Serve ``app`` on a free port of 127.0.0.1 from a daemon thread.

    ``on_stop`` (if given) runs on the server loop right before shutdown, so an
    app can release long-polls or sleeps and let in-flight requests finish fast.
    """

    def __init__(
        self,
        app: Any,
        *,
        host: str = "127.0.0.1",
        on_stop: Callable[[], None] | None = None,
        graceful_timeout: float = 2.0,
        name: str = "fake-http-server",
    ) -> None:
        self.app = app
        self.host = host
        self.port: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._on_stop = on_stop
        self._graceful_timeout = graceful_timeout
        self._name = name
        self._thread: threading.Thread | None = None
        self._server: _ThreadServer | None = None
        self._sock: socket.socket | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        if self._thread is not None:
            raise RuntimeError("server already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Inherited by accepted sockets; without it every keep-alive request waits ~40 ms
        # (Nagle + delayed ACK, since uvicorn writes response headers and body separately).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, 0))
        sock.listen(128)
        sock.setblocking(False)
        self._sock = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            loop="asyncio",
            http="h11",
            timeout_graceful_shutdown=self._graceful_timeout,
        )
        ready = threading.Event()
        self._server = _ThreadServer(config, ready)
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()
        while not ready.wait(0.01):
            if not self._thread.is_alive() or timeout <= 0:
                self.stop()
                raise RuntimeError(f"{self._name} failed to start") from self._error
            timeout -= 0.01
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop
        try:
            assert self._server is not None and self._sock is not None
            loop.run_until_complete(self._server.serve(sockets=[self._sock]))
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            self._error = exc
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving; wakes waiting handlers via ``on_stop`` first. Idempotent."""
        thread, server, loop = self._thread, self._server, self.loop
        if thread is not None and thread.is_alive() and server is not None and loop is not None:

            def _begin_shutdown() -> None:
                server.request_exit()  # makes ``stopping`` true and ends ``sleep`` calls
                if self._on_stop is not None:
                    self._on_stop()

            try:
                loop.call_soon_threadsafe(_begin_shutdown)
            except RuntimeError:  # loop already closed
                pass
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        if self._sock is not None:
            self._sock.close()
        self._thread = None
        self._server = None

    @property
    def stopping(self) -> bool:
        """True once ``stop()`` has begun (read it from handlers on the server loop)."""
        return self._server is None or self._server.should_exit

    async def sleep(self, seconds: float) -> None:
        """``asyncio.sleep`` for handlers that returns early when the server stops."""
        exit_event = self._server._exit_event if self._server is not None else None
        if exit_event is None:
            return
        stopped = asyncio.ensure_future(exit_event.wait())
        await asyncio.wait([stopped], timeout=seconds)
        stopped.cancel()

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Schedule ``fn(*args)`` on the server loop (no-op when not running)."""
        loop = self.loop
        if loop is not None and self.running:
            try:
                loop.call_soon_threadsafe(fn, *args)
            except RuntimeError:
                pass

    def run_coroutine(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the server loop from another thread and return its result."""
        if self.loop is None or not self.running:
            raise RuntimeError("server is not running")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


async def wait_disconnect(receive: Callable[[], Awaitable[dict[str, Any]]]) -> None:
    """Return once the client has gone away (call after the request body was read)."""
    while (await receive())["type"] != "http.disconnect":
        pass
