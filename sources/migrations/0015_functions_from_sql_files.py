from django.db import migrations

from core.sql_files import RunSQLFile


class Migration(migrations.Migration):
    """From here on the sources app's functions come from its SQL files (sources/sql/): the
    definitions migrations 0002, 0005 and 0011 left."""

    dependencies = [("sources", "0014_audit_as_owner")]
    operations = [
        RunSQLFile("sources", "readers_evidence.sql", file_digest="a199caa24f47e6d6"),
        RunSQLFile("sources", "fatality_rule.sql", file_digest="cf71a0a26f840404"),
        RunSQLFile("sources", "party_rule.sql", file_digest="39886626ea7a2ebb"),
    ]
