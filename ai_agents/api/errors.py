"""Exception handlers that answer every failure in the envelope, never a bare 500 page."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ai_agents.api.envelope import error, http_code
from ai_agents.core.errors import AppError, FieldProblem, ValidationFailed
from ai_agents.logs import get_logger
from ai_agents.services.validation import problems_from

log = get_logger("api")


async def _app_error(_request: Request, exc: AppError):
    problems = exc.problems if isinstance(exc, ValidationFailed) else None
    return error(exc.status, exc.code, exc.message, problems)


def _malformed_json(errors: list[dict]) -> str | None:
    """What is wrong with a body that is not JSON at all, if that is the problem."""
    for item in errors:
        if item.get("type") == "json_invalid":
            return f"request body is not valid JSON: {item.get('ctx', {}).get('error', '')}"
        if tuple(item.get("loc", ())) == ("body",) and isinstance(item.get("input"), bytes):
            try:
                json.loads(item["input"])
            except ValueError as exc:
                return f"request body is not valid JSON: {exc}"
    return None


async def _validation_error(_request: Request, exc: RequestValidationError):
    errors = list(exc.errors())
    if (problem := _malformed_json(errors)) is not None:
        hint = "; send a JSON object with Content-Type: application/json"
        return error(400, "MALFORMED_JSON", problem + hint, [FieldProblem("body", problem)])
    problems = problems_from(errors)
    return await _app_error(_request, ValidationFailed(problems))


async def _http_error(request: Request, exc: StarletteHTTPException):
    message = exc.detail if isinstance(exc.detail, str) else http_code(exc.status_code)
    if exc.status_code == 404 and message == "Not Found":
        message = f"no API route {request.method} {request.url.path}; see /api/docs"
    return error(exc.status_code, http_code(exc.status_code), message)


async def _unexpected(request: Request, exc: Exception):
    log.exception("❌ Unhandled error on %s %s", request.method, request.url.path)
    return error(500, "INTERNAL_ERROR", "unexpected server error; the log has the details")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
