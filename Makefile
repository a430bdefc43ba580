# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test install install-dev migrate demo messages check lint clean

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

clean:
	rm -rf $(VENV) var
