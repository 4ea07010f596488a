"""pytest configuration shared by the unit tests and the notebook runs (nbval)."""

import os

# Offline and fast by default; a machine with the real weights can override STYLELIB_WEIGHTS.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# The notebooks' paired py:percent sources and their tools are never test modules (importing one would run a
# whole notebook); nbval collects the .ipynb files.
collect_ignore_glob = ["notebooks/*.py", "notebooks/tools/*.py"]


def pytest_collectstart(collector):
    # nbval compares stdout and rich outputs; stderr holds TensorFlow/Python warnings that differ between
    # Jupyter and pytest runs, so it is never compared.
    if collector.fspath and str(collector.fspath).endswith(".ipynb"):
        skip = getattr(collector, "skip_compare", None)
        if skip is not None and "stderr" not in skip:
            collector.skip_compare += ("stderr",)

