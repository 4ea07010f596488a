"""Every notebook survives being run twice in one kernel (a learner re-running cells).

nbval runs each notebook once, top to bottom; here each one is executed, then all its cells again in
the same kernel, and any error fails the test with the cell that raised.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_twice_in_one_kernel(path, monkeypatch):
    monkeypatch.setenv("STYLELIB_QUICK", "1")
    monkeypatch.setenv("STYLELIB_WEIGHTS", os.environ.get("STYLELIB_WEIGHTS", "random"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for run in (1, 2):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except nbclient.exceptions.CellExecutionError as e:
                    pytest.fail(f"{path.name}: run {run}, cell {index} failed:\n{cell.source}\n\n{e}")
