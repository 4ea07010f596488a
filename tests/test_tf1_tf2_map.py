"""docs/TF1_TF2.md is checked: every ```python block in it runs, and what each row and each "common mistake" claims
is asserted again here from the names the block leaves behind (so an assert deleted from the page is still
checked). Also: every block is claimed by a check below, every stylelib name and notebook the page cites exists,
and both READMEs link the page.

Each block runs in a fresh namespace after the prelude below; TF1 code builds explicit tf.Graph objects and never
switches eager execution off, so the blocks run in any order, next to the rest of the suite.
"""

from __future__ import annotations

import importlib
import re
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import tensorflow as tf

from stylelib import vgg19

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "TF1_TF2.md"
PRELUDE = "import numpy as np\nimport tensorflow as tf\ntf1 = tf.compat.v1\n"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
CHECK = re.compile(r"\A# check: (\S+)\n")


def _blocks() -> dict[str, str]:
    """check name -> the code of the ```python block that starts with ``# check: name``."""
    out: dict[str, str] = {}
    for code in BLOCK.findall(DOC.read_text(encoding="utf8")):
        m = CHECK.match(code)
        assert m, f"every python block of {DOC.name} must start with '# check: NAME'; this one starts {code[:60]!r}"
        assert m.group(1) not in out, f"two blocks are called {m.group(1)!r}"
        out[m.group(1)] = code
    return out


def _run(name: str) -> dict:
    ns: dict = {"__name__": f"tf1_tf2_map_{name.replace('-', '_')}"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vgg19.RandomWeightsWarning)
        exec(compile(PRELUDE + _blocks()[name], f"{DOC.name}[{name}]", "exec"), ns)
    for value in ns.values():  # close what the block left open
        if isinstance(value, tf.compat.v1.Session):
            value.close()
    return ns


# --- what each block must have shown, re-checked from its namespace -----------------------------------------------

def _run_vs_eager(ns):
    # sess.run gives a numpy array; the eager call gives a tensor with the same numbers
    assert isinstance(ns["tf1_value"], np.ndarray) and isinstance(ns["tf2_value"], tf.Tensor)
    np.testing.assert_allclose(ns["tf2_value"].numpy(), ns["tf1_value"], rtol=1e-4,
                               atol=1e-4 * np.abs(ns["tf1_value"]).max())


def _placeholder_assign(ns):
    # feeding a placeholder-fed assign adds no op; a new assign(array) does; an eager assign takes effect at once
    assert ns["ops_after_feeding"] == ns["ops_before"] < ns["ops_after_new_assign"]
    assert np.all(ns["x2"].numpy() == 1.0)


def _snapshot_vs_capture(ns):
    # the TF1 snapshot is a Const of the graph; in the tf.function the big eager tensor is a Placeholder input,
    # the one-element tensor and the numpy array are Consts
    assert ns["snapshot_in_graph"] and ns["numpy_in_graph"]
    kinds = {id(outer): inner.op.type for outer, inner in ns["graph"].captures}
    assert kinds[id(ns["target"])] == "Placeholder" and kinds[id(ns["scale"])] == "Const"
    assert int(np.prod(ns["target"].shape)) > 128 >= int(np.prod(ns["scale"].shape))


def _pruning(ns):
    # session: the later py_function did not run for the early fetch; tf.function: the unused pure gather was
    # pruned (else the call would have raised), the unused stateful py_function ran; eager would raise
    assert ns["calls_after_early"] == 0 and len(ns["calls"]) == 2
    assert not any(n.startswith(("conv3_", "conv4_", "conv5_")) for n in ns["ran"])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.gather(tf.constant([1.0]), [7])


def _minimize_var_list(ns):
    # minimize() without var_list trained the trainable "weight" too; the explicit list (TF1 or TF2) did not
    assert ns["w_after_image_step"] == 3.0 and ns["w_after_default_step"] != 3.0
    assert ns["w2"].numpy() == 3.0


def _initializer(ns):
    # TF1: reading before the initializer fails; TF2: the variable has its value at creation, slots at build()
    assert ns["read_before_init_failed"]
    assert len(ns["opt"].variables) > ns["n_before_build"]


def _graph_growth(ns):
    # art.py's every-100-steps pattern grows the graph (by at least the image's bytes); ops built once do not;
    # Python floats retrace a tf.function per value, tensors do not
    sizes = ns["sizes"]
    assert sizes[0] < sizes[1] < sizes[2] and sizes[2] - sizes[1] == sizes[1] - sizes[0]
    assert ns["byte_sizes"][2] - ns["byte_sizes"][1] >= ns["mixed_image"].nbytes
    assert ns["g"].finalized and len(ns["g"].get_operations()) == ns["n_ops"]
    assert ns["scaled"].experimental_get_tracing_count() == 4


