"""A bare Reflex websocket client (socket.io over engine.io, by hand): sends state events the way
the page does, without the page, to show what the server accepts from anyone who can connect."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import simple_websocket

NAMESPACE = "/_event"


class ReflexSocket:
    """One tab: a client token and a socket.io connection to the `/_event` namespace."""

    def __init__(self, base_url: str, path: str = "/") -> None:
        self.token = str(uuid.uuid4())
        self.path = path
        ws_url = base_url.replace("http://", "ws://") + f"/_event/?EIO=4&transport=websocket&token={self.token}"
        self.ws = simple_websocket.Client(ws_url)
        self.updates: list[Any] = []
        self._until(lambda packet: packet.startswith("0"), 30, "engine.io OPEN")
        self.ws.send(f"40{NAMESPACE},")  # socket.io CONNECT to the namespace
        self._until(lambda packet: packet.startswith(f"40{NAMESPACE}"), 30, "socket.io CONNECT")

    def emit(self, handler: str, **payload: Any) -> None:
        """Queue the event `handler` (full name: state path + "." + handler) with its arguments."""
        event = {"name": handler, "payload": payload, "router_data": {"pathname": self.path, "query": {}}}
        self.ws.send(f"42{NAMESPACE}," + json.dumps(["event", event]))

    def settle(self, seconds: float = 1.0) -> None:
        """Read what the server pushes for a while (state deltas), answering its pings."""
        self._until(lambda packet: False, seconds)

    def _until(self, done, seconds: float, expected: str | None = None) -> None:
        """Read packets until `done(packet)` or for `seconds`; TimeoutError then if `expected`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            packet = self.ws.receive(timeout=left)
            if packet is None:
                continue
            if packet == "2":
                self.ws.send("3")  # engine.io PONG
            elif packet.startswith(f"42{NAMESPACE},"):
                self.updates.append(json.loads(packet[len(NAMESPACE) + 3:]))
            if done(packet):
                return
        if expected:
            raise TimeoutError(f"no {expected} from the server within {seconds:g}s")

    def close(self) -> None:
        self.ws.close()
