"""The notebooks' files agree with each other and with how they are meant to be made (no kernel needed).

* every ``notebooks/NN_name.ipynb`` is paired with ``NN_name.py`` (jupytext, py:percent) and the two hold the
  same cells (type, source, tags);
* a committed notebook was executed in full mode from its current source (``metadata.stylelib``);
* it is saved in the quiet form ``notebooks/tools/refresh.py`` writes, which is JupyterLab's own form, so
  opening and saving it through jupytext's contents manager (what ``make lab`` runs) changes no byte;
* an edit on either side reaches the other through ``jupytext --sync``;
* pictures made with random weights carry the red label; the widget's saved output is a readable note.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _refresh_module():
    spec = importlib.util.spec_from_file_location("nb_refresh", NOTEBOOKS / "tools" / "refresh.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


refresh = _refresh_module()
IPYNBS = refresh.all_notebooks()
IDS = [str(p.relative_to(NOTEBOOKS).with_suffix("")) for p in IPYNBS]
COURSE = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _first_difference(a: list, b: list) -> str:
    for i, (x, y) in enumerate(zip(a, b)):  # noqa: B905 (lengths may differ: the first difference is wanted)
        if x != y:
            return f"cell {i}: {x!r:.300} != {y!r:.300}"
    return f"{len(a)} cells != {len(b)} cells"


def test_every_notebook_has_its_py_source():
    sources = sorted(NOTEBOOKS.glob("*.py")) + sorted((NOTEBOOKS / "solutions").glob("*.py"))
    assert [p.with_suffix("") for p in IPYNBS] == [p.with_suffix("") for p in sources]
    assert len(COURSE) >= 6
    config = (NOTEBOOKS / "jupytext.toml").read_text(encoding="utf-8")
    assert re.search(r'^formats\s*=\s*"ipynb,py:percent"', config, re.M), config


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_pair_in_sync(path):
    ipynb = refresh.cell_keys(nbformat.read(path, as_version=4))
    py = refresh.cell_keys(jupytext.read(refresh.paired_py(path)))
    assert py == ipynb, (f"{path.name} and its .py differ ({_first_difference(py, ipynb)}): "
                         f"run `jupytext --sync {path.relative_to(ROOT)}`, then `make notebooks`")


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_committed_notebook_is_a_full_run_of_its_current_source(path):
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("stylelib", {})
    assert meta.get("mode") == "full", f"{path.name}: saved from a {meta.get('mode')!r} run; `make notebooks`"
    assert meta.get("source_sha256") == refresh.source_sha256(refresh.paired_py(path)), (
        f"{path.name}: its outputs were made from another version of {refresh.paired_py(path).name}; "
        "run `make notebooks`")
    assert meta.get("weights") and re.fullmatch(r"\d+\.\d+\.\d+\S*", meta.get("version", "")), meta
    # executed top to bottom in one kernel: every code cell, counts 1, 2, 3, ...
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), counts
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_saved_in_the_quiet_form(path):
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert text == nbformat.writes(nb) + "\n", "not in JupyterLab's form (1-space indent, sorted keys, final newline)"
    assert [c.id for c in nb.cells] == [f"cell-{i:03d}" for i in range(len(nb.cells))]
    assert set(nb.metadata) <= set(refresh.NOTEBOOK_METADATA), sorted(nb.metadata)
    assert nb.metadata.kernelspec == refresh.KERNELSPEC
    for cell in nb.cells:
        assert not set(cell.metadata) & set(refresh.CELL_METADATA_DROPPED), (cell.id, dict(cell.metadata))
        for out in cell.get("outputs", []):
            assert not (out.output_type == "stream" and out.name == "stderr"), (cell.id, out.text[:200])
            assert refresh.WIDGET_VIEW not in out.get("data", {}), cell.id
        assert not re.search(r"^\s*#\s*NBVAL_", cell.source, re.M), f"{cell.id}: use a cell tag, not an NBVAL comment"


@pytest.mark.parametrize("path", IPYNBS, ids=[p.name for p in IPYNBS])
def test_kernel_display_name_is_the_one_lab_writes(path):
    """JupyterLab writes the running kernel's display name into the notebook when it starts the kernel; a
    different saved name marks the notebook modified the moment it is opened (seen in headless Chromium)."""
    from jupyter_client.kernelspec import KernelSpecManager

    installed = KernelSpecManager().get_kernel_spec("python3").display_name
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec["name"] == "python3"
    assert nb.metadata.kernelspec["display_name"] == installed, (nb.metadata.kernelspec, installed)


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_lab_open_and_save_changes_nothing(path, tmp_path):
    """Opening a notebook in JupyterLab (through jupytext's contents manager) and saving it untouched rewrites
    both files byte for byte: nothing for Lab to mark as modified, nothing for git to show."""
    from jupytext import TextFileContentsManager

    for f in (path, refresh.paired_py(path), NOTEBOOKS / "jupytext.toml"):
        shutil.copy2(f, tmp_path / f.name)
    before = {f.name: f.read_bytes() for f in tmp_path.iterdir() if f.is_file()}
    manager = TextFileContentsManager(root_dir=str(tmp_path))
    model = manager.get(path.name, content=True)
    manager.save(model, path.name)
    after = {f.name: f.read_bytes() for f in tmp_path.iterdir() if f.is_file()}
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], f"{name} changed when saved through jupytext's contents manager"


def _sync(*paths):
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--sync", *map(str, paths)], check=True)


def test_jupytext_sync_carries_an_edit_either_way(tmp_path):
    import os
    import time

    src = IPYNBS[3]
    ipynb, py = tmp_path / src.name, tmp_path / refresh.paired_py(src).name
    for f in (src, refresh.paired_py(src), NOTEBOOKS / "jupytext.toml"):
        shutil.copy2(f, tmp_path / f.name)

    # 1. edit the .ipynb (as Lab without jupytext would): a new markdown cell and a changed code line
    nb = nbformat.read(ipynb, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    outputs_before = [c.outputs for c in nb.cells if c.cell_type == "code"]
    code.source += "\nprint('edited in the ipynb')"
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("A note added in the *ipynb*."))
    nbformat.write(nb, ipynb)
    os.utime(ipynb, (time.time() + 5, time.time() + 5))  # the newer side wins
    _sync(ipynb)
    text = py.read_text(encoding="utf-8")
    assert "print('edited in the ipynb')" in text and "# A note added in the *ipynb*." in text

    # 2. edit the .py (as in an editor): the .ipynb gets the new input and keeps the outputs of its cells
    py.write_text(text.replace("print('edited in the ipynb')", "print('edited in the py')"), encoding="utf-8")
    os.utime(py, (time.time() + 10, time.time() + 10))
    _sync(py)
    nb2 = nbformat.read(ipynb, as_version=4)
    assert refresh.cell_keys(nb2) == refresh.cell_keys(jupytext.read(py))
    assert nb2.cells[1].source == "A note added in the *ipynb*."
    edited = [i for i, c in enumerate(nb2.cells) if "print('edited in the py')" in c.source]
    assert len(edited) == 1
    # the cells not edited keep their outputs
    kept = [c.outputs for i, c in enumerate(nb2.cells) if c.cell_type == "code" and i != edited[0]]
    assert kept == outputs_before[1:]


def _red_label_pixels(png: bytes) -> int:
    """Pure-red pixels (the 'RANDOM WEIGHTS' label) in the top tenth of a picture."""
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    top = rgb[: max(rgb.shape[0] // 10, 20)]
    return int(((top[..., 0] > 200) & (top[..., 1] < 70) & (top[..., 2] < 70)).sum())


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_random_weight_pictures_are_kept_and_labelled(path):
    import base64

    nb = nbformat.read(path, as_version=4)
    if nb.metadata.stylelib["weights"] != "random":
        pytest.skip(f"{path.name} was refreshed with {nb.metadata.stylelib['weights']!r} weights")
    setup = next(c for c in nb.cells if c.cell_type == "code")
    setup_text = "".join(o.get("text", "") for o in setup.outputs if o.output_type == "stream")
    assert "RANDOM WEIGHTS" in setup_text, "the setup cell's banner is missing"
    for cell in nb.cells:
        if "weights-picture" not in cell.metadata.get("tags", []):
            continue
        pngs = [base64.b64decode(o.data["image/png"]) for o in cell.outputs if "image/png" in o.get("data", {})]
        assert pngs, f"{path.name} {cell.id}: a weights-picture cell saved without its picture"
        for png in pngs:
            assert _red_label_pixels(png) > 30, f"{path.name} {cell.id}: picture without the red random-weights label"


def test_red_label_detector_tells_labelled_from_unlabelled():
    import matplotlib

    matplotlib.use("Agg")
    from stylelib import viz

    def png(random_weights):
        fig = viz.show_images([np.full((16, 16, 3), 120, np.uint8)], ["x"], size=2, random_weights=random_weights)
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        matplotlib.pyplot.close(fig)
        return buf.getvalue()

    assert _red_label_pixels(png(True)) > 30
    assert _red_label_pixels(png(False)) == 0


def test_widget_output_reads_without_a_kernel():
    nb = nbformat.read(NOTEBOOKS / "06_style_transfer.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "StyleExplorer(" in c.source)
    (out,) = cell.outputs
    assert out.data["text/plain"].startswith("StyleExplorer panel: run this cell to get the interactive explorer")
    assert "run this cell" in out.data["text/markdown"]
    assert "widgets" not in nb.metadata


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_compared_cells_have_text_to_compare(path):
    """nbval (lax) compares only the cells tagged nbval-check-output: each has saved text, none is also ignored."""
    nb = nbformat.read(path, as_version=4)
    checked = [c for c in nb.cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert len(checked) >= 5, f"{path.name}: {len(checked)} compared cells"
    for cell in checked:
        texts = [o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs]
        assert any(t.strip() for t in texts), f"{path.name} {cell.id}: tagged for comparison but saved no text"
        assert "nbval-ignore-output" not in cell.metadata["tags"], cell.id


@pytest.mark.parametrize("path", IPYNBS, ids=IDS)
def test_first_cell_names_the_paired_source(path):
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "markdown" and f"paired with `{path.stem}.py`" in first.source


def test_only_notebooks_are_collected_from_notebooks_dir():
    """pytest must not import the paired .py sources (they would run a whole notebook at import)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval-lax", "-p", "no:cacheprovider", "notebooks"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    collected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert collected == {str(p.relative_to(ROOT)) for p in IPYNBS}, result.stdout[-2000:] + result.stderr[-2000:]
