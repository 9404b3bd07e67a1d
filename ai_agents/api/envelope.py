"""One response envelope for every API answer, success or error."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ai_agents.core.errors import FieldProblem


def envelope(
    results: Any = None,
    *,
    status: int = 200,
    code: str = "SUCCESS",
    message: str = "OK",
    **extra: Any,
) -> JSONResponse:
    """`{"status", "code", "message", "results"}` plus any extra keys (errors, meta)."""
    body = {"status": status, "code": code, "message": message, "results": results, **extra}
    return JSONResponse(jsonable_encoder(body), status_code=status)


def ok(results: Any = None, message: str = "OK", *, status: int = 200, **extra: Any):
    return envelope(results, status=status, message=message, **extra)


def error(
    status: int, code: str, message: str, problems: list[FieldProblem] | None = None
) -> JSONResponse:
    extra = {}
    if problems is not None:
        extra["errors"] = [{"field": p.field, "message": p.message} for p in problems]
    return envelope(None, status=status, code=code, message=message, **extra)


def http_code(status: int) -> str:
    """'NOT_FOUND' for 404, 'METHOD_NOT_ALLOWED' for 405 ..."""
    try:
        return HTTPStatus(status).name
    except ValueError:
        return "ERROR"
