# The two commands of the Quickstart: `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes per database (pytest-xdist); whole modules stay on one process, so a module loads the demo once.
JOBS ?= 2
PYTEST_PAR := -n $(JOBS) --dist loadfile
# The suite expects Vietnamese output: the CLI and demo_load follow the shell's language.
NO_LOCALE := -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG

.PHONY: demo test lint types contracts pytest-sqlite pytest-postgres postgres bench bench-province bench-dashboard bench-load install lock audit messages

# Re-install only when the lock changed since the last install. Every dependency (runtime and dev) is
# pinned with its hashes in requirements.lock; the package itself goes on top without dependencies.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing the dependencies in pyproject.toml: pin them again, with hashes.
lock: $(STAMP)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --extra dev \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

# Known vulnerabilities in the pinned dependencies; needs the vulnerability database (network).
audit: $(STAMP)
	$(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit --strict --disable-pip -r requirements.lock || { status=$$?; \
		echo "pip-audit failed (exit $$status): a vulnerability above, or the database unreachable" >&2; exit $$status; }

install: $(STAMP)

# The English catalogues (issue 15; README "Languages"): every package's marked strings (the
# msgids are the Vietnamese text; gettext, templates' translate tags and lib's N_) into its own
# locale/en/LC_MESSAGES/django.po, then every catalogue compiled to the .mo that is committed.
# Translate the new entries (tests/test_i18n.py fails on an empty or fuzzy one), then run it again.
# (python -P: an app directory is no import path, or jobs/queue.py would hide the standard library's.)
I18N_PACKAGES := $(notdir $(patsubst %/,%,$(dir $(wildcard src/ansinh/*/__init__.py))))
messages: $(STAMP)
	for package in $(I18N_PACKAGES); do \
		( cd src/ansinh/$$package && mkdir -p locale && \
		  DJANGO_SETTINGS_MODULE=ansinh.config.settings SECRET_KEY=messages PYTHONPATH=$(CURDIR)/src \
		  $(abspath $(PY)) -P -m django makemessages --locale en --no-obsolete --add-location file --verbosity 0 && \
		  find locale -type d -empty -delete ); \
	done
	( cd src/ansinh/web && DJANGO_SETTINGS_MODULE=ansinh.config.settings SECRET_KEY=messages PYTHONPATH=$(CURDIR)/src \
	  $(abspath $(PY)) -P -m django makemessages -d djangojs --locale en --no-obsolete --add-location file \
	  --ignore 'static/web/vendor/*' --ignore 'static/vendor/*' --verbosity 0 )
	cd src && DJANGO_SETTINGS_MODULE=ansinh.config.settings SECRET_KEY=messages PYTHONPATH=$(CURDIR)/src \
		$(abspath $(PY)) -P -m django compilemessages --locale en --verbosity 0

demo: $(STAMP)
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --verbosity 0
	@echo "Demo logins:"
	@DEBUG=1 $(PY) manage.py demo_load
	@echo "ansinh is serving http://$(HOST):$(PORT)/  (quote page; admin at /admin/, API docs at /api/docs)"
# The job worker (exports, nightly jobs) runs beside the server and stops when the server stops.
	DEBUG=1 $(VENV)/bin/ansinh worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null || true; wait $$worker 2>/dev/null || true' EXIT; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

types: $(STAMP)
	$(VENV)/bin/mypy

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

pytest-sqlite: $(STAMP)
	env -u DATABASE_URL $(NO_LOCALE) SECRET_KEY=test-only $(VENV)/bin/pytest -q $(PYTEST_PAR)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start" >&2; exit 1

pytest-postgres: $(STAMP) postgres
	env $(NO_LOCALE) SECRET_KEY=test-only DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q $(PYTEST_PAR)

test: lint types contracts pytest-sqlite pytest-postgres

# Benchmarks. `make bench` runs every bench in bench/ at a quick size (minutes; each prints its figures
# beside a baseline measured in the same run, and the load average is printed before and after);
# `make bench BENCH=full` at the sizes docs/performance.md reports (the full synthetic province is
# generated once into ansinh_bench: ~15 min in SQL, more on a loaded machine).
BENCH ?= quick
ifeq ($(BENCH),full)
RULES_ARGS :=
IMPORT_ARGS :=
PAYMENTS_ARGS :=
DUE_ARGS :=
CAMPAIGN_ARGS :=
PROVINCE_ARGS :=
PROVINCE_DB := ansinh_bench
else
RULES_ARGS := --rows 100000 --scalar-rows 2000 --repeat 3 --no-openfisca
IMPORT_ARGS := --rows 10000 --loop-rows 300
PAYMENTS_ARGS := --payments 50
DUE_ARGS := --items 1000 --runs 3
CAMPAIGN_ARGS := --runs 5
PROVINCE_ARGS := --people 34000 --runs 3
PROVINCE_DB := ansinh_bench_quick
endif
BENCH_ENV := DATABASE_URL=$(PG_URL) SECRET_KEY=bench

bench: $(STAMP) postgres
	@echo "make bench BENCH=$(BENCH) · $$(date -u '+%Y-%m-%d %H:%M UTC') · $$(nproc) cores · load $$(cut -d' ' -f1-3 /proc/loadavg)"
	$(PY) bench/rules_batch.py $(RULES_ARGS)
	$(BENCH_ENV) $(PY) bench/import_people.py $(IMPORT_ARGS)
	$(BENCH_ENV) $(PY) bench/payments.py $(PAYMENTS_ARGS)
	$(BENCH_ENV) $(PY) bench/due_list.py $(DUE_ARGS)
	$(BENCH_ENV) $(PY) bench/campaign.py $(CAMPAIGN_ARGS)
	$(MAKE) --no-print-directory bench-province BENCH=$(BENCH)
	@echo "load average after: $$(cut -d' ' -f1-3 /proc/loadavg)"

# The dashboards and the renewals page on a synthetic province, generated into $(PROVINCE_DB) once
# (in SQL on PostgreSQL) and reused by later runs; its size is the first run's.
bench-province: $(STAMP) postgres
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$(PROVINCE_DB)'" test | grep -q 1 \
		|| psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE $(PROVINCE_DB)" test
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(PROVINCE_DB) SECRET_KEY=bench $(PY) bench/dashboard.py $(PROVINCE_ARGS)
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(PROVINCE_DB) SECRET_KEY=bench $(PY) bench/renewals.py $(PROVINCE_ARGS)

# The dashboards and the renewals page at the province's full scale (ansinh_bench).
bench-dashboard:
	$(MAKE) --no-print-directory bench-province BENCH=full

# Load held, with faults (issue 15): the production server for 5 minutes; drops and creates ansinh_load.
bench-load: $(STAMP) postgres
	SECRET_KEY=bench $(PY) bench/load.py --database postgres://postgres@127.0.0.1:5432/ansinh_load
