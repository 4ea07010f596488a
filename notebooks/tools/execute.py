"""Execute notebooks the way the tests do and save them with their outputs.

    .venv/bin/python notebooks/tools/execute.py notebooks/01_vgg19_at_any_size.ipynb [...]

Runs in quick mode with the weights of ``STYLELIB_WEIGHTS`` (``random`` unless set), so the committed
outputs are the ones ``pytest --nbval`` compares against. Afterwards, every cell tagged
``weights-picture`` (its picture depends on what the weights learned) loses its outputs and execution
count *if the weights were random*: a picture computed with random weights is never committed as if it
showed what VGG-19 sees. nbval does not compare a cell saved without an execution count.
Prints each notebook's wall time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TAG = "weights-picture"


def execute(path: Path, timeout: int = 900) -> float:
    os.environ.setdefault("STYLELIB_WEIGHTS", "random")
    os.environ.setdefault("STYLELIB_QUICK", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - t0
    random = os.environ["STYLELIB_WEIGHTS"] == "random"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)  # per-cell timestamps: noise in every diff
        # outputs on stderr are never compared (conftest.py) and only show warnings: drop them
        cell.outputs = [o for o in cell.outputs if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
        if random and TAG in cell.get("metadata", {}).get("tags", []):
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, path)
    return seconds


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        s = execute(Path(arg))
        print(f"{arg}: executed in {s:.1f} s (quick={os.environ['STYLELIB_QUICK']}, weights={os.environ['STYLELIB_WEIGHTS']})")