def _reinitialize(ns):
    # running the initializer again resets the image and Adam's state
    x, m, v, b1 = ns["x"], ns["m"], ns["v"], ns["beta1_power"]
    fresh = tf.compat.v1.Session(graph=ns["g"])  # the block's session is closed: replay on a new one
    try:
        fresh.run(ns["init"])
        for _ in range(2):
            fresh.run(ns["train"])
        assert fresh.run(m).any() and fresh.run(b1) < 0.9
        fresh.run(ns["init"])
        assert not fresh.run(m).any() and not fresh.run(v).any() and np.isclose(fresh.run(b1), 0.9)
        assert np.allclose(fresh.run(x), 5.0)
    finally:
        fresh.close()


def _bgr_mean(ns):
    # Keras: BGR minus the Caffe means; MatConvNet/art.py: RGB minus the RGB mean; stylelib follows the weights
    pre = ns["preprocess"]
    px = np.array([[[10.0, 20.0, 30.0]]], np.float32)
    assert np.allclose(pre(px, ns["keras_like"]).ravel(), [30 - 103.939, 20 - 116.779, 10 - 123.68])
    assert np.allclose(pre(px, ns["matconvnet_like"]).ravel(), [10 - 123.68, 20 - 116.779, 30 - 103.939])


def _clip(ns):
    # unclipped Adam left the pixel range; clip_by_value brought it back
    assert ns["left_the_range"]
    assert (ns["x"].numpy() <= ns["hi"]).all() and (ns["x"].numpy() >= ns["lo"]).all()


def _float64(ns):
    # numpy's default float64 is kept by tf.Variable; conv2d with float32 weights fails in both modes
    assert ns["zeros"].dtype == np.float64 and ns["v"].dtype == tf.float64
    assert ns["eager_failed"] and ns["graph_failed"]
    assert ns["v32"].dtype == tf.float32 and np.all(ns["v32"].numpy() == 1.0)


EXPECTED: dict[str, Callable[[dict], None]] = {
    "1-run-vs-eager": _run_vs_eager,
    "2-placeholder-assign": _placeholder_assign,
    "3-snapshot-vs-capture": _snapshot_vs_capture,
    "4-pruning": _pruning,
    "5-minimize-var-list": _minimize_var_list,
    "6-initializer": _initializer,
    "mistake-graph-growth": _graph_growth,
    "mistake-reinitialize": _reinitialize,
    "mistake-bgr-mean": _bgr_mean,
    "mistake-clip": _clip,
    "mistake-float64": _float64,
}


def test_every_block_is_checked_and_every_check_has_a_block():
    assert set(_blocks()) == set(EXPECTED)


def test_every_table_row_has_a_block():
    rows = re.findall(r"^\| (\d+) \|", DOC.read_text(encoding="utf8"), re.M)
    assert rows == [str(i) for i in range(1, 7)]
    assert {name.split("-")[0] for name in EXPECTED if name[0].isdigit()} == set(rows)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_snippet_runs_and_shows_its_claim(name):
    ns = _run(name)
    EXPECTED[name](ns)


def test_cited_stylelib_names_and_notebooks_exist():
    text = DOC.read_text(encoding="utf8")
    names = set(re.findall(r"`(stylelib\.\w+\.\w+(?:\.\w+)?)`", text))
    assert len(names) >= 8
    for dotted in sorted(names):
        parts = dotted.split(".")
        obj = importlib.import_module(".".join(parts[:2]))
        for attr in parts[2:]:
            assert hasattr(obj, attr), f"{DOC.name} cites {dotted}, which does not exist"
            obj = getattr(obj, attr)
    notebooks = set(re.findall(r"`(0\d_\w+)`", text))
    assert notebooks
    for nb in sorted(notebooks):
        assert (ROOT / "notebooks" / f"{nb}.py").exists(), f"{DOC.name} cites notebook {nb}, which does not exist"


def test_every_reference_link_is_defined():
    text = DOC.read_text(encoding="utf8").split("<details>")[0]
    used = set(re.findall(r"\]\[(\w+)\]", text))
    defined = set(re.findall(r"^\[(\w+)\]: https://", DOC.read_text(encoding="utf8"), re.M))
    assert used <= defined, f"undefined links: {sorted(used - defined)}"


def test_readmes_link_the_map():
    assert "(docs/TF1_TF2.md)" in (ROOT / "README.md").read_text(encoding="utf8")
    assert "(../docs/TF1_TF2.md)" in (ROOT / "notebooks" / "README.md").read_text(encoding="utf8")
