-- The importer's matching of the names a file gives (interchange/loading.py): actors, places
-- and source documents staged once each (staging.sql) are matched to existing records, the
-- missing ones are created, and those are matched in turn.
--
-- Statements the importer runs itself, read by name (core.sql_files.statements): a change
-- here takes effect with the next import, no migration needed. {places} in match_places is
-- filled in by loading.py with psycopg.sql (countries or children, below).

-- name: match_actors
-- Names match case-insensitively; an actor's own name wins over another actor's alias.
UPDATE ckb_stg_actor s SET actor_id = m.id
  FROM (SELECT DISTINCT ON (s2.actor) s2.actor, n.id
          FROM ckb_stg_actor s2
          JOIN (SELECT lower(name) AS k, id, 0 AS pri FROM actors_actor
                UNION ALL SELECT lower(name), actor_id, 1 FROM actors_actorname) n
            ON n.k = lower(s2.name)
         WHERE s2.actor_id IS NULL
         ORDER BY s2.actor, n.pri, n.id) m
 WHERE s.actor = m.actor

-- name: insert_actors
INSERT INTO actors_actor (uuid, created_at, updated_at, status, name, kind, acled_type,
                          country_code, description)
SELECT gen_random_uuid(), now(), now(), %(status)s, name, kind, inter, '', ''
  FROM ckb_stg_actor WHERE actor_id IS NULL ORDER BY actor

-- name: match_places
-- A place matches by name or alternate spelling among its parent's children (countries:
-- roots), one level of the path at a time.
UPDATE ckb_stg_node n SET location_id = m.id
  FROM (SELECT DISTINCT ON (n2.node) n2.node, l.id
          FROM ckb_stg_node n2
          {places}
         WHERE n2.level = %(level)s AND n2.location_id IS NULL
           AND (lower(l.name) = lower(n2.name)
                OR lower(n2.name) = ANY(SELECT lower(x) FROM unnest(l.alternate_names) x))
         ORDER BY n2.node, lower(l.name) = lower(n2.name) DESC, l.id) m
 WHERE n.node = m.node

-- name: countries
JOIN events_location l ON l.parent_id IS NULL

-- name: children
JOIN ckb_stg_node p ON p.node = n2.parent
          JOIN events_location l ON l.parent_id = p.location_id

-- name: insert_places
-- A place takes its country's code from the row (ACLED's iso) or else from the place above it
-- (UCDP's rows name the country only), so every level is in its country.
INSERT INTO events_location (uuid, created_at, updated_at, status, name, kind, parent_id, path,
                             country_code, latitude, longitude, alternate_names)
SELECT gen_random_uuid(), now(), now(), %(status)s, n.name, n.kind, p.location_id, '',
       coalesce(nullif(n.country_code, ''), pl.country_code, ''), n.latitude, n.longitude, '{}'
  FROM ckb_stg_node n
  LEFT JOIN ckb_stg_node p ON p.node = n.parent
  LEFT JOIN events_location pl ON pl.id = p.location_id
 WHERE n.level = %(level)s AND n.location_id IS NULL
 ORDER BY n.node

-- name: match_documents
UPDATE ckb_stg_doc s SET document_id = m.id
  FROM (SELECT DISTINCT ON (s2.doc) s2.doc, d.id
          FROM ckb_stg_doc s2 JOIN sources_document d
            ON d.outlet_id = %(outlet)s AND d.title = s2.title
         WHERE s2.document_id IS NULL ORDER BY s2.doc, d.id) m
 WHERE s.doc = m.doc

-- name: insert_documents
INSERT INTO sources_document (uuid, created_at, updated_at, status, outlet_id, title, url, author,
                              published_on, language, archive_url, text)
SELECT gen_random_uuid(), now(), now(), %(status)s, %(outlet)s, title, '', '', published_on,
       'en', '', text
  FROM ckb_stg_doc WHERE document_id IS NULL ORDER BY doc
