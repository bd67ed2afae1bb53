from django.db import migrations

# The statement triggers of 0002 keep moving the version as each statement runs (so a
# transaction reads its own writes fresh); each writing transaction also moves it once more
# as it commits, through a deferred constraint trigger on a row it leaves in a small table.
CREATE = """
CREATE UNLOGGED TABLE conflictkb_data_change (transaction_id xid8 PRIMARY KEY);

CREATE FUNCTION conflictkb_bump_data_version_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM nextval('conflictkb_data_version');
    DELETE FROM conflictkb_data_change WHERE transaction_id = NEW.transaction_id;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER conflictkb_data_version_at_commit
    AFTER INSERT ON conflictkb_data_change DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION conflictkb_bump_data_version_at_commit();

CREATE OR REPLACE FUNCTION conflictkb_bump_data_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM nextval('conflictkb_data_version');
    INSERT INTO conflictkb_data_change VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
"""

DROP = """
CREATE OR REPLACE FUNCTION conflictkb_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('conflictkb_data_version');
    RETURN NULL;
END
$$;
DROP TABLE conflictkb_data_change;
DROP FUNCTION conflictkb_bump_data_version_at_commit();
"""


class Migration(migrations.Migration):
    """The data version also moves when a writing transaction commits.

    Moved only as statements ran, a count computed by a reader while a write was still
    uncommitted (an import takes minutes) was stored under the new version from the old data,
    and served until it expired: cached counts had to expire within a minute. Moved again at
    commit, such a count is left under a version nobody reads any more. The trigger functions
    run as their owner, so the site's role needs no rights on the new table.
    """

    dependencies = [("conflictkb", "0002_data_version")]
    operations = [migrations.RunSQL(CREATE, DROP)]
