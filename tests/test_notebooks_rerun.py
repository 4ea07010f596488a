"""Every notebook survives being run twice in one kernel (a learner re-running cells), and its asserts hold for
any valid weights and TensorFlow build — not only for the random weights and the oneDNN build of the nbval run.

nbval runs each notebook once, top to bottom, in quick mode with random weights (zero biases) and compares the
tagged cells with the committed outputs. Here each notebook is executed, then all its cells again in the same
kernel (asserts only, no output comparison), in quick mode with

* a VGG-19 file in Keras' published layout (``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``: BGR input,
  Keras' layer names, written with ``weights_files.write_keras_h5``) holding random He-scaled kernels and
  NON-ZERO biases, as the real file does — Grappler drops a zero bias, so random weights hide what it does
  with a real one;
* ``TF_ENABLE_ONEDNN_OPTS=0``: TensorFlow's plain CPU kernels, where Grappler fuses less than in a oneDNN build.

Both settings share the one kernel per notebook, so this costs no extra notebook run. Any error fails the test
with the cell that raised.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from stylelib import vgg19

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

sys.path.insert(0, str(Path(__file__).parent))
import weights_files as wf  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def keras_like_arrays(seed: int = 1) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """He-scaled random kernels (activations stay finite through 16 layers, as with trained weights) and
    biases of either sign with 0.1 <= |b| <= 1, none zero."""
    rng = np.random.default_rng(seed)
    kernels, biases = {}, {}
    for layer in vgg19.LAYERS:
        if layer.kind != "conv":
            continue
        shape = (3, 3, layer.in_channels, layer.out_channels)
        kernels[layer.name] = (rng.standard_normal(shape) * np.sqrt(2.0 / (9 * layer.in_channels))).astype(np.float32)
        size = rng.uniform(0.1, 1.0, layer.out_channels)
        biases[layer.name] = (size * rng.choice([-1.0, 1.0], layer.out_channels)).astype(np.float32)
    return kernels, biases


@pytest.fixture(scope="module")
def keras_h5(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("weights") / "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
    kernels, biases = keras_like_arrays()
    wf.write_keras_h5(path, kernels, biases)
    loaded = vgg19.load_weights(str(path))
    # what the notebooks must cope with: Keras' BGR convention, biases that are not zero
    assert loaded.channel_order == "BGR" and not loaded.is_random
    assert all(np.abs(loaded.biases[name]).min() >= 0.1 for name in vgg19.CONV_LAYERS)
    return path


# `make test` runs two pytest-xdist workers with one test file each at a time (--dist loadfile): half of the
# notebooks are run from here, the other half from test_notebooks_rerun_second_half.py, so both workers share them.
FIRST_HALF, SECOND_HALF = NOTEBOOKS[0::2], NOTEBOOKS[1::2]


def rerun_twice(path: Path, keras_h5: Path, monkeypatch) -> None:
    """Run every code cell of the notebook twice in one kernel, with Keras-layout weights with non-zero biases."""
    monkeypatch.setenv("STYLELIB_QUICK", "1")
    monkeypatch.setenv("STYLELIB_WEIGHTS", str(keras_h5))
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
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
                    pytest.fail(f"{path.name} ({keras_h5.name} with non-zero biases, TF_ENABLE_ONEDNN_OPTS=0): "
                                f"run {run}, cell {index} failed:\n{cell.source}\n\n{e}")
            if run == 1:
                setup = next(c for c in nb.cells if c.cell_type == "code")
                setup_out = "".join(o.get("text", "") for o in setup.outputs)
                assert f"weights: {keras_h5}" in setup_out and "RANDOM WEIGHTS" not in setup_out, setup_out[:500]


@pytest.mark.slow
@pytest.mark.parametrize("path", FIRST_HALF, ids=[p.name for p in FIRST_HALF])
def test_notebook_runs_twice_in_one_kernel(path, keras_h5, monkeypatch):
    rerun_twice(path, keras_h5, monkeypatch)


def test_the_two_halves_cover_every_notebook():
    assert sorted(FIRST_HALF + SECOND_HALF) == NOTEBOOKS and len(NOTEBOOKS) >= 7
