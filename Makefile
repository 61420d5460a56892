# Partnerwise: `make run` to try it, `make test` to check it. Both install what they need.
SHELL := /bin/bash
PORT ?= 8000
PYTHON312 := $(shell pyenv which python3.12 2>/dev/null || command -v python3.12)
UV := .tools/bin/uv
PW := .venv/bin/partnerwise
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: install run test test-sqlite test-postgres lint bench clean

.tools/bin/uv:
	@test -n "$(PYTHON312)" || { echo "Python 3.12 is needed (pyenv install 3.12)"; exit 1; }
	$(PYTHON312) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

.venv/.installed: pyproject.toml uv.lock .tools/bin/uv
	$(UV) sync --frozen --python $(PYTHON312)
	touch $@

install: .venv/.installed

run: install
	mkdir -p var
	$(PW) migrate --noinput
	$(PW) load_demo
	$(PW) runserver 127.0.0.1:$(PORT)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy partnerwise
	$(PW) makemigrations --check --dry-run
	$(PW) check --fail-level WARNING

test-sqlite: install
	PYTHONWARNINGS=error .venv/bin/pytest -q

test-postgres: install
	DATABASE_URL=$(TEST_DATABASE_URL) PYTHONWARNINGS=error .venv/bin/pytest -q

test: lint test-sqlite test-postgres

bench: install
	.venv/bin/python bench/run.py

clean:
	rm -rf .venv .tools var/*.sqlite3*
