# JiangXuan — the two commands of the README:
#   make run    set up a virtualenv, migrate, load the demo data and serve http://127.0.0.1:5000
#   make test   set up everything the tests need (Python packages, Chromium) and run the whole suite
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py
# The suite runs on pytest-xdist workers (one per core, each on its own copy of the test database:
# tests/testdb.py). TEST_WORKERS=0: one process.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS)

.PHONY: pdf-fonts setup run serve test test-only test-postgres fuzz fuzz-postgres translations extract-messages system-deps clean bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -d app/translations

pdf-fonts: $(VENV)/.installed
	$(FLASK) pdf-setup

setup: $(VENV)/.installed translations

run: system-deps setup pdf-fonts
	$(FLASK) db upgrade
	$(FLASK) demo
	$(FLASK) certificates keys create --all
	@echo "JiangXuan is serving on http://$(HOST):$(PORT)/ (demo accounts above; Ctrl-C stops it)"
	$(VENV)/bin/gunicorn --bind $(HOST):$(PORT) wsgi:app

serve: setup
	$(VENV)/bin/gunicorn --bind $(HOST):$(PORT) wsgi:app

system-deps:
	scripts/install-system-deps.sh

test: system-deps setup pdf-fonts
	$(PYTEST)

test-only:
	$(PYTEST)

test-postgres: system-deps setup pdf-fonts
	scripts/ensure-postgres.sh
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PYTEST)

# The deep API fuzz (issue 20; README, "The deep fuzz"): schemathesis on every /api/v1 operation,
# FUZZ_EXAMPLES cases each (a fifth for the PDF and spreadsheet ones), the operations dealt to
# FUZZ_SHARDS tests run side by side on as many workers, each shard bounded to FUZZ_BUDGET seconds
# (an operation past its share of the time left stops early and is named). The summary
# (cases, answers by status, time per operation) is printed for each shard. `make test` runs the
# same test with 5 cases per operation.
FUZZ_EXAMPLES ?= 250
FUZZ_SHARDS ?= 2
FUZZ_BUDGET ?= 420
FUZZ := FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SHARDS=$(FUZZ_SHARDS) FUZZ_BUDGET=$(FUZZ_BUDGET) \
	$(PY) -m pytest -n $(FUZZ_SHARDS) -rA --durations=4 tests/api/test_fuzz.py

fuzz: system-deps setup pdf-fonts
	$(FUZZ)

fuzz-postgres: system-deps setup pdf-fonts
	scripts/ensure-postgres.sh
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(FUZZ)

# Dependencies with known vulnerabilities (pip-audit, needs PyPI) and a static scan of app/
# (bandit; every skipped test is justified in .bandit.yml, every `# nosec` beside its line).
audit: $(VENV)/.installed
	$(PY) scripts/pip_audit_check.py requirements.txt
	$(VENV)/bin/bandit -q -c .bandit.yml -r app

extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k _l -k N_ -o app/translations/messages.pot . templates/_macros
	$(VENV)/bin/pybabel -q update -N -i app/translations/messages.pot -d app/translations

clean:
	rm -rf $(VENV) instance/test.db instance/test-*.db* instance/.test*.lock instance/.pg-* .pytest_cache
