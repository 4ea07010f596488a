# stylelib — two commands do all the set-up: `make lab` and `make test`.
# Needs Python >= 3.10 on the PATH as python3 (or: make test PYTHON=/path/to/python3.11).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stylelib-installed
# Offline and quick: the tests run the notebooks in quick mode with random weights. The committed outputs come
# from full-mode runs (make notebooks), so nbval runs lax: the notebooks' asserts carry the checks, and only
# cells tagged nbval-check-output (the same text in both modes) are compared.
# The real-weights tests (tests/test_real_weights.py) find the files by themselves and run where they exist.
TEST_ENV := STYLELIB_WEIGHTS=random STYLELIB_QUICK=1 TF_CPP_MIN_LOG_LEVEL=2
# Two pytest-xdist workers, one test file (or notebook) at a time each, so a notebook's cells run in order in one
# kernel. `make test XDIST=` runs everything in one process.
XDIST ?= -n 2 --dist loadfile
NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg --nbval-cell-timeout=600

.PHONY: lab test unit test-notebooks notebooks demo bench clean-venv help

help:
	@echo "make lab            - set up .venv (first time) and open JupyterLab on notebooks/"
	@echo "make test           - set up .venv (first time), ruff, the unit tests and every notebook (quick mode, nbval)"
	@echo "make unit           - the tests in tests/ only"
	@echo "make test-notebooks - every notebook under nbval only (quick mode)"
	@echo "make notebooks      - run every notebook in full mode (random weights unless STYLELIB_WEIGHTS is set)"
	@echo "                      and save its outputs: the committed, classroom-size notebooks"
	@echo "make demo           - stylize a bundled sample pair into outputs/"
	@echo "make bench          - stylelib against the tutorial-pattern TensorFlow loop (long; BENCH_ARGS=--quick: minutes)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "stylelib needs Python >= 3.10; found " + sys.version.split()[0] + ". Run: make test PYTHON=/path/to/python3.10+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# LAB_ARGS: extra options, e.g. `make lab LAB_ARGS="--no-browser --port 8890"`. Root (a container) needs --allow-root.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/ruff check stylelib tests benchmarks notebooks
	$(TEST_ENV) $(BIN)/python -m pytest -q -rs $(XDIST) tests notebooks $(NBVAL)

unit: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q -rs tests

test-notebooks: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q -rs notebooks $(NBVAL)

# Full mode, one notebook after the other (a few minutes); prints each one's time and number of pictures.
notebooks: $(STAMP)
	$(BIN)/python notebooks/tools/refresh.py

# Uses the real weights when they can be had; otherwise says so loudly and uses random ones.
demo: $(STAMP)
	@mkdir -p outputs
	@if $(BIN)/stylelib weights --check >/dev/null 2>&1; then W=$${STYLELIB_WEIGHTS:-keras}; OUT=outputs/demo.png; \
	else W=random; OUT=outputs/demo-RANDOM-WEIGHTS.png; \
	  echo "!!! The ImageNet VGG-19 weights are not available (see: $(BIN)/stylelib weights)."; \
	  echo "!!! The demo runs with RANDOM weights: the picture shows texture noise, not style transfer."; fi; \
	$(BIN)/stylelib stylize sample:chelsea sample:brick -o $$OUT --size 256 --iterations 60 --weights $$W --overwrite

# The performance benchmark (issue 11): table printed, JSON and plot under benchmarks/results/. The full run takes
# hours on a 2-core CPU (1000 + 300 baseline steps at 256 and 1024 px); BENCH_ARGS=--quick for a few minutes.
bench: $(STAMP)
	STYLELIB_WEIGHTS=$${STYLELIB_WEIGHTS:-random} TF_CPP_MIN_LOG_LEVEL=2 $(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean-venv:
	rm -rf $(VENV)
