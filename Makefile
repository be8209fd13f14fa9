# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
STAMP := $(VENV)/.installed

CATALOG := brott/translations/sv/LC_MESSAGES/messages
PYBABEL := $(BIN)/pybabel

.PHONY: install run test lint format bench clean messages translations security-report

install: $(STAMP) $(CATALOG).mo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# the compiled Swedish catalog: made from the committed .po whenever that is newer
$(CATALOG).mo: $(CATALOG).po $(STAMP)
	$(PYBABEL) compile -d brott/translations -D messages -l sv
	touch $@

translations: $(CATALOG).mo

# after changing texts: extract every marked message and merge it into the catalog; then
# translate the new or changed (fuzzy) entries in the .po and commit it
messages: install
	$(PYBABEL) extract -F babel.cfg -k _l -k N_ -k Nn_:1,2 -k lazy_ngettext:1,2 --no-location --sort-output \
		--project brott --copyright-holder "brott" -o brott/translations/messages.pot .
	$(PYBABEL) update -i brott/translations/messages.pot -d brott/translations -D messages \
		--ignore-obsolete --no-wrap

run: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	BROTT_SCHEDULER_ENABLED=true $(FLASK) run --host 127.0.0.1 --port $(PORT)

# the suite in parallel, one worker per core here (each has its own SQLite and PostgreSQL
# database); WORKERS=0 runs it in one process
WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy brott
	$(BIN)/bandit -c pyproject.toml -r brott -q --severity-level medium

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# the figures a municipality's security officer asks for: the tests marked `security` (both
# databases) record them, bandit adds its findings, tests/security_report.py prints a table and
# a verdict (exit 1: FAIL, 2: INCOMPLETE — a section not measured or a test skipped)
security-report: install
	@report=$$(mktemp -d); \
	BROTT_SECURITY_REPORT=$$report/figures.jsonl \
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/pytest -m security -q -p no:cacheprovider --junitxml=$$report/tests.xml; \
	tests=$$?; \
	$(BIN)/bandit -c pyproject.toml -r brott -q -f json -o $$report/bandit.json; \
	$(BIN)/python -m tests.security_report $$report --tests-exit $$tests; \
	verdict=$$?; rm -rf $$report; exit $$verdict

bench: install
	$(BIN)/pytest bench --benchmark-only -p no:cacheprovider

clean:
	rm -rf $(VENV) .pytest_cache
