"""``manage.py restore FILE --into URL``: restore a backup into an empty database."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import audited_tables, connect, record_counts, restore


class Command(BaseCommand):
    help = "Restore a backup into an empty PostgreSQL database (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--into",
            required=True,
            metavar="DATABASE_URL",
            help="An empty database to restore into; never the one this site runs on.",
        )

    def handle(self, *args: Any, file: Path, into: str, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"No backup file at {file}.")
        target: dict[str, Any] = dict(dj_database_url.parse(into))
        with connect(target) as conn:
            row = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
        if row and row[0]:
            raise CommandError(f"{target['NAME']} is not empty: restore needs an empty database.")
        try:
            restore(file, target)
        except subprocess.CalledProcessError as error:
            raise CommandError(f"Restore failed, nothing was written:\n{error.stderr}") from error
        with connect(target) as conn, conn.cursor() as cursor:
            counts = record_counts(cursor, audited_tables())
        self.stdout.write(
            f"Restored {sum(counts.values())} rows in {len(counts)} tables into {target['NAME']}."
        )
