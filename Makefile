# Two commands do all set-up on a fresh machine with only Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# Hermetic Prefect: a project-local home (its database is reused between runs, which saves the
# migrations on every start), no telemetry, quiet logs, and a start-up timeout the first
# migration fits in.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_ENABLED := true
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 180
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_LOGGING_LEVEL ?= WARNING
export PREFECT_SERVER_LOGGING_LEVEL := CRITICAL
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: run test lint typecheck check bench lock clean server server-stop

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("newsclean needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# `make run` starts no Prefect server: the first run on a fresh machine leaves nothing running.
# `make server` starts one in .prefect/ that later runs reuse (seconds of start-up saved per run).
run: $(STAMP)
	$(BIN)/newsclean run data/sample --output output

server: $(STAMP)
	$(BIN)/newsclean server start

server-stop:
	test ! -x $(BIN)/newsclean || $(BIN)/newsclean server stop

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/metadata.py
	$(BIN)/python benchmarks/throughput.py --limit 100 --multiplier 2

# Re-resolve the dependencies from pyproject.toml and freeze them into requirements.lock.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade "pip>=24"
	.lock-venv/bin/python -m pip install --quiet ".[dev]"
	{ head -2 requirements.lock; .lock-venv/bin/python -m pip freeze --exclude newsclean; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

clean: server-stop
	rm -rf $(VENV) .prefect output/articles output/quarantine output/inputs output/_commits output/reports output/.staging
