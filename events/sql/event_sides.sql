-- events_event_sides (events.models.EventSides): each event's two sides as readers see them,
-- kept by the database in the statement that changes participations or actors, whoever
-- writes them (admin, API, importers, merges, SQL). ACLED's API filters by them
-- (api/acled.py: actor1, actor2, inter1, inter2, interaction, civilian_targeting) through
-- their indexes, instead of working out each event's first actor per side while it walks
-- the timeline (a name that is actor1 in one event in forty: 2.5 s for a page at a million
-- events). inter1 and inter2 are the first actors' ACLED types, found through the actors;
-- the interaction, which needs both, is kept.
--
-- The rule is the ACLED row's (interchange/sql/acled_row.sql, "sides"; events.models.Sides),
-- over the participations readers see (a published actor; the event's own status is the
-- event's): each actor once, on the first side it takes (side 1, then side 2), placed by its
-- first participation there in the participations' order (role, then as recorded). actor1
-- and actor2 are each side's first; the interaction, ACLED's code of their two types (lowest
-- first: 17; one type and 0: 70); civilians, whether side 2 has an actor of the civilians'
-- kind or ACLED type. tests/events/test_event_sides.py holds the kept rows to the rows ACLED's
-- layout writes. An event without such a participation has no row.
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION ckb_keep_event_sides(events bigint[]) RETURNS void
LANGUAGE sql
AS $$
    WITH placed AS (
        SELECT DISTINCT ON (p.event_id, p.actor_id)
               p.event_id, p.actor_id, p.role, p.id, a.acled_type,
               (a.kind = 'civilians' OR a.acled_type = 7) AS civilian,
               CASE WHEN p.role IN ('perpetrator', 'side_a', 'host') THEN 1
                    WHEN p.role IN ('target', 'side_b') THEN 2
                    ELSE 3 END AS side
          FROM events_participation p
          JOIN actors_actor a ON a.id = p.actor_id AND a.status = 'published'
         WHERE p.event_id = ANY(events)
         ORDER BY p.event_id, p.actor_id, side, p.role, p.id
    ), firsts AS (
        SELECT DISTINCT ON (event_id, side) event_id, side, actor_id, acled_type
          FROM placed
         WHERE side < 3
         ORDER BY event_id, side, role, id
    ), sides AS (
        SELECT event.event_id, side1.actor_id AS actor1_id, side1.acled_type AS inter1,
               side2.actor_id AS actor2_id, side2.acled_type AS inter2, civilians
          FROM (SELECT event_id, coalesce(bool_or(civilian) FILTER (WHERE side = 2), false)
                       AS civilians
                  FROM placed GROUP BY event_id) AS event
          LEFT JOIN firsts AS side1 ON side1.event_id = event.event_id AND side1.side = 1
          LEFT JOIN firsts AS side2 ON side2.event_id = event.event_id AND side2.side = 2
    ), kept AS (
        SELECT event_id, actor1_id, inter1, actor2_id, inter2,
               CASE WHEN inter1 IS NULL AND inter2 IS NULL THEN NULL
                    WHEN inter1 IS NULL OR inter2 IS NULL THEN coalesce(inter1, inter2) * 10
                    ELSE least(inter1, inter2) * 10 + greatest(inter1, inter2) END AS interaction,
               civilians
          FROM sides
    ), gone AS (
        DELETE FROM events_event_sides AS old
         WHERE old.event_id = ANY(events)
           AND NOT EXISTS (SELECT FROM kept WHERE kept.event_id = old.event_id)
    )
    INSERT INTO events_event_sides AS old (event_id, actor1_id, actor2_id, interaction, civilians)
    SELECT event_id, actor1_id, actor2_id, interaction, civilians FROM kept ORDER BY event_id
        ON CONFLICT (event_id) DO UPDATE
       SET actor1_id = EXCLUDED.actor1_id, actor2_id = EXCLUDED.actor2_id,
           interaction = EXCLUDED.interaction, civilians = EXCLUDED.civilians
     WHERE (old.actor1_id, old.actor2_id, old.interaction, old.civilians)
           IS DISTINCT FROM (EXCLUDED.actor1_id, EXCLUDED.actor2_id, EXCLUDED.interaction,
                             EXCLUDED.civilians)
$$;

-- The events whose participations a statement wrote, moved or removed (a merge moves them
-- from one event to another: both change).
CREATE OR REPLACE FUNCTION ckb_participations_change_sides() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM ckb_keep_event_sides(ARRAY(SELECT DISTINCT event_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM ckb_keep_event_sides(ARRAY(SELECT DISTINCT event_id FROM old_rows));
    ELSE
        -- Only where the event, actor or role moved: a note's correction changes no side.
        PERFORM ckb_keep_event_sides(ARRAY(
            SELECT unnest(ARRAY[old_rows.event_id, new_rows.event_id])
              FROM old_rows JOIN new_rows USING (id)
             WHERE (old_rows.event_id, old_rows.actor_id, old_rows.role)
                   IS DISTINCT FROM (new_rows.event_id, new_rows.actor_id, new_rows.role)));
    END IF;
    RETURN NULL;
END
$$;

-- The events of the actors whose status, kind or ACLED type a statement changed.
CREATE OR REPLACE FUNCTION ckb_actors_change_sides() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM ckb_keep_event_sides(ARRAY(
        SELECT DISTINCT p.event_id
          FROM old_rows JOIN new_rows USING (id)
          JOIN events_participation p ON p.actor_id = new_rows.id
         WHERE (old_rows.status, old_rows.kind, old_rows.acled_type)
               IS DISTINCT FROM (new_rows.status, new_rows.kind, new_rows.acled_type)));
    RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER event_sides_participations_insert
AFTER INSERT ON events_participation REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_participations_change_sides();

CREATE OR REPLACE TRIGGER event_sides_participations_update
AFTER UPDATE ON events_participation REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_participations_change_sides();

CREATE OR REPLACE TRIGGER event_sides_participations_delete
AFTER DELETE ON events_participation REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_participations_change_sides();

CREATE OR REPLACE TRIGGER event_sides_actors_update
AFTER UPDATE ON actors_actor REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION ckb_actors_change_sides();
