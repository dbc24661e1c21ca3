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

.PHONY: demo test lint types contracts pytest-sqlite pytest-postgres postgres bench bench-dashboard bench-load install lock audit

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

demo: $(STAMP)
	mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --verbosity 0
	@echo "Demo logins:"
	@DEBUG=1 $(PY) manage.py demo_load
	@echo "ansinh is serving http://$(HOST):$(PORT)/  (quote page; admin at /admin/, API docs at /api/docs)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

types: $(STAMP)
	$(VENV)/bin/mypy

contracts: $(STAMP)
	$(VENV)/bin/lint-imports

pytest-sqlite: $(STAMP)
	env -u DATABASE_URL SECRET_KEY=test-only $(VENV)/bin/pytest -q $(PYTEST_PAR)

postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; echo "PostgreSQL did not start" >&2; exit 1

pytest-postgres: $(STAMP) postgres
	SECRET_KEY=test-only DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q $(PYTEST_PAR)

test: lint types contracts pytest-sqlite pytest-postgres

bench: $(STAMP) postgres
	$(PY) bench/rules_batch.py
	DATABASE_URL=$(PG_URL) SECRET_KEY=bench $(PY) bench/import_people.py
	DATABASE_URL=$(PG_URL) SECRET_KEY=bench $(PY) bench/payments.py
	DATABASE_URL=$(PG_URL) SECRET_KEY=bench $(PY) bench/due_list.py

# The dashboards and the renewals page at the province's scale: generates the synthetic province into
# ansinh_bench once (in SQL on PostgreSQL: minutes).
bench-dashboard: $(STAMP) postgres
	psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ansinh_bench'" test | grep -q 1 \
		|| psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE ansinh_bench" test
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/ansinh_bench SECRET_KEY=bench $(PY) bench/dashboard.py
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/ansinh_bench SECRET_KEY=bench $(PY) bench/renewals.py

# Load held, with faults (issue 15): the production server for 5 minutes; drops and creates ansinh_load.
bench-load: $(STAMP) postgres
	SECRET_KEY=bench $(PY) bench/load.py --database postgres://postgres@127.0.0.1:5432/ansinh_load
