# The two commands of the README: `make demo` and `make test`.  Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SCALE ?= 1.0

# Python writes its bytecode caches (.pyc, in .venv and the source tree's __pycache__, both
# ignored by git) even where the environment sets PYTHONDONTWRITEBYTECODE, as this machine's
# does: the venv is installed without compiling (--no-compile, below), so otherwise every
# process — each test worker, each command a test runs, each worker of a synthetic nation —
# compiles every module it imports again (collecting the tests alone: 10.0 s -> 3.4 s).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-fast test-cluster bench lint typecheck imports venv clean cluster cluster-stop

# --no-compile: Python compiles a module when it is first imported, where pip would compile
# every file of every package at install (pyspark alone has thousands): 29 s -> 15 s here.
# Unpacking the packages is most of an install and one pip does it on one core, so the
# pinned packages of constraints.txt go in first, every other line in each of two pips at
# once (--no-deps: the pins are the whole set); the install after them resolves against
# constraints.txt as ever and adds whatever is missing, so that first step is only a head
# start and its failure costs nothing but its time (.venv: 20 s -> 12 s here).
PIP_PINS := $(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check --no-deps
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24,<27"
	-grep '==' constraints.txt | awk 'NR % 2' > $(VENV)/pins-a.txt; \
	grep '==' constraints.txt | awk '!(NR % 2)' > $(VENV)/pins-b.txt; \
	$(PIP_PINS) -r $(VENV)/pins-a.txt & first=$$!; \
	$(PIP_PINS) -r $(VENV)/pins-b.txt; wait $$first
	$(BIN)/python -m pip install --quiet --no-compile --disable-pip-version-check -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/pins-a.txt $(VENV)/pins-b.txt
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(BIN)/baophu demo --out demo

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: venv
	$(BIN)/mypy src

# The layers and capability packages (.importlinter: no cycles, imports downward only, a
# capability reached through its __init__) and no import of another module's underscore name.
imports: venv
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_private_imports.py

# The full gate runs on TEST_WORKERS processes (pytest-xdist; a test module stays on one
# worker, so its fixtures are built once).  The web tests' province is built from the start,
# beside the lint and type checks (which keep one core busy), into the tests' cache
# (tests/province_build.py); the tests wait for it on its lock.  Times: README.md.
TEST_WORKERS ?= 2
test: venv
	@mkdir -p .pytest_cache
	$(BIN)/python tests/province_build.py --cache > .pytest_cache/province-build.log 2>&1 & \
	early=$$!; \
	$(MAKE) --no-print-directory lint typecheck imports \
	&& scripts/test-services.sh \
	&& $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder; \
	status=$$?; \
	if [ $$status -ne 0 ]; then kill $$early 2>/dev/null; fi; \
	wait $$early 2>/dev/null; \
	exit $$status

# The fast tier: the engine on DuckDB with hand-made data, the rules, ingest, reports and the
# Vietnamese text helpers — no Spark, no PostgreSQL, no browser, no LibreOffice, no synthetic
# province (tests/conftest.py marks those `slow`): nothing to install but .venv.  In
# TEST_WORKERS processes like the full gate, on 2 idle cores: pytest 57 s with .venv's
# bytecode compiled, 66 s in a fresh clone (86 s with creating .venv), on the evening of
# 6 December; this machine's speed changes by the hour (110 s and 136 s that morning).
test-fast: venv
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not slow and not spark and not postgresql and not browser and not libreoffice"

# The real cluster (issue 15): a Spark master and two workers run the whole pipeline on a small
# province and every mart is compared with DuckDB's.  Minutes of Spark's fixed costs per query,
# so it is its own target rather than part of `make test`.
test-cluster: venv
	$(BIN)/pytest -q -m cluster tests/test_cluster.py

bench: venv
	$(BIN)/python benchmarks/run.py --scale $(SCALE)

clean:
	rm -rf $(VENV) demo bench-out .pytest_cache .mypy_cache .ruff_cache

# A Spark standalone master and $(WORKERS) workers on this machine (baophu cluster start);
# `make cluster-stop` stops them.  Point a workspace at it with --master spark://127.0.0.1:7077.
WORKERS ?= 2
cluster: venv
	$(BIN)/baophu cluster start --workers $(WORKERS)

cluster-stop: venv
	$(BIN)/baophu cluster stop
