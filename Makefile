# Two commands for a newcomer: `make run` and `make test`. Everything else is for CI and maintainers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export HOST PORT

.PHONY: run test test-reliability install install-dev lock audit migrate demo serve scheduler lint typecheck openapi \
        openapi-check migrations-check loadtest bench vendor screenshot clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs come from the lock files: exact versions, every file checked against its hash. The project
# itself is installed on top without dependencies. `make lock` re-resolves them from pyproject.toml.
LOCK     := requirements.lock
DEV_LOCK := requirements-dev.lock

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@$(BIN)/pip check >/dev/null || ($(BIN)/pip check; echo "a dependency in pyproject.toml is not in $(LOCK): run 'make lock'"; exit 1)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(DEV_LOCK) $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e '.[dev]'
	@$(BIN)/pip check >/dev/null || ($(BIN)/pip check; echo "a dependency in pyproject.toml is not in $(DEV_LOCK): run 'make lock'"; exit 1)
	@touch $@

## make lock: after changing dependencies in pyproject.toml, re-resolve both lock files (with hashes).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -q -o $(LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -q \
		-o $(DEV_LOCK)

## make audit: known vulnerabilities in the locked packages (pip-audit). --strict: a package it cannot
## look up fails the audit instead of being skipped, so an unreachable advisory database is a failure.
audit: install-dev
	$(BIN)/pip-audit --strict --progress-spinner off --disable-pip --no-deps --require-hashes -r $(LOCK)
	$(BIN)/pip-audit --strict --progress-spinner off --disable-pip --no-deps --require-hashes -r $(DEV_LOCK)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate, load the demo city when the database is empty, serve on HOST:PORT.
run: install migrate demo serve

migrate: install
	$(BIN)/alembic upgrade head
	$(BIN)/python -m backend.workdays seed

demo: install
	$(BIN)/python -m backend.demo --if-empty

serve: install
	$(BIN)/python -m backend

scheduler: install
	$(BIN)/python -m backend.scheduler

## make test: install the dev tools and run the whole suite (PostgreSQL and Redis used when they answer).
## The reliability drills (tests/reliability) are skipped there, saying so: `make test-reliability` runs them.
test: install-dev
	$(BIN)/pytest

## Fault drills against real processes: app workers, a test-owned redis-server, a TCP proxy to PostgreSQL.
test-reliability: install-dev
	RUN_RELIABILITY=1 $(BIN)/pytest tests/reliability

lint: install-dev
	$(BIN)/ruff check backend tests loadtests alembic
	$(BIN)/ruff format --check backend tests loadtests
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy backend

openapi: install
	$(BIN)/python -m backend.openapi > openapi/openapi.json

openapi-check: install
	$(BIN)/python -m backend.openapi | diff -u openapi/openapi.json - \
		|| (echo "openapi/openapi.json is stale: run 'make openapi'" && exit 1)

## Round trip and drift check on a throwaway PostgreSQL database (CI).
migrations-check: install
	bash .ci/migrations-check

loadtest: install-dev
	$(BIN)/locust -f loadtests/locustfile.py --headless --host http://$(HOST):$(PORT) \
		--users $${USERS:-50} --spawn-rate $${SPAWN_RATE:-10} --run-time $${RUN_TIME:-60s} \
		--csv loadtests/results/morning_rush --only-summary

## make bench: the project beside a bare FastAPI + asyncpg reference (wrk, PostgreSQL, Redis; skips without
## them). BENCH_ARGS="--rounds 1 --no-hot" etc.; see loadtests/README.md.
bench: install
	$(BIN)/python loadtests/bench/run.py $(BENCH_ARGS)

## Screenshot of the console dashboard on the demo city for the README (needs Debian's chromium).
screenshot: install-dev
	$(BIN)/python scripts/screenshot.py

## Refresh the vendored front-end assets (ECharts, Swagger UI) from the npm registry; commit the result.
ECHARTS_VERSION ?= 6.1.0
SWAGGER_UI_VERSION ?= 5.35.0
vendor:
	bash scripts/vendor-assets.sh $(ECHARTS_VERSION) $(SWAGGER_UI_VERSION)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
