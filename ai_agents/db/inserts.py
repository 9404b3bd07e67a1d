"""Rows inserted as Core statements (no unit-of-work flush), handed back as detached model objects."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Insert, insert
from sqlmodel import Session, SQLModel

Model = TypeVar("Model", bound=SQLModel)
_STATEMENTS: dict[type, Insert] = {}  # one per table, built on first use (building costs more than running)


def insert_row(session: Session, model: type[Model], **fields: Any) -> Model:
    """INSERT ... RETURNING id in the session's transaction; the object carries the fields and the
    new id but is not in the session (changing it later writes nothing). On the hot path an ORM
    flush of one new row costs several times the statement."""
    statement = _STATEMENTS.get(model)
    if statement is None:
        statement = _STATEMENTS.setdefault(model, insert(model).returning(model.id))
    row_id = session.connection().execute(statement, fields).scalar_one()
    return model(id=row_id, **fields)
