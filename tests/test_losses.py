"""stylelib.losses against independent numpy (float64) computations, in eager, tf.function and TF1 code."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stylelib import losses
from stylelib.losses import (
    content_loss,
    gram_matrix,
    style_gram_loss,
    style_layer_loss,
    style_loss,
    total_variation_loss,
)

tf1 = tf.compat.v1

SHAPES = [(1, 5, 7, 6), (5, 7, 6)]


# --------------------------------------------------------------------------- numpy references (float64)


def np_gram(x: np.ndarray) -> np.ndarray:
    f = np.asarray(x, np.float64).reshape(-1, x.shape[-1])  # (M, N)
    return f.T @ f


def np_n_m(x: np.ndarray) -> tuple[int, int]:
    return x.shape[-1], x.shape[-3] * x.shape[-2]


def np_content(p: np.ndarray, x: np.ndarray, normalization: str) -> float:
    sq = float(np.sum((np.asarray(x, np.float64) - np.asarray(p, np.float64)) ** 2))
    if normalization == "paper":
        return 0.5 * sq
    n, m = np_n_m(x)
    return sq / (4.0 * n * m)


def np_style_layer(a: np.ndarray, x: np.ndarray) -> float:
    n, m = np_n_m(x)
    return float(np.sum((np_gram(x) - np_gram(a)) ** 2) / (4.0 * n**2 * m**2))


def np_tv(img: np.ndarray) -> float:
    x = np.asarray(img, np.float64)
    if x.ndim == 3:
        x = x[None]
    dy = x[:, 1:] - x[:, :-1]
    dx = x[:, :, 1:] - x[:, :, :-1]
    return float((np.sum(dy**2) + np.sum(dx**2)) / (x.shape[1] * x.shape[2]))


def _pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    p = rng.normal(1.0, 2.0, shape).astype(np.float32)
    x = rng.normal(0.0, 3.0, shape).astype(np.float32)
    return p, x


# --------------------------------------------------------------------------- values


def test_gram_hand_example():
    # two positions, two filters: F = [[1, 2], [3, 4]] -> F^T F = [[10, 14], [14, 20]]
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]], np.float32)  # (1, 1, 2, 2)
    g = gram_matrix(x)
    assert g.dtype == tf.float32
    np.testing.assert_array_equal(g.numpy(), [[10.0, 14.0], [14.0, 20.0]])


@pytest.mark.parametrize("shape", SHAPES)
def test_gram_matches_numpy(shape):
    _, x = _pair(shape)
    g = gram_matrix(x).numpy()
    assert g.shape == (shape[-1], shape[-1])
    np.testing.assert_allclose(g, np_gram(x), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(g, g.T, rtol=0, atol=0)


def test_content_hand_example():
    p = np.zeros((2, 3, 4), np.float32)
    x = np.ones((2, 3, 4), np.float32)  # Σ(x - p)² = 24, N = 4, M = 6
    assert float(content_loss(p, x, "art")) == pytest.approx(24 / (4 * 4 * 6))
    assert float(content_loss(p, x, "paper")) == pytest.approx(12.0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("normalization", ["art", "paper"])
def test_content_loss_matches_numpy(shape, normalization):
    p, x = _pair(shape)
    got = content_loss(p, x, normalization)
    assert got.shape == () and got.dtype == tf.float32
    assert float(got) == pytest.approx(np_content(p, x, normalization), rel=1e-5)


def test_content_loss_default_is_art():
    p, x = _pair((1, 4, 4, 3))
    assert float(content_loss(p, x)) == pytest.approx(np_content(p, x, "art"), rel=1e-6)
    # the two normalizations differ by exactly 2NM
    ratio = float(content_loss(p, x, "paper")) / float(content_loss(p, x, "art"))
    assert ratio == pytest.approx(2 * 3 * 16, rel=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_style_layer_loss_matches_numpy(shape):
    a, x = _pair(shape, seed=1)
    got = style_layer_loss(a, x)
    assert got.dtype == tf.float32
    assert float(got) == pytest.approx(np_style_layer(a, x), rel=1e-5)
    assert float(style_layer_loss(x, x)) == 0.0


def test_style_layer_loss_style_of_another_size_uses_m_of_x():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(1, 9, 4, 5)).astype(np.float32)  # M_a = 36
    x = rng.normal(size=(1, 3, 4, 5)).astype(np.float32)  # M_x = 12
    n, m = 5, 12
    want = np.sum((np_gram(x) - np_gram(a)) ** 2) / (4.0 * n**2 * m**2)
    assert float(style_layer_loss(a, x)) == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_style_gram_loss_equals_activation_path(shape):
    a, x = _pair(shape, seed=2)
    from_gram = float(style_gram_loss(np_gram(a).astype(np.float32), x))
    assert from_gram == pytest.approx(float(style_layer_loss(a, x)), rel=1e-6)
    assert from_gram == pytest.approx(np_style_layer(a, x), rel=1e-5)


def _layered(seed=4):
    rng = np.random.default_rng(seed)
    shapes = {"conv1_1": (1, 8, 6, 4), "conv2_1": (1, 4, 3, 8), "conv3_1": (4, 3, 8)}
    targets = {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}
    generated = {k: rng.normal(0.5, 2.0, size=s).astype(np.float32) for k, s in shapes.items()}
    weights = {"conv1_1": 0.5, "conv2_1": 1.5, "conv3_1": 4.0}
    return targets, generated, weights


def test_style_loss_is_weighted_sum():
    targets, generated, weights = _layered()
    want = sum(w * np_style_layer(targets[l], generated[l]) for l, w in weights.items())
    got = style_loss(targets, generated, weights)
    assert got.dtype == tf.float32
    assert float(got) == pytest.approx(want, rel=1e-5)
    # layers absent from layer_weights are ignored; extra generated layers too
    one = style_loss(targets, {**generated, "conv9_9": np.zeros((1, 1, 1, 1))}, {"conv2_1": 2.0})
    assert float(one) == pytest.approx(2.0 * np_style_layer(targets["conv2_1"], generated["conv2_1"]), rel=1e-5)


def test_style_loss_targets_are_grams_equals_activations():
    targets, generated, weights = _layered()
    grams = {l: np_gram(a).astype(np.float32) for l, a in targets.items()}
    from_acts = float(style_loss(targets, generated, weights))
    from_grams = float(style_loss(grams, generated, weights, targets_are_grams=True))
    assert from_grams == pytest.approx(from_acts, rel=1e-6)


def test_total_variation_hand_example():
    img = np.zeros((2, 2, 3), np.float32)
    img[0, 0, 0] = 2.0  # one pixel differs from its right and lower neighbours by 2: (4 + 4) / 4 pixels
    assert float(total_variation_loss(img)) == pytest.approx(2.0)


@pytest.mark.parametrize("shape", [(1, 6, 9, 3), (6, 9, 3)])
def test_total_variation_matches_numpy(shape):
    img = np.random.default_rng(5).uniform(0, 255, shape).astype(np.float32)
    got = total_variation_loss(img)
    assert got.dtype == tf.float32 and got.shape == ()
    assert float(got) == pytest.approx(np_tv(img), rel=1e-5)
    assert float(total_variation_loss(np.full(shape, 7.0, np.float32))) == 0.0


# --------------------------------------------------------------------------- float16 inputs


def test_float16_inputs_are_computed_in_float32():
    rng = np.random.default_rng(6)
    p16 = rng.normal(0, 4, (1, 16, 16, 8)).astype(np.float16)
    x16 = rng.normal(1, 4, (1, 16, 16, 8)).astype(np.float16)
    p64, x64 = p16.astype(np.float64), x16.astype(np.float64)
    results = {
        "gram": (gram_matrix(x16), np_gram(x64)),
        "content": (content_loss(p16, x16), np_content(p64, x64, "art")),
        "paper": (content_loss(p16, x16, "paper"), np_content(p64, x64, "paper")),
        "style": (style_layer_loss(p16, x16), np_style_layer(p64, x64)),
        "tv": (total_variation_loss(x16[..., :3]), np_tv(x64[..., :3])),
    }
    for name, (got, want) in results.items():
        assert got.dtype == tf.float32, name
        # float16 accumulation would be off by ~1e-3; float32 accumulation of exact float16 inputs is not
        np.testing.assert_allclose(got.numpy(), want, rtol=2e-5, err_msg=name)


def test_float16_gram_that_would_overflow_stays_finite():
    rng = np.random.default_rng(7)
    shape = (1, 64, 64, 8)  # M = 4096 positions
    a16 = rng.uniform(200, 300, shape).astype(np.float16)
    x16 = rng.uniform(250, 350, shape).astype(np.float16)
    want_gram = np_gram(x16)
    assert want_gram.max() > np.finfo(np.float16).max  # a float16 Gram matrix would be inf
    g = gram_matrix(x16)
    assert g.dtype == tf.float32
    assert np.all(np.isfinite(g.numpy()))
    np.testing.assert_allclose(g.numpy(), want_gram, rtol=1e-5)
    s = style_layer_loss(a16, x16)
    assert np.isfinite(float(s))
    assert float(s) == pytest.approx(np_style_layer(a16, x16), rel=1e-3)
    c = content_loss(a16, x16, "paper")
    assert float(c) == pytest.approx(np_content(a16, x16, "paper"), rel=1e-5)


# --------------------------------------------------------------------------- TF1 graph, eager, tf.function


def _all_losses(p, x, a, img):
    return {
        "gram": tf.reduce_sum(gram_matrix(x)),
        "art": content_loss(p, x, "art"),
        "paper": content_loss(p, x, "paper"),
        "style_layer": style_layer_loss(a, x),
        "style": style_loss({"l": a}, {"l": x}, {"l": 2.0}),
        "style_grams": style_loss({"l": gram_matrix(a)}, {"l": x}, {"l": 2.0}, targets_are_grams=True),
        "tv": total_variation_loss(img),
    }


def test_same_values_in_eager_tf_function_and_tf1_session():
    rng = np.random.default_rng(8)
    p = rng.normal(size=(1, 6, 5, 4)).astype(np.float32)
    x = rng.normal(size=(1, 6, 5, 4)).astype(np.float32)
    a = rng.normal(size=(1, 3, 7, 4)).astype(np.float32)
    img = rng.uniform(0, 255, (1, 6, 5, 3)).astype(np.float32)

    eager = {k: float(v) for k, v in _all_losses(p, x, a, img).items()}
    compiled = {k: float(v) for k, v in tf.function(_all_losses)(p, x, a, img).items()}

    g = tf.Graph()
    with g.as_default():
        ph = {n: tf1.placeholder(tf.float32, v.shape, name=n) for n, v in
              (("p", p), ("x", x), ("a", a), ("img", img))}
        fetches = _all_losses(ph["p"], ph["x"], ph["a"], ph["img"])
        assert all(t.graph is g for t in fetches.values())
    assert tf.executing_eagerly()
    with tf1.Session(graph=g) as sess:
        session = sess.run(fetches, {ph["p"]: p, ph["x"]: x, ph["a"]: a, ph["img"]: img})

    reference = {
        "gram": float(np_gram(x).sum()), "art": np_content(p, x, "art"), "paper": np_content(p, x, "paper"),
        "style_layer": np_style_layer(a, x), "style": 2 * np_style_layer(a, x),
        "style_grams": 2 * np_style_layer(a, x), "tv": np_tv(img),
    }
    for k, want in reference.items():
        assert eager[k] == pytest.approx(want, rel=1e-5, abs=1e-5), k
        assert compiled[k] == pytest.approx(eager[k], rel=1e-6, abs=1e-6), k
        assert float(session[k]) == pytest.approx(eager[k], rel=1e-6, abs=1e-6), k


def test_gradient_of_content_loss_matches_formula():
    # d/dx [Σ(x - p)² / (4NM)] = 2 (x - p) / (4NM): the losses are differentiable as the engines need
    p, x = _pair((1, 4, 5, 3), seed=9)
    xv = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xv)
        loss = content_loss(p, xv)
    grad = tape.gradient(loss, xv).numpy()
    np.testing.assert_allclose(grad, 2 * (x - p) / (4 * 3 * 20), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", [(1, 7, 9, 5), (1, 32, 32, 64)])
def test_gram_for_gradient_has_the_gram_value_and_the_style_costs_gradient_with_one_product(shape):
    _, x = _pair(shape, seed=4)
    a = np_gram(_pair(shape, seed=5)[1]).astype(np.float32)
    n, m = float(shape[-1]), float(shape[1] * shape[2])

    def value_and_grad(gram):
        def f(xv):
            with tf.GradientTape() as tape:
                tape.watch(xv)
                g = gram(xv)
                loss = losses.style_loss_from_gram(a, g, n, m)
            return g, loss, tape.gradient(loss, xv)
        return f

    xv = tf.constant(x)
    plain, fast = value_and_grad(gram_matrix), value_and_grad(losses.gram_matrix_for_gradient)
    for run in (lambda f: f(xv), lambda f: tf.function(f)(xv)):  # eagerly and traced
        (g0, l0, d0), (g1, l1, d1) = run(plain), run(fast)
        np.testing.assert_array_equal(g1.numpy(), g0.numpy())  # the value, bit for bit
        assert float(l1) == float(l0)
        # the gradient of the style cost: the same up to float rounding, and the formula 4 F (G - A) / (4 N² M²)
        np.testing.assert_allclose(d1.numpy(), d0.numpy(), rtol=1e-5, atol=1e-6 * float(tf.reduce_max(tf.abs(d0))))
        f64 = x.reshape(-1, shape[-1]).astype(np.float64)
        want = 4 * f64 @ (f64.T @ f64 - a) / (4 * n * n * m * m)
        np.testing.assert_allclose(d1.numpy().reshape(want.shape), want, rtol=1e-3, atol=1e-4 * np.abs(want).max())

    def matmuls(gram):  # the products in the traced loss-and-gradient graph (Grappler prunes nothing here)
        graph = tf.function(value_and_grad(gram)).get_concrete_function(xv).graph
        return sum(op.type in ("MatMul", "BatchMatMulV2") for op in graph.get_operations())

    assert (matmuls(gram_matrix), matmuls(losses.gram_matrix_for_gradient)) == (3, 2)


# --------------------------------------------------------------------------- errors


def test_bad_normalization_names_the_value():
    p, x = _pair((1, 2, 2, 2))
    with pytest.raises(ValueError, match="'mean'"):
        content_loss(p, x, "mean")
    assert losses.CONTENT_NORMALIZATIONS == ("art", "paper")


def test_content_shape_mismatch():
    with pytest.raises(ValueError, match="shape"):
        content_loss(np.zeros((1, 4, 4, 3), np.float32), np.zeros((1, 4, 5, 3), np.float32))


@pytest.mark.parametrize("shape", [(2, 4, 4, 3), (16, 3), (1, 1, 4, 4, 3)])
def test_style_rejects_batches_and_wrong_rank(shape):
    x = np.zeros(shape, np.float32)
    with pytest.raises(ValueError):
        style_layer_loss(x, x)


def test_style_channel_mismatch_raises():
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        style_layer_loss(np.zeros((1, 4, 4, 3), np.float32), np.zeros((1, 4, 4, 5), np.float32))


def test_style_loss_missing_layer_names_it():
    targets, generated, _ = _layered()
    with pytest.raises(KeyError, match="conv4_1"):
        style_loss(targets, generated, {"conv1_1": 1.0, "conv4_1": 1.0})


def test_style_contributions_are_the_terms_of_style_loss():
    targets, generated, weights = _layered()
    parts = losses.style_contributions(targets, generated, weights)
    assert list(parts) == list(weights)  # the order of layer_weights
    for layer, w in weights.items():
        assert float(parts[layer]) == pytest.approx(w * np_style_layer(targets[layer], generated[layer]), rel=1e-5)
    assert float(style_loss(targets, generated, weights)) == pytest.approx(sum(float(v) for v in parts.values()),
                                                                          rel=1e-6)
    grams = {l: np_gram(a).astype(np.float32) for l, a in targets.items()}
    from_grams = losses.style_contributions(grams, generated, weights, targets_are_grams=True)
    for layer in weights:
        assert float(from_grams[layer]) == pytest.approx(float(parts[layer]), rel=1e-6)
    with pytest.raises(KeyError, match="conv4_1"):
        losses.style_contributions(targets, generated, {"conv4_1": 1.0})
