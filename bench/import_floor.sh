#!/bin/sh
# The least a first import of the benchmark file could cost in PostgreSQL: the rows it wrote,
# written again into bare copies of their tables (no index, no key, no trigger; the audit
# rows are copied like the others), events and claims once with their stored search vectors
# and once without. Everything is rolled back.
# Run after bench/run_benchmark.sh. Usage: bench/import_floor.sh [database name]
set -eu
DB=${1:-ckb_import_bench}
PSQL="psql -h 127.0.0.1 -U postgres -X -q $DB"
# Every column but the generated ones, for INSERT … SELECT into a copy without them.
columns() {
    $PSQL -Atc "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute
                 WHERE attrelid = '$1'::regclass AND attnum > 0 AND NOT attisdropped
                   AND attgenerated = ''"
}
copy() {  # table, copy's name, INCLUDING GENERATED or not
    echo "CREATE TABLE $2 (LIKE $1 INCLUDING DEFAULTS $3);"
    printf '\\echo %s\n' "$2${3:+ ($3)}"
    printf '\\timing on\n'
    cols=$(columns "$1")
    echo "INSERT INTO $2 ($cols) SELECT $cols FROM $1;"
    printf '\\timing off\n'
}
{
    echo "SET jit = off;"
    echo "BEGIN;"
    for generated in "INCLUDING GENERATED" ""; do
        copy events_event bare_event "$generated"
        copy sources_claim bare_claim "$generated"
        echo "DROP TABLE bare_event, bare_claim;"
    done
    copy events_participation bare_participation ""
    copy events_import_snapshot bare_snapshot ""
    copy events_eventevent bare_event_audit ""
    copy events_participationevent bare_participation_audit ""
    copy sources_claimevent bare_claim_audit ""
    echo "ROLLBACK;"
} | $PSQL
