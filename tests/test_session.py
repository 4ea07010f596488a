"""stylelib.session: the TF1 art.py engine — snapshots, the re-run initializer, a finalized graph, run_art."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stylelib import losses
from stylelib.extractor import FeatureExtractor
from stylelib.session import ArtSession, run_art
from stylelib.recipe import ART_STYLE_LAYERS
from stylelib.run import StyleResult, make_init

STYLE_LAYERS = list(ART_STYLE_LAYERS)  # conv1_1, conv2_1, conv3_1, conv4_1, conv5_1


def np_gram(a: np.ndarray) -> np.ndarray:
    f = np.asarray(a, np.float64).reshape(-1, a.shape[-1])
    return f.T @ f


def test_snapshots_are_numpy_arrays_of_the_right_images(art_session, content_pre, style_pre, random_weights):
    art = art_session
    assert type(art.content_snapshot) is np.ndarray
    assert art.content_snapshot.shape == (1, 4, 6, 512)  # conv4_2 of 32 x 48
    assert set(art.style_snapshots) == set(STYLE_LAYERS)
    for name, snap in art.style_snapshots.items():
        assert type(snap) is np.ndarray, name
    assert art.style_snapshots["conv1_1"].shape == (1, 32, 48, 64)
    # they hold the activations of the content / style image (TF2 extractor as an independent check)
    fe = FeatureExtractor(random_weights, ["conv4_2", *STYLE_LAYERS])
    content_acts, style_acts = fe(content_pre), fe(style_pre)
    scale = np.abs(content_acts["conv4_2"].numpy()).max()
    np.testing.assert_allclose(art.content_snapshot, content_acts["conv4_2"].numpy(), atol=1e-4 * scale)
    for name in STYLE_LAYERS:
        want = style_acts[name].numpy()
        np.testing.assert_allclose(art.style_snapshots[name], want, atol=1e-4 * np.abs(want).max(), err_msg=name)
    np.testing.assert_array_equal(art.content_pre, content_pre)
    np.testing.assert_array_equal(art.style_pre, style_pre)


def test_initializer_reset_the_input_but_not_the_targets(art_session, art_initial, random_weights):
    art = art_session
    # ArtSession re-ran the initializer after taking the snapshots (as art.py does): the input is zeros
    assert art_initial["image"].shape == (1, 32, 48, 3)
    assert np.all(art_initial["image"] == 0.0), "the re-run initializer should have reset the input to zeros"
    got = art_initial["losses"]
    # independent numpy computation from the snapshots and the activations at the zero image
    art.set_image(np.zeros((1, 32, 48, 3), np.float32))
    acts_at_zero = art.sess.run({l: art.model[l] for l in ["conv4_2", *STYLE_LAYERS]})
    p, a0 = np.asarray(art.content_snapshot, np.float64), acts_at_zero["conv4_2"].astype(np.float64)
    n, m = p.shape[-1], p.shape[1] * p.shape[2]
    content = np.sum((a0 - p) ** 2) / (4 * n * m)
    style = 0.0
    for layer, w in ART_STYLE_LAYERS.items():
        x_l = acts_at_zero[layer]
        n, m = x_l.shape[-1], x_l.shape[1] * x_l.shape[2]
        style += w * np.sum((np_gram(x_l) - np_gram(art.style_snapshots[layer])) ** 2) / (4 * n**2 * m**2)
    assert content > 0 and style > 0  # the targets are the images', not the zero image's
    assert got["content"] == pytest.approx(content, rel=1e-5)
    assert got["style"] == pytest.approx(style, rel=1e-4)
    assert got["tv"] == 0.0
    assert got["total"] == pytest.approx(5 * got["content"] + 100 * got["style"], rel=1e-6)

    # once more, by hand: load an image, run the input's initializer, and the losses are those at zeros
    art.set_image(make_init("noise", art.content_pre, seed=1, weights=random_weights))
    assert art.loss_values()["content"] != pytest.approx(got["content"], rel=1e-3)
    art.sess.run(art.model["input"].initializer)
    assert np.all(art.image() == 0.0)
    again = art.loss_values()
    for key in got:
        assert again[key] == pytest.approx(got[key], rel=1e-6), key


def test_snapshots_are_constants_in_the_graph(art_session):
    g = art_session.graph
    shapes = {tuple(op.get_attr("value").tensor_shape.dim[i].size for i in range(4))
              for op in g.get_operations()
              if op.type == "Const" and len(op.get_attr("value").tensor_shape.dim) == 4}
    assert (1, 4, 6, 512) in shapes  # conv4_2 content snapshot
    assert (1, 32, 48, 64) in shapes  # conv1_1 style snapshot
    variables = g.get_collection(tf.compat.v1.GraphKeys.TRAINABLE_VARIABLES)
    assert [v.name for v in variables] == ["input:0"]


def test_graph_is_finalized_and_does_not_grow(art_session, random_weights):
    art = art_session
    assert art.graph.finalized
    n_ops = len(art.graph.get_operations())
    x0 = make_init("blend", art.content_pre, seed=0, weights=random_weights)
    art.set_image(x0)
    np.testing.assert_array_equal(art.image(), x0)
    before = art.loss_values()
    values = art.step()
    assert values["total"] == pytest.approx(before["total"], rel=1e-6)  # measured before the update
    art.step()
    art.loss_values(x0)
    assert len(art.graph.get_operations()) == n_ops
    with pytest.raises(RuntimeError):
        with art.graph.as_default():
            tf.constant(1.0)


def test_steps_stay_in_the_pixel_range(art_session, random_weights):
    art = art_session
    lo = -np.asarray(random_weights.mean, np.float32)
    art.set_image(np.broadcast_to(lo + 254.5, art.content_pre.shape).astype(np.float32))
    for _ in range(2):
        art.step()
    x = art.image()
    assert np.all(x >= lo - 1e-3) and np.all(x <= lo + 255.0 + 1e-3)


def test_loss_values_match_tf2_losses(art_session, random_weights):
    art = art_session
    x0 = make_init("noise", art.content_pre, seed=3, weights=random_weights)
    got = art.loss_values(x0)
    fe = FeatureExtractor(random_weights, ["conv4_2", *STYLE_LAYERS])
    acts = fe(x0)
    content = float(losses.content_loss(art.content_snapshot, acts["conv4_2"]))
    style = float(losses.style_loss(art.style_snapshots, acts, ART_STYLE_LAYERS))
    assert got["content"] == pytest.approx(content, rel=1e-5)
    assert got["style"] == pytest.approx(style, rel=1e-5)
    assert got["tv"] == pytest.approx(float(losses.total_variation_loss(x0)), rel=1e-5)


def test_run_art_lowers_the_loss_and_stops_on_request(content_img, style_img, random_weights):
    calls = []

    def callback(info):
        calls.append(info.step)
        return info.step < 8  # False at step 8 stops the run

    res = run_art(content_img, style_img, size=None, iterations=12, weights=random_weights,
                  learning_rate=5.0, callback=callback)
    assert isinstance(res, StyleResult)
    total = res.series("total")
    assert calls == list(range(0, 9)) and len(total) == 9  # step 0 is the start image
    assert res.interrupted
    assert total[-1] < total[0] / 2, total
    assert res.best_step == int(np.argmin(total)) and res.best_loss == total.min()
    assert res.image.shape == (32, 48, 3) and res.image.dtype == np.uint8
    assert res.random_weights and res.weights_source == random_weights.source


def test_mismatched_sizes_raise_with_a_hint(random_weights, content_img, style_img):
    with pytest.raises(ValueError, match="resize_to") as err:
        ArtSession(content_img, style_img[:16], random_weights)
    assert "(32, 48, 3)" in str(err.value) and "(16, 48, 3)" in str(err.value)


@pytest.mark.parametrize("iterations", [0, -1, 1.5])
def test_run_art_bad_iterations(content_img, style_img, random_weights, iterations):
    with pytest.raises(ValueError, match="iterations"):
        run_art(content_img, style_img, iterations=iterations, weights=random_weights)


def test_art_session_does_not_mutate_an_op_it_already_ran():
    """Re-initializing must not regroup ops the session ran: TensorFlow warns (in C++, on stderr) that such a
    mutation "will trigger an error in the future". Run in a child process with every TF log line shown."""
    import os
    import subprocess
    import sys

    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "import numpy as np\n"
        "from stylelib.session import ArtSession\n"
        "img = np.random.default_rng(0).uniform(0, 255, (16, 16, 3)).astype('float32')\n"
        "with ArtSession(img, img[::-1].copy(), 'random') as art:\n"
        "    assert float(np.abs(art.image()).max()) == 0.0  # initialized again: the input is zeros\n"
        "    art.step()\n"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "was changed by setting attribute after it was run by a session" not in done.stderr


def _art_py_loop(content_pre, style_pre, weights, x_start, steps, learning_rate=2.0):
    """art.py's graph and loop written out (tf.compat.v1): snapshots, minimize(), the second initializer, the
    assign of the start image, ``sess.run(train_step)`` — no clipping. Returns the total per step and the image."""
    from stylelib.graph import build_graph

    tf1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        model = build_graph(weights, *content_pre.shape[1:3])
        with tf1.Session(graph=g) as sess:
            sess.run(model["input"].assign(content_pre))
            p = sess.run(model["conv4_2"])
            sess.run(model["input"].assign(style_pre))
            a = sess.run({l: model[l] for l in ART_STYLE_LAYERS})
            total = 5.0 * losses.content_loss(p, model["conv4_2"]) + 100.0 * losses.style_loss(
                a, model, ART_STYLE_LAYERS)
            train_step = tf1.train.AdamOptimizer(learning_rate).minimize(total)
            sess.run(tf1.global_variables_initializer())
            sess.run(model["input"].assign(x_start))
            totals = []
            for _ in range(steps):
                t, _ = sess.run([total, train_step])
                totals.append(t)
            totals.append(sess.run(total))
            return np.array(totals, np.float64), sess.run(model["input"])


def test_exact_art_py_equals_the_written_out_loop(content_img, style_img, content_pre, style_pre, random_weights):
    # a noise start puts pixels at the edges of the range, so the first updates push some out: clipping matters
    x0 = make_init("noise", content_pre, seed=0, weights=random_weights)
    totals, x_end = _art_py_loop(content_pre, style_pre, random_weights, x0, steps=3)
    lo, hi = -np.asarray(random_weights.mean, np.float32), 255.0 - np.asarray(random_weights.mean, np.float32)
    assert np.any((x_end < lo) | (x_end > hi)), "art.py's loop does not clip: some pixels left the range"
    kw = dict(size=None, iterations=3, weights=random_weights, init="noise", seed=0)
    exact = run_art(content_img, style_img, exact_art_py=True, **kw)
    np.testing.assert_allclose(exact.series("total"), totals, rtol=1e-6)
    assert exact.best_step == 3 and exact.best_loss == exact.history[-1].total
    np.testing.assert_array_equal(exact.best_image, exact.image)  # only the last image is kept
    # (the default, clip=True, keeps the pixels in range: test_steps_stay_in_the_pixel_range)


def _adam_gradient(art: ArtSession) -> tf.Tensor:
    """The gradient the session's Adam update applies (an existing tensor: the graph is finalized)."""
    (apply,) = [op for op in art.graph.get_operations() if op.type == "ResourceApplyAdam"]
    return apply.inputs[9]  # ResourceApplyAdam(var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad)


