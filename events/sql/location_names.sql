-- A place's names joined into one text ("Idlib | Idleb | إدلب"): the generated column
-- events_location.search_names (events.models.JoinNames) that name searches, duplicate
-- checks and the words filter match against, trigram- and word-indexed. IMMUTABLE, as a
-- generated column requires: the function must give the same text for the same names
-- forever, or the stored column and its indexes go stale.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again (and, for stored rows, one that recomputes them).

CREATE OR REPLACE FUNCTION ckb_join_names(name text, alternates text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT concat_ws(' | ', VARIADIC array_prepend(name, alternates)) $$;
