from django.db import migrations

# Tables pages and the API read besides the filters' (0002): with whole responses cached, a
# change to any of them must move the version too.
ALSO_WATCHED = [
    "actors_actorrelation",
    "events_eventrelation",
    "sources_outlet",
    "sources_documentrelay",
]

# Taken before the version moves at commit and released by PostgreSQL only once the commit is
# visible to other transactions (a transaction's locks are released after it leaves the
# process array): while it is held, the newest version may describe data readers cannot see.
COMMITTING_LOCK = 7_236_818_392_017_441  # core.data_version.COMMITTING_LOCK


def bump_at_commit(lock: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION conflictkb_bump_data_version_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    {lock}PERFORM nextval('conflictkb_data_version');
    DELETE FROM conflictkb_data_change WHERE transaction_id = NEW.transaction_id;
    RETURN NULL;
END
$$;
"""


CREATE = bump_at_commit(
    f"PERFORM pg_advisory_xact_lock_shared({COMMITTING_LOCK});\n    "
) + "".join(
    f"CREATE TRIGGER conflictkb_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION conflictkb_bump_data_version();\n"
    for table in ALSO_WATCHED
)

DROP = bump_at_commit("") + "".join(
    f"DROP TRIGGER conflictkb_data_version ON {table};\n" for table in ALSO_WATCHED
)


class Migration(migrations.Migration):
    """The data version as the key of whole cached responses.

    It now also moves on writes to relations, outlets and relays, which pages and the API show.
    And a committing transaction holds a shared lock from its commit-time move until it is
    visible: between the two, a reader can read the new version and still compute from the
    data before the commit, and storing that under the new version would serve stale data
    until the next write. Readers check the lock before computing what they store
    (``core.data_version.settled``); writers share it, so they never wait on each other.
    """

    dependencies = [("conflictkb", "0003_data_version_at_commit")]
    operations = [migrations.RunSQL(CREATE, DROP)]
