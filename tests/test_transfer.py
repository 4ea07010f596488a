"""stylelib.transfer: the TF2 engine — loss goes down, best image, callbacks, inits, seeds, errors, devices.

All runs are tiny (longest side 32 px, a handful of steps) on random weights.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import tensorflow as tf

from benchmarks.memory_phases import one_tape_tail
from stylelib import controls, images, losses, vgg19
from stylelib.recipe import ART_CONTENT_LAYERS, ART_STYLE_LAYERS
from stylelib.run import RunConfig, StyleResult, coarse_sides, make_init, pick_device
from stylelib.samples import load_input
from stylelib.transfer import StyleObjective, stylize

SIZE = 32


def _run(content_img, style_img, weights, **kw):
    kw.setdefault("size", SIZE)
    kw.setdefault("iterations", 3)
    kw.setdefault("optimizer", "adam")
    return stylize(content_img, style_img, weights=weights, **kw)


def _losses(result: StyleResult):
    return [(r.step, r.content, r.style, r.tv, r.total) for r in result.history]


# --------------------------------------------------------------------------- the loss goes down; best image


@pytest.mark.parametrize("optimizer, iterations, learning_rate, factor, tv_weight", [
    ("adam", 10, 5.0, 5.0, 0.0),  # ~15x here; the last step is not the best one
    ("lbfgs", 8, 2.0, 4.0, 1e-3),  # ~10x here
])
def test_stylize_lowers_the_loss_and_keeps_the_best(content_img, style_img, random_weights, optimizer,
                                                    iterations, learning_rate, factor, tv_weight):
    seen = {}

    def callback(info):
        assert info.iterations == iterations and info.record.step == info.step
        assert 0 <= info.best_step <= info.step
        seen[info.step] = info.image()
        return None  # None does not stop the run

    res = _run(content_img, style_img, random_weights, optimizer=optimizer, iterations=iterations,
               init="blend", learning_rate=learning_rate, tv_weight=tv_weight, callback=callback)
    assert isinstance(res, StyleResult)
    assert not res.interrupted
    assert [r.step for r in res.history] == list(range(0, iterations + 1))  # step 0: the start image
    total = res.series("total")
    assert np.all(np.isfinite(total))
    assert total[-1] < total[0] / factor, total
    # each record's total is the weighted sum of its parts (defaults 5 and 100)
    for r in res.history:
        assert r.total == pytest.approx(5 * r.content + 100 * r.style + tv_weight * r.tv, rel=1e-5)
    seconds = res.series("seconds")
    assert np.all(np.diff(seconds) >= 0) and seconds[0] > 0
    # the best image is the one with the lowest loss in the history
    assert res.best_step == int(np.argmin(total))
    assert res.best_loss == pytest.approx(total.min(), rel=0, abs=0)
    np.testing.assert_array_equal(res.best_image, seen[res.best_step])
    # the result
    h, w = vgg19.layer_shapes(*images.longest_side_shape(32, 48, SIZE))["conv1_1"][:2]
    assert res.image.shape == res.best_image.shape == (h, w, 3) == (21, 32, 3)
    assert res.image.dtype == np.uint8
    assert res.random_weights is True and res.weights_source == random_weights.source
    assert res.config.optimizer == optimizer and res.config.iterations == iterations


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_callback_returning_false_stops(content_img, style_img, random_weights, optimizer):
    steps = []

    def callback(info):
        steps.append(info.step)
        return info.step < 3

    res = _run(content_img, style_img, random_weights, optimizer=optimizer, iterations=20, callback=callback,
               init="noise")
    assert res.interrupted is True
    assert steps == [0, 1, 2, 3]
    assert len(res.history) == 4 and res.history[-1].step == 3
    assert 0 <= res.best_step <= 3


def test_keyboard_interrupt_keeps_what_was_done(content_img, style_img, random_weights):
    def callback(info):
        if info.step == 2:
            raise KeyboardInterrupt

    res = _run(content_img, style_img, random_weights, iterations=10, callback=callback, device="cpu")
    assert res.interrupted is True and [r.step for r in res.history] == [0, 1, 2]  # step 2 was recorded
    assert res.best_image.shape == res.image.shape
    assert res.device.endswith("CPU:0")


# --------------------------------------------------------------------------- inits and seeds


def test_content_init_starts_from_the_content_image(content_img, style_img, random_weights):
    first = {}

    def callback(info):
        if info.step == 0:
            first["image"] = info.image()

    res = _run(content_img, style_img, random_weights, init="content", iterations=2, callback=callback)
    # step 0 is the start image: the content image itself
    assert res.history[0].content <= 1e-6 * res.history[1].content
    assert res.history[1].content > 0
    want = images.deprocess(images.preprocess(load_input(content_img, SIZE), random_weights), random_weights)
    np.testing.assert_array_equal(first["image"], want)


def test_make_init_modes(content_pre, random_weights):
    lo = -np.asarray(random_weights.mean, np.float32)
    hi = lo + 255.0
    content = make_init("content", content_pre, weights=random_weights)
    noise = make_init("noise", content_pre, seed=0, weights=random_weights)
    blend = make_init("blend", content_pre, seed=0, noise_ratio=0.6, weights=random_weights)
    for x in (content, noise, blend):
        assert x.shape == content_pre.shape and x.dtype == np.float32
        assert np.all(x >= lo - 1e-4) and np.all(x <= hi + 1e-4)
    np.testing.assert_array_equal(content, content_pre)
    assert np.abs(noise - content).mean() > 30  # uniform over the whole range: far from the photo
    # blend: 0.6 x uniform(-20, 20) noise + 0.4 x content — within 0.6 * 20 of 0.4 x content
    assert np.abs(blend - 0.4 * content_pre).max() <= 12.0 + 1e-3
    assert np.abs(blend - 0.4 * content_pre).std() > 3.0
    assert not np.array_equal(noise, blend)
    np.testing.assert_array_equal(noise, make_init("noise", content_pre, seed=0, weights=random_weights))
    assert not np.array_equal(noise, make_init("noise", content_pre, seed=1, weights=random_weights))
    only_content = make_init("blend", content_pre, noise_ratio=0.0, weights=random_weights)
    np.testing.assert_allclose(only_content, content_pre, atol=1e-4)
    with pytest.raises(ValueError, match="'zeros'"):
        make_init("zeros", content_pre, weights=random_weights)


def test_same_seed_same_history_and_inits_differ(content_img, style_img, random_weights):
    a = _run(content_img, style_img, random_weights, init="noise", seed=5, iterations=2)
    b = _run(content_img, style_img, random_weights, init="noise", seed=5, iterations=2)
    c = _run(content_img, style_img, random_weights, init="blend", seed=5, iterations=2)
    assert _losses(a) == _losses(b)
    np.testing.assert_array_equal(a.image, b.image)
    assert a.history[0].total != pytest.approx(c.history[0].total, rel=1e-3)


# --------------------------------------------------------------------------- the objective


def test_objective_equals_tf1_session(art_session, content_pre, style_pre, random_weights):
    x0 = make_init("blend", art_session.content_pre, seed=0, weights=random_weights)
    tf1_values = art_session.loss_values(x0)
    obj = StyleObjective(content_pre, style_pre, random_weights)
    tf2_values = {k: float(v) for k, v in obj(tf.constant(x0)).items()}
    assert set(tf1_values) == set(tf2_values) == {"content", "style", "tv", "total"}
    for key in tf1_values:
        assert tf1_values[key] > 0, key
        assert abs(tf2_values[key] - tf1_values[key]) <= 1e-5 * abs(tf1_values[key]), key
    assert obj.content_layers == ART_CONTENT_LAYERS and obj.style_layers == ART_STYLE_LAYERS
    # at the content image, the content loss vanishes
    assert float(obj(tf.constant(content_pre))["content"]) <= 1e-6 * tf2_values["content"]


def test_tv_at_weight_0_is_reported_but_not_differentiated(content_pre, style_pre, random_weights):
    x = tf.constant(make_init("blend", content_pre, seed=1, weights=random_weights))
    off = StyleObjective(content_pre, style_pre, random_weights, tv_weight=0.0)
    on = StyleObjective(content_pre, style_pre, random_weights, tv_weight=1e3)

    def traced(obj):
        return tf.function(obj.value_and_gradient).get_concrete_function(x).graph

    def slice_grads(obj):  # TV's gradient: one StridedSliceGrad per shifted copy of the image
        return sum(op.type == "StridedSliceGrad" for op in traced(obj).get_operations())

    assert (slice_grads(off), slice_grads(on)) == (0, 4)
    for blocks, rows in ((1, 0), (1, 4)):  # the recomputed path and the row-tiled one (whose tiles are slices too)
        kw = dict(recompute=blocks, tile_rows=rows)
        n_off, n_on = (slice_grads(StyleObjective(content_pre, style_pre, random_weights, tv_weight=w, **kw))
                       for w in (0.0, 1e3))
        assert n_on - n_off == 4, (blocks, rows, n_off, n_on)
    (v_off, g_off), (v_on, g_on) = off.value_and_gradient(x), on.value_and_gradient(x)
    assert float(v_off["tv"]) == float(v_on["tv"]) > 0  # reported either way
    tv_grad = tf.function(lambda y: tf.gradients(losses.total_variation_loss(y), y)[0])(x)
    np.testing.assert_allclose(g_on.numpy() - g_off.numpy(), 1e3 * tv_grad.numpy(), rtol=1e-3,
                               atol=1e-4 * float(tf.reduce_max(tf.abs(g_on))))


def test_tail_gradient_takes_each_loss_layers_gradient_late(content_pre, style_pre, random_weights):
    """issue 11: after the recomputed blocks, each loss layer's own gradient waits (a control dependency) for the
    gradient arriving from the layers above instead of being computed as the forward pass ends and held: the same
    values and the same gradient, bit for bit, as one tape over those layers (compiled against compiled, eager
    against eager); and a traced objective is left to the collector (no global gradient registration)."""
    import gc
    import weakref

    x = tf.constant(make_init("blend", content_pre, seed=2, weights=random_weights))
    for rows in (0, 4):  # blocks 1-2 recomputed whole, and on row tiles
        late = StyleObjective(content_pre, style_pre, random_weights, recompute=2, tile_rows=rows)
        plain = StyleObjective(content_pre, style_pre, random_weights, recompute=2, tile_rows=rows)
        plain._tail_gradient = one_tape_tail(plain)
        for relative in (False, True):
            fn, fn_plain = (tf.function(lambda y, o=o, r=relative: o.value_and_gradient(y, relative=r))
                            for o in (late, plain))
            for (v1, g1), (v2, g2) in ((fn(x), fn_plain(x)),
                                       (late.value_and_gradient(x, relative), plain.value_and_gradient(x, relative))):
                assert {k: float(v) for k, v in v1.items()} == {k: float(v) for k, v in v2.items()}
                assert float(tf.reduce_max(tf.abs(g1))) > 0
                np.testing.assert_array_equal(g1.numpy(), g2.numpy())
        graph = fn.get_concrete_function(x).graph
        waits = [op for op in graph.get_operations() if re.search(r"after_upstream(_\d+)?$", op.name)]
        # the loss layers after blocks 1-2: conv3_1, conv4_1, conv4_2 (content), conv5_1; each but the deepest (whose
        # own gradient starts the backward pass) waits for the gradient from the layers above it
        assert len(waits) == 3, [op.name for op in waits]
        assert all(op.control_inputs for op in waits)
        ref, graph_ref = weakref.ref(late), weakref.ref(graph)
        del late, plain, fn, fn_plain, graph, waits
        gc.collect()
        assert ref() is None and graph_ref() is None


def test_content_normalization_changes_content_by_2nm(content_pre, style_pre, random_weights):
    x = make_init("noise", content_pre, seed=0, weights=random_weights)
    art = StyleObjective(content_pre, style_pre, random_weights, content_normalization="art")(x)
    paper = StyleObjective(content_pre, style_pre, random_weights, content_normalization="paper")(x)
    h, w, n = vgg19.layer_shapes(32, 48)["conv4_2"]
    assert float(paper["content"]) / float(art["content"]) == pytest.approx(2 * n * h * w, rel=1e-4)
    assert float(paper["style"]) == pytest.approx(float(art["style"]), rel=1e-6)


def test_style_image_of_another_size(content_img, style_img, random_weights):
    big_style = images.resize_to(style_img, 48, 72)
    res = _run(content_img, big_style, random_weights, style_size=24, iterations=6, init="noise")
    assert np.all(np.isfinite(res.series("total")))
    assert res.history[-1].total < res.history[0].total
    assert res.image.shape == (21, 32, 3)

    # the style targets are Gram matrices rescaled by M_x / M_a (sums over the generated image's positions)
    small_pre = images.preprocess(images.resize_longest(content_img, 32), random_weights)
    style_pre = images.preprocess(images.resize_longest(big_style, 24), random_weights)
    obj = StyleObjective(small_pre, style_pre, random_weights, style_layers={"conv1_1": 1.0, "conv3_1": 1.0})
    acts = obj.extractor(style_pre)
    for layer in ("conv1_1", "conv3_1"):
        m_x = np.prod(vgg19.layer_shapes(21, 32)[layer][:2])
        m_a = np.prod(vgg19.layer_shapes(*style_pre.shape[1:3])[layer][:2])
        assert m_x != m_a
        f = acts[layer].numpy().reshape(-1, acts[layer].shape[-1]).astype(np.float64)
        np.testing.assert_allclose(obj.style_targets[layer].numpy(), f.T @ f * m_x / m_a, rtol=1e-4,
                                   atol=1e-3 * np.abs(f.T @ f).max())


def test_mixed_precision_runs_on_cpu(content_img, style_img, random_weights):
    f16 = _run(content_img, style_img, random_weights, init="noise", iterations=4, mixed_precision=True)
    assert f16.config.mixed_precision is True
    totals = f16.series("total")
    assert np.all(np.isfinite(totals))
    assert totals[-1] < totals[0]
    # step 1 is measured at the start image: float16 features give nearly the float32 loss there
    c_pre = images.preprocess(load_input(content_img, SIZE), random_weights)
    s_pre = images.preprocess(load_input(style_img, SIZE), random_weights)
    x0 = make_init("noise", c_pre, seed=0, weights=random_weights)
    f32 = StyleObjective(c_pre, s_pre, random_weights)(tf.constant(x0))
    assert f16.history[0].total == pytest.approx(float(f32["total"]), rel=2e-2)
    assert f16.history[0].total != float(f32["total"])  # it really ran in float16


# --------------------------------------------------------------------------- inputs, devices, errors


def test_load_input_sources(content_img, tmp_path):
    gray = np.full((10, 20), 100.0, np.float32)
    img = load_input(gray)
    assert img.shape == (10, 20, 3) and np.all(img == 100.0)
    assert load_input(content_img, 24).shape == (16, 24, 3)
    path = tmp_path / "c.png"
    images.save_image(content_img, path)
    from_file = load_input(str(path))
    np.testing.assert_allclose(from_file, np.rint(content_img), atol=1.0)
    with pytest.raises(images.ImageError, match="no_such_picture"):
        load_input("no_such_picture")
    with pytest.raises(ValueError, match="shape"):
        load_input(np.zeros((4, 4, 2), np.float32))


def test_pick_device_on_a_cpu_machine():
    assert pick_device("cpu").endswith("CPU:0")
    assert pick_device("/device:CPU:0").endswith("CPU:0")
    if tf.config.list_logical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    assert pick_device(None).endswith("CPU:0")
    assert pick_device("auto").endswith("CPU:0")
    with pytest.raises(ValueError, match="cpu"):
        pick_device("gpu")
    with pytest.raises(ValueError, match="'gpu:1'"):
        pick_device("gpu:1")
    with pytest.raises(ValueError, match="'tpu'"):
        pick_device("tpu")


@pytest.mark.parametrize("kwargs, named", [
    ({"optimizer": "sgd"}, "'sgd'"),
    ({"init": "zeros"}, "'zeros'"),
    ({"iterations": 0}, "got 0"),
    ({"iterations": 2.5}, "2.5"),
    ({"size": 8}, "got 8"),
    ({"size": "big"}, "'big'"),
    ({"content_weight": -1.0}, "-1.0"),
    ({"style_weight": math.nan}, "nan"),
    ({"tv_weight": math.inf}, "inf"),
    ({"learning_rate": -0.5}, "-0.5"),
    ({"content_layers": ["conv9_1"]}, "'conv9_1'"),
    ({"style_layers": {"conv1_1": 1.0, "poool2": 1.0}}, "'poool2'"),
    ({"style_layers": []}, "at least one"),
    ({"content_normalization": "mean"}, "'mean'"),
    ({"pooling": "sum"}, "'sum'"),
    ({"device": "gpu:3"}, "'gpu:3'"),
])
def test_bad_arguments_raise_value_error_naming_the_value(content_img, style_img, random_weights, kwargs, named):
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        _run(content_img, style_img, random_weights, **kwargs)


def test_seed_drives_the_start_not_the_random_network(content_img, style_img):
    # weights='random' is always the seed-0 network; the seed only changes the noise start.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = stylize(content_img, style_img, size=32, iterations=1, optimizer="adam", init="content",
                    weights="random", seed=1)
        b = stylize(content_img, style_img, size=32, iterations=1, optimizer="adam", init="content",
                    weights="random", seed=2)
    assert a.history[0].total == b.history[0].total
    assert a.weights_source == b.weights_source == "random(seed=0)"


# --------------------------------------------------------------------------- performance options (issue 11)


def test_coarse_to_fine_starts_the_full_size_run_from_the_upsampled_coarse_result(content_img, style_img,
                                                                                  random_weights):
    """With a coarse stage, the full-size run's step 0 is the coarse stage's best image upsampled, not the content
    image; off (None/0), it is the content image. A start image switches the coarse stage off."""
    from stylelib import transfer
    from stylelib.run import pixel_bounds

    kw = dict(size=64, iterations=2, optimizer="lbfgs", coarse_iterations=4)
    off = _run(content_img, style_img, random_weights, coarse_to_fine=None, **kw)
    on = _run(content_img, style_img, random_weights, coarse_to_fine=0.5, **kw)
    assert off.history[0].content == pytest.approx(0.0, abs=1e-6)  # the content image itself
    assert on.history[0].content > 0
    assert on.image.shape == off.image.shape and [r.step for r in on.history] == [0, 1, 2]
    # step 0 is the loss of the coarse-to-fine start, which the coarse stage made from a 32 px run
    cfg = RunConfig(coarse_to_fine=0.5, **kw)
    c, s = load_input(content_img, 64), load_input(style_img, 64)
    c_pre, s_pre = images.preprocess(c, random_weights), images.preprocess(s, random_weights)
    lo, hi = pixel_bounds(random_weights)
    plan = controls.prepare(cfg, c, s)
    x0 = transfer._coarse_to_fine_start(plan, random_weights, cfg, transfer._LbfgsLoop, None, lo, hi)
    assert x0.shape == c_pre.shape
    want = float(StyleObjective.from_config(c_pre, s_pre, random_weights, cfg)(tf.constant(x0))["total"])
    assert on.history[0].total == pytest.approx(want, rel=1e-4)
    assert on.config.coarse_to_fine == 0.5 and RunConfig(coarse_to_fine=0).coarse_to_fine is None
    again = _run(content_img, style_img, random_weights, coarse_to_fine=0.5, start=c, **kw)
    assert again.history[0].content == pytest.approx(0.0, abs=1e-3)


def test_coarse_to_fine_reaches_a_lower_loss_than_plain_with_no_more_work(content_img, style_img, random_weights,
                                                                        monkeypatch):
    """Issue 12: coarse-to-fine reaches a lower loss than a plain run at equal time. Time is counted as work — the
    pixels of every image the network evaluated (forward + backward), in full-size evaluations — so the test does
    not depend on the machine's load: the plain run gets at least the coarse-to-fine run's work and ends higher.
    (Wall times: docs/PERFORMANCE.md.)"""
    from stylelib import transfer

    work = []
    evaluate = transfer._LbfgsLoop._evaluate_pixels  # every call is one evaluation of the network

    def counting(self, pixels):
        work.append(pixels.size // 3)
        return evaluate(self, pixels)

    monkeypatch.setattr(transfer._LbfgsLoop, "_evaluate_pixels", counting)
    kw = dict(size=64, optimizer="lbfgs")
    c2f = _run("sample:chelsea", "sample:stained_glass", random_weights, iterations=10, coarse_to_fine=0.5,
               coarse_iterations=20, **kw)
    pixels = c2f.image.shape[0] * c2f.image.shape[1]
    c2f_work, work[:] = sum(work) / pixels, []
    # the plain run stops at the first iteration by which it has done as much work
    plain = _run("sample:chelsea", "sample:stained_glass", random_weights, iterations=100, coarse_to_fine=None,
                 callback=lambda info: sum(work) / pixels < c2f_work, **kw)
    plain_work = sum(work) / pixels
    # measured: coarse-to-fine 19.1 full-size evaluations, best loss 4.23e6; plain 20 evaluations, 5.53e6 (64 px)
    assert plain.interrupted and c2f_work <= plain_work <= c2f_work + 4
    assert c2f.best_loss < 0.9 * plain.best_loss, (c2f.best_loss, plain.best_loss, c2f_work, plain_work)


def test_coarse_to_fine_auto_is_for_large_results_only():
    assert coarse_sides(RunConfig(), 255) == [] and coarse_sides(RunConfig(), 256) == [128]
    assert coarse_sides(RunConfig(), 512) == [256]
    assert coarse_sides(RunConfig(), 1600) == [400, 800]
    assert coarse_sides(RunConfig(coarse_to_fine=None), 2048) == []


@pytest.mark.parametrize("settings, message", [
    ({"coarse_to_fine": 1.5}, "coarse_to_fine must be"),
    ({"coarse_to_fine": "fast"}, "coarse_to_fine must be"),
    ({"coarse_iterations": 0}, "coarse_iterations"),
    ({"bfloat16": True}, "bfloat16 works with optimizer='adam'"),  # the default optimizer is L-BFGS
    ({"recompute": 6}, "recompute must be"),
    ({"recompute": "yes"}, "recompute must be"),
    ({"lbfgs_history": 0}, "lbfgs_history"),
    ({"tile_rows": -2}, "tile_rows must be"),
    ({"tile_rows": "rows"}, "tile_rows must be"),
    ({"tile_rows": 2.5}, "tile_rows must be"),
])
def test_performance_settings_are_checked(settings, message):
    with pytest.raises(ValueError, match=message) as e:
        RunConfig(**settings)
    assert "\n" not in str(e.value)


def test_bfloat16_computes_the_network_in_bfloat16(content_img, style_img, random_weights):
    """bfloat16 changes the losses a little (8 bits of mantissa), not their scale; the run still lowers the loss."""
    f32 = _run(content_img, style_img, random_weights, iterations=4, init="blend")
    bf16 = _run(content_img, style_img, random_weights, iterations=4, init="blend", bfloat16=True)
    a, b = f32.history[0].total, bf16.history[0].total
    assert a != b and b == pytest.approx(a, rel=0.05)
    assert bf16.history[-1].total < bf16.history[0].total
    cfg = RunConfig(optimizer="adam", bfloat16=True)
    pre = images.preprocess(load_input(content_img, SIZE), random_weights)
    objective = StyleObjective.from_config(pre, pre, random_weights, cfg)
    assert objective.extractor.dtype == tf.bfloat16
    assert objective(tf.constant(pre))["total"].dtype == tf.float32


def test_adam_without_a_callback_keeps_no_copy_of_the_measured_image(content_img, style_img, random_weights):
    """The per-step copy of the image is made only when a callback may ask for it; the results are the same."""
    seen = []
    with_cb = _run(content_img, style_img, random_weights, iterations=4, callback=lambda info: seen.append(1))
    without = _run(content_img, style_img, random_weights, iterations=4)
    assert [r.total for r in with_cb.history] == pytest.approx([r.total for r in without.history], rel=1e-6)
    np.testing.assert_array_equal(with_cb.best_image, without.best_image)


# --------------------------------------------------------------------------- memory levers (issue 11)


@pytest.mark.parametrize("relative", [False, True])
@pytest.mark.parametrize("tv_weight", [0.0, 1e-3])
def test_recomputing_blocks_gives_the_same_losses_and_gradient(content_pre, style_pre, random_weights, relative,
                                                               tv_weight):
    """Gradient checkpointing over VGG's blocks: the same values, bit for bit, and the same gradient (bit for bit
    here; float rounding is all a different order of additions could change), eager and compiled."""
    x = tf.constant(content_pre + np.random.default_rng(0).normal(0, 20, content_pre.shape).astype(np.float32))
    plain = StyleObjective(content_pre, style_pre, random_weights, tv_weight=tv_weight)
    v0, g0 = plain.value_and_gradient(x, relative)
    with tf.GradientTape() as tape:  # value_and_gradient without recomputation is the usual tape
        tape.watch(x)
        values = plain(x)
        target = plain.relative_total(values) if relative else values["total"]
    np.testing.assert_array_equal(tape.gradient(target, x).numpy(), g0.numpy())
    c0, cg0 = tf.function(lambda x: plain.value_and_gradient(x, relative))(x)
    for k in (1, 2, 3):
        objective = StyleObjective(content_pre, style_pre, random_weights, tv_weight=tv_weight, recompute=k)
        assert objective.extractor.segments(k)[:k] == plain.extractor.segments(3)[:k]
        v, g = objective.value_and_gradient(x, relative)
        assert {n: float(t) for n, t in v.items()} == {n: float(t) for n, t in v0.items()}
        np.testing.assert_allclose(g.numpy(), g0.numpy(), rtol=1e-6, atol=1e-6 * float(tf.reduce_max(tf.abs(g0))))
        c, cg = tf.function(lambda x, objective=objective: objective.value_and_gradient(x, relative))(x)
        assert {n: float(t) for n, t in c.items()} == {n: float(t) for n, t in c0.items()}
        np.testing.assert_allclose(cg.numpy(), cg0.numpy(), rtol=1e-6, atol=1e-6 * float(tf.reduce_max(tf.abs(cg0))))
        assert float(tf.reduce_max(tf.abs(g))) > 0


@pytest.mark.parametrize("relative", [False, True])
def test_tiled_blocks_give_the_losses_and_gradient_of_the_whole_image(random_weights, relative):
    """Row tiles (issue 11): at an odd size (37×53), with tiles of 2, 4, 5 and 16 rows, blocks 1, 1–2 and 1–3
    tiled, a style and a content layer inside block 1 (and block 2; a style layer in blocks 3 and 4): the values
    and the gradient are those of the untiled objective to float rounding, eagerly and compiled, and so are
    ``objective(x)`` and the targets (whose passes are tiled too: the content image 37×53, the style image 29×31)."""
    rng = np.random.default_rng(1)
    content = rng.uniform(-100, 100, (1, 37, 53, 3)).astype(np.float32)
    style = rng.uniform(-100, 100, (1, 29, 31, 3)).astype(np.float32)
    x = tf.constant(rng.uniform(-100, 100, (1, 37, 53, 3)).astype(np.float32))
    layers = dict(content_layers={"conv1_2": 1.0, "conv2_2": 0.5},
                  style_layers={"conv1_1": 0.3, "conv2_1": 0.3, "conv3_1": 0.4, "conv4_1": 0.2}, tv_weight=1e-3)
    plain = StyleObjective(content, style, random_weights, **layers)
    v0, g0 = plain.value_and_gradient(x, relative)
    v0 = {k: float(t) for k, t in v0.items()}
    scale = float(tf.reduce_max(tf.abs(g0)))
    for blocks in (1, 2, 3):
        for rows in (2, 4, 5, 16):
            tiled = StyleObjective(content, style, random_weights, recompute=blocks, tile_rows=rows, **layers)
            tiles = tiled._tiles(x)
            for mine, theirs in ((tiled.content_targets, plain.content_targets),
                                 (tiled.style_targets, plain.style_targets)):  # the targets passes are tiled too
                assert mine.keys() == theirs.keys()
                for k in mine:
                    np.testing.assert_allclose(mine[k].numpy(), theirs[k].numpy(), rtol=1e-5,
                                               atol=1e-6 * float(tf.reduce_max(tf.abs(theirs[k]))))
            assert tiles is not None and len(tiles) == -(-37 // (-(-rows // 2 ** blocks) * 2 ** blocks))
            for fn in (tiled.value_and_gradient, tf.function(tiled.value_and_gradient)):
                v, g = fn(x, relative)
                assert {k: float(t) for k, t in v.items()} == pytest.approx(v0, rel=1e-5)
                np.testing.assert_allclose(g.numpy(), g0.numpy(), rtol=1e-5, atol=1e-5 * scale)
            assert {k: float(t) for k, t in tiled(x).items()} == pytest.approx(v0, rel=1e-5)
    # off: no recomputation, a single tile, tile_rows 0
    assert StyleObjective(content, style, random_weights, tile_rows=4, **layers)._tiles(x) is None
    assert StyleObjective(content, style, random_weights, recompute=1, tile_rows=40, **layers)._tiles(x) is None
    assert StyleObjective(content, style, random_weights, recompute=1, **layers)._tiles(x) is None


def test_tile_rows_auto_follows_recompute_and_runs_are_the_same(content_img, style_img, random_weights):
    from stylelib.run import TILE_AUTO_PIXELS, tile_rows_for

    assert RunConfig().tile_rows == "auto" and RunConfig(tile_rows=None).tile_rows == 0
    assert tile_rows_for(RunConfig(), (681, 1024)) == -(-TILE_AUTO_PIXELS // 1024)
    assert tile_rows_for(RunConfig(), (341, 512)) == 0  # no recomputation below 1024 px: no tiles
    assert tile_rows_for(RunConfig(recompute=False), (1364, 2048)) == 0
    assert tile_rows_for(RunConfig(recompute=True), (20, 30)) == -(-TILE_AUTO_PIXELS // 30)
    assert tile_rows_for(RunConfig(tile_rows=6), (20, 30)) == 6
    pre = images.preprocess(load_input(content_img, SIZE), random_weights)
    assert StyleObjective.from_config(pre, pre, random_weights, RunConfig(recompute=1, tile_rows=4)).tile_rows == 4
    for optimizer in ("adam", "lbfgs"):
        a = _run(content_img, style_img, random_weights, iterations=4, optimizer=optimizer, tv_weight=1e-3,
                 recompute=True, tile_rows=None)
        b = _run(content_img, style_img, random_weights, iterations=4, optimizer=optimizer, tv_weight=1e-3,
                 recompute=True, tile_rows=6)
        assert [r.total for r in a.history] == pytest.approx([r.total for r in b.history], rel=1e-5)
        np.testing.assert_allclose(a.best_image.astype(float), b.best_image.astype(float), atol=1)


def test_recompute_auto_is_for_large_results_and_runs_are_the_same(content_img, style_img, random_weights):
    from stylelib.run import RECOMPUTE_AUTO_MIN_SIDE, recompute_blocks

    assert recompute_blocks(RunConfig(), (RECOMPUTE_AUTO_MIN_SIDE - 1, 10)) == 0
    assert recompute_blocks(RunConfig(), (10, RECOMPUTE_AUTO_MIN_SIDE)) == 2
    assert recompute_blocks(RunConfig(recompute=False), (4000, 4000)) == 0
    assert RunConfig(recompute=True).recompute == 2 and RunConfig(recompute=None).recompute == 0
    pre = images.preprocess(load_input(content_img, SIZE), random_weights)
    assert StyleObjective.from_config(pre, pre, random_weights, RunConfig(recompute=3)).recompute == 3
    assert StyleObjective.from_config(pre, pre, random_weights, RunConfig()).recompute == 0  # 32 px: off
    for optimizer in ("adam", "lbfgs"):
        a = _run(content_img, style_img, random_weights, iterations=4, optimizer=optimizer, tv_weight=1e-3)
        b = _run(content_img, style_img, random_weights, iterations=4, optimizer=optimizer, tv_weight=1e-3,
                 recompute=True)
        assert [r.total for r in a.history] == pytest.approx([r.total for r in b.history], rel=1e-5)
        np.testing.assert_allclose(a.best_image.astype(float), b.best_image.astype(float), atol=1)


def test_a_large_style_image_has_its_targets_pass_compiled_with_the_same_targets(content_pre, style_pre,
                                                                                 random_weights, monkeypatch):
    """From ``memory.COMPILED_TARGETS_PIXELS`` a style image's pass is a compiled function (its peak: 2.5 GB, not 3.4,
    for a 1500 px style with a 64 px content); the targets are the same as eagerly, and the memory estimate counts
    the compiled pass's copies."""
    from stylelib import memory
    from stylelib.run import RunConfig

    eager = StyleObjective(content_pre, style_pre, random_weights)
    traced = []
    real_function = tf.function
    monkeypatch.setattr(tf, "function", lambda f, **kw: traced.append(f.__name__) or real_function(f, **kw))
    monkeypatch.setattr(memory, "COMPILED_TARGETS_PIXELS", style_pre.shape[1] * style_pre.shape[2])
    compiled = StyleObjective(content_pre, style_pre, random_weights)
    assert traced == ["style_pass"]  # only the style image's pass: the content is small
    for layer in eager.style_layers:
        np.testing.assert_allclose(compiled.style_targets[layer].numpy(), eager.style_targets[layer].numpy(),
                                   rtol=1e-6)
    monkeypatch.undo()
    # the estimate against the measured peaks (memory.COMPILED_TARGETS_LARGEST's docstring): within 5 %
    for side, measured_mb in ((1500, 2524), (3000, 7493)):
        config = RunConfig(size=64, style_size=side, iterations=1)
        estimate = memory.estimate_peak_bytes(config, (43, 64), (side, side)).total / 2 ** 20
        assert abs(estimate / measured_mb - 1) < 0.05, (side, estimate)


