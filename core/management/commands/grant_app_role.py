"""``manage.py grant_app_role ROLE``: give the role the site runs as exactly what it needs.

Production runs migrations as the role that owns the tables and serves requests as another
one: a role that does not own the tables cannot disable the audit triggers or truncate. The
audit trail is written by the triggers alone, as the owner (``core/audit.py``): the site's
role may read it and nothing else, so it cannot insert a forged change, back-date one, or
re-attribute a change to another user. Run it after every ``migrate``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from pghistory.models import Event as AuditEvent
from psycopg import sql


def audit_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, AuditEvent) and not model._meta.proxy and model._meta.managed
    )


class Command(BaseCommand):
    help = "Grant a (non-owner) login role read/write on the data and read-only audit tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="An existing role, e.g. created with CREATE ROLE … LOGIN.")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No role {role!r}: create it first (CREATE ROLE … LOGIN).")
            cursor.execute(
                "SELECT tableowner = %s FROM pg_tables WHERE tablename = 'events_event'", [role]
            )
            row = cursor.fetchone()
            if row and row[0]:
                raise CommandError(f"{role} owns the tables; the site must run as another role.")
        name = sql.Identifier(role)
        database = sql.Identifier(connection.settings_dict["NAME"])
        statements = [
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, name),
            sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(name),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
            # The candidate search's working tables (interchange.matching), and nothing else.
            sql.SQL("GRANT USAGE, CREATE ON SCHEMA ckb_search TO {}").format(name),
            # The audit trail is read-only for the site: only the triggers write it.
            *(
                sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                    sql.Identifier(table), name
                )
                for table in [*audit_tables(), "pghistory_context"]
            ),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"{role}: read and write on the data, read-only on {len(audit_tables())} audit tables."
        )
