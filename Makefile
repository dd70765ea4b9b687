# Two commands for a fresh machine (Python >= 3.11, npm, make):
#   make run    install, initialise, load the demo, serve on http://127.0.0.1:5000
#   make test   install, then run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX := guidelines_app/web/static/vendor/htmx.min.js
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test lint types format bench clean

install: $(VENV)/.installed $(HTMX)

# irrCAC, a reference peer for tests and benchmarks, declares coverage<7 and
# scipy==1.12 without using either; coverage 6 breaks numba's import, so it comes
# without them (pandas and scipy are already there).
$(VENV)/.installed: pyproject.toml setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps 'irrCAC==0.4.4'
	touch $@

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

test: install
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every error in full; tests/unit/test_types.py checks them against mypy-baseline.txt.
types: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules guidelines_app/web/static/vendor
