"""`manage.py merge_events KEEP ABSORB`: one event absorbed into its duplicate (interchange.merging)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from interchange.commands import named_user
from interchange.merging import MergeError, find_event, find_merge, merge_events, undo_merge


class Command(BaseCommand):
    help = (
        "Merge two events: ABSORB's claims, participants, relations and external ids move to "
        "KEEP, whose figures are recomputed; ABSORB's address then leads to KEEP. Each is named "
        "by uuid, ACLED event_id_cnty or UCDP id. With --undo ABSORBED, put a merged event back."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keep", nargs="?", help="The event that stays.")
        parser.add_argument("absorb", nargs="?", help="The event merged into it.")
        parser.add_argument("--undo", metavar="ABSORBED", help="Undo the merge of this event.")
        parser.add_argument("--user", help="Username recorded in the audit trail.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = named_user(options["user"])
        try:
            if options["undo"]:
                if options["keep"] or options["absorb"]:
                    raise CommandError("--undo takes the absorbed event only.")
                self.undo(options["undo"], user)
                return
            if not (options["keep"] and options["absorb"]):
                raise CommandError("Name the event to keep and the event to merge into it.")
            keep, absorb = find_event(options["keep"]), find_event(options["absorb"])
            merge = merge_events(keep, absorb, user=user)
        except MergeError as problem:
            raise CommandError(str(problem)) from None
        keep.refresh_from_db()
        figures = "–".join(
            dict.fromkeys(
                str(n)
                for n in (keep.staff_fatalities_low, keep.staff_fatalities_high)
                if n is not None
            )
        )
        self.stdout.write(
            f"Merged {merge.absorbed_uuid} into {keep.uuid} ({keep.title}): "
            f"{keep.staff_claim_count} claims, fatalities {figures or 'none claimed'}"
            f"{', contested' if keep.staff_contested else ''}."
        )

    def undo(self, key: str, user: Any) -> None:
        merge = find_merge(key)
        if merge is None:
            raise CommandError(f"No merged event has the id {key}.")
        absorbed = undo_merge(merge, user=user)
        self.stdout.write(f"Put back {absorbed.uuid} ({absorbed.title}) beside {merge.kept.uuid}.")
