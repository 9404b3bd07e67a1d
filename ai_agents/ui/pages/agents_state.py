"""The Agents page's state: the agents, the one open and its fields as typed; create, edit, delete."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ai_agents.core.errors import AppError, ValidationFailed
from ai_agents.services.validation import parse
from ai_agents.services.workspace import agents
from ai_agents.ui.pages.agent_settings import AgentSettingsState
from ai_agents.ui.pages.agent_try import TryAgentState
from ai_agents.ui.platform import call_service, platform_context

DRAFT_TEXTS = ("name", "model", "base_url", "temperature", "language", "system_prompt")
DRAFT_FLAGS = ("is_active", "remove_api_key", "keep_api_key")
MAX_DRAFT = 100_000
MAX_LISTED = 500  # agents in the list
KEY_LABELS = {"ok": "", "missing": "no key of its own", "unreadable": "key unreadable: enter it again"}


def agent_row(view: dict[str, Any]) -> dict[str, Any]:
    """An agent in the list: its key only masked, as the service shows it."""
    if view["api_key"]:
        key = view["api_key"]
    else:
        key = "default key (OPENAI_API_KEY)" if view["uses_default_api_key"] else "no key"
    return {"id": view["id"], "name": view["name"], "model": view["model"], "api_key": key,
            "active": view["is_active"], "key_problem": view["credentials_status"] == "unreadable"}


def _draft_of(view: dict[str, Any] | None) -> tuple[dict[str, str], dict[str, bool]]:
    view = view or {}
    texts = {name: "" if view.get(name) is None else str(view[name]) for name in DRAFT_TEXTS}
    return texts, {"is_active": bool(view.get("is_active", True)), "remove_api_key": False, "keep_api_key": False}


def _or_none(text: str) -> str | None:
    return text.strip() or None


class AgentsState(rx.State):
    """The list, which agent is open (or a new one), and its fields as typed. The API key typed in
    the form reaches the server with the submit only: it is never a var of this state."""

    rows: list[dict[str, Any]] = []
    selected_id: int = 0
    creating: bool = False
    tab: str = "agent"
    draft: dict[str, str] = {}
    draft_flags: dict[str, bool] = {}
    key_shown: str = ""  # the stored key, masked by the service
    errors: dict[str, str] = {}
    problem: str = ""
    notice: str = ""

    @rx.event
    async def load(self):
        try:
            await self._load_rows()
        except AppError as exc:  # the platform is starting
            self.problem = exc.message
            return
        if self.selected_id and any(r["id"] == self.selected_id for r in self.rows):
            await self._open(self.selected_id)
        elif not self.creating:
            self.selected_id = 0

    async def _load_rows(self) -> None:
        listed, _total = await call_service(agents.list_agents, limit=MAX_LISTED)
        self.rows = [agent_row(a) for a in listed]

    async def _open(self, agent_id: int) -> None:
        try:
            view = await call_service(agents.get_agent, agent_id)
        except AppError as exc:
            self.problem = exc.message
            return
        self._show(view)
        (await self.get_state(AgentSettingsState)).show_agent(view["id"], view["settings"])
        (await self.get_state(TryAgentState)).show_agent(view["id"], view["is_active"])

    def _show(self, view: dict[str, Any]) -> None:
        self.selected_id, self.creating = view["id"], False
        self.draft, self.draft_flags = _draft_of(view)
        self.key_shown = agent_row(view)["api_key"]
        self.errors, self.problem = {}, ""

    @rx.event
    async def select(self, agent_id: int):
        if not isinstance(agent_id, int):
            return
        self.notice = ""
        if self.selected_id != agent_id:
            self.tab = "agent"
        await self._open(agent_id)

    @rx.event
    def start_create(self):
        self.selected_id, self.creating, self.tab = 0, True, "agent"
        self.draft, self.draft_flags = _draft_of(None)
        self.key_shown, self.errors, self.problem, self.notice = "", {}, "", ""

    @rx.event
    def set_tab(self, value: str):
        self.tab = str(value)[:32]

    @rx.event
    def set_draft(self, name: str, value: str):
        if name in DRAFT_TEXTS:
            self.draft[name] = str(value)[:MAX_DRAFT]

    @rx.event
    def set_draft_flag(self, name: str, value: bool):
        if name in DRAFT_FLAGS:
            self.draft_flags[name] = bool(value)

    def _body(self, api_key: str) -> dict[str, Any]:
        """The body of POST /api/agents (new) or PATCH /api/agents/{id}, as typed."""
        d, flags = self.draft, self.draft_flags
        body: dict[str, Any] = {"name": d["name"], "system_prompt": d["system_prompt"], "is_active": flags["is_active"],
                                "base_url": _or_none(d["base_url"]), "temperature": _or_none(d["temperature"])}
        if self.creating:
            return {**body, "model": _or_none(d["model"]), "language": _or_none(d["language"]),
                    "api_key": api_key or None}
        body.update(model=d["model"], language=d["language"])
        if api_key or flags["remove_api_key"]:
            body["api_key"] = api_key or None
        if flags["keep_api_key"]:
            body["keep_api_key"] = True
        return body

    @rx.event
    async def save_agent(self, form_data: dict):
        if not (self.creating or self.selected_id):
            return
        body = self._body(str(form_data.get("api_key", "")).strip())
        try:
            if self.creating:
                view = await call_service(agents.create_agent, parse(agents.AgentCreate, body))
            else:
                fields = parse(agents.AgentFields, body)
                view = await call_service(agents.update_agent, self.selected_id, fields, partial=True)
        except ValidationFailed as exc:
            self.errors, self.problem, self.notice = {p.field: p.message for p in exc.problems}, exc.message, ""
            return
        except AppError as exc:
            self.errors, self.problem, self.notice = {}, exc.message, ""
            return
        created = self.creating
        await self._open(view["id"])
        self.notice = f"Agent {view['name']} {'created' if created else 'saved'}"
        await self._load_rows()

    @rx.event
    async def delete_agent(self):
        if not self.selected_id:
            return
        name = self.draft.get("name", "")
        try:
            await agents.delete_agent(platform_context(), self.selected_id)
        except AppError as exc:
            self.problem = exc.message
            return
        self.selected_id, self.creating, self.notice = 0, False, f"Agent {name} deleted"
        await self._load_rows()
