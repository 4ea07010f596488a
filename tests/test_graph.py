"""stylelib.graph: the TF1 dict-of-nodes network, and which ops a sess.run really executes."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from stylelib import vgg19
from stylelib.graph import build_graph, executed_ops, graph_layer_names, ops_of_layers, run_with_trace

tf1 = tf.compat.v1

# written out by hand, so the test does not depend on the table it checks
EXPECTED_AVG = [
    "conv1_1", "conv1_2", "avgpool1",
    "conv2_1", "conv2_2", "avgpool2",
    "conv3_1", "conv3_2", "conv3_3", "conv3_4", "avgpool3",
    "conv4_1", "conv4_2", "conv4_3", "conv4_4", "avgpool4",
    "conv5_1", "conv5_2", "conv5_3", "conv5_4", "avgpool5",
]  # fmt: skip
EXPECTED_MAX = [n.replace("avgpool", "maxpool") for n in EXPECTED_AVG]
CONVS = [n for n in EXPECTED_AVG if n.startswith("conv")]


def _build(weights, h, w, pooling="avg"):
    g = tf.Graph()
    with g.as_default():
        model = build_graph(weights, h, w, pooling=pooling)
    return g, model


@pytest.fixture(scope="module")
def big(random_weights):
    return _build(random_weights, 64, 96)


@pytest.fixture(scope="module")
def traced(random_weights, content_pre):
    """A 32 x 48 graph in a session with the content image loaded."""
    g, model = _build(random_weights, 32, 48)
    with g.as_default():
        load = model["input"].assign(content_pre)
    sess = tf1.Session(graph=g)
    sess.run(model["input"].initializer)
    sess.run(load)
    yield g, model, sess
    sess.close()


def test_keys_in_network_order(big, random_weights):
    _, model = big
    assert list(model) == ["input", *EXPECTED_AVG]
    assert len(model) == 22
    assert graph_layer_names() == EXPECTED_AVG
    assert graph_layer_names("max") == EXPECTED_MAX


def test_max_pooling_names_and_ops(random_weights):
    g, model = _build(random_weights, 8, 8, pooling="max")
    assert list(model) == ["input", *EXPECTED_MAX]
    assert model["maxpool3"].op.type == "MaxPool"
    assert g.get_operation_by_name("maxpool1").type == "MaxPool"


def test_avg_pooling_ops(big):
    g, model = big
    assert model["avgpool3"].op.type == "AvgPool"
    assert not [op for op in g.get_operations() if op.type == "MaxPool"]


def test_exactly_one_variable_the_input(big):
    g, model = big
    trainable = g.get_collection(tf1.GraphKeys.TRAINABLE_VARIABLES)
    assert len(trainable) == 1 and trainable[0] is model["input"]
    assert len(g.get_collection(tf1.GraphKeys.GLOBAL_VARIABLES)) == 1
    assert model["input"].name == "input:0"
    assert model["input"].dtype.base_dtype == tf.float32
    variable_ops = [op.name for op in g.get_operations() if op.type in ("VarHandleOp", "VariableV2", "Variable")]
    assert variable_ops == ["input"]
    for key in EXPECTED_AVG:
        assert isinstance(model[key], tf.Tensor), key


def test_weights_are_constants_with_the_loaded_values(big, random_weights):
    g, _ = big
    for name in CONVS:
        for part in ("kernel", "bias"):
            assert g.get_operation_by_name(f"{name}/{part}").type == "Const", (name, part)
    for name in ("conv1_1", "conv5_4"):
        kernel = tf.make_ndarray(g.get_operation_by_name(f"{name}/kernel").get_attr("value"))
        np.testing.assert_array_equal(kernel, random_weights.kernels[name])


@pytest.mark.parametrize("h, w", [(64, 96), (33, 47)])
def test_static_shapes_match_layer_shapes(random_weights, big, h, w):
    model = big[1] if (h, w) == (64, 96) else _build(random_weights, h, w)[1]
    shapes = vgg19.layer_shapes(h, w)
    assert model["input"].shape.as_list() == [1, h, w, 3]
    for key in EXPECTED_AVG:
        assert tuple(model[key].shape.as_list()) == (1, *shapes[key.replace("avg", "")]), key


def test_layer_shapes_by_hand():
    shapes = vgg19.layer_shapes(64, 96)
    assert shapes["conv1_1"] == (64, 96, 64)
    assert shapes["pool1"] == (32, 48, 64)
    assert shapes["conv4_2"] == (8, 12, 512)
    assert shapes["pool5"] == (2, 3, 512)
    assert vgg19.layer_shapes(33, 47)["pool1"] == (17, 24, 64)  # SAME pooling rounds up


def test_built_inside_a_given_graph(random_weights):
    g = tf.Graph()
    with g.as_default():
        model = build_graph(random_weights, 8, 8)
    assert all(t.graph is g for t in model.values())


def test_build_while_eager_makes_a_fresh_graph(random_weights):
    assert tf.executing_eagerly()
    default = tf1.get_default_graph()
    n_default = len(default.get_operations())
    model = build_graph(random_weights, 8, 8)
    g = model["input"].graph
    assert isinstance(g, tf.Graph) and g is not default
    assert all(t.graph is g for t in model.values())
    assert len(default.get_operations()) == n_default
    assert tf.executing_eagerly()
    again = build_graph(random_weights, 8, 8)
    assert again["input"].graph is not g  # each call gets its own graph
    assert len(g.get_operations()) == len(again["input"].graph.get_operations())


def test_session_runs_and_matches_eager_conv(traced, random_weights, content_pre):
    _, model, sess = traced
    conv11 = sess.run(model["conv1_1"])
    want = tf.nn.relu(tf.nn.conv2d(content_pre, random_weights.kernels["conv1_1"], 1, "SAME")
                      + random_weights.biases["conv1_1"]).numpy()
    np.testing.assert_allclose(conv11, want, rtol=1e-5, atol=1e-3)


def test_executed_ops_to_conv2_1(traced):
    _, model, sess = traced
    ops = executed_ops(sess, model["conv2_1"])
    assert ops, "the trace recorded no ops"
    assert ops_of_layers(ops) == ["conv1_1", "conv1_2", "avgpool1", "conv2_1"]
    for later in ("conv2_2", "avgpool2", "conv3_1", "conv4_1", "conv4_2", "conv5_1"):
        assert not any(n == later or n.startswith(later + "/") for n in ops), later


def test_executed_ops_to_conv5_1(traced):
    _, model, sess = traced
    layers = ops_of_layers(executed_ops(sess, model["conv5_1"]))
    assert layers == EXPECTED_AVG[: EXPECTED_AVG.index("conv5_1") + 1]
    assert "conv5_1" in layers and "conv5_2" not in layers and "avgpool5" not in layers


def test_executed_ops_names_are_graph_ops_in_graph_order(traced):
    g, model, sess = traced
    ops = executed_ops(sess, model["avgpool1"])
    order = [op.name for op in g.get_operations()]
    assert all(n in order for n in ops)
    assert [order.index(n) for n in ops] == sorted(order.index(n) for n in ops)
    assert ops_of_layers(ops) == ["conv1_1", "conv1_2", "avgpool1"]


def test_run_with_trace_returns_values_and_metadata(traced):
    _, model, sess = traced
    values, metadata = run_with_trace(sess, model["avgpool1"])
    np.testing.assert_array_equal(values, sess.run(model["avgpool1"]))
    assert len(metadata.step_stats.dev_stats) >= 1


def test_ops_of_layers_by_hand():
    assert ops_of_layers(["input", "conv1_1/Conv2D", "conv1_10/x", "avgpool1"]) == ["conv1_1", "avgpool1"]
    assert ops_of_layers(["maxpool2"], pooling="max") == ["maxpool2"]
    assert ops_of_layers(["maxpool2"]) == []


@pytest.mark.parametrize("pooling", ["min", "AVG", None])
def test_bad_pooling(random_weights, pooling):
    with pytest.raises(ValueError, match="pooling"):
        build_graph(random_weights, 8, 8, pooling=pooling)
    with pytest.raises(ValueError, match="pooling"):
        graph_layer_names(pooling)


@pytest.mark.parametrize("h, w, bad", [(0, 8, "height"), (8, -3, "width"), (8, 2.5, "width"), ("8", 8, "height")])
def test_bad_size(random_weights, h, w, bad):
    with pytest.raises(ValueError, match=bad):
        build_graph(random_weights, h, w)


def test_executed_ops_with_kernels_and_folded_constants_left_out(random_weights):
    # A constant-only subgraph (here a MatMul of two constants) is folded by Grappler into a Const that
    # keeps the MatMul's name: it must not be reported as executed, while the conv kernels that really ran are.
    g, model = _build(random_weights, 16, 16)
    with g.as_default():
        a = tf.constant(np.arange(4.0, dtype=np.float32).reshape(2, 2))
        folded = tf.matmul(a, a, name="folded_matmul")
        out = tf.reduce_sum(model["conv1_1"]) + tf.reduce_sum(folded)
    with tf1.Session(graph=g) as sess:
        sess.run(model["input"].initializer)
        pairs = executed_ops(sess, out, kernels=True)
        names = executed_ops(sess, out)
    kinds = dict(pairs)
    assert [n for n, _ in pairs] == names
    assert "folded_matmul" not in kinds
    # the kernel may be Conv2D, _FusedConv2D, _MklNativeConv2D… depending on the build
    assert any(n.startswith("conv1_1/") and "Conv2D" in k for n, k in pairs), pairs
    assert "conv1_2/Conv2D" not in kinds
