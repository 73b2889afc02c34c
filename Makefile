# Delaktig: `make run` to try it, `make test` to test it. Both work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app participation
LANGS := sv en ar fa_AF so ti fi

.PHONY: run test lint translations compile-translations serve clean

# Posters and printed links point at the port actually served, unless a public address is configured.
run serve: export PARTICIPATION_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[serve]'
	touch $@

$(VENV)/.test-deps: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,serve,dev]'
	touch $@

compile-translations: $(BIN)/activate
	$(BIN)/pybabel -q compile -d translations -D messages

# The app logs one line per request (method, URL rule, status, duration) and silences the development
# server's access log. gunicorn keeps none by default; should one be switched on (GUNICORN_CMD_ARGS),
# its lines carry no client address (%(h)s) and no time (%(t)s) either.
ACCESS_LOG_FORMAT := %(m)s %(s)s %(M)sms

run: compile-translations
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl+C stops)"
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: compile-translations
	$(FLASK) db upgrade
	$(BIN)/gunicorn --workers 4 --bind 127.0.0.1:$(PORT) --access-logformat '$(ACCESS_LOG_FORMAT)' wsgi:app

test: $(VENV)/.test-deps compile-translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, types (mypy), module size and complexity (tools/check_size.py) and bandit on the code (their
# settings in pyproject.toml), then pip-audit on the installed packages (README, Security: what a finding
# that cannot be fixed yet means).
lint: $(VENV)/.test-deps
	$(BIN)/ruff check participation tests benchmarks migrations tools
	$(BIN)/ruff format --check participation tests benchmarks migrations tools
	$(BIN)/mypy participation
	$(BIN)/python tools/check_size.py
	$(BIN)/bandit -q -c pyproject.toml -r participation
	$(BIN)/pip-audit --skip-editable --progress-spinner off

translations: $(BIN)/activate
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output --omit-header --no-wrap .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching --no-wrap
	$(MAKE) compile-translations

clean:
	rm -rf $(VENV) .pytest_cache
