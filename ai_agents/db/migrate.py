"""Alembic migrations run from code: upgrade to head, and an online SQLite backup."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.config import Config

from alembic import command

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str) -> Config:
    """Alembic configuration for the project's migrations against this URL."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["skip_logging"] = True  # keep the platform's logging as configured
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to date."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def backup_sqlite(url: str, destination: Path) -> Path:
    """A consistent copy of a live SQLite database (online backup API), safe while serving."""
    if not url.startswith("sqlite:///"):
        raise ValueError("backup works on the SQLite database; use pg_dump for PostgreSQL")
    source_path = url.removeprefix("sqlite:///")
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return destination
