"""What export_acled and export_ucdp share: the timeline's filters as options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interchange.writing import FilterError, filtered_events

# Option → EventFilter field; the help texts are the FilterSet's own.
FILTERS = [
    "q",
    "actor",
    "place",
    "type",
    "date_from",
    "date_to",
    "contested",
    "bbox",
    "min_fatalities",
    "updated_since",
]


class ExportCommand(BaseCommand):
    writer: Any = None

    def add_arguments(self, parser: CommandParser) -> None:
        from events.filters import EventFilter

        for name in FILTERS:
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                dest=name,
                help=EventFilter.base_filters[name].extra.get("help_text"),
            )
        parser.add_argument(
            "--published-only",
            action="store_true",
            help="Leave out drafts (as anonymous readers see it).",
        )
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        with_drafts = not options["published_only"]
        try:
            events = filtered_events(
                {name: options[name] for name in FILTERS}, with_drafts=with_drafts
            )
        except FilterError as error:
            raise CommandError(str(error)) from None
        user = type("Exporter", (), {"is_staff": with_drafts, "is_authenticated": with_drafts})()
        if options["output"]:
            with Path(options["output"]).open("w", encoding="utf-8", newline="") as out:
                count = type(self).writer(out, events, user=user)
            self.stderr.write(f"{count} events written to {options['output']}.")
        else:
            # csv.writer hands OutputWrapper whole lines, each ending in a newline already.
            type(self).writer(self.stdout, events, user=user)
