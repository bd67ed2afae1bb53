# ConflictKB — `make run` serves the demo site, `make test` runs the whole suite.
# Both create .venv and install what they need on first use; only Python 3.11+ and make are
# required. Without DATABASE_URL an embedded PostgreSQL 18 starts in .pgdata/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install serve clean-db

run: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup --site http://$(HOST):$(PORT)
	@# No autoreloader: its file-watching parent keeps the embedded PostgreSQL from being released
	@# on SIGTERM. Developers who want reloading run `manage.py runserver` themselves.
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# Lint first: a style or type error fails the run before the tests start.
test: lint
	$(BIN)/python -m pytest

# Production: gunicorn (gunicorn.conf.py: WEB_CONCURRENCY workers, timeouts) with
# DJANGO_ENV=production, which needs DATABASE_URL, SECRET_KEY and ALLOWED_HOSTS; static files
# are collected first and served by WhiteNoise. See docs/serving.md.
serve: $(INSTALLED)
	DJANGO_ENV=production $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_ENV=production exec $(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ConflictKB needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

# Drops the embedded database (stop `make run` first); the next `make run` starts afresh.
clean-db:
	rm -rf .pgdata .pgdata-run
