"""Bounded path and query parameters shared by the routes: ids and offsets the database can hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from ai_agents.services.validation import MAX_DB_INT

Id = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="Id of the row (1 to 2^63-1)")]
IdFilter = Annotated[int | None, Query(ge=1, le=MAX_DB_INT, description="Only rows of this id (1 to 2^63-1)")]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT, description="Rows to skip")]
