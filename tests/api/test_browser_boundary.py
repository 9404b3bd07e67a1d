"""The real Reflex app in-process: untrusted origins and host names are refused on the API, pages and socket.io."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from starlette.middleware.cors import CORSMiddleware
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from ai_agents.api.security import browser_guard
from ai_agents.config import load_settings
from tests.support.server import NODE_BIN

EVIL = "http://evil.example"
EXTRA_ORIGIN = "https://admin.example.com"
OWN = "http://localhost:8080"
NETWORK_VARIABLES = ("HOST", "PORT", "ALLOWED_HOSTS", "REFLEX_BACKEND_HOST", "REFLEX_BACKEND_PORT", "API_TOKEN")


@pytest.fixture
def database_url(tmp_path) -> str:
    """SQLite only: the browser boundary does not depend on the database."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture(scope="module")
def reflex_app() -> Iterator[tuple[object, object]]:
    """(rx.App, its ASGI app) exactly as Granian serves it, built from rxconfig.py with default settings."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{NODE_BIN}:{os.environ['PATH']}")
        patch.setenv("REFLEX_SKIP_COMPILE", "true")  # the pages are compiled in memory, not built
        patch.setenv("ALLOWED_ORIGINS", EXTRA_ORIGIN)
        for name in NETWORK_VARIABLES:
            patch.delenv(name, raising=False)
        from ai_agents.ai_agents import app

        asgi = app()
        yield app, asgi


@pytest.fixture
async def browser_client(reflex_app, ctx) -> AsyncIterator[httpx.AsyncClient]:
    slot = reflex_app[0].api_transformer.state.context_slot
    slot.fill(ctx)  # what the lifespan does when the server runs
    transport = httpx.ASGITransport(app=reflex_app[1])
    try:
        async with httpx.AsyncClient(transport=transport, base_url=OWN) as client:
            yield client
    finally:
        slot.fill(None)


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.startswith("access-control-")}


async def test_untrusted_origin_is_refused_and_gets_no_cors_headers(browser_client):
    read = await browser_client.get("/api/health", headers={"Origin": EVIL})
    write = await browser_client.post("/api/agents", json={"name": "x", "model": "m"}, headers={"Origin": EVIL})
    for response in (read, write):
        assert response.status_code == 403 and _cors_headers(response) == {}
        assert response.json()["code"] == "FORBIDDEN_ORIGIN" and "ALLOWED_ORIGINS" in response.json()["message"]
    assert (await browser_client.get("/api/agents")).json()["results"] == []  # nothing was created


async def test_untrusted_preflight_is_refused(browser_client):
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "DELETE"}
    response = await browser_client.options("/api/agents/1", headers=headers)
    assert response.status_code == 403 and _cors_headers(response) == {}


@pytest.mark.parametrize("path", ["/api/health", "/", "/ping", "/_event/"])
@pytest.mark.parametrize("host", ["evil.example", "rebind.attacker.example:8080", "127.0.0.1.nip.io:8080"])
async def test_unknown_host_name_is_400_everywhere(browser_client, path, host):
    response = await browser_client.get(path, headers={"Host": host})
    assert response.status_code == 400 and _cors_headers(response) == {}


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "localhost"])
async def test_loopback_names_and_requests_without_origin_work(browser_client, host):
    response = await browser_client.get("/api/health", headers={"Host": host})
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"


async def test_own_origin_works(browser_client):
    created = await browser_client.post(
        "/api/agents", json={"name": "Own page", "model": "gpt-4o-mini", "api_key": "sk-own-origin-key"},
        headers={"Origin": OWN},
    )
    assert created.status_code == 201, created.text
    assert created.headers["access-control-allow-origin"] == OWN


async def test_allowed_extra_origin_gets_cors_headers(browser_client):
    preflight = await browser_client.options(
        "/api/agents/1", headers={"Origin": EXTRA_ORIGIN, "Access-Control-Request-Method": "DELETE"}
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == EXTRA_ORIGIN
    response = await browser_client.get("/api/health", headers={"Origin": EXTRA_ORIGIN})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == EXTRA_ORIGIN


def test_socket_io_refuses_untrusted_origin_and_host(reflex_app):
    client = TestClient(reflex_app[1], base_url=OWN)
    for headers in ({"origin": EVIL}, {"host": "evil.example"}):
        with pytest.raises(WebSocketDisconnect), client.websocket_connect("/_event/?EIO=4&transport=websocket",
                                                                          headers=headers) as socket:
            socket.receive_text()


def _cors_origins(app) -> list[list[str]]:
    """allow_origins of every CORS layer Reflex added (its own app and our API); the outer one is built
    on the fly, with the same config value."""
    apps = [app._api, app.api_transformer]
    return [list(m.kwargs["allow_origins"]) for a in apps for m in a.user_middleware if m.cls is CORSMiddleware]


def test_reflex_cors_layers_and_socket_io_allow_only_trusted_origins(reflex_app):
    app, _asgi = reflex_app
    trusted = load_settings(allowed_origins=EXTRA_ORIGIN).trusted_origins
    layers = _cors_origins(app)
    assert len(layers) == 2 and all(origins == trusted for origins in layers)
    assert app.sio.eio.cors_allowed_origins == trusted
    assert "*" not in trusted and OWN in trusted and EXTRA_ORIGIN in trusted


def test_wildcard_bind_warns_which_host_names_are_accepted(logs):
    browser_guard(load_settings(host="0.0.0.0", api_token="a-long-enough-token"))(lambda *args: None)
    assert logs.count("Listening on all addresses; accepted host names: localhost, 127.0.0.1, [::1]") == 1
    browser_guard(load_settings(host="0.0.0.0", api_token="a-long-enough-token", allowed_hosts="chat.example"))(
        lambda *args: None
    )
    assert logs.count("Listening on all addresses") == 1
