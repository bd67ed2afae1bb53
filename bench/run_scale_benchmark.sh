#!/bin/sh
# The scale benchmark (BENCHMARKS.md): one million synthetic ACLED events in a database of its
# own on the machine's PostgreSQL 15, served by gunicorn with production settings and measured
# with wrk side by side with Datasette (same rows in SQLite) and the raw SQL.
#
#   bench/run_scale_benchmark.sh                       # fill if needed, serve, measure, report
#   bench/run_scale_benchmark.sh --skip-load           # measure an already filled database
#   bench/run_scale_benchmark.sh --db ckb_bench_small --rows 20000 --files 2 --seconds 3
#
# Needs `make install`, `.venv/bin/pip install -e '.[bench]'` and wrk (apt-get install -y wrk).
# Loading a million rows takes 15–30 minutes on two cores; the database is kept, so later runs
# only measure (about 20 minutes). Every argument is passed to bench/scale.py (see --help).
set -eu
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" bench/scale.py "$@"
