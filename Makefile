# Partnerwise: `make run` to try it, `make test` to check it. Both install what they need.
SHELL := /bin/bash
PORT ?= 8000
PYTHON312 := $(shell pyenv which python3.12 2>/dev/null || command -v python3.12)
UV := .tools/bin/uv
PW := .venv/bin/partnerwise
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
DATA ?= ../shared/data

CHROMIUM := /usr/bin/chromium

.PHONY: install pg-client system-deps browser-deps run serve test test-sqlite test-postgres lint bench clean

.tools/bin/uv:
	@test -n "$(PYTHON312)" || { echo "Python 3.12 is needed (pyenv install 3.12)"; exit 1; }
	$(PYTHON312) -m venv .tools
	.tools/bin/pip install --quiet uv==0.13.9

.venv/.installed: pyproject.toml uv.lock .tools/bin/uv
	$(UV) sync --frozen --python $(PYTHON312)
	touch $@

install: .venv/.installed pg-client system-deps

# `partnerwise backup` on PostgreSQL runs pg_dump/pg_restore: install them (as root) if missing.
pg-client:
	@command -v pg_dump >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client; \
	  else echo "pg_dump is missing: sudo apt-get install postgresql-client (for backups on PostgreSQL)"; fi; }

# WeasyPrint (the board summary as PDF) lays out text with Debian's Pango and HarfBuzz, and
# Liberation Sans stands in for Arial. As root, install what is missing; otherwise say how.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation
system-deps:
	@if ! dpkg-query -W -f='$${Status}\n' $(PDF_DEBS) 2>/dev/null | grep -qv "install ok installed" \
	    && [ "$$(dpkg-query -W -f='$${Status}\n' $(PDF_DEBS) 2>/dev/null | wc -l)" = 4 ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_DEBS); \
	else \
	  echo "PDF export needs: sudo apt-get install $(PDF_DEBS)"; \
	fi

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used)
# and run axe-core from npm. As root, install Chromium; otherwise say how.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

browser-deps: node_modules/.installed
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Chromium is missing, so the browser tests will be skipped: sudo apt-get install chromium"; \
	  fi; \
	fi

REGISTER_SAMPLE = charity charity_area_of_operation charity_classification \
  charity_annual_return_parta charity_annual_return_partb charity_annual_return_history
REGISTER_REAL = charity_other_names charity_other_regulators

run: install
	mkdir -p var
	$(PW) migrate --noinput
	$(PW) load_demo
	@# Real grants and contract awards around the demo's organisations; the register's
	@# anonymised sample (charities, returns, areas, classifications) for its sample partner's
	@# facts, with the real complete other names and other regulators tables (2024-09-10) for
	@# every demo charity (re-running changes nothing).
	@if [ -d "$(DATA)" ]; then \
	  $(PW) import ccew $(REGISTER_SAMPLE:%=$(DATA)/ccew-register-extract-anonymised-sample/publicextract.%.zip) \
	    $(REGISTER_REAL:%=$(DATA)/ccew-register-extract-2024-09-10/publicextract.%.zip) && \
	  $(PW) import 360giving $(DATA)/360giving/grantnav-sample-2016/dulverton.json \
	    $(DATA)/360giving/covid19-tracker-grants-2020-04-16.json && \
	  $(PW) import ocds $(DATA)/contracts-finder-ocds/bluetail-2017-2020/json_1_1_raw/*.json; \
	else echo "No open data at $(DATA): the demo runs without grants and contracts."; fi
	$(PW) runserver 127.0.0.1:$(PORT)

# Production: collect static files, migrate, check the settings, then gunicorn on PORT
# (see docs/deploy.md). Needs DJANGO_ENV=production, SECRET_KEY and ALLOWED_HOSTS.
serve: install
	$(PW) serve --port $(PORT)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy partnerwise
	.venv/bin/lint-imports --no-cache
	$(PW) makemigrations --check --dry-run
	$(PW) check --fail-level WARNING

test-sqlite: install browser-deps
	PYTHONWARNINGS=error .venv/bin/pytest -q

test-postgres: install browser-deps
	DATABASE_URL=$(TEST_DATABASE_URL) PYTHONWARNINGS=error .venv/bin/pytest -q

test: lint test-sqlite test-postgres

bench: install
	.venv/bin/python bench/run.py

clean:
	rm -rf .venv .tools node_modules var/*.sqlite3*
