# Kefu: `make demo` runs the demo on http://127.0.0.1:8000/, `make test` runs the checks CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
KEFU   := $(BIN)/kefu
STAMP  := $(VENV)/.kefu-install-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
LINT_PATHS := $(wildcard kefu tests scripts)
# Every app directory (it has an apps.py) owns a catalog in <app>/locale/.
APP_DIRS := $(patsubst %/apps.py,%,$(wildcard kefu/*/apps.py kefu/connectors/*/apps.py))

.PHONY: help install demo serve test lint format messages compilemessages bench bench-quick

help:
	@echo "make install          create $(VENV) (Python >= 3.12), install Kefu, compile translations"
	@echo "make demo             install, migrate, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test             ruff, then pytest on SQLite (+ PostgreSQL with KEFU_TEST_POSTGRES=1 or CI) + browser tests"
	@echo "make bench            load test over HTTP against kefu serve and django-helpdesk (var/peer), with ceilings; 100k tickets"
	@echo "make bench-quick      the same with 10k tickets and short runs (< 5 min); BENCH_ARGS=\"--profile 'queue first page'\" adds py-spy"
	@echo "make lint             ruff check"
	@echo "make format           ruff format + ruff check --fix"
	@echo "make messages         update every app's zh_Hans catalog (makemessages)"
	@echo "make compilemessages  compile changed catalogs to .mo"

# The venv is created once; pip runs again only when pyproject.toml is newer than the stamp.
install: $(STAMP)
	@$(PY) scripts/compile_messages.py

$(PY):
	@py=$$(scripts/find-python.sh) && echo "Creating $(VENV) with $$py" && "$$py" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check --quiet -e ".[test]"
	@touch $@

compilemessages: $(STAMP)
	@$(PY) scripts/compile_messages.py

demo: install
	$(KEFU) migrate --no-input
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(KEFU) demo
	$(KEFU) serve --demo --host $(HOST) --port $(PORT)

serve: install
	$(KEFU) serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)

format: $(STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

# PYTEST_ARGS is passed to every pytest run, e.g. make test PYTEST_ARGS="-x kefu/core".
# Ruff and every test stage run even when an earlier one fails; the summary at the end lists them all.
test: install
	@scripts/run-tests.sh $(PYTEST_ARGS)

# Templates of kefu/templates/ (and kefu/config) belong to kefu/locale; everything in an app to its own.
messages: $(STAMP)
	@set -e; for app in $(APP_DIRS); do \
		mkdir -p $$app/locale; \
		echo "== $$app"; \
		(cd $$app && $(abspath $(KEFU)) makemessages -l zh_Hans --ignore 'tests/*'); \
	done
	@mkdir -p kefu/locale
	@echo "== kefu (shared templates)"
	@cd kefu && $(abspath $(KEFU)) makemessages -l zh_Hans --ignore 'tests/*' \
		$(foreach app,$(APP_DIRS),--ignore '$(patsubst kefu/%,%,$(app))/*') --ignore 'connectors/*'

# Load from separate processes over HTTP against `kefu serve`, django-helpdesk (its own venv under var/peer)
# and the ceilings (empty Django view, bare WSGI/ASGI, raw DB writes); writes var/bench/<timestamp>.{json,md}.
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

bench-quick: install
	$(PY) scripts/bench.py --quick $(BENCH_ARGS)