def test_the_targets_are_those_of_the_whole_network_run(content_pre, style_pre, random_weights):
    """The targets are taken layer by layer (each layer freed as soon as its Gram matrix is made): the same values
    as from one call that returns every layer."""
    from stylelib import losses

    objective = StyleObjective(content_pre, style_pre, random_weights)
    feats_c = objective.extractor(tf.constant(content_pre))
    feats_s = objective.extractor(tf.constant(style_pre))
    for layer in objective.content_layers:
        np.testing.assert_array_equal(objective.content_targets[layer].numpy(), feats_c[layer].numpy())
    for layer in objective.style_layers:
        np.testing.assert_array_equal(objective.style_targets[layer].numpy(),
                                      losses.gram_matrix(feats_s[layer]).numpy())
    # with recomputation (large images) each image's pass is compiled: the same targets, bit for bit, also for a
    # style image of another size (its Gram matrices rescaled to the content's positions)
    small_style = style_pre[:, :24, :40]
    for style in (style_pre, small_style):
        eager = StyleObjective(content_pre, style, random_weights)
        compiled = StyleObjective(content_pre, style, random_weights, recompute=1)
        for layer in objective.content_layers:
            np.testing.assert_array_equal(compiled.content_targets[layer].numpy(), eager.content_targets[layer].numpy())
        for layer in objective.style_layers:
            np.testing.assert_array_equal(compiled.style_targets[layer].numpy(), eager.style_targets[layer].numpy())
    ratio = (32 * 48) / (24 * 40)  # conv1_1 keeps the image's size: the style's Gram times M_x / M_a
    np.testing.assert_allclose(eager.style_targets["conv1_1"].numpy(),
                               losses.gram_matrix(eager.extractor(tf.constant(small_style))["conv1_1"]).numpy() * ratio,
                               rtol=1e-6)


