# `make run` and `make test` work on a fresh machine with Python 3.11+ and Node.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint install install-test ui-deps browser bench clean

# The demo runs each channel's offline sandbox (fake provider + customer chat page); production
# installations leave MOSTRADOR_SANDBOX unset, and it is off.
run: export MOSTRADOR_SANDBOX = 1
run: export MOSTRADOR_PUBLIC_URL = http://$(HOST):$(PORT)
run: install ui-deps
	$(BIN)/mostrador migrate -v0
	$(BIN)/mostrador demo --base-url http://$(HOST):$(PORT)
	$(BIN)/mostrador serve --host $(HOST) --port $(PORT)

# The suite spreads over the machine's cores (pytest-xdist), at most four: each worker drives its
# own browser. PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto --maxprocesses 4
test: install-test ui-deps browser lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff over everything; mypy --strict over the pure rules core (pyproject.toml).
lint: install-test
	$(BIN)/ruff check mostrador tests bench
	$(BIN)/mypy

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

# Front-end libraries come from the npm registry, pinned by package-lock.json, served by us.
ui-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Browser tests drive Debian's Chromium; Playwright does not download a browser here.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

# Both need PostgreSQL; the ingest benchmark also needs Redis (BENCH_POSTGRES_URL, BENCH_REDIS_URL).
bench: install ui-deps
	$(BIN)/python bench/pending_list.py
	$(BIN)/python bench/gc_pause.py
	$(BIN)/python bench/webhook_ingest.py --rate 1000
	$(BIN)/python bench/webhook_ingest.py

clean:
	rm -rf $(VENV) node_modules var
