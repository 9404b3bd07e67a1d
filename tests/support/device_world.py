"""A fake WhatsApp inside the real server process (the WHATSAPP_DEVICE_CLIENT test seam), steered by
the end-to-end tests over a small HTTP control server: rotate a device's QR code, scan it.

The server imports this module when started with TEST_SEAMS=1 and
WHATSAPP_DEVICE_CLIENT=tests.support.device_world:client_factory; the control server's address is
written to the file named by FAKE_WHATSAPP_CONTROL_FILE, where the test reads it."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.http_server import BackgroundServer
from tests.fakes.whatsapp_device import FakeDeviceClient, FakeWhatsApp

WORLD = FakeWhatsApp()


def client_factory(**kwargs) -> FakeDeviceClient:
    return WORLD.factory(**kwargs)


async def _show_qr(request: Request) -> JSONResponse:
    body = await request.json()
    WORLD.client(int(request.path_params["integration_id"])).show_qr(body.get("code"))
    return JSONResponse({"ok": True})


async def _scan(request: Request) -> JSONResponse:
    body = await request.json()
    device_jid = WORLD.client(int(request.path_params["integration_id"])).scan(body["phone"])
    return JSONResponse({"device_jid": device_jid})


def _start_control() -> BackgroundServer | None:
    target = os.environ.get("FAKE_WHATSAPP_CONTROL_FILE")
    if not target:
        return None
    control = BackgroundServer(Starlette(routes=[
        Route("/devices/{integration_id:int}/qr", _show_qr, methods=["POST"]),
        Route("/devices/{integration_id:int}/scan", _scan, methods=["POST"]),
    ]), name="fake-whatsapp-control").start()
    Path(target).write_text(control.base_url)
    return control


CONTROL = _start_control()


class DeviceWorldClient:
    """The test's side: steer the fake WhatsApp of the server whose control file is `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _post(self, url: str, body: dict) -> dict:
        response = httpx.post(self.path.read_text() + url, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def show_qr(self, integration_id: int, code: str) -> None:
        self._post(f"/devices/{integration_id}/qr", {"code": code})

    def scan(self, integration_id: int, phone: str) -> str:
        return self._post(f"/devices/{integration_id}/scan", {"phone": phone})["device_jid"]