@pytest.mark.parametrize("direct", [True, False])
def test_lbfgs_b_takes_scipys_steps_bit_for_bit(direct, monkeypatch):
    """stylelib's call of scipy's L-BFGS-B routine (no copies of the bounds) gives minimize's iterates exactly,
    for both history sizes, and its stop message; so does its fallback for other scipy versions (direct=False)."""
    from scipy.optimize import Bounds, minimize

    from stylelib import lbfgsb
    from stylelib.lbfgsb import lbfgs_b

    assert lbfgsb.DIRECT, "scipy >= 1.15 is installed here: the direct path must be the one tested"
    monkeypatch.setattr(lbfgsb, "DIRECT", direct)

    rng = np.random.default_rng(1)
    n = 500
    a, b = rng.normal(size=(n, 12)), rng.normal(size=n) * 3

    def fun(x):
        r = a.T @ (x - b)
        return 0.5 * float(r @ r) + 2.5e-4 * float(np.sum(x ** 4)), a @ r + 1e-3 * x ** 3

    def fg(x, g):
        f, grad = fun(x)
        g[...] = grad
        return f

    lo, hi, x0 = np.full(n, -1.0), np.full(n, 2.0), rng.uniform(-1.5, 2.5, n)  # x0 partly outside: clipped
    for history, maxiter in ((10, 25), (5, 25), (10, 1000)):
        theirs, ours = [], []
        res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi),
                       callback=lambda xk, seen=theirs: seen.append(xk.copy()),
                       options={"maxiter": maxiter, "maxfun": 3 * maxiter, "maxcor": history, "gtol": 0.0})
        evaluated = []
        message = lbfgs_b(lambda x, g, seen=evaluated: seen.append(x.copy()) or fg(x, g), x0, lo, hi,
                          history=history, maxiter=maxiter, maxfun=3 * maxiter,
                          callback=lambda x, seen=ours: seen.append(x.copy()))
        assert len(ours) == len(theirs) > 5
        # no point evaluated twice (the start, which the solver asks for again, is skipped), as minimize does
        assert len(evaluated) == res.nfev
        assert len({p.tobytes() for p in evaluated}) == len(evaluated)
        for p, q in zip(theirs, ours, strict=True):
            np.testing.assert_array_equal(p, q)
        assert message == res.message

    # overwrite_x0 (what the TF2 engine asks for): the same iterates, and the solver's point is x0 itself — at the
    # end, the last iterate (on the direct path; the fallback leaves x0 alone). The bounds are never changed.
    start, lo_before, hi_before = x0.copy(), lo.copy(), hi.copy()
    again = []
    lbfgs_b(fg, x0, lo, hi, history=10, maxiter=25, maxfun=75, callback=lambda x: again.append(x.copy()),
            overwrite_x0=True)
    first = []
    lbfgs_b(fg, start, lo, hi, history=10, maxiter=25, maxfun=75, callback=lambda x: first.append(x.copy()))
    assert len(again) == len(first) == 25
    for p, q in zip(first, again, strict=True):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(x0, again[-1] if direct else start)
    np.testing.assert_array_equal(lo, lo_before)
    np.testing.assert_array_equal(hi, hi_before)


