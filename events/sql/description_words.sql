-- events_description_word (events.models.DescriptionWord): every word that is or was in an
-- event's description, kept by the database in the statement that writes the events, whoever
-- writes them (admin, API, importers, SQL). ACLED's notes filter (api/acled.py) looks up the
-- words that contain the text it is given here, then the events through the
-- event_description_words index on the same expression (events.models.DESCRIPTION_WORDS).
--
-- New words only: a word already there costs a lookup, and an update that leaves the
-- descriptions as they were (the figures' updates after a claim is written) reads none. Words
-- are written in one order, so two writers of new words wait for each other instead of
-- deadlocking.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION ckb_keep_description_words() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO events_description_word (word)
        SELECT DISTINCT word
          FROM new_rows, unnest(regexp_split_to_array(lower(summary), '[^[:alnum:]]+')) AS word
         WHERE word <> ''
         ORDER BY word
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO events_description_word (word)
        SELECT DISTINCT word
          FROM new_rows JOIN old_rows USING (id),
               unnest(regexp_split_to_array(lower(new_rows.summary), '[^[:alnum:]]+')) AS word
         WHERE word <> '' AND new_rows.summary IS DISTINCT FROM old_rows.summary
         ORDER BY word
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER description_words_insert
AFTER INSERT ON events_event REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_keep_description_words();

CREATE OR REPLACE TRIGGER description_words_update
AFTER UPDATE ON events_event REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_keep_description_words();
