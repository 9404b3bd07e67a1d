"""An agent's settings as the page's forms hold them, back to the API's body, and where each problem shows.

No rule lives here: the body goes to the same pydantic models and service as PUT /api/agents/{id}/settings,
and their problems (the 422's) are placed beside the field, range or row they name.
"""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from ai_agents.core.errors import FieldProblem
from ai_agents.core.schedule import WEEKDAYS
from ai_agents.services.agent_settings import AgentSettings

SCHEDULE, HOLIDAYS, MESSAGES = "working_hours.schedule", "working_hours.holidays", "follow_up.messages"
ROW_FIELDS = (SCHEDULE, HOLIDAYS, MESSAGES)  # edited as rows (ranges, dates, ordered messages)
MAX_TEXT = 100_000  # longest value a form field keeps (the models' own limits are lower)
_INDEXED = re.compile(r"^(?P<list>.+?)\[(?P<index>\d+)\](?:\.(?P<rest>.+))?$")


def _kind(annotation: Any) -> str:
    """How a settings field is edited: a switch, lines of a text area, or a text box."""
    if annotation is bool:
        return "flag"
    return "lines" if get_origin(annotation) is list else "text"


def _fields() -> dict[str, tuple[str, bool]]:
    """Every field edited as a switch, lines or text: key -> (kind, may be null)."""
    found = {}
    for section, info in AgentSettings.model_fields.items():
        for name, field in info.annotation.model_fields.items():
            key = f"{section}.{name}"
            if key not in ROW_FIELDS:
                found[key] = (_kind(field.annotation), type(None) in get_args(field.annotation))
    return found


FIELDS = _fields()
FLAG_KEYS = frozenset(k for k, (kind, _) in FIELDS.items() if kind == "flag")
TEXT_KEYS = frozenset(k for k, (kind, _) in FIELDS.items() if kind != "flag")


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def form_of(settings: dict[str, Any]) -> dict[str, Any]:
    """The form state of stored settings (the service's full settings, as JSON)."""
    texts, flags = {}, {}
    for key, (kind, _nullable) in FIELDS.items():
        section, name = key.split(".")
        value = settings[section][name]
        if kind == "flag":
            flags[key] = bool(value)
        else:
            texts[key] = _shown(value)
    stored = settings["working_hours"]["schedule"]
    schedule = {}
    for day in WEEKDAYS:
        ranges = stored.get(day) or []
        ranges = [ranges] if isinstance(ranges, dict) else ranges
        schedule[day] = [{"start": r["start"], "end": r["end"], "error": ""} for r in ranges]
    return {
        "texts": texts,
        "flags": flags,
        "schedule": schedule,
        "holidays": [{"value": d, "error": ""} for d in settings["working_hours"]["holidays"]],
        "messages": [{"value": m, "error": ""} for m in settings["follow_up"]["messages"]],
    }


def _value(key: str, texts: dict[str, str], flags: dict[str, bool]) -> Any:
    kind, nullable = FIELDS[key]
    if kind == "flag":
        return bool(flags.get(key, False))
    text = texts.get(key, "")
    if kind == "lines":
        return [line.strip() for line in text.splitlines() if line.strip()]
    return None if nullable and not text.strip() else text  # numbers stay text: the model reads them


def section_body(section: str, form: dict[str, Any]) -> dict[str, Any]:
    """The body of PUT /api/agents/{id}/settings that saves one section as the form shows it."""
    if section not in AgentSettings.model_fields:
        raise ValueError(f"unknown settings section {section!r}")
    body = {key.split(".")[1]: _value(key, form["texts"], form["flags"])
            for key in FIELDS if key.startswith(section + ".")}
    if section == "working_hours":
        body["schedule"] = {day: [{"start": r["start"], "end": r["end"]} for r in rows]
                            for day, rows in form["schedule"].items() if rows}
        body["holidays"] = [row["value"] for row in form["holidays"]]
    if section == "follow_up":
        body["messages"] = [row["value"] for row in form["messages"]]
    return {section: body}


def place(problems: list[FieldProblem]) -> tuple[dict[str, str], dict[str, str]]:
    """(errors by field key, errors by row `list[index]`): a range, holiday or message carries its
    own; an item of a text area's lines is named by its line; anything else by its path."""
    fields: dict[str, str] = {}
    rows: dict[str, str] = {}
    for problem in problems:
        match = _INDEXED.match(problem.field)
        if match is None:
            fields.setdefault(problem.field, problem.message)
            continue
        name, index, rest = match["list"], int(match["index"]), match["rest"]
        if name in ROW_FIELDS or name.startswith(SCHEDULE + "."):
            rows.setdefault(f"{name}[{index}]", f"{rest}: {problem.message}" if rest else problem.message)
        else:
            fields.setdefault(name, f"line {index + 1}: {problem.message}")
    return fields, rows


def with_row_errors(form: dict[str, Any], rows: dict[str, str]) -> dict[str, Any]:
    """The form's rows, each with the error placed on it (or none)."""
    schedule = {day: [{**r, "error": rows.get(f"{SCHEDULE}.{day}[{i}]", "")} for i, r in enumerate(ranges)]
                for day, ranges in form["schedule"].items()}
    holidays = [{**r, "error": rows.get(f"{HOLIDAYS}[{i}]", "")} for i, r in enumerate(form["holidays"])]
    messages = [{**r, "error": rows.get(f"{MESSAGES}[{i}]", "")} for i, r in enumerate(form["messages"])]
    return {**form, "schedule": schedule, "holidays": holidays, "messages": messages}
