"""stylelib.viz: every figure function draws from real inputs and labels random-weights figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from stylelib import viz  # noqa: E402
from stylelib.graph import build_graph  # noqa: E402
from stylelib.run import RunConfig, StepRecord, StyleResult  # noqa: E402


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _result(totals):
    hist = [StepRecord(i + 1, 1.0, 2.0, 0.0, t, 0.1 * (i + 1)) for i, t in enumerate(totals)]
    img = np.zeros((4, 4, 3), np.uint8)
    return StyleResult(img, img, int(np.argmin(totals)) + 1, min(totals), hist, False, "test", True, RunConfig())


def test_show_images_titles_and_random_label():
    imgs = [np.full((8, 12, 3), 200.0), np.zeros((8, 12, 3), np.uint8), np.ones((1, 8, 12, 3)) * 30]
    fig = viz.show_images(imgs, ["a", "b", "c"], ncols=2, random_weights=True)
    assert len(fig.axes) == 4  # 2x2 grid, last axis empty
    assert {"a", "b", "c", viz.RANDOM_LABEL} <= set(_texts(fig))
    # the label sits above every axis, so it cannot cover a title
    label = next(t for t in fig.texts if t.get_text() == viz.RANDOM_LABEL)
    top_of_axes = max(ax.get_position().y1 for ax in fig.axes)
    assert label.get_position()[1] > top_of_axes
    fig2 = viz.show_images(imgs[:1], ["a"], random_weights=False)
    assert viz.RANDOM_LABEL not in _texts(fig2)


def test_feature_maps_and_gram_image():
    acts = np.random.default_rng(0).random((1, 6, 7, 10)).astype(np.float32)
    fig = viz.feature_maps(acts, n=4, title="conv1_1")
    assert len(fig.axes) == 4 and any("6×7×10" in t for t in _texts(fig))
    fig = viz.gram_image({"conv1_1": np.eye(3), "conv2_1": np.ones((5, 5))})
    assert any("5×5" in t for t in _texts(fig))


def test_loss_curves_plot_the_histories():
    fig = viz.loss_curves({"adam": _result([4.0, 2.0, 1.0]), "lbfgs": _result([3.0, 1.0])}, x="seconds")
    ax = fig.axes[0]
    lines = {l.get_label(): l for l in ax.get_lines()}
    np.testing.assert_allclose(lines["adam"].get_ydata(), [4.0, 2.0, 1.0])
    np.testing.assert_allclose(lines["lbfgs"].get_xdata(), [0.1, 0.2])
    assert ax.get_xlabel() == "wall time (s)" and ax.get_yscale() == "log"


def test_draw_graph_reads_the_real_graph(random_weights):
    model = build_graph(random_weights, 16, 16)
    structure = viz.graph_structure(model)
    fig = viz.draw_graph(model, title="tiny")
    assert "tiny" in _texts(fig)
    assert set(structure) == set(model)
    assert structure["conv1_2"]["edges"] == ["conv1_1"]
    assert structure["avgpool1"]["edges"] == ["conv1_2"]
    assert len(structure["conv1_1"]["consts"]) == 2  # kernel and bias


def test_three_networks_and_ops_plot():
    shapes = {"conv1_1": (8, 8, 64), "avgpool1": (4, 4, 64), "conv2_1": (4, 4, 128)}
    fig = viz.three_networks(shapes, {"conv2_1": (4, 4, 128)}, {"conv1_1": (8, 8, 64)}, n_ops=42)
    assert any("THREE" in t or "three" in t for t in _texts(fig))
    with pytest.raises(ValueError, match="conv9_9"):
        viz.three_networks(shapes, {"conv9_9": (1, 1, 1)}, {})
    fig = viz.ops_per_layer_plot(["conv1_1", "conv2_1"], [5, 11], [0.1, 0.3])
    assert [p.get_height() for p in fig.axes[0].patches] == [5, 11]
    fig = viz.ops_per_layer_plot(["conv1_1", "conv2_1"], [5, 11], [0.1, 0.3], line_label="share of multiply-adds")
    assert fig.axes[1].get_ylabel() == "share of multiply-adds"
    with pytest.raises(ValueError):
        viz.ops_per_layer_plot(["conv1_1"], [1, 2])


def test_three_networks_greys_out_the_layers_an_evaluation_did_not_run():
    shapes = {"conv1_1": (8, 8, 64), "avgpool1": (4, 4, 64), "conv2_1": (4, 4, 128)}
    executed = {"content": ["conv1_1"], "style": ["conv1_1", "avgpool1", "conv2_1"]}
    fig = viz.three_networks(shapes, {"conv1_1": (8, 8, 64)}, {"conv2_1": (4, 4, 128)}, executed=executed)
    states = dict(g.rsplit(":", 1) for g in (p.get_gid() for p in fig.axes[0].patches) if g)
    assert states == {"content:conv1_1": "snapshot", "content:avgpool1": "not-run", "content:conv2_1": "not-run",
                      "live:conv1_1": "live", "live:avgpool1": "live", "live:conv2_1": "live",
                      "style:conv1_1": "run", "style:avgpool1": "run", "style:conv2_1": "snapshot"}
    assert any("ran 1 of 3 layers" in t for t in _texts(fig)) and any("did not execute" in t for t in _texts(fig))
    with pytest.raises(ValueError, match="conv9_9"):
        viz.three_networks(shapes, {}, {}, executed={"live": ["conv9_9"]})
    with pytest.raises(ValueError, match="'middle'"):
        viz.three_networks(shapes, {}, {}, executed={"middle": ["conv1_1"]})


def test_three_networks_counts_runs_per_row_and_explains_grey_boxes():
    shapes = {"conv1_1": (8, 8, 64), "avgpool1": (4, 4, 64), "conv2_1": (4, 4, 128)}
    executed = {"content": ["conv1_1"], "style": ["conv1_1", "avgpool1", "conv2_1"]}
    fig = viz.three_networks(shapes, {"conv1_1": (8, 8, 64)}, {"conv2_1": (4, 4, 128)}, executed=executed,
                             runs={"content": 1, "style": 5})
    texts = _texts(fig)
    assert any("5 runs, 3 of 3 layers in all" in t for t in texts) and any("ran 1 of 3 layers" in t for t in texts)
    assert any("Grey boxes" in t for t in texts)
    with pytest.raises(ValueError, match="runs"):
        viz.three_networks(shapes, {}, {}, runs={"style": 0})
