-- Whether a claimant is a party to an event: one definition for the event page and the API
-- (sources.models, ClaimQuerySet). An actor's "bodies" are itself and what it is part of or
-- a member of at the time; a claimant is a party when its bodies meet a participant's
-- (Russia's Defence Ministry and the Russian forces that flew the strikes are both part of
-- Russia).
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION ckb_actor_bodies(actor bigint, first_day date, last_day date)
RETURNS SETOF bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT actor WHERE actor IS NOT NULL
    UNION
    SELECT object_id FROM actors_actorrelation
     WHERE subject_id = actor AND kind IN ('part_of', 'member_of')
       AND (valid_from IS NULL OR valid_from <= last_day)
       AND (valid_to IS NULL OR valid_to >= first_day)
$$;

CREATE OR REPLACE FUNCTION ckb_claimant_is_party(event bigint, claimant bigint)
RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1
          FROM events_participation p
          JOIN events_event e ON e.id = p.event_id
         WHERE p.event_id = event
           AND EXISTS (
               SELECT 1 FROM ckb_actor_bodies(p.actor_id, e.start_date, e.end_date) AS theirs
               JOIN ckb_actor_bodies(claimant, e.start_date, e.end_date) AS ours
                 ON theirs = ours))
$$;
