from django.db import migrations

from core.sql_files import RunSQLFile


class Migration(migrations.Migration):
    """The API's own SQL: how it writes a date-time, for its list built by PostgreSQL."""

    initial = True
    dependencies = [("conflictkb", "0006_functions_from_sql_files")]
    operations = [RunSQLFile("api", "representation.sql", file_digest="b69d1943358df4fa")]