def test_one_product_gram_gradient_is_art_pys_gradient_with_fewer_products(content_img, style_img, content_pre,
                                                                          random_weights):
    from stylelib.graph import executed_ops

    x0 = make_init("noise", content_pre, seed=1, weights=random_weights)
    found = {}
    for form in ("one-product", "two-product"):
        with ArtSession(content_img, style_img, random_weights, gram_gradient=form) as art:
            assert art.gram_gradient == form
            art.set_image(x0)
            values = art.loss_values()
            grad = art.sess.run(_adam_gradient(art))
            products = [k for _, k in executed_ops(art.sess, art.train_op, kernels=True) if "MatMul" in k]
            found[form] = values, grad, len(products)
    (v1, g1, n1), (v2, g2, n2) = found["one-product"], found["two-product"]
    for term in ("content", "style", "total"):
        assert v1[term] == pytest.approx(v2[term], rel=1e-6), term
    assert v1["style"] > 0 and np.abs(g2).max() > 0
    np.testing.assert_allclose(g1, g2, rtol=0, atol=1e-5 * np.abs(g2).max())
    # five style layers: five Gram products forward, then per layer one product (2 F D) against two (F D + F Dᵀ)
    assert (n1, n2) == (5 + 5, 5 + 10)


def test_tv_is_differentiated_only_at_a_weight_above_zero(content_img, style_img, content_pre, random_weights):
    """At tv_weight 0 (art.py's) the TV cost is reported but not in the graph's total: its gradient (four
    StridedSliceGrads) is not computed. Above 0 it is in the total and the gradient."""
    from stylelib.graph import executed_ops

    x0 = make_init("noise", content_pre, seed=2, weights=random_weights)
    found = {}
    for tv_weight in (0.0, None):
        if tv_weight is None:  # a weight at which the TV term is as large as the rest of the total
            v = found[0.0][0]
            tv_weight = (5 * v["content"] + 100 * v["style"]) / v["tv"]
        with ArtSession(content_img, style_img, random_weights, tv_weight=tv_weight) as art:
            art.set_image(x0)
            values = art.loss_values()
            slice_grads = [k for _, k in executed_ops(art.sess, art.train_op, kernels=True) if k == "StridedSliceGrad"]
            found[tv_weight] = values, len(slice_grads)
        assert values["tv"] > 0
        want = 5 * values["content"] + 100 * values["style"] + tv_weight * values["tv"]
        assert values["total"] == pytest.approx(want, rel=1e-6), tv_weight
    assert [n for _, n in found.values()] == [0, 4]


