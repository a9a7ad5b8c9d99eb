# Two commands a newcomer needs: `make run` and `make test`. Both set up what is missing, and are quick when it is done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEPS_STAMP := $(VENV)/.deps-installed
ARGS ?=
# Test workers: the browser stories wait much of their time (timers, tokens running out, the network); on the
# 2-core machine 4 workers were as fast as 6, and 3 keep each story far enough from its timeouts (a renewal in
# a hidden frame has 10 s) while Chromium and Pyodide start beside each other.
WORKERS ?= 3

.PHONY: run test unit fuzz bench soak screenshot dist setup runtime chromium nginx axe lint clean
.DEFAULT_GOAL := run

run: setup  ## serve the app, your pages (pages/) and the stand-in PlaceOS at http://127.0.0.1:8000/
	$(PY) serve.py --pages pages $(ARGS)

# Two runs: what needs no browser, then the browser stories handed out longest first (tests/e2e/durations.json) as
# each worker comes free. Exit status 5 is "no test of this kind was selected" (ARGS naming one file).
test: setup chromium nginx axe lint  ## lint and types, then the whole suite in parallel: unit, server and browser tests
	$(PY) -m pytest -n $(WORKERS) --dist worksteal -m "not browser" $(ARGS) || [ $$? -eq 5 ]
	$(PY) -m pytest -n $(WORKERS) --dist load -m browser $(ARGS) || [ $$? -eq 5 ]

lint: $(DEPS_STAMP)  ## ruff and mypy (strict)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy app server serve.py scripts

unit: setup  ## only the tests that need no browser
	$(PY) -m pytest -n 2 -m "not browser" $(ARGS)

fuzz: setup  ## the property-based tests with 20,000 hostile examples each (make test runs 100, seeded)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -m property $(ARGS)

bench: setup chromium  ## start-up benchmark in headless Chromium (prints figures)
	$(PY) scripts/bench.py $(ARGS)

soak: setup chromium  ## kiosk soak: 100 renewal and reconnect cycles, memory and blank frames (prints figures)
	$(PY) scripts/soak.py $(ARGS)

screenshot: setup chromium  ## the README's screenshot, from the running app (docs/screenshot.png)
	$(PY) scripts/screenshot.py $(ARGS)

dist: setup  ## the production build in dist/ (index, static, app.zip, runtime, app-config.json, nginx block)
	$(PY) scripts/dist.py $(ARGS)

setup: runtime

$(DEPS_STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) scripts/install_deps.py
	touch $@

# Checked on every run: the script returns at once when the build for its current recipe is present.
runtime: $(DEPS_STAMP)
	@$(PY) scripts/fetch_runtime.py

chromium: $(DEPS_STAMP)
	@$(PY) scripts/ensure_chromium.py

nginx: $(DEPS_STAMP)  ## Debian's nginx, for the production test (as Chromium, installed when missing)
	@$(PY) scripts/ensure_nginx.py

axe:  ## axe-core from npm (pinned in package-lock.json): the browser tests check every screen with it
	@test -f node_modules/axe-core/axe.min.js || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

clean:
	rm -rf $(VENV) .runtime node_modules .pytest_cache
