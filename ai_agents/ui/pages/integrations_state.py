"""State of the Integrations page: the rows, the connect form's messages, the device being paired."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx

from ai_agents.core.errors import AppError, FieldProblem, ValidationFailed
from ai_agents.services.validation import parse
from ai_agents.services.workspace import agents, devices, integrations
from ai_agents.services.workspace.integration_limits import RATE_FIELDS, RateLimits, set_rate_limits
from ai_agents.services.workspace.integrations import IntegrationCreate
from ai_agents.ui.components.integration_rows import STATUS_LABELS, integration_rows
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.platform import call_service, platform_context

# type -> the fields of its connect form: (name, label, secret, required)
CONNECT_FIELDS: dict[str, list[tuple[str, str, bool, bool]]] = {
    "telegram": [("token", "Bot token from @BotFather", True, True)],
    "instagram": [
        ("page_id", "Facebook Page id", False, True), ("access_token", "Page access token", True, True),
        ("app_secret", "App secret (default: INSTAGRAM_APP_SECRET)", True, False),
        ("verify_token", "Webhook verify token (default: INSTAGRAM_VERIFY_TOKEN)", True, False),
    ],
    "whatsapp_cloud": [
        ("phone_number_id", "Phone number id", False, True), ("access_token", "Access token", True, True),
        ("app_secret", "App secret", True, True), ("verify_token", "Webhook verify token", True, True),
    ],
    "whatsapp": [("phone", "Link by a code on this phone instead of a QR (E.164, optional)", False, False)],
}
CONNECT_TYPES = {"telegram": "Telegram", "instagram": "Instagram", "whatsapp_cloud": "WhatsApp Cloud API",
                 "whatsapp": "WhatsApp linked device (QR)"}
COMMON_FIELDS = ("name", "api_base_url", "rate_limit_per_second")
FORM_FIELDS = sorted({name for fields in CONNECT_FIELDS.values() for name, *_ in fields} | set(COMMON_FIELDS))
NO_BASE_URL = {"whatsapp"}  # a linked device talks to WhatsApp itself
CREDENTIAL_FIELD = {"telegram": "token", "instagram": "access_token", "whatsapp_cloud": "access_token"}
PAIRING_KEYS = ("status", "last_error", "phone_number", "connected", "qr", "qr_image", "pair_phone", "pair_code",
                "pairing_error", "instructions")
# After a connection the typed credentials leave the page (not form.reset(): it clears the pickers too).
CLEAR_CONNECT_INPUTS = "document.querySelectorAll('#connect-form input[id^=\"connect-\"]').forEach(i => { i.value = ''; })"
LIVE_KINDS = ("integration_status", "integration_identity", devices.PAIRING_EVENT)


def _no_errors() -> dict[str, str]:
    return {name: "" for name in [*FORM_FIELDS, "agent_id", "type", "body"]}


def _pairing_shown(view: dict[str, Any]) -> dict[str, Any]:
    """What the pairing panel shows (the QR image, never the inline SVG twice)."""
    return {key: view[key] for key in PAIRING_KEYS} | {"status": STATUS_LABELS.get(view["status"], view["status"])}


def _connect_body(kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """The form as the API's JSON body: only the chosen type's fields, empty ones left out."""
    names = [name for name, *_ in CONNECT_FIELDS.get(kind, [])] + list(COMMON_FIELDS)
    values = {name: str(form.get(name, "")).strip() for name in names}
    return {"type": kind} | {name: value for name, value in values.items() if value}


class IntegrationsState(rx.State):
    """The integrations shown; what the last action said; the device whose pairing is on screen."""

    rows: list[dict] = []
    agent_options: list[list[str]] = []
    connect_type: str = "telegram"
    connect_agent: str = ""
    field_errors: dict[str, str] = _no_errors()
    rate_errors: dict[str, str] = {}
    error: str = ""
    notice: str = ""
    pairing_id: int = 0
    pairing: dict[str, Any] = {}

    async def _reload(self) -> None:
        self.rows = await call_service(integration_rows)
        if self.pairing_id:
            await self._load_pairing()

    async def _load_pairing(self) -> None:
        pairing = await call_service(_pairing_or_none, self.pairing_id)
        self.pairing_id, self.pairing = (self.pairing_id, pairing) if pairing else (0, {})

    @rx.event
    async def load(self):
        listed, _total = await call_service(agents.list_agents, limit=1000)
        self.agent_options = [[str(a["id"]), a["name"]] for a in listed]
        if self.connect_agent not in {option[0] for option in self.agent_options}:
            self.connect_agent = self.agent_options[0][0] if self.agent_options else ""
        await self._reload()

    @rx.event
    def choose_type(self, kind: str):
        if kind in CONNECT_TYPES:
            self.connect_type, self.field_errors = kind, _no_errors()

    @rx.event
    def choose_agent(self, agent_id: str):
        if agent_id in {option[0] for option in self.agent_options}:
            self.connect_agent = agent_id

    @rx.event
    async def connect(self, form_data: dict):
        """The API's POST /api/agents/{id}/integrations: same checks, same messages, by field."""
        self.field_errors, self.error, self.notice = _no_errors(), "", ""
        kind = self.connect_type
        try:
            if not self.connect_agent.isdigit():
                raise ValidationFailed([FieldProblem("agent_id", "choose the agent this channel answers for")])
            data = parse(IntegrationCreate, _connect_body(kind, form_data))
            created = await integrations.create_integration(platform_context(), int(self.connect_agent), data)
        except ValidationFailed as exc:
            self.field_errors = _no_errors() | {p.field: p.message for p in exc.problems}
            return
        except AppError as exc:  # 400 invalid credentials: the credential is what is wrong
            field = CREDENTIAL_FIELD.get(kind) if exc.code == "INVALID_CREDENTIALS" else None
            if field:
                self.field_errors = _no_errors() | {field: exc.message}
            else:
                self.error = exc.message
            return
        self.notice = f"{created['display_name']} connected (integration {created['id']})"
        if kind == "whatsapp":
            self.pairing_id = created["id"]
            self.notice = f"WhatsApp device added (integration {created['id']}): link it with the phone below"
        await self._reload()
        return rx.call_script(CLEAR_CONNECT_INPUTS)

    async def _act(self, action: Callable[..., Awaitable[Any]], integration_id: int, done: str, *args) -> None:
        self.error, self.notice = "", ""
        try:
            await action(platform_context(), integration_id, *args)
            self.notice = done.format(id=integration_id)
        except AppError as exc:
            self.error = exc.message
        await self._reload()

    @rx.event
    async def start(self, integration_id: int):
        await self._act(integrations.set_enabled, integration_id, "Integration {id} started", True)

    @rx.event
    async def stop(self, integration_id: int):
        await self._act(integrations.set_enabled, integration_id, "Integration {id} stopped", False)

    @rx.event
    async def disconnect(self, integration_id: int):
        await self._act(devices.disconnect, integration_id, "Device {id} disconnected; the session is kept")

    @rx.event
    async def logout(self, integration_id: int):
        await self._act(devices.logout, integration_id, "Device {id} logged out; the session is forgotten")

    @rx.event
    async def delete(self, integration_id: int):
        if self.pairing_id == integration_id:
            self.pairing_id, self.pairing = 0, {}
        await self._act(integrations.delete_integration, integration_id, "Integration {id} deleted")

    @rx.event
    async def pair(self, integration_id: int):
        """Show the device's pairing panel and start linking it by QR code (POST .../pair)."""
        self.pairing_id = integration_id
        await self._pair(devices.PairRequest())

    @rx.event
    async def pair_by_phone(self, form_data: dict):
        """Link the device on screen by a code typed on this phone instead (POST .../pair with phone)."""
        phone = str(form_data.get("phone", "")).strip()
        if not self.pairing_id:
            return
        try:
            request = parse(devices.PairRequest, {"phone": phone or None})
        except ValidationFailed as exc:
            self.field_errors = _no_errors() | {p.field: p.message for p in exc.problems}
            return
        await self._pair(request)

    async def _pair(self, request: devices.PairRequest) -> None:
        self.field_errors, self.error, self.notice = _no_errors(), "", ""
        try:
            await devices.pair(platform_context(), self.pairing_id, request)
        except ValidationFailed as exc:
            self.field_errors = _no_errors() | {p.field: p.message for p in exc.problems}
        except AppError as exc:
            self.error = exc.message
        await self._reload()

    @rx.event
    def close_pairing(self):
        self.pairing_id, self.pairing = 0, {}

    @rx.event
    async def save_rates(self, form_data: dict):
        """The API's PUT /api/integrations/{id}/rate_limits: an empty box returns to the default."""
        raw_id = str(form_data.get("integration_id", ""))
        integration_id = int(raw_id) if raw_id.isdigit() else 0
        body = {name: (str(form_data.get(name, "")).strip() or None) for name in RATE_FIELDS}
        self.rate_errors, self.error, self.notice = {}, "", ""
        try:
            await call_service(set_rate_limits, integration_id, parse(RateLimits, body))
            self.notice = f"Integration {integration_id}: rate limits saved"
        except ValidationFailed as exc:
            self.rate_errors = {"id": str(integration_id)} | {p.field: p.message for p in exc.problems}
        except AppError as exc:
            self.error = exc.message
        await self._reload()

    @rx.event(background=True)
    async def follow(self):
        """Status changes, QR codes as they rotate and linked numbers, pushed (no polling)."""
        async with tab_bursts(self, LIVE_KINDS) as bursts:
            async for _burst in bursts:
                rows = await call_service(integration_rows)
                async with self:
                    shown = self.pairing_id
                pairing = await call_service(_pairing_or_none, shown) if shown else None
                async with self:
                    self.rows = rows
                    if shown and self.pairing_id == shown:  # re-read: the person may have closed it
                        if pairing is None:
                            self.pairing_id, self.pairing = 0, {}
                        else:
                            self.pairing = pairing


def _pairing_or_none(ctx, integration_id: int) -> dict[str, Any] | None:
    """The pairing panel's content; None once the device is deleted."""
    try:
        return _pairing_shown(devices.pairing_view(ctx, integration_id))
    except AppError:
        return None