def test_lbfgs_b_holds_no_copy_of_the_bounds_or_of_an_overwritable_start():
    """Issue 11 (memory): at 2048 px each float64 vector of the image is 67 MB. Counted with tracemalloc (NumPy
    reports its allocations to it): the solver's own arrays are its work array (2·m + 5 vectors), the gradient and
    the integer arrays (2 vectors' worth) — 2·m + 8; copying the start and the two bounds would be 3 more (and
    np.clip's temporary, before issue 11's stop 18), and keeping a copy of the last point evaluated (before stop 20)
    one more."""
    import tracemalloc

    from stylelib.lbfgsb import lbfgs_b

    n, m = 200_000, 4
    rng = np.random.default_rng(0)
    target, scale = rng.uniform(-1, 1, n), rng.uniform(1, 10, n)

    def fg(x, g):  # in place: no vectors of its own
        np.subtract(x, target, out=g)
        f = 0.5 * float(np.dot(scale * g, g))
        g *= scale
        return f

    def peak_vectors(**kw):
        x0, lo, hi = np.zeros(n), np.full(n, -0.5), np.full(n, 0.5)
        tracemalloc.start()
        tracemalloc.reset_peak()
        lbfgs_b(fg, x0, lo, hi, history=m, maxiter=6, **kw)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak / (8 * n)

    lean, copying = peak_vectors(overwrite_x0=True), peak_vectors()
    assert 2 * m + 8 < lean < 2 * m + 9.5  # and fg's `scale * g`, one vector for a moment
    assert lean + 0.9 < copying < lean + 1.5  # the start copied when it may not be overwritten; the bounds never


