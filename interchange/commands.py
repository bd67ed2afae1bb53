"""What import_acled and import_ucdp share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from interchange.progress import ProgressBar
from interchange.services import events_import


class ImportCommand(BaseCommand):
    dataset = ""
    # An import changes data, not configuration: the system checks belong to check, migrate
    # and the server, and cost a fifth of a second before every file.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8, comma-separated).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count; write nothing."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the events, actors, places and documents it creates (default: drafts "
            "for a reviewer to publish).",
        )
        parser.add_argument("--user", help="Username recorded as the importer in the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = named_user(options["user"])
        report = events_import(
            data=path.read_bytes(),
            dataset=self.dataset,
            file_name=path.name,
            user=user,
            dry_run=options["dry_run"],
            publish=options["publish"],
            progress=ProgressBar(),
        )
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} problem(s) in {path.name}; nothing was written."
            )


def named_user(username: str | None) -> Any:
    """The user a command's ``--user`` names, recorded in the audit trail; None without one."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username}.")
    return user
