# Springboard: `make demo` runs the portal with demo data; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The first Python >= 3.12 on PATH (pyenv picks 3.12 from .python-version).
PYTHON_CANDIDATES := python3 python3.14 python3.13 python3.12
PYTHON ?= $(shell for p in $(PYTHON_CANDIDATES); do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
DAYS ?= 400

.PHONY: help demo test test-later lint check-python browser migrate clean bench bench-rush messages bench-phone bootstrap-subset

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Springboard needs Python 3.12 or newer; none found on PATH (tried: $(PYTHON_CANDIDATES))."; \
		echo "Install it (e.g. 'pyenv install 3.12') and run make again."; exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'
	@touch $@ $(VENV)/.installed-run

migrate: $(VENV)/.installed-run
	DEBUG=1 $(BIN)/python manage.py migrate --noinput

demo: $(VENV)/.installed-run ## Install, migrate SQLite, load the demo and run the portal (PORT=8000)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo --fresh-if-stale
	DEBUG=1 EMAIL=files \
		$(BIN)/python manage.py rundemo --port $(PORT)

browser: ## Install Debian's chromium for the browser tests when apt-get may be used
	@if command -v chromium >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is not installed and apt-get is not available: browser tests will be skipped"; fi

test: $(VENV)/.installed-test browser ## Install what the tests need and run them all (PostgreSQL if DATABASE_URL is set)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test-later: ## Run every test with the whole clock moved DAYS (400) ahead: nothing may rot with the date
	$(MAKE) test PYTEST_ARGS="$(PYTEST_ARGS) --clock-shift-days=$(DAYS)"

# The one list of what makemessages skips; tests/test_translations.py reads it from here.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=bench --ignore=*/migrations/* --ignore=static --ignore=var --ignore=staticfiles

messages: $(VENV)/.installed-test ## Collect new strings into locale/es (django.po), compile django.mo, check nothing is untranslated
	DEBUG=1 $(BIN)/python manage.py makemessages -l es --no-location $(MESSAGES_IGNORE)
	msgfmt --check --statistics -o locale/es/LC_MESSAGES/django.mo locale/es/LC_MESSAGES/django.po
	$(BIN)/python -m pytest -q -n 0 -p no:randomly tests/test_translations.py

lint: $(VENV)/.installed-test ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-test ## Benchmark the classes page against a bare view (PostgreSQL, gunicorn, wrk; not CI)
	@command -v wrk >/dev/null 2>&1 || { echo "bench needs wrk (Debian: apt-get install wrk)"; exit 1; }
	$(BIN)/python bench/classes_page.py

bench-rush: $(VENV)/.installed-test ## Registration night: N families over HTTP for S seats behind the waiting room (RUSH_FAMILIES=1000; RUSH_WAITING_ROOM=0: all at once; PostgreSQL, gunicorn, Redis; not CI)
	$(BIN)/python bench/rush.py

bench-phone: $(VENV)/.installed-test ## Every main portal page on a slow phone: LCP and CLS under slow 4G, CPU x4 (demo data, gunicorn, chromium; not CI)
	@command -v chromium >/dev/null 2>&1 || { echo "bench-phone needs Debian's chromium on PATH"; exit 1; }
	$(BIN)/python bench/slow_phone.py

bootstrap-subset: $(VENV)/.installed-test ## Rebuild static/vendor/bootstrap/bootstrap.subset.min.css from the templates' classes
	$(BIN)/python tools/bootstrap_subset.py

clean: ## Remove the venv, the demo database and uploads
	rm -rf $(VENV) var staticfiles
