from django.db import migrations

from core.sql_files import RunSQLFile


class Migration(migrations.Migration):
    """From here on the data version's functions come from core/sql/data_version.sql (the
    same definitions as migrations 0003 and 0004 left)."""

    dependencies = [("conflictkb", "0005_shared_cache")]
    operations = [RunSQLFile("core", "data_version.sql", file_digest="56e3314136c3b438")]
