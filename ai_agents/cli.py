"""Command line: check the configuration, migrate the database, back it up."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from ai_agents.config import ConfigError, load_settings
from ai_agents.db import migrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ai_agents.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="refuse unsafe settings before the server starts")
    commands.add_parser("migrate", help="upgrade the database schema to the latest version")
    backup = commands.add_parser("backup", help="consistent copy of the SQLite database")
    backup.add_argument("--output", type=Path, help="file to write (default data/backups/...)")
    args = parser.parse_args(argv)

    settings = load_settings()
    try:
        if args.command == "check":
            settings.check_exposure()
            settings.load_secret_key()
            print(f"configuration ok: listening on {settings.bind_host}:{settings.bind_port}")
        elif args.command == "migrate":
            migrate.upgrade(settings.resolved_database_url)
            print("database schema is up to date")
        elif args.command == "backup":
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            output = args.output or settings.data_dir / "backups" / f"ai_agents-{stamp}.db"
            migrate.backup_sqlite(settings.resolved_database_url, output)
            print(f"backup written to {output}")
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
