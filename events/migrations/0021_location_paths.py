from django.db import migrations

from core.sql_files import RunSQLFile


class Migration(migrations.Migration):
    """ckb_ancestor_ids(path): a place's ancestors in SQL, for the API's list built by
    PostgreSQL."""

    dependencies = [("events", "0020_functions_from_sql_files")]
    operations = [RunSQLFile("events", "location_paths.sql", file_digest="6eac6abd68bc7f68")]
