-- The data version (core/data_version.py): a sequence that moves on every statement writing a
-- table that pages and the API read, and once more as the writing transaction commits, so
-- that cached counts and responses keyed by it are left behind by any write, whatever wrote.
-- The statement triggers on those tables call conflictkb_bump_data_version(); the deferred
-- constraint trigger on conflictkb_data_change calls the commit-time one (triggers: core
-- migrations 0002-0004). Both run as their owner, so the site's role needs no rights on
-- conflictkb_data_change.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION conflictkb_bump_data_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM nextval('conflictkb_data_version');
    INSERT INTO conflictkb_data_change VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- Takes the committing lock (core.data_version.COMMITTING_LOCK) before the version moves;
-- PostgreSQL releases it only once the commit is visible to other transactions, so while it
-- is held the newest version may describe data readers cannot see yet.
CREATE OR REPLACE FUNCTION conflictkb_bump_data_version_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7236818392017441);
    PERFORM nextval('conflictkb_data_version');
    DELETE FROM conflictkb_data_change WHERE transaction_id = NEW.transaction_id;
    RETURN NULL;
END
$$;
