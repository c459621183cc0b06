# Two entry points for a newcomer: `make demo` and `make test`. Each builds the venv itself.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install system-deps demo desk day test lint bench build clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) -m infra.simulate_day $(ARGS)

# The desk live in a browser: the local stack, staff users (names and passwords printed), the simulated X day
# playing live (a simulated minute every 3 s), the web desk on http://127.0.0.1:8080/desk until Ctrl-C.
# ARGS="--port 8081 --speed 60 --colleagues 0".
desk: $(STAMP)
	$(PY) -m infra.desk_live $(ARGS)

# The whole support day, 09:00-20:00 JST at seed volume (~50,000 tweets on X), with its summary table.
day: $(STAMP)
	$(PY) -m infra.simulate_day --full $(ARGS)

# tests/e2e/test_report_render.py screenshots the HTML report in Debian's headless Chromium; a Japanese
# font makes the screenshot show the text rather than empty boxes. Installed once, as root (as CI runs).
system-deps:
	@command -v chromium >/dev/null && fc-list :lang=ja 2>/dev/null | grep -q . || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic; }

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

# Two workers, a test file each at a time (--dist loadfile): the full day and the fault suite run beside the rest,
# each started at once on its worker: tests/conftest.py puts them first and keeps xdist to that order (its default
# hands out the files with the most tests first, which left the single-test full day for the end).
test: $(STAMP) system-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -q -n 2 --dist loadfile tests/e2e/test_full_day.py tests/e2e/test_fault_suite.py tests

bench: $(STAMP)
	@for f in tests/bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# The fault suite (infra/fault_suite.py): the simulated day under injected faults, a table of what was lost or
# doubled (all zeros, every fault fired) - exit 1 otherwise. ARGS="--only x-429 crash-desk-reply", "--list".
.PHONY: faults
faults: $(STAMP)
	$(PY) -m infra.fault_suite $(ARGS)

# The deployable artifacts in .aws-sam/build (infra/build.py: sam build from its own .venv-sam, makefile
# builds cross-installed for python3.13); skipped when nothing changed, FORCE=1 rebuilds.
build: $(STAMP)
	$(PY) -m infra.build $(if $(FORCE),--force)

clean:
	rm -rf $(VENV) .venv-sam .aws-sam .pytest_cache