def test_lbfgs_history_is_scipys_maxcor(content_img, style_img, random_weights, monkeypatch):
    from stylelib import transfer

    seen = []
    real = transfer.lbfgs_b
    monkeypatch.setattr(transfer, "lbfgs_b", lambda *a, **kw: seen.append(kw["history"]) or real(*a, **kw))
    default = _run(content_img, style_img, random_weights, iterations=5, optimizer="lbfgs")
    short = _run(content_img, style_img, random_weights, iterations=5, optimizer="lbfgs", lbfgs_history=2)
    assert seen == [10, 2]
    assert RunConfig().lbfgs_history == 10
    # the same first iteration (no correction pair yet), then other steps
    assert default.history[1].total == short.history[1].total
    assert [r.total for r in default.history] != [r.total for r in short.history]


# --------------------------------------------------------------------------- what a finished run leaves behind


@pytest.mark.parametrize("optimizer", ["adam", "lbfgs"])
def test_a_finished_loop_leaves_its_traced_graph_to_the_collector(content_pre, style_pre, random_weights, optimizer):
    """Issue 11 (kernel memory): once a loop is gone, so is the graph its step was traced into — and with it the
    tensors the graph captured (the objective's weights and targets). Keras' ``apply_gradients`` in a traced
    function registered a gradient function in TensorFlow's global registry that held the graph for good
    (tensorflow/tensorflow#97697): 55–80 MB left behind by every Adam ``stylize`` call."""
    import gc
    import weakref

    from stylelib import transfer

    objective = StyleObjective(content_pre, style_pre, random_weights)
    from stylelib.run import pixel_bounds

    lo, hi = pixel_bounds(random_weights)
    loop = transfer._loop_for(RunConfig(optimizer=optimizer))(objective, np.array(content_pre), lo, hi, 2.0,
                                                            keep_last=False)
    loop.run(2, lambda *args: None)
    if optimizer == "adam":
        graph = weakref.ref(loop._step.get_concrete_function().graph)
    else:
        graph = weakref.ref(loop._vg.get_concrete_function(tf.constant(np.array(content_pre))).graph)
    kernel = weakref.ref(objective.extractor._kernels["conv1_1"])
    del loop, objective
    gc.collect()
    assert graph() is None
    assert kernel() is None


