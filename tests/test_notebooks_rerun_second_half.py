"""The other half of tests/test_notebooks_rerun.py's notebooks, in a file of its own so that pytest-xdist
(`make test`: --dist loadfile) runs the two halves on its two workers at the same time."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_notebooks_rerun import SECOND_HALF, keras_h5, rerun_twice  # noqa: E402, F401 (keras_h5 is a fixture)


@pytest.mark.slow
@pytest.mark.parametrize("path", SECOND_HALF, ids=[p.name for p in SECOND_HALF])
def test_notebook_runs_twice_in_one_kernel(path, keras_h5, monkeypatch):  # noqa: F811 (the imported fixture)
    rerun_twice(path, keras_h5, monkeypatch)
