# The two commands a newcomer needs: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
PORT ?= 5000
WORKERS ?= 4
FLASK = $(VENV)/bin/flask --app wsgi
export HELPDESK_CONFIG ?= development

.PHONY: run test serve bench lint format migrate-db clean screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

migrate-db: $(VENV)/.installed
	$(FLASK) db upgrade

# A local run is a demo: the sample team can sign in with the demo password.
run: export DEMO_MODE ?= 1
run: migrate-db
	$(FLASK) seed --if-empty
	@echo
	@echo "  Open http://127.0.0.1:$(PORT)/ and sign in as ada@example.com (admin)"
	@echo "  or grace@example.com (agent), password helpdesk-demo."
	@echo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: migrate-db
	$(VENV)/bin/gunicorn --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--no-control-socket wsgi:app

test: $(VENV)/.installed
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# Benchmarks (bench/README.md); BENCH_ARGS=--quick for a short run, and
# BENCH_POSTGRES_URL / BENCH_MYSQL_URL add those servers.
bench: $(VENV)/.installed
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

# PNGs of the main pages for docs/screenshots/, taken with Debian's Chromium.
screenshots: $(VENV)/.installed
	$(VENV)/bin/python scripts/screenshots.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
