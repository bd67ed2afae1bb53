"""`manage.py match_events`: find events that may be one (interchange.matching)."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from events.models import Event
from interchange.matching import THRESHOLD, candidate_record, candidates, search_events

# Pairs listed in words; --json gives all.
LISTED = 20


def day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text} is not a date (yyyy-mm-dd).") from None


class Command(BaseCommand):
    help = (
        "Find pairs of events that may be one (dates, places, types and actors that agree), "
        "record them for review and list them, best first. Rejected pairs are not proposed "
        "again."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", type=day, help="Events from this date on.")
        parser.add_argument("--to", dest="end", type=day, help="Events up to this date.")
        parser.add_argument(
            "--threshold",
            type=float,
            default=THRESHOLD,
            help=f"Lowest score listed, 0 to 1 (default {THRESHOLD}); the review queue keeps "
            "every pair at or above the default either way.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help='One JSON line per candidate: {"a": {...}, "b": {...}, "score", "reasons"}.',
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["threshold"] <= 1:
            raise CommandError("--threshold is a score from 0 to 1.")
        events = Event.objects.all()
        if options["start"]:
            events = events.filter(end_date__gte=options["start"])
        if options["end"]:
            events = events.filter(start_date__lte=options["end"])
        # The queue keeps every pair at or above the default whatever is listed: a search
        # with a higher threshold must not drop the pairs between the two.
        found = search_events(events, threshold=min(options["threshold"], THRESHOLD))
        # The open pairs of the events searched are the pairs this search found (it forgot
        # the others), less those rejected or merged before: every open pair when every event
        # was searched.
        pairs = candidates(options["threshold"])
        if options["start"] or options["end"]:
            pairs = pairs.filter(Q(event_a__in=events) | Q(event_b__in=events))
        listed = pairs.count()
        if options["json"]:
            for candidate in pairs:
                self.stdout.write(json.dumps(candidate_record(candidate), ensure_ascii=False))
            return
        rejected = found.found - found.recorded
        self.stdout.write(
            f"{listed} pair(s) at or above {options['threshold']:.2f} in {found.seconds} s"
            + (f" ({rejected} rejected before, not proposed)" if rejected else "")
            + "."
        )
        if options["verbosity"] > 1:
            self.stdout.write(
                f"{found.blocked} pair(s) scored; seconds per step: "
                + ", ".join(f"{k} {v}" for k, v in found.steps.items())
            )
        for candidate in pairs[:LISTED]:
            record = candidate_record(candidate)
            self.stdout.write(
                f"{record['score']:.2f}  {record['a']['title']}  ≈  {record['b']['title']}\n"
                f"      {'; '.join(record['reasons'])}"
            )
        if listed > LISTED:
            self.stdout.write(
                f"… and {listed - LISTED} more: --json lists every one; editors "
                "review them in the admin (Event candidates)."
            )
