# Quick start: `make demo` and `make test`. Everything runs in .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck bench setup-system clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mfgindex run --out out --report

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy src

check: lint typecheck test

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_run.py

# Optional Debian packages (run as root; CI does this): Chromium for the browser tests, and pango/harfbuzz for
# WeasyPrint's PDF where a minimal system lacks them. No font package is needed: the CJK font ships with
# the package (src/mfgindex/data/fonts).
setup-system:
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 chromium

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
