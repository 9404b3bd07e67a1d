"""The settings forms of the agent open on the Agents page: UI state only, saved one section at a time."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ai_agents.core.errors import AppError, ValidationFailed
from ai_agents.services.agent_settings import SECTIONS, AgentSettings
from ai_agents.services.validation import parse
from ai_agents.services.workspace import agents
from ai_agents.ui.agent_form import (
    FLAG_KEYS,
    MAX_TEXT,
    TEXT_KEYS,
    form_of,
    place,
    section_body,
    with_row_errors,
)
from ai_agents.ui.platform import call_service

SECTION_LABELS = {
    "working_hours": "Working hours",
    "translation": "Translation",
    "sentiment": "Sentiment",
    "follow_up": "Follow-ups",
    "broadcasts": "Broadcasts",
}
MAX_ROWS = 50  # ranges a day, holidays, follow-up messages a form holds (the models refuse more)


def _index(value: Any, rows: list) -> int | None:
    """A row index sent by the page, if it names a row."""
    try:
        index = int(value)
    except (TypeError, ValueError):
        return None
    return index if 0 <= index < len(rows) else None


class AgentSettingsState(rx.State):
    """The forms of one agent's settings, as typed; the stored settings come from the agents service."""

    agent_id: int = 0
    texts: dict[str, str] = {}
    flags: dict[str, bool] = {}
    schedule: dict[str, list[dict[str, str]]] = {}
    holidays: list[dict[str, str]] = []
    messages: list[dict[str, str]] = []
    errors: dict[str, str] = {}  # field key -> the problem the service found
    problems: dict[str, str] = {}  # section -> why its last save was refused
    notices: dict[str, str] = {}  # section -> "saved"

    def show_agent(self, agent_id: int, settings: dict[str, Any]) -> None:
        """Fill the forms from an agent's stored settings (the agents page opened it)."""
        self.agent_id = agent_id
        self._show(form_of(settings), SECTIONS)
        self.errors, self.problems, self.notices = {}, {}, {}

    def _form(self) -> dict[str, Any]:
        return {"texts": dict(self.texts), "flags": dict(self.flags), "schedule": dict(self.schedule),
                "holidays": list(self.holidays), "messages": list(self.messages)}

    def _show(self, form: dict[str, Any], sections) -> None:
        """Show the form's values of these sections; the others keep what is typed."""
        def mine(key: str) -> bool:
            return key.split(".")[0] in sections

        self.texts = {**{k: v for k, v in self.texts.items() if not mine(k)},
                      **{k: v for k, v in form["texts"].items() if mine(k)}}
        self.flags = {**{k: v for k, v in self.flags.items() if not mine(k)},
                      **{k: v for k, v in form["flags"].items() if mine(k)}}
        if "working_hours" in sections:
            self.schedule, self.holidays = form["schedule"], form["holidays"]
        if "follow_up" in sections:
            self.messages = form["messages"]

    # -- typing ---------------------------------------------------------------------------------
    @rx.event
    def set_text(self, key: str, value: str):
        if key in TEXT_KEYS:
            self.texts[key] = str(value)[:MAX_TEXT]

    @rx.event
    def set_flag(self, key: str, value: bool):
        if key in FLAG_KEYS:
            self.flags[key] = bool(value)

    @rx.event
    def add_range(self, day: str):
        if day in self.schedule and len(self.schedule[day]) < MAX_ROWS:
            last = self.schedule[day][-1] if self.schedule[day] else {"start": "09:00", "end": "18:00"}
            self.schedule[day].append({"start": last["start"], "end": last["end"], "error": ""})

    @rx.event
    def set_range(self, day: str, index: int, end: str, value: str):
        rows = self.schedule.get(day, [])
        if end in ("start", "end") and (i := _index(index, rows)) is not None:
            rows[i][end] = str(value)[:32]

    @rx.event
    def remove_range(self, day: str, index: int):
        rows = self.schedule.get(day, [])
        if (i := _index(index, rows)) is not None:
            rows.pop(i)

    @rx.event
    def add_holiday(self):
        if len(self.holidays) < MAX_ROWS:
            self.holidays.append({"value": "", "error": ""})

    @rx.event
    def set_holiday(self, index: int, value: str):
        if (i := _index(index, self.holidays)) is not None:
            self.holidays[i]["value"] = str(value)[:32]

    @rx.event
    def remove_holiday(self, index: int):
        if (i := _index(index, self.holidays)) is not None:
            self.holidays.pop(i)

    @rx.event
    def add_message(self):
        if len(self.messages) < MAX_ROWS:
            self.messages.append({"value": "", "error": ""})

    @rx.event
    def set_message(self, index: int, value: str):
        if (i := _index(index, self.messages)) is not None:
            self.messages[i]["value"] = str(value)[:MAX_TEXT]

    @rx.event
    def remove_message(self, index: int):
        if (i := _index(index, self.messages)) is not None:
            self.messages.pop(i)

    @rx.event
    def move_message(self, index: int, step: int):
        """Up (-1) or down (+1) in the order the follow-ups are sent."""
        i = _index(index, self.messages)
        j = None if i is None or step not in (-1, 1) else _index(i + step, self.messages)
        if i is not None and j is not None:
            rows = list(self.messages)
            rows[i], rows[j] = rows[j], rows[i]
            self.messages = rows

    # -- saving ---------------------------------------------------------------------------------
    @rx.event
    async def save(self, section: str):
        """PUT the section as typed, through the API's model and service; their problems show inline."""
        if not self.agent_id or section not in SECTION_LABELS:
            return
        others = {k: v for k, v in self.errors.items() if not k.startswith(section + ".")}
        self.notices = {**self.notices, section: ""}
        try:
            update = parse(AgentSettings, section_body(section, self._form()))
            stored = await call_service(agents.update_settings, self.agent_id, update)
        except ValidationFailed as exc:
            fields, rows = place(exc.problems)
            self.errors = {**others, **fields}
            self._show(with_row_errors(self._form(), rows), {section})
            self.problems = {**self.problems, section: exc.message}
            return
        except AppError as exc:
            self.problems = {**self.problems, section: exc.message}
            return
        self._show(form_of(stored), {section})
        self.errors = others
        self.problems = {**self.problems, section: ""}
        self.notices = {**self.notices, section: f"{SECTION_LABELS[section]} saved"}

