#!/bin/sh
# The import benchmark: a fresh database, a 100,000-row synthetic ACLED file, first import
# and re-import, then a newer export of the same events with one row in ten revised (auditing on).
# Usage: bench/run_benchmark.sh [database name]
set -eu
DB=${1:-ckb_import_bench}
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
.venv/bin/python manage.py migrate -v0
.venv/bin/python bench/generate_acled.py --rows 100000 --seed 1 > /tmp/ckb-acled-100k.csv
.venv/bin/python bench/generate_acled.py --rows 100000 --seed 1 --revise 10 \
    > /tmp/ckb-acled-100k-revised.csv
echo "first import:"
/usr/bin/time -f "%e s wall, %M KB max RSS" .venv/bin/python manage.py import_acled /tmp/ckb-acled-100k.csv
echo "re-import of the same file:"
/usr/bin/time -f "%e s wall, %M KB max RSS" .venv/bin/python manage.py import_acled /tmp/ckb-acled-100k.csv
echo "newer export, one row in ten revised:"
/usr/bin/time -f "%e s wall, %M KB max RSS" .venv/bin/python manage.py import_acled /tmp/ckb-acled-100k-revised.csv
psql -h 127.0.0.1 -U postgres "$DB" -Atc "SELECT 'audit rows: ' || (SELECT count(*) FROM events_eventevent) + (SELECT count(*) FROM events_participationevent) + (SELECT count(*) FROM sources_claimevent) + (SELECT count(*) FROM events_locationevent) + (SELECT count(*) FROM actors_actorevent) + (SELECT count(*) FROM sources_documentevent) || ', contexts: ' || (SELECT count(*) FROM pghistory_context)"
