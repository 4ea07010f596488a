"""Refresh the committed notebooks: run each one in FULL mode and save it with classroom-size outputs.

    .venv/bin/python notebooks/tools/refresh.py                      # every notebook (what `make notebooks` runs)
    .venv/bin/python notebooks/tools/refresh.py notebooks/04_running_part_of_a_network.ipynb

For each notebook:

1. ``jupytext --sync``: the paired ``NN_name.py`` and the ``.ipynb`` get the same cells (the newer file wins);
2. nbclient executes it with ``STYLELIB_QUICK=0`` and ``STYLELIB_WEIGHTS`` (``random`` unless set) — the
   pictures of ``weights-picture`` cells are kept: with random weights ``stylelib.viz`` draws them under a red
   "RANDOM WEIGHTS" label, and the setup cell prints the banner;
3. :func:`normalize` makes the saved JSON quiet (stable ids, no widget state, no timestamps, no stderr, an
   allow-list of notebook metadata, a note in place of a widget's view) and records how it was made in
   ``metadata.stylelib = {mode, weights, version, source_sha256}``;
4. nbformat writes it in the form JupyterLab writes (nbformat 4.5, 1-space indent, sorted keys, trailing
   newline), so opening it in Lab does not mark it modified.

The tests (``tests/test_notebook_sources.py``) check the result: pairs in sync, full mode, the hash of the
current ``.py``. Prints each notebook's wall time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from jupytext.cli import jupytext as jupytext_cli
from nbclient import NotebookClient
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

NOTEBOOKS = Path(__file__).resolve().parent.parent
# the name ipykernel gives its kernel ("Python 3 (ipykernel)"): JupyterLab writes the running kernel's display name
# into the notebook when it starts one, so any other name marks every opened notebook as modified
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# notebook-level metadata kept in a committed notebook; anything else (widgets, editor state) is dropped
NOTEBOOK_METADATA = ("kernelspec", "language_info", "jupytext", "stylelib")
# cell metadata written by executing front-ends: timestamps that change on every run
CELL_METADATA_DROPPED = ("execution", "ExecuteTime")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def all_notebooks() -> list[Path]:
    """The committed notebooks: the course (``NN_name``), the optional ``under_the_hood`` and the
    ``solutions/NN_solutions`` notebooks."""
    return sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))


def paired_py(ipynb: Path) -> Path:
    return Path(ipynb).with_suffix(".py")


def cell_keys(nb) -> list[tuple[str, str, list[str]]]:
    """(cell type, source, tags) of every cell: what a pair must agree on."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def source_sha256(py: Path) -> str:
    """sha256 of the cells (type, source, tags) that jupytext reads from the ``.py`` source.

    Hashing the cells rather than the file's bytes leaves out the YAML header, whose ``jupytext_version``
    changes with the jupytext a teacher happens to have."""
    keys = cell_keys(jupytext.read(py))
    return hashlib.sha256(json.dumps(keys, ensure_ascii=False).encode("utf-8")).hexdigest()


def widget_note(text_plain: str) -> dict:
    """What a widget's saved output says without a kernel (the view itself needs one)."""
    name = text_plain.split("(", 1)[0].strip() or "widget"
    plain = (f"{name} panel: run this cell to get the interactive explorer (its controls need a running kernel; "
             "a saved notebook keeps no widget state).")
    markdown = (f"**{name} panel** — run this cell to get the interactive explorer. Its controls need a running "
                "kernel; a saved notebook keeps no widget state, so this note stands in for the panel.")
    return {"text/plain": plain, "text/markdown": markdown}


def normalize(nb, *, mode: str, weights: str, version: str, source_hash: str):
    """Make the saved notebook quiet and self-describing; returns ``nb`` (changed in place)."""
    # nbclient delivers a stream in chunks whose boundaries depend on timing; merging consecutive chunks
    # (what Lab shows anyway) keeps a re-run's diff small
    CoalesceStreamsPreprocessor().preprocess(nb, {})
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"  # stable ids: Lab keeps them, a re-run does not change them
        for key in CELL_METADATA_DROPPED:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                continue  # warnings and TensorFlow chatter, never compared by the tests
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                # the view refers to widget state that is not saved (no metadata.widgets): keep a readable note
                out.data = nbformat.from_dict(widget_note("".join(data.get("text/plain", ""))))
            outputs.append(out)
        cell.outputs = outputs
    meta = {key: nb.metadata[key] for key in NOTEBOOK_METADATA if key in nb.metadata}
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["stylelib"] = {"mode": mode, "weights": weights, "version": version, "source_sha256": source_hash}
    nb.metadata = nbformat.from_dict(meta)
    nb.nbformat, nb.nbformat_minor = 4, 5  # what JupyterLab 4 writes
    return nb


def sync(ipynb: Path) -> None:
    """``jupytext --sync``: the pair's inputs from the newer file (through the config in notebooks/)."""
    jupytext_cli(["--quiet", "--sync", str(ipynb)])


def full_mode_env() -> dict[str, str]:
    """The environment a notebook runs in for its committed outputs: FULL mode, ``STYLELIB_WEIGHTS``
    (``random`` unless set), TensorFlow's C++ log lines off, matplotlib's inline backend."""
    return {
        "STYLELIB_QUICK": "0",
        "STYLELIB_WEIGHTS": os.environ.get("STYLELIB_WEIGHTS", "random"),
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }


def notebook_client(nb, cwd: Path, timeout: int = 1800, **client_options) -> NotebookClient:
    """A client that runs ``nb`` (changed in place: outputs, execution counts) in a fresh ``python3`` kernel in
    FULL mode (:func:`full_mode_env`), with ``cwd`` as the kernel's working directory.

    ``client_options`` go to :class:`nbclient.NotebookClient`, e.g. ``on_cell_executed``: a hook called after
    each code cell while the kernel is alive (``tools/kernel_memory.py`` reads the kernel's memory there)."""
    os.environ.update(full_mode_env())  # the kernel inherits this process's environment
    return NotebookClient(nb, timeout=timeout, kernel_name="python3",
                          resources={"metadata": {"path": str(cwd)}}, **client_options)


def execute(client: NotebookClient) -> float:
    """Run the client's notebook; returns the wall-clock seconds, kernel start included."""
    t0 = time.perf_counter()
    client.execute()
    return time.perf_counter() - t0


def refresh(ipynb: Path, timeout: int = 1800) -> float:
    ipynb = Path(ipynb).resolve()
    py = paired_py(ipynb)
    if not py.exists():
        raise SystemExit(f"{py} is missing: every notebook is paired with a py:percent source (notebooks/README.md)")
    sync(ipynb)
    nb = nbformat.read(ipynb, as_version=4)
    seconds = execute(notebook_client(nb, ipynb.parent, timeout))
    import stylelib

    normalize(nb, mode="full", weights=os.environ["STYLELIB_WEIGHTS"], version=stylelib.__version__,
              source_hash=source_sha256(py))
    nbformat.validate(nb)
    nbformat.write(nb, ipynb)  # indent=1, sort_keys, trailing newline: Lab's form
    return seconds


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or all_notebooks()
    total = 0.0
    for path in paths:
        seconds = refresh(path)
        total += seconds
        pictures = sum("image/png" in o.get("data", {}) for c in nbformat.read(path, 4).cells
                       for o in c.get("outputs", []))
        print(f"{path.name}: full mode in {seconds:.1f} s, {pictures} pictures "
              f"(weights={os.environ['STYLELIB_WEIGHTS']})", flush=True)
    print(f"total {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
