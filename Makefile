# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test install install-dev migrate demo messages check lint clean backup restore bench

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

## make run: a fresh machine to a running site on http://127.0.0.1:8000 with a demo county.
run: demo
	bin/dev-server

## make test: the whole suite (PostgreSQL/Redis/Chromium tests skip unless available; never in CI),
## spread over one pytest-xdist worker per CPU (TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: install-dev
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS)

## make messages: refresh the zh_Hans catalog from the code, then compile it.
messages: install-dev
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

check: install-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

lint: install-dev
	$(VENV)/bin/ruff check .

## make bench SCALE=city: generate a synthetic county, city (default) or province into the
## PostgreSQL database pb_bench (BENCH_DATABASE_URL; it refuses any other), measure pages, exports,
## jobs and load, print the table and write bench/results.json (see bench/run.py).
SCALE ?= city
bench: install
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -qq wrk >/dev/null 2>&1 || \
		echo "wrk is not installed and apt-get could not install it: the load figures will be skipped"
	$(PY) -m bench.run --scale $(SCALE)

## make backup: the database (pg_dump, or SQLite's backup API) and the uploaded files in one
## archive, var/backups/partybuild-<date>-<time>.tar.gz.
backup: install
	$(PY) manage.py backup

## make restore FILE=var/backups/….tar.gz: put a backup back into an empty database
## (FORCE=1 replaces a database that already holds users or organizations).
restore: install
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/partybuild-….tar.gz [FORCE=1]"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(filter 1 true yes,$(FORCE)),--force,)

clean:
	rm -rf $(VENV) var
