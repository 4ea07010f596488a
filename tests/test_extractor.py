"""stylelib.extractor: the TF2 feature extractor and the Keras model give the TF1 graph's activations."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stylelib import extractor, vgg19
from stylelib.extractor import FeatureExtractor, keras_vgg19, weight_tensors
from stylelib.vgg19 import canonical_layer
from stylelib.vgg19 import layer_key as output_key
from stylelib.graph import build_graph

tf1 = tf.compat.v1

CHECKED = ["conv1_1", "pool1", "conv2_2", "pool2", "conv3_1", "conv4_2", "pool4", "conv5_1", "pool5"]


def _keys(pooling):
    return [output_key(l, pooling) for l in CHECKED]


def assert_close(got, want, what=""):
    """max |got - want| <= 1e-4 x max |want| (relative to the layer's scale)."""
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert got.shape == want.shape, what
    scale = max(np.abs(want).max(), 1e-6)
    assert np.abs(got - want).max() <= 1e-4 * scale, (what, np.abs(got - want).max(), scale)


@pytest.fixture(scope="module", params=["avg", "max"])
def tf1_acts(request, random_weights, content_pre):
    """TF1 activations of CHECKED layers for the content image, per pooling type."""
    pooling = request.param
    g = tf.Graph()
    with g.as_default():
        model = build_graph(random_weights, 32, 48, pooling=pooling)
        load = model["input"].assign(content_pre)
    with tf1.Session(graph=g) as sess:
        sess.run(model["input"].initializer)
        sess.run(load)
        acts = sess.run({k: model[k] for k in _keys(pooling)})
    return pooling, acts


def test_extractor_equals_tf1_graph(tf1_acts, random_weights, content_pre):
    pooling, acts = tf1_acts
    fe = FeatureExtractor(random_weights, _keys(pooling), pooling=pooling)
    out = fe(content_pre)
    assert sorted(out) == sorted(acts)
    for key, want in acts.items():
        assert out[key].dtype == tf.float32
        assert_close(out[key].numpy(), want, key)
    # the activations are not trivially zero, so the comparison means something
    assert np.abs(acts[output_key("pool5", pooling)]).max() > 0


def test_extractor_inside_tf_function_equals_eager(random_weights, content_pre):
    fe = FeatureExtractor(random_weights, ["conv3_1", "avgpool2"])
    eager = fe(content_pre)
    compiled = tf.function(fe)(tf.constant(content_pre))
    for key in eager:
        assert_close(compiled[key].numpy(), eager[key].numpy(), key)


def test_keras_model_equals_extractor_and_tf1(tf1_acts, random_weights, content_pre):
    import keras

    pooling, acts = tf1_acts
    model = keras_vgg19(random_weights, up_to="pool3", pooling=pooling)
    names = [l.name for l in model.layers]
    assert names == ["input", "conv1_1", "conv1_2", f"{pooling}pool1", "conv2_1", "conv2_2", f"{pooling}pool2",
                     "conv3_1", "conv3_2", "conv3_3", "conv3_4", f"{pooling}pool3"]
    wanted = ["conv1_1", f"{pooling}pool1", "conv2_2", f"{pooling}pool2", "conv3_1"]
    probe = keras.Model(model.input, [model.get_layer(n).output for n in wanted])
    outs = dict(zip(wanted, probe(content_pre), strict=True))
    fe = FeatureExtractor(random_weights, wanted, pooling=pooling)(content_pre)
    for key in wanted:
        got = np.asarray(outs[key])
        assert_close(got, acts[key], f"keras vs tf1 {key}")
        assert_close(got, fe[key].numpy(), f"keras vs extractor {key}")
    final = np.asarray(model(content_pre))
    assert final.shape == (1, 4, 6, 256)
    assert_close(final, FeatureExtractor(random_weights, ["pool3"], pooling=pooling)(content_pre)["pool3"].numpy())


def test_keras_model_any_size_and_conv_cut(random_weights):
    model = keras_vgg19(random_weights, up_to="conv2_1")
    assert model.layers[-1].name == "conv2_1"
    x = np.random.default_rng(0).normal(0, 50, (1, 20, 28, 3)).astype(np.float32)
    out = np.asarray(model(x))
    assert out.shape == (1, 10, 14, 128)
    assert_close(out, FeatureExtractor(random_weights, ["conv2_1"])(x)["conv2_1"].numpy())


@pytest.mark.parametrize("pooling", ["avg", "max"])
def test_built_layers_stop_at_the_deepest_requested(random_weights, pooling):
    fe = FeatureExtractor(random_weights, ["conv3_1", "conv1_2"], pooling=pooling)
    p = pooling
    assert fe.built_layers == ("conv1_1", "conv1_2", f"{p}pool1", "conv2_1", "conv2_2", f"{p}pool2", "conv3_1")
    assert sorted(fe._kernels) == ["conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1"]
    assert FeatureExtractor(random_weights, ["conv1_1"]).built_layers == ("conv1_1",)
    assert len(FeatureExtractor(random_weights, ["pool5"]).built_layers) == 21


def test_returns_exactly_the_requested_names(random_weights, content_pre):
    out = FeatureExtractor(random_weights, ["conv2_1", "pool1", "conv1_1"])(content_pre)
    assert sorted(out) == ["conv1_1", "conv2_1", "pool1"]
    assert out["pool1"].shape == (1, 16, 24, 64)
    assert out["conv2_1"].shape == (1, 16, 24, 128)


def test_pool_aliases_give_the_same_activations(random_weights, content_pre):
    a = FeatureExtractor(random_weights, ["pool1"])(content_pre)
    b = FeatureExtractor(random_weights, ["avgpool1"])(content_pre)
    assert list(a) == ["pool1"] and list(b) == ["avgpool1"]
    np.testing.assert_array_equal(a["pool1"].numpy(), b["avgpool1"].numpy())
    # both spellings in one request: each is returned under the name given
    both = FeatureExtractor(random_weights, ["pool1", "avgpool1", "conv1_1"])(content_pre)
    assert sorted(both) == ["avgpool1", "conv1_1", "pool1"]
    np.testing.assert_array_equal(both["pool1"].numpy(), both["avgpool1"].numpy())


def test_canonical_layer_and_output_key():
    assert canonical_layer("avgpool3") == "pool3"
    assert canonical_layer("maxpool3") == "pool3"
    assert canonical_layer("pool3") == "pool3"
    assert canonical_layer("conv4_2") == "conv4_2"
    assert output_key("pool2", "max") == "maxpool2"
    assert output_key("conv2_1", "max") == "conv2_1"


@pytest.mark.parametrize("bad", ["conv6_1", "block1_conv1", "pool6", "avgpool0", ""])
def test_unknown_layer_is_named(random_weights, bad):
    with pytest.raises(ValueError, match=f"'{bad}'"):
        FeatureExtractor(random_weights, ["conv1_1", bad])
    with pytest.raises(ValueError, match=f"'{bad}'"):
        keras_vgg19(random_weights, up_to=bad)


def test_other_errors(random_weights):
    with pytest.raises(ValueError, match="pooling"):
        FeatureExtractor(random_weights, ["conv1_1"], pooling="sum")
    with pytest.raises(ValueError, match="at least one"):
        FeatureExtractor(random_weights, [])
    fe = FeatureExtractor(random_weights, ["conv1_1"])
    with pytest.raises(ValueError, match="shape"):
        fe(np.zeros((8, 8, 3), np.float32))  # not a batch
    with pytest.raises(ValueError, match="shape"):
        fe(np.zeros((1, 8, 8, 4), np.float32))


def test_float16_runs_and_is_close(random_weights, content_pre):
    layers = ["conv1_1", "pool2", "conv4_2", "conv5_1"]
    f32 = FeatureExtractor(random_weights, layers)(content_pre)
    f16 = FeatureExtractor(random_weights, layers, dtype="float16")(content_pre)
    for key in layers:
        assert f16[key].dtype == tf.float16
        got = f16[key].numpy().astype(np.float64)
        want = f32[key].numpy().astype(np.float64)
        assert np.all(np.isfinite(got)), key
        scale = np.abs(want).max()
        assert np.abs(got - want).max() <= 2e-2 * scale, key
        # relative error over the whole layer is much smaller than float16's worst case
        assert np.linalg.norm(got - want) <= 5e-3 * np.linalg.norm(want), key


def test_pool_name_of_the_other_pooling_is_refused(random_weights):
    with pytest.raises(ValueError, match="maxpool1.*pooling='avg'"):
        FeatureExtractor(random_weights, ["maxpool1"], pooling="avg")
    with pytest.raises(ValueError, match="avgpool2"):
        FeatureExtractor(random_weights, ["conv1_1", "avgpool2"], pooling="max")


def test_traced_ops_are_named_after_their_layer(random_weights):
    fe = FeatureExtractor(random_weights, ["conv2_1"])
    graph = tf.function(fe).get_concrete_function(tf.TensorSpec((1, 8, 8, 3), tf.float32)).graph
    convs = [op.name.split("/")[0] for op in graph.get_operations() if op.type == "Conv2D"]
    pools = [op.name.split("/")[0] for op in graph.get_operations() if op.type == "AvgPool"]
    assert convs == ["conv1_1", "conv1_2", "conv2_1"] and pools == ["avgpool1"]


def test_extractors_share_one_set_of_weight_tensors_while_one_holds_them(random_weights):
    """Issue 11 (kernel memory): every extractor of the same weights, dtype and device holds the same kernel and
    bias tensors (one copy of the weights, not one per extractor); the copy goes with the last extractor."""
    import copy
    import gc
    import weakref

    from stylelib.extractor import weight_tensors

    # a weights object of this test's own (the same arrays): the cache is keyed on the object, and what other
    # tests of the session still hold for the shared fixture must not decide this test
    random_weights = copy.copy(random_weights)

    a = FeatureExtractor(random_weights, ["conv2_1"])
    b = FeatureExtractor(random_weights, ["conv1_1", "conv3_1"])
    for name in ("conv1_1", "conv1_2", "conv2_1"):
        assert a._kernels[name] is b._kernels[name] and a._biases[name] is b._biases[name]
        np.testing.assert_array_equal(a._kernels[name].numpy(), random_weights.kernels[name])
    assert b._kernels["conv3_1"] is not None and "conv3_1" not in a._kernels
    # (the tests above check the values the shared tensors give against the TF1 graph)
    half = FeatureExtractor(random_weights, ["conv1_1"], dtype="float16")
    assert half._kernels["conv1_1"].dtype == tf.float16 and half._kernels["conv1_1"] is not a._kernels["conv1_1"]
    with tf.device("/CPU:0"):  # the device is part of the key; on a CPU-only machine it is the same one
        assert FeatureExtractor(random_weights, ["conv1_1"])._kernels["conv1_1"].device == a._kernels["conv1_1"].device

    kernel = weakref.ref(a._kernels["conv1_2"])
    del a, b
    gc.collect()
    assert kernel() is None  # no extractor holds it: freed, not cached for good
    fresh, _ = weight_tensors(random_weights, "conv1_2")
    np.testing.assert_array_equal(fresh.numpy(), random_weights.kernels["conv1_2"])

    @tf.function
    def traced():
        k, _ = weight_tensors(random_weights, "conv1_1")
        return k.op.type  # in a trace: a constant of that graph, not the cache's eager tensor

    assert traced().numpy() == b"Const"


def test_row_tiles_cover_the_rows_with_an_aligned_halo(random_weights):
    """Row tiles (issue 11): the kept rows cover the image once; the halo is what the convolutions read, rounded up
    to the pools' alignment; every tile starts on the pooling grid."""
    fe = FeatureExtractor(random_weights, ["conv3_1"])
    for stop, halo, align in ((3, 2, 2), (6, 8, 4)):  # block 1: 2 rows; blocks 1-2: 2 + 4 = 6, rounded up to 8
        for height, rows in ((37, 2), (37, 5), (40, 16), (9, 100)):
            tiles = fe.row_tiles(height, rows, stop)
            assert [t.r0 for t in tiles][0] == 0 and tiles[-1].r1 == height
            assert all(a.r1 == b.r0 for a, b in zip(tiles, tiles[1:], strict=False))
            for t in tiles:
                assert t.align == align and t.s % align == 0 and t.r0 % align == 0
                assert t.s == max(0, t.r0 - halo) and t.e == min(height, t.r1 + halo)
    t = fe.row_tiles(37, 4, 6)[2]  # rows 8..12 from 0..20: pool1's rows 4..6 are its local rows 4..6
    assert (t.s, t.e, t.r0, t.r1) == (0, 20, 8, 12) and t.kept(0) == (8, 12) and t.kept(1) == (4, 6)
    assert fe.row_tiles(37, 4, 6)[-1].kept(2) == (2, 3)  # the last row of pool2 (⌈37/4⌉ = 10 rows)
    assert fe.row_levels(6) == {} and FeatureExtractor(random_weights, ["conv1_2", "pool2"]).row_levels(6) == {
        "conv1_2": 0, "pool2": 2}
    with pytest.raises(ValueError, match="tile_rows"):
        fe.row_tiles(37, 0, 3)


def test_conv3d_form_gives_the_conv2d_values_and_gradient(random_weights):
    """Issue 11 (stop 18): ``as_conv3d`` runs each conv as a depth-1 ``Conv3D`` in a traced function (oneDNN's
    preferred kernel layout on a CPU), with the values and the input gradient of the plain ``Conv2D`` form — also
    with biases that are not zero (the random weights' are). The engine uses it for float32 off a GPU."""
    import dataclasses

    from stylelib.transfer import StyleObjective

    rng = np.random.default_rng(3)
    weights = dataclasses.replace(random_weights, biases={
        k: rng.normal(0, 0.1, b.shape).astype(np.float32) for k, b in random_weights.biases.items()})
    layers = ["conv1_1", "conv2_1", "conv3_1"]
    x = tf.constant(rng.uniform(-100, 100, (1, 20, 28, 3)).astype(np.float32))
    results, graphs = {}, {}
    for form in (False, True):
        fe = FeatureExtractor(weights, layers, as_conv3d=form)

        @tf.function
        def value_and_grad(x, fe=fe):
            with tf.GradientTape() as tape:
                tape.watch(x)
                out = fe(x)
                total = sum(tf.reduce_sum(out[k] ** 2) for k in layers)
            return out, tape.gradient(total, x)

        results[form] = value_and_grad(x)
        graphs[form] = value_and_grad.get_concrete_function(x).graph
    for k in layers:
        np.testing.assert_allclose(results[True][0][k].numpy(), results[False][0][k].numpy(), rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(results[True][1].numpy(), results[False][1].numpy(), rtol=1e-4,
                               atol=1e-4 * float(tf.reduce_max(tf.abs(results[False][1]))))
    kinds = {form: [op.type for op in g.get_operations()] for form, g in graphs.items()}
    assert (kinds[False].count("Conv2D"), kinds[False].count("Conv3D")) == (5, 0)
    assert (kinds[True].count("Conv2D"), kinds[True].count("Conv3D")) == (0, 5)
    # each Conv3D feeds a BiasAdd that feeds a Relu, all 5-D, so Grappler's remapper can fuse the three
    for op in graphs[True].get_operations():
        if op.type == "Conv3D" and "gradient" not in op.name:
            (bias,) = [c for c in op.outputs[0].consumers() if "gradient" not in c.name]
            (relu,) = [c for c in bias.outputs[0].consumers() if "gradient" not in c.name]
            assert (bias.type, relu.type, relu.outputs[0].shape.rank) == ("BiasAdd", "Relu", 5), op.name
    # eagerly both forms run Conv2D, and give the traced values
    eager = FeatureExtractor(weights, layers, as_conv3d=True)(x)
    np.testing.assert_allclose(eager["conv3_1"].numpy(), results[True][0]["conv3_1"].numpy(), rtol=1e-5, atol=1e-3)
    # the engine: float32 here (no GPU) takes the Conv3D form; bfloat16 keeps Conv2D
    pre = np.zeros((1, 16, 16, 3), np.float32)
    assert StyleObjective(pre, pre, random_weights).extractor.as_conv3d is True
    assert StyleObjective(pre, pre, random_weights, dtype="bfloat16").extractor.as_conv3d is False


def test_float32_cpu_weight_tensors_are_the_weights_own_buffers():
    """issue 11, memory: the engine's float32 CPU kernels and biases are the VGG19Weights' arrays themselves
    (DLPack, no second copy), which VGG19Weights keeps read-only on a 64-byte boundary; other dtypes get a copy."""
    rng = np.random.default_rng(3)
    kernels = {l.name: rng.normal(0, 0.01, (3, 3, l.in_channels, l.out_channels)).astype(np.float32)
               for l in vgg19.LAYERS if l.kind == "conv"}
    kernels["conv1_2"] = np.asfortranarray(kernels["conv1_2"])  # not C-contiguous: copied into place too
    biases = {l.name: np.zeros(l.out_channels, np.float32) for l in vgg19.LAYERS if l.kind == "conv"}
    w = vgg19.VGG19Weights(kernels, biases, "RGB", (0.0, 0.0, 0.0), source="test")
    for arrays in (w.kernels, w.biases):
        assert all(a.ctypes.data % vgg19.ALIGNMENT == 0 and a.flags.c_contiguous and not a.flags.writeable
                   for a in arrays.values())
    np.testing.assert_array_equal(w.kernels["conv1_2"], kernels["conv1_2"])  # the same values (maybe moved)
    with pytest.raises(ValueError, match="read-only"):
        w.kernels["conv2_1"][0, 0, 0, 0] = 1.0
    k, b = weight_tensors(w, "conv2_1")
    k16, _ = weight_tensors(w, "conv2_1", "float16")
    np.testing.assert_array_equal(k.numpy(), w.kernels["conv2_1"])
    ex = FeatureExtractor(w, ["conv1_1"])
    x = np.ones((1, 4, 4, 3), np.float32)
    compiled = tf.function(ex)
    y, y_compiled = ex(x)["conv1_1"].numpy(), compiled(x)["conv1_1"].numpy()  # traced before the change below
    before = float(k16[0, 0, 0, 0])
    writable = extractor._writable_alias  # the bytes under the read-only view
    # the buffer itself changed: the tensors see it, the float16 copy does not
    writable(w.kernels["conv2_1"])[0, 0, 0, 0] = 7.0
    writable(w.biases["conv2_1"])[5] = -2.0
    assert float(k[0, 0, 0, 0]) == 7.0 and float(b[5]) == -2.0
    assert float(k16[0, 0, 0, 0]) == before
    # and a network built on them, eager and already traced, computes with the changed buffer
    writable(w.kernels["conv1_1"])[...] *= 2.0
    np.testing.assert_allclose(ex(x)["conv1_1"].numpy(), 2.0 * y, rtol=1e-6)
    np.testing.assert_allclose(compiled(x)["conv1_1"].numpy(), 2.0 * y_compiled, rtol=1e-6)