def test_run_art_gives_the_two_product_gradient_only_when_exact(monkeypatch, random_weights):
    import stylelib.session as session

    made = []

    class Spy(session.ArtSession):
        def __init__(self, *args, **kwargs):
            made.append(kwargs.get("gram_gradient"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(session, "ArtSession", Spy)
    for exact in (False, True):
        run_art("sample:chelsea", "sample:brick", size=24, iterations=1, weights=random_weights, exact_art_py=exact)
    assert made == ["one-product", "two-product"]
    with pytest.raises(ValueError, match="gram_gradient must be one of .*'three-product'"):
        ArtSession(np.zeros((8, 8, 3)), np.zeros((8, 8, 3)), random_weights, gram_gradient="three-product")


def test_art_session_without_clip_lets_pixels_leave_the_range(content_img, style_img, random_weights):
    with ArtSession(content_img, style_img, random_weights, clip=False) as art:
        assert not art.clip and art.graph.finalized
        assert not any(op.type == "ClipByValue" for op in art.graph.get_operations())
        lo = -np.asarray(random_weights.mean, np.float32)
        art.set_image(np.broadcast_to(lo + 254.5, art.content_pre.shape).astype(np.float32))
        for _ in range(2):
            art.step()
        x = art.image()
    assert np.any((x < lo) | (x > lo + 255.0)), "without clip, an update from the top edge leaves the range"


def test_run_art_returns_on_ctrl_c(content_img, style_img, random_weights):
    def ctrl_c(info):
        if info.step == 1:
            raise KeyboardInterrupt  # what Ctrl-C does inside the loop

    res = run_art(content_img, style_img, size=None, iterations=5, weights=random_weights, callback=ctrl_c)
    assert res.interrupted and res.stop_reason == "interrupted (KeyboardInterrupt)"
    assert [h.step for h in res.history] == [0, 1] and res.best_image.shape == (32, 48, 3)


def _ancestors(op: tf.Operation) -> set[tf.Operation]:
    """Every op ``op`` waits for: its inputs' ops and its control inputs, transitively."""
    seen, todo = set(), [op]
    while todo:
        o = todo.pop()
        if o not in seen:
            seen.add(o)
            todo += [t.op for t in o.inputs] + list(o.control_inputs)
    return seen


def test_the_update_waits_for_every_loss_it_is_reported_with(content_img, style_img, random_weights):
    """At tv_weight 0 the TV cost reads the variable on its own: without the update's control dependency on the
    losses, nothing would keep that read before the update in a step's one sess.run."""
    with ArtSession(content_img, style_img, random_weights, tv_weight=0.0) as art:
        (apply,) = [op for op in art.graph.get_operations() if op.type == "ResourceApplyAdam"]
        gradient_side = _ancestors(_adam_gradient(art).op)
        before = _ancestors(apply)
        tv_reads = [op for op in _ancestors(art.losses["tv"].op) if op.type == "ReadVariableOp"
                    and op.inputs[0] is art.model["input"].handle]
        assert tv_reads and not any(r in gradient_side for r in tv_reads)  # the case the dependency is for
        assert all(t.op in before for t in art.losses.values())
        assert all(r in before for r in tv_reads)
