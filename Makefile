# Two commands for a fresh machine (Python >= 3.11, npm, make):
#   make run    install, initialise, load the demo, serve on http://127.0.0.1:5000
#   make test   install, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := requirements/constraints.txt
SDK_VENV := .venv-label-studio
SDK_LOCK := requirements/label-studio-sdk.txt
HTMX := guidelines_app/web/static/vendor/htmx.min.js
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint types format bench lock clean

install: $(VENV)/.installed $(HTMX)

# Every package at the version CI tested: $(CONSTRAINTS), written by `make lock`.
# irrCAC, a reference peer for tests and benchmarks, declares coverage<7 and
# scipy==1.12 without using either; coverage 6 breaks numba's import, so it comes
# without them (pandas and scipy are already there) and stays out of the lock.
$(VENV)/.installed: pyproject.toml setup.py $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps 'irrCAC==0.4.4'
	touch $@

# The Label Studio SDK checks our exported labeling configs with its own parser. Its
# pins (opencv: numpy below 2.3) do not fit the tested set, so it has a virtual
# environment of its own, which the test runs in a subprocess.
$(SDK_VENV)/.installed: $(SDK_LOCK)
	$(PYTHON) -m venv $(SDK_VENV)
	$(SDK_VENV)/bin/pip install --quiet --upgrade pip
	$(SDK_VENV)/bin/pip install --quiet -r $(SDK_LOCK)
	touch $@

# After a change to the dependencies in pyproject.toml (or requirements/*.in): resolve
# the lock files again for Python 3.11, the oldest supported, on every platform, with
# one version of each package where one fits all. Pins that still fit are kept; to move
# everything to the newest versions allowed, `make lock LOCK_ARGS=--upgrade`. Then
# `make test` and commit the lock files.
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
UV_COMPILE := --python-version 3.11 --universal --fork-strategy fewest --quiet \
	--custom-compile-command 'make lock'
LOCK_ARGS ?=
lock:
	test -x $(UV) || ($(PYTHON) -m venv $(UV_VENV) && $(UV_VENV)/bin/pip install --quiet 'uv==0.13.10')
	$(UV) pip compile pyproject.toml --extra dev -o $(CONSTRAINTS) $(UV_COMPILE) $(LOCK_ARGS)
	$(UV) pip compile requirements/label-studio-sdk.in -o $(SDK_LOCK) $(UV_COMPILE) $(LOCK_ARGS)

# htmx comes from the npm registry at a pinned version (package-lock.json), never a CDN.
$(HTMX): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(dir $(HTMX))
	cp node_modules/htmx.org/dist/htmx.min.js $(HTMX)

run: install
	$(BIN)/guidelines init
	$(BIN)/guidelines demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the accounts above."
	$(BIN)/guidelines run --host $(HOST) --port $(PORT)

test: install $(SDK_VENV)/.installed
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over the package, which must report no error (tests/unit/test_types.py checks it too).
types: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(SDK_VENV) $(UV_VENV) node_modules guidelines_app/web/static/vendor