def test_the_adam_update_is_keras_apply_gradients_bit_for_bit(content_pre, style_pre, random_weights):
    """_AdamLoop applies Adam's update rule without apply_gradients (whose all-reduce kept the traced graph): the
    image, Adam's slots and its step count after some steps are those of apply_gradients, bit for bit."""
    from stylelib import transfer

    objective = StyleObjective(content_pre, style_pre, random_weights)
    runs = []
    for keras_apply in (False, True):
        loop = transfer._AdamLoop(objective, np.array(content_pre), -150.0, 150.0, 4.0, keep_last=False)
        if keras_apply:
            loop._apply = lambda grad, loop=loop: loop.opt.apply_gradients([(grad, loop.x)])
        totals = [float(loop._step()["total"]) for _ in range(5)]
        runs.append((totals, loop.x.numpy(), [v.numpy() for v in loop.opt.variables]))
    (t0, x0, s0), (t1, x1, s1) = runs
    assert t0 == t1 and len(set(t0)) == len(t0)  # every step moved the image
    np.testing.assert_array_equal(x0, x1)
    assert len(s0) == len(s1) == 4 and s0[0] == 5  # the step count, the learning rate, m and v
    for a, b in zip(s0, s1, strict=True):
        np.testing.assert_array_equal(a, b)
