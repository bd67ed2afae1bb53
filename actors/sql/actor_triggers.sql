-- Bodies of the triggers actors.models.Actor declares to pgtrigger (Meta.triggers), not
-- statements: pgtrigger wraps each in a function of its own (pgtrigger_actor_...) and
-- installs it from the migrations makemigrations writes. Each body is given to pgtrigger as
-- it stands under its comment, the blank line and indentation included: a change of a byte
-- is a new trigger, and `manage.py makemigrations` then writes the migration that installs
-- it. {meta.db_table} is pgtrigger's placeholder for the model's table.

-- name: keep_old_name
-- A renamed actor keeps its old name as a former name, so a dataset that still writes it
-- (the next ACLED export) finds the actor instead of creating it again. Deferred to the
-- commit: by then the admin has saved the names the editor entered with the rename, and an
-- old name among them (of any kind) is not added twice, and an actor deleted or named back
-- since has nothing to keep.

    IF EXISTS (SELECT 1 FROM {meta.db_table} WHERE id = NEW.id AND lower(name) <> lower(OLD.name))
       AND NOT EXISTS (SELECT 1 FROM actors_actorname
                        WHERE actor_id = NEW.id AND lower(name) = lower(OLD.name)) THEN
        INSERT INTO actors_actorname (actor_id, name, kind, language)
        VALUES (NEW.id, OLD.name, 'former', '');
    END IF;
    RETURN NULL;
