from django.db import migrations

# Every table whose rows a timeline filter or count reads.
WATCHED = [
    "events_event",
    "events_participation",
    "events_location",
    "events_eventtype",
    "actors_actor",
    "actors_actorname",
    "sources_claim",
    "sources_document",
]

CREATE = """
CREATE SEQUENCE conflictkb_data_version;
CREATE FUNCTION conflictkb_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('conflictkb_data_version');
    RETURN NULL;
END
$$;
""" + "".join(
    f"CREATE TRIGGER conflictkb_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION conflictkb_bump_data_version();\n"
    for table in WATCHED
)

DROP = "".join(f"DROP TRIGGER conflictkb_data_version ON {table};\n" for table in WATCHED) + (
    "DROP FUNCTION conflictkb_bump_data_version(); DROP SEQUENCE conflictkb_data_version;"
)


class Migration(migrations.Migration):
    """A counter that moves on every statement changing what filters and counts read.

    Cached counts (the timeline's histogram) are keyed by it (``core.data_version``).
    A sequence, not a row: moving it takes no lock, so concurrent writers never wait on it.
    One trigger per statement, so an import of 100,000 rows moves it a few times, not 100,000.
    """

    dependencies = [
        ("conflictkb", "0001_extensions"),
        ("actors", "0003_audit_by_statement"),
        ("events", "0009_audit_by_statement"),
        ("sources", "0006_audit_by_statement"),
    ]
    operations = [migrations.RunSQL(CREATE, DROP)]
