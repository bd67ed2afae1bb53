"""``manage.py load_test``: 8 readers and 2 writers against gunicorn for 60 s, then a check that
every write is present and audited. Run it on a scratch database (DATABASE_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from api.loadtest import gunicorn, run_load, verify_writes
from events.models import Event
from sources.models import Claim

LOAD_USER = "load-test-editor"


def prepare() -> tuple[str, dict[str, object], list[str], User]:
    """Demo data, an editor with a token, a claim to vary, and event pages to read."""
    if not Event.objects.exists():
        call_command("loaddata", "idlib-2018-09", verbosity=0)
    user, _ = User.objects.get_or_create(username=LOAD_USER, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Editors"))
    token, _ = Token.objects.get_or_create(user=user)
    sample = (
        Claim.objects.filter(kind="fatalities", event__isnull=False)
        .select_related("event", "claimant_actor", "document")
        .first()
    )
    if sample is None or sample.event is None or sample.claimant_actor is None:
        raise CommandError("The database needs an event with a fatality claim by an actor.")
    template: dict[str, object] = {
        "event": str(sample.event.uuid),
        "kind": "fatalities",
        "claimant_actor": str(sample.claimant_actor.uuid),
        "document": str(sample.document.uuid),
        "credibility": 6,
    }
    pages = [event.get_absolute_url() for event in Event.objects.published()[:5]]
    pages += [f"/api/v1/events/{event.uuid}/" for event in Event.objects.published()[:5]]
    return token.key, template, pages, user


class Command(BaseCommand):
    help = "Load-test the site under gunicorn and check every write is present and audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--readers", type=int, default=8)
        parser.add_argument("--writers", type=int, default=2)

    def handle(
        self, *args: Any, seconds: float, readers: int, writers: int, **options: Any
    ) -> None:
        if not settings.DATABASES["default"]["NAME"]:
            raise CommandError("Set DATABASE_URL to a scratch database.")
        token, template, pages, user = prepare()
        with gunicorn(settings.DATABASE_URL) as base:
            result = run_load(
                base,
                token=token,
                claim_template=template,
                event_paths=pages,
                seconds=seconds,
                readers=readers,
                writers=writers,
            )
        present, audited = verify_writes(result, user.pk)
        self.stdout.write(
            f"{seconds:.0f} s, {readers} readers, {writers} writers: "
            f"{sum(result.reads.values())} reads ({sum(result.reads.values()) / seconds:.0f}/s), "
            f"{sum(result.writes.values())} writes, {result.errors} errors; "
            f"{present} of {len(result.created)} created claims present, {audited} audited."
        )
        for failure in result.failures[:10]:
            self.stderr.write(failure)
        if result.errors or present != len(result.created) or audited != present:
            raise CommandError("The load test lost writes or saw errors.")
