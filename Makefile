# Two commands on a fresh machine with Python 3.11:  make demo  and  make test
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: demo test test-fast lint messages bench load-test serve clean

# Extra pytest arguments for `make test` and `make test-fast`, e.g. PYTEST_ARGS='-m "not e2e"'
PYTEST_ARGS ?=

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet ".[dev]"
	touch $(VENV)/.installed $@

# The app server (gunicorn), one job worker and the schedule loop, together; Ctrl-C stops all.
demo: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo "Serving on http://127.0.0.1:8000  (Ctrl-C to stop)"
	DEBUG=1 $(BIN)/honcho --procfile deploy/Procfile.demo --app-root . start

# The whole suite: browser (e2e), R and slow tests included.
test: $(VENV)/.installed-dev lint
	$(BIN)/pytest $(PYTEST_ARGS)

# The inner loop: everything but the browser, R and server-kill/slow tests (under 2 minutes).
test-fast: $(VENV)/.installed-dev lint
	$(BIN)/pytest -m "not e2e and not r and not slow" $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Rebuild the translation catalogues (needs GNU gettext); the compiled .mo files are committed.
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages --locale zh_Hans --ignore ".venv/*" --no-obsolete
	$(PY) manage.py compilemessages --locale zh_Hans --ignore ".venv/*"

bench: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet ".[bench]"
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

load-test: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet ".[bench]"
	$(PY) bench/load_test.py --minutes 5 --pace 5-15
	$(PY) bench/load_test.py --minutes 5 --pace 1-3
	$(PY) bench/load_test.py --minutes 5 --pace 1-3 --kill-at 0.5

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* var/
