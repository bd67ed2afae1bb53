-- A place's ancestors read off its materialised path ('/1/5/9/': country 1, region 5, the
-- place 9): the ids from the country down to the parent, the place itself left out, as
-- Location.ancestor_ids gives them in Python. Inlined by the planner (a plain SQL
-- expression), so "id = ANY(ckb_ancestor_ids(path))" reads the places by primary key.
--
-- Called by the API's event list, built by PostgreSQL (api/event_rows.py).
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION ckb_ancestor_ids(path text) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (string_to_array(btrim(path, '/'), '/')::bigint[])[:cardinality(string_to_array(btrim(path, '/'), '/')) - 1] $$;
