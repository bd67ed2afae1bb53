"""``manage.py backup FILE``: dump the database (data, triggers, audit trail) to FILE."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from core.backup import audited_tables, backup, record_counts


class Command(BaseCommand):
    help = "Back up the database to a pg_dump custom-format file (restore with `restore`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        backup(connection.settings_dict, file)
        with connection.cursor() as cursor:
            counts = record_counts(cursor, audited_tables())
        self.stdout.write(
            f"Backed up {sum(counts.values())} rows in {len(counts)} tables to {file} "
            f"({file.stat().st_size} bytes)."
        )
