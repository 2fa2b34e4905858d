# zongzhi — the two set-up commands are `make demo` and `make test` (see README.md);
# `make serve` runs it in production.
SHELL := /bin/bash
PYTHON := $(shell scripts/find-python)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt | sha1sum | cut -c1-10)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-10)
TEST_SETTINGS := DJANGO_SETTINGS_MODULE=config.test_settings
# Python's compiled files (and pytest's rewritten test modules) are written and reused:
# with PYTHONDONTWRITEBYTECODE set, as some machines set it, every test process and every
# process a test starts compiled the whole project again.
unexport PYTHONDONTWRITEBYTECODE
PYTEST_ARGS ?=

.PHONY: demo serve test checks test-sqlite-beside lint typecheck test-sqlite test-postgres test-all-sqlite messages bench clean drill

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "no Python >= 3.12 found" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

## demo: build the environment, migrate SQLite, load the demo county, print logins, then run
## the whole system: the pages, the task worker and the scheduler (Ctrl-C stops all three).
demo: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000 with the worker and the scheduler (Ctrl-C stops all)"
	$(BIN)/python manage.py run_all --web runserver --bind 127.0.0.1:8000

## serve: production in one command, with the settings from the environment (README's
## table; DJANGO_DEBUG=false and the secrets are required): migrate, collect the static
## files into var/static, then gunicorn (config/gunicorn.py), the worker and the scheduler
## under one supervisor that restarts whichever dies. SIGTERM or Ctrl-C stops all three.
ZONGZHI_BIND ?= 127.0.0.1:8000
serve: $(RUN_STAMP)
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	exec $(BIN)/python manage.py run_all --web gunicorn --bind $(ZONGZHI_BIND) --grace 40

## test: system packages when missing, lint, types, then the whole suite on PostgreSQL (the
## production database) but for the demo county, and, on SQLite (the embedded default that
## `make demo` runs on), the tests marked `sqlite`: migrations, the demo county (only there:
## production never loads it), the queries whose SQL differs by engine.
test: $(DEV_STAMP)
	scripts/ensure-system-packages
	@# Three at once on two cores, each output printed whole when it ends: the
	@# PostgreSQL run's two workers, the SQLite run in one worker, and the static checks.
	@# Run one after another, each left a core idle part of its time.
	$(MAKE) --no-print-directory -j3 --output-sync=target test-postgres test-sqlite-beside checks

checks: lint typecheck
	$(TEST_SETTINGS) $(BIN)/python manage.py makemigrations --check --dry-run -v0

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# One worker per core, tests handed out in collection order (pytest-django puts the
# transactional ones, which empty the database, last), a test module marked with an
# xdist_group kept on one worker (the demo county is loaded once). The twenty slowest are
# printed.
PYTEST := $(BIN)/pytest -n auto --dist loadgroup --durations=20

test-sqlite: $(DEV_STAMP)
	$(PYTEST) -m sqlite $(PYTEST_ARGS)

test-postgres: $(DEV_STAMP)
	scripts/with-postgres $(PYTEST) -m "not demo_county" --reuse-db $(PYTEST_ARGS)

test-sqlite-beside: $(DEV_STAMP)
	$(BIN)/pytest -n 1 --dist loadgroup --durations=20 -m sqlite $(PYTEST_ARGS)

## test-all-sqlite: the whole suite on SQLite too (not part of `make test`).
test-all-sqlite: $(DEV_STAMP)
	$(PYTEST) $(PYTEST_ARGS)

## bench: benchmarks on a throwaway PostgreSQL cluster, never part of `make test` (issue 8):
## a province of 100 counties with BENCH_CASES cases (default 20000), then the harness with
## django-helpdesk beside it; a table on the terminal, JSON under var/bench/.
BENCH_CASES ?= 20000
BENCH_SECONDS ?= 20
# Production settings (DEBUG off); the field key is the demo's, as the generator used it.
# The API's per-key write limit (120 a minute) is lifted: intake measures what the server
# can take, and two client systems at full speed would otherwise measure the limit.
BENCH_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only-not-a-secret \
	DJANGO_ALLOWED_HOSTS=testserver ZONGZHI_FIELD_KEYS=ZGVtby1vbmx5LWZpZWxkLWtleS1jaGFuZ2UtbWUtMDA= \
	ZONGZHI_API_WRITES_PER_MINUTE=100000000
# The server is sized for the data rather than for a test run, and vacuums and compiles
# queries as a production server does (the test cluster turns both off).
bench: $(DEV_STAMP)
	scripts/ensure-system-packages
	WITH_POSTGRES_CONF="$$(printf '%s\n' 'shared_buffers = 4GB' 'effective_cache_size = 16GB' \
		'maintenance_work_mem = 1GB' 'work_mem = 32MB' 'max_wal_size = 16GB' \
		'checkpoint_timeout = 30min' 'autovacuum = on' 'jit = on')" \
	$(BENCH_ENV) scripts/with-postgres bash -c '$(BIN)/python manage.py migrate --noinput -v0 && \
		$(BIN)/python manage.py collectstatic --noinput -v0 && \
		$(BIN)/python manage.py generate_province --cases $(BENCH_CASES) && \
		$(BIN)/python manage.py bench_run --seconds $(BENCH_SECONDS) --peer bench/helpdesk/run \
			--json var/bench/zongzhi-$(BENCH_CASES).json'

## messages: refresh the English catalogue from the source strings and compile it.
messages: $(DEV_STAMP)
	cd zongzhi && ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete
	cd zongzhi && ../$(BIN)/python ../manage.py compilemessages -l en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache test-artifacts

## drill: by hand, never in `make test`: on a throwaway PostgreSQL, stop the database under
## the running system and time its recovery (/healthz 200), then kill -9 a worker mid-task
## and time the task's recovery after its lease (docs/operations.md).
drill: $(RUN_STAMP)
	scripts/ensure-system-packages
	scripts/drill-restart
