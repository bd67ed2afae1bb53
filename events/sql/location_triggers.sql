-- Bodies of the triggers events.models.Location declares to pgtrigger (Meta.triggers), not
-- statements: pgtrigger wraps each in a function of its own (pgtrigger_location_...) and
-- installs it from the migrations makemigrations writes. Each body is given to pgtrigger as
-- it stands under its comment, the blank line and indentation included: a change of a byte
-- is a new trigger, and `manage.py makemigrations` then writes the migration that installs
-- it. {meta.db_table} is pgtrigger's placeholder for the model's table.
--
-- The materialised path ("/1/7/42/") is kept by the database so that bulk inserts, imports
-- and moves through any path stay right: it is computed from the parent on insert and when
-- the parent changes, a move rewrites the subtree's paths, and a move under one's own
-- descendant is refused.

-- name: set_path
-- A move under one's own descendant is refused here: the check constraint sees the parent only.

    IF TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN
        -- The path follows the parent only. Inside a subtree move (nested trigger) the new
        -- path is the one the move computed; anywhere else nobody may write it directly.
        IF pg_trigger_depth() < 2 THEN
            NEW.path := OLD.path;
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.parent_id IS NULL THEN
        NEW.path := '/' || NEW.id || '/';
        RETURN NEW;
    END IF;
    SELECT path || NEW.id || '/' INTO NEW.path FROM {meta.db_table} WHERE id = NEW.parent_id;
    IF NEW.path LIKE '%/' || NEW.id || '/%/' THEN
        RAISE EXCEPTION 'a place cannot be its own ancestor (location %)', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'location_not_own_ancestor';
    END IF;
    RETURN NEW;

-- name: move_subtree
-- After a place's path changed: its descendants' paths follow.

    IF pg_trigger_depth() > 1 THEN
        RETURN NULL;
    END IF;
    UPDATE {meta.db_table}
       SET path = NEW.path || substr(path, length(OLD.path) + 1)
     WHERE path LIKE OLD.path || '%' AND id <> NEW.id;
    RETURN NULL;

-- name: keep_old_name
-- A renamed place keeps its old name as an alternate spelling: a dataset that still writes
-- it (the next ACLED export) finds the place instead of creating it again. A new name that
-- was an alternate spelling stops being one (the two swap).

    IF lower(OLD.name) <> lower(NEW.name) THEN
        NEW.alternate_names := ARRAY(
            SELECT x FROM unnest(NEW.alternate_names) WITH ORDINALITY AS a (x, n)
             WHERE lower(x) <> lower(NEW.name) ORDER BY n);
        IF NOT lower(OLD.name) = ANY(SELECT lower(x) FROM unnest(NEW.alternate_names) x) THEN
            NEW.alternate_names := array_append(NEW.alternate_names, OLD.name);
        END IF;
    END IF;
    RETURN NEW;
