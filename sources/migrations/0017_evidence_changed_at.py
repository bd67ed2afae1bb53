from django.db import migrations

from core.sql_files import RunSQLFile


class Migration(migrations.Migration):
    """The claims' trigger keeps when each event's readers' evidence last changed
    (events.Event.evidence_changed_at)."""

    dependencies = [
        ("sources", "0016_audit_removals_index"),
        ("events", "0037_evidence_changed_at"),
    ]
    operations = [
        RunSQLFile("sources", "fatality_rule.sql", file_digest="cccb8b20a107dd4d"),
    ]
