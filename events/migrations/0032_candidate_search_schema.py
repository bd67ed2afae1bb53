"""A schema for the candidate search's working tables (interchange/matching.py).

PostgreSQL never reads a temporary table in parallel; the search's tables are unlogged tables
here instead, so its joins can use both workers. The site's role may create tables in this
schema and nowhere else (``grant_app_role``).
"""

from django.db import migrations

SCHEMA = "ckb_search"


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0031_imprecise_dates_and_places_indexed"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}", f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"
        ),
    ]
