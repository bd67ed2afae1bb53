from django.db import migrations

from core.sql_files import RunSQLFile


class Migration(migrations.Migration):
    """From here on the events app's functions come from its SQL files (events/sql/): the
    definitions migrations 0003 and 0011 left."""

    dependencies = [("events", "0019_audit_as_owner")]
    operations = [
        RunSQLFile("events", "location_names.sql", file_digest="b28c01e81fbc610f"),
        RunSQLFile("events", "import_edits.sql", file_digest="5a2b61b0fca7e0bd"),
    ]
