# Every target sets up what it needs, so a fresh Debian/Ubuntu machine needs only `make`:
# the system packages (scripts/system-deps), then .venv, then the job itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/pip --quiet --disable-pip-version-check
export ALLY_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
# Two workers: the suite's machines have two cores.
PYTEST_WORKERS ?= 2

.PHONY: run test test-fast lint bench install install-dev system-deps-run system-deps-test clean schemas

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# What Ally itself needs to run (no test or developer tools).
$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e .
	touch $@

# Ally plus its test and developer tools.
$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PIP) install -e '.[dev]'
	touch $@ $(RUN_STAMP)

system-deps-run:
	PYTHON=$(PYTHON) bash scripts/system-deps run

system-deps-test:
	PYTHON=$(PYTHON) bash scripts/system-deps test

install: system-deps-run $(RUN_STAMP)

install-dev: system-deps-test $(DEV_STAMP)

run: install
	$(BIN)/ally serve

# The whole suite with branch coverage; scripts/coverage_floor.py prints it per package and
# fails the build when a package is below its floor (90% for knowledge, vault, evidence,
# documents and case).
test: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n $(PYTEST_WORKERS) --cov --cov-report=json:coverage.json --cov-report=
	$(BIN)/python scripts/coverage_floor.py coverage.json

# While developing: everything but the slow tests (browser, crash, big imports), on two workers.
test-fast: install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow"

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

# The benchmarks compare against reference tools (whatstk, alt-profanity-check), installed here only.
# The detection benchmark adds the TweetEval comparison when ALLY_TWEETEVAL names TweetEval's
# datasets folder (it is not part of Ally: github.com/cardiffnlp/tweeteval).
bench: install-dev
	$(PIP) install -e '.[dev,bench]'
	for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

schemas: install-dev
	$(BIN)/ally packs schema > src/ally/schemas/pack.schema.json
	$(BIN)/ally plan-schema > src/ally/schemas/plan.schema.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .coverage coverage.json
