"""Prepare a local site: the demo data set and an admin account (``make run``)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from events.models import Event

DEMO_FIXTURE = "idlib-2018-09"


class Command(BaseCommand):
    help = (
        "Load the Idlib September 2018 demo data into an empty database and create a local "
        "superuser whose generated password is printed once."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="Address the site will be served at, for the sign-in link printed.",
        )

    def handle(self, *args: Any, username: str, site: str, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_setup is for local sites; it refuses DJANGO_ENV=production.")
        if Event.objects.exists():
            self.stdout.write("Events already present: demo data not loaded again.")
        else:
            call_command("loaddata", DEMO_FIXTURE, verbosity=0)
            self.stdout.write(f"Loaded the demo data set ({DEMO_FIXTURE}).")

        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(
                f"Admin account “{username}” exists; its password was printed when it was "
                f"created (reset it with: manage.py changepassword {username})."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created admin account “{username}” with password: {password}\n"
                f"It is shown only this once. Sign in at {site.rstrip('/')}/admin/"
            )
        )
