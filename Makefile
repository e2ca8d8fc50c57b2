# Two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PROVIDERS ?= 300

.PHONY: run test install migrate demo worker beat check bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip setuptools wheel >/dev/null

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

var:
	mkdir -p var

migrate: install var
	$(BIN)/python manage.py migrate --noinput

# Demo data only when the database has no providers yet; seed_demo also computes 12 months of ratings.
# The demo's own notifications (complaints, requests, invitations to example.com addresses) are mailed nowhere,
# so the demo accounts' passwords stay the last thing printed; the server itself prints mail (console).
demo: migrate
	EMAIL_URL=dummymail:// $(BIN)/python manage.py seed_demo --providers $(PROVIDERS) --if-empty
	EMAIL_URL=dummymail:// $(BIN)/python manage.py demo_accounts

run: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config.celery_app worker --loglevel=INFO

beat: install var
	$(BIN)/celery -A config.celery_app beat --loglevel=INFO --schedule var/celerybeat-schedule

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	# The apps' one direction of dependencies (pyproject.toml [tool.importlinter], docs/architecture.md).
	$(BIN)/lint-imports

# Every benchmark that runs here, SQLite and PostgreSQL (BENCH_POSTGRES), figures as JSON and Markdown tables in
# benchmarks/out/; BENCH_ARGS="--full --readme" also writes the tables into README.md.
# Quick sizes (1,000 providers); `make bench BENCH_ARGS=--full` for the README's 10,000.
bench: install
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var *.egg-info
