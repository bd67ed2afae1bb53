-- How the API writes values that PostgreSQL writes differently: a date-time as DRF's
-- DateTimeField (and api.serializers.api_datetime) writes it, in UTC with a "Z" and the
-- microseconds only when there are any ("2018-09-04T06:30:12Z", "…T06:30:12.005000Z").
--
-- Called by the API's event list, built by PostgreSQL (api/event_rows.py).
--
-- Put in the database by a migration (core.sql_files.RunSQLFile): a change to this file
-- needs a new migration that runs it again.

CREATE OR REPLACE FUNCTION ckb_api_datetime(moment timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN moment IS NULL THEN NULL
    WHEN extract(microseconds FROM moment)::bigint % 1000000 = 0
      THEN to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    ELSE to_char(moment AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
  END
$$;
