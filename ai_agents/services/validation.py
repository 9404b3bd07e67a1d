"""Turns pydantic validation errors into field problems a person can act on."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ai_agents.core.errors import FieldProblem, ValidationFailed

ModelT = TypeVar("ModelT", bound=BaseModel)
SECRET_FIELDS = {"api_key", "token", "secret_key", "app_secret", "access_token", "verify_token"}

MAX_DB_INT = 2**63 - 1  # the largest integer SQLite and PostgreSQL (bigint) store
# An id of a row in a request body: larger numbers cannot exist and would overflow the database driver.
DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT, description="Id of an existing row")]


class StrictInput(BaseModel):
    """Base of every input body: unknown fields are errors, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def field_path(loc: Iterable[Any]) -> str:
    """('body', 'schedule', 'monday', 0, 'start') -> 'schedule.monday[0].start'."""
    path = ""
    for part in loc:
        if part in ("body", "query", "path") and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        elif path:
            path += f".{part}"
        else:
            path = str(part)
    return path or "body"


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field; check the spelling against the API documentation (/api/docs)"
    if kind == "missing":
        return "is required"
    message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
    value = error.get("input")
    if set(map(str, error.get("loc", ()))) & SECRET_FIELDS:
        return message  # never echo a key or token back
    if isinstance(value, (str, int, float, bool)) or value is None:
        message += f", got {json.dumps(value)[:80]}"
    elif kind.endswith("_type"):
        message += f", got {type(value).__name__}"
    return message


def problems_from(errors: Iterable[Mapping[str, Any]], prefix: str = "") -> list[FieldProblem]:
    """Field problems from pydantic's error list, with an optional path prefix."""
    problems = []
    for error in errors:
        path = field_path(error.get("loc", ()))
        if prefix:
            path = prefix if path == "body" else f"{prefix}.{path}"
        problems.append(FieldProblem(path, _message(error)))
    return problems


def parse(model: type[ModelT], data: Any, prefix: str = "") -> ModelT:
    """Validate data into the model or raise ValidationFailed naming each bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from(exc.errors(), prefix)) from None
