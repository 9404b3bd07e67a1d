"""The Alembic migration creates exactly the tables of models.py, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from ai_agents.db import migrate
from ai_agents.db.models import Agent
from ai_agents.db.session import make_engine


def test_migration_matches_models(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_is_repeatable(database_url):
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)


def test_datetimes_come_back_aware_utc(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    berlin = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 1, 12, 30, tzinfo=berlin)
    with Session(engine) as session:
        session.add(Agent(name="A", model="m", created_at=moment, updated_at=moment))
        session.commit()
        stored = session.exec(select(Agent)).one()
    engine.dispose()
    assert stored.created_at.tzinfo is not None
    assert stored.created_at == moment
    assert stored.created_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    with Session(engine) as session:
        session.add(Agent(name="A", model="m", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()
    engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    engine = make_engine(url)
    with engine.connect() as connection:
        mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    engine.dispose()
    assert mode == "wal" and keys == 1


def test_backup_is_a_consistent_copy(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        session.add(Agent(name="Kept", model="m"))
        session.commit()
        target = migrate.backup_sqlite(url, tmp_path / "backups" / "copy.db")
    copy = make_engine(f"sqlite:///{target}")
    with Session(copy) as session:
        assert [a.name for a in session.exec(select(Agent))] == ["Kept"]
    engine.dispose()
    copy.dispose()


def test_backup_refuses_postgres(tmp_path):
    with pytest.raises(ValueError, match="pg_dump"):
        migrate.backup_sqlite("postgresql+psycopg://x@127.0.0.1/db", tmp_path / "x.db")
