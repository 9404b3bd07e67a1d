"""Errors of the domain, each with a machine-readable code and a message a person can act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One invalid input: where it is and what was expected."""

    field: str
    message: str


class AppError(Exception):
    """Base error: HTTP-like status, code and message."""

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"


class Forbidden(AppError):
    status = 403
    code = "FORBIDDEN"


class Conflict(AppError):
    status = 409
    code = "CONFLICT"


class ValidationFailed(AppError):
    """Input that breaks the rules; lists every problem found."""

    status = 422
    code = "VALIDATION_ERROR"

    def __init__(self, problems: list[FieldProblem]):
        self.problems = problems
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        noun = "field is" if len(problems) == 1 else "fields are"
        super().__init__(f"{len(problems)} {noun} invalid: {summary}{more}")


class Unavailable(AppError):
    status = 503
    code = "UNAVAILABLE"


class ChannelError(AppError):
    """A channel refused or failed a request (bad token, unreachable API)."""

    status = 400
    code = "CHANNEL_ERROR"
