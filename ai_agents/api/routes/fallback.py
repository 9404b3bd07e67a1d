"""Unknown /api paths answer 404 in the envelope instead of falling through to the UI."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ai_agents.api.envelope import error

router = APIRouter(include_in_schema=False)


@router.api_route("/api/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_route(request: Request, path: str):
    return error(404, "NOT_FOUND", f"no API route {request.method} /api/{path}; see /api/docs")
