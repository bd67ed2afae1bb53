-- The importer's staging tables (interchange/loading.py): temporary, dropped at the end of
-- the import and with the transaction. Python streams the validated rows into them (COPY),
-- with actors, place paths and source texts deduplicated; every statement after that works
-- on whole tables.
--
-- Statements the importer runs itself, read by name (core.sql_files.statements): a change
-- here takes effect with the next import, no migration needed.

-- name: create
-- One row per file line (ckb_stg_row), its participants (ckb_stg_part), and the actors,
-- place-path nodes and source documents the rows name, each once; ckb_stg_match will pair
-- each line with its event.
DROP TABLE IF EXISTS ckb_stg_row, ckb_stg_part, ckb_stg_actor, ckb_stg_node, ckb_stg_doc,
    ckb_stg_match, ckb_stg_marks, ckb_stg_fields, ckb_stg_edit;
CREATE TEMP TABLE ckb_stg_row (
    line int PRIMARY KEY, external_id text, event_uuid uuid, title text, summary text,
    event_type_id bigint, start_date date, end_date date, date_precision smallint,
    geo_precision smallint, node int, low bigint, best bigint, high bigint, civilians int,
    combatants int, value_text text, quote text, doc int, digest bytea);
CREATE TEMP TABLE ckb_stg_part (line int, pos int, actor int, role text);
CREATE TEMP TABLE ckb_stg_actor (
    actor int PRIMARY KEY, name text, inter smallint, kind text, actor_id bigint);
CREATE TEMP TABLE ckb_stg_node (
    node int PRIMARY KEY, parent int, level int, name text, kind text, country_code text,
    latitude float8, longitude float8, location_id bigint);
CREATE TEMP TABLE ckb_stg_doc (
    doc int PRIMARY KEY, title text, text text, published_on date, document_id bigint);
CREATE TEMP TABLE ckb_stg_match (line int PRIMARY KEY, event_id bigint, is_new boolean);

-- name: drop
DROP TABLE IF EXISTS ckb_stg_key, ckb_stg_row, ckb_stg_part, ckb_stg_actor, ckb_stg_node,
    ckb_stg_doc, ckb_stg_match, ckb_stg_marks, ckb_stg_fields, ckb_stg_edit;

-- name: create_keys
-- Settling (a re-import's first step, events.sql): each row's key, digest and event type,
-- just enough to find the rows that would change nothing.
DROP TABLE IF EXISTS ckb_stg_key;
CREATE TEMP TABLE ckb_stg_key (
    line int, external_id text, event_uuid uuid, event_type_id bigint, digest bytea);
