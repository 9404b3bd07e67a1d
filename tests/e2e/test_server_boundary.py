"""The real server (`reflex run --env prod`): origins and host names on socket.io, the page and the API;
the bind address refused without a token. (Runs after test_crash_recovery, whose own `reflex run` in the
same folder would disturb the shared server.)"""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.server import NODE_BIN, ROOT, free_port

pytestmark = pytest.mark.e2e

EVIL = "http://evil.example"
SOCKET_PATH = "/_event/?EIO=4&transport=websocket"


def websocket_handshake(base_url: str, origin: str | None = None, host: str | None = None) -> int:
    """The HTTP status the server answers a websocket upgrade of socket.io with (101: accepted)."""
    address = urlsplit(base_url)
    lines = [
        f"GET {SOCKET_PATH} HTTP/1.1",
        f"Host: {host or address.netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
        "Sec-WebSocket-Version: 13",
        *([f"Origin: {origin}"] if origin else []),
    ]
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = conn.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def test_socket_io_accepts_own_origin_and_refuses_others(server):
    assert websocket_handshake(server.base_url, origin=server.base_url) == 101
    assert websocket_handshake(server.base_url) == 101  # no Origin: not a browser page
    assert websocket_handshake(server.base_url, origin=EVIL) == 403
    assert websocket_handshake(server.base_url, origin=server.base_url, host="evil.example") == 400


def test_page_and_api_refuse_untrusted_origin_and_host(server):
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        assert client.get("/").status_code == 200
        assert client.get("/api/health", headers={"Origin": server.base_url}).status_code == 200
        for path in ("/", "/api/health"):
            refused = client.get(path, headers={"Origin": EVIL})
            assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
            assert client.get(path, headers={"Host": "evil.example"}).status_code == 400
        preflight = client.options(
            "/api/agents/1", headers={"Origin": EVIL, "Access-Control-Request-Method": "DELETE"}
        )
    assert preflight.status_code == 403
    assert not [name for name in preflight.headers if name.startswith("access-control-")]


def test_network_bind_without_token_refuses_to_start(tmp_path):
    """`--backend-host 0.0.0.0` on the command line is checked, not only HOST (which stays loopback)."""
    env = {k: v for k, v in os.environ.items() if k not in ("API_TOKEN", "HOST", "DATABASE_URL")}
    env.update(
        PATH=f"{NODE_BIN}:{os.environ['PATH']}",
        REFLEX_USE_NPM="1",
        REFLEX_CHECK_LATEST_VERSION="0",
        REFLEX_TELEMETRY_ENABLED="0",
        DATA_DIR=str(tmp_path),
        REFLEX_STATES_WORKDIR=str(tmp_path / "states"),  # `reflex run` empties it first: not the shared server's
    )
    reflex = str(ROOT / ".venv" / "bin" / "reflex")
    command = [reflex, "run", "--env", "prod", "--backend-host", "0.0.0.0", "--backend-port", str(free_port())]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=60)  # refused at once; a server would keep running
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the server started on 0.0.0.0 without API_TOKEN")
    assert process.returncode != 0
    assert "Refusing to listen on 0.0.0.0 without API_TOKEN" in output
