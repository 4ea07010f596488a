"""TF1: VGG-19 as a dictionary of graph nodes, with exactly one ``tf.Variable`` — the input image.

This is the structure of the art.py code the blog post studies, written with ``tf.compat.v1`` inside an
explicit ``tf.Graph`` (eager execution stays on for the rest of the program)::

    g = tf.Graph()
    with g.as_default():
        model = build_graph(weights, 224, 224)      # {'input': Variable, 'conv1_1': Tensor, ...}
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(model['input'].initializer)
        sess.run(model['input'].assign(image))      # load an image into the variable
        conv2_1 = sess.run(model['conv2_1'])        # numpy snapshot of one layer

:func:`executed_ops` reports which ops a ``sess.run`` actually executed, read from the run's trace.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import tensorflow as tf

from .recipe import DEFAULT_POOLING
from .vgg19 import LAYERS, VGG19Weights, check_pooling, layer_keys, load_weights

__all__ = ["build_graph", "graph_layer_names", "executed_ops", "ops_of_layers", "run_with_trace"]

tf1 = tf.compat.v1

def graph_layer_names(pooling: str = DEFAULT_POOLING) -> list[str]:
    """The keys of :func:`build_graph`'s dict after ``'input'``: ``conv1_1 … conv5_4`` and
    ``avgpool1 … avgpool5`` (or ``maxpool…``), in network order (:func:`stylelib.vgg19.layer_keys`)."""
    return layer_keys(pooling)


def _conv_relu(prev: tf.Tensor, weights: VGG19Weights, name: str) -> tf.Tensor:
    with tf1.name_scope(name):
        kernel = tf.constant(weights.kernels[name], name="kernel")
        bias = tf.constant(weights.biases[name], name="bias")
        conv = tf.nn.conv2d(prev, kernel, strides=[1, 1, 1, 1], padding="SAME")
        return tf.nn.relu(conv + bias, name="relu")


def _pool(prev: tf.Tensor, pooling: str, name: str) -> tf.Tensor:
    op = tf.nn.avg_pool2d if pooling == "avg" else tf.nn.max_pool2d
    return op(prev, ksize=2, strides=2, padding="SAME", name=name)


def build_graph(weights: VGG19Weights | str | None, height: int, width: int,
                pooling: str = DEFAULT_POOLING) -> dict[str, tf.Tensor]:
    """Build VGG-19's conv stack for a ``height x width`` input as TF1 graph nodes.

    Parameters
    ----------
    weights : VGG19Weights or str or None
        Loaded weights, ``'keras'``, ``'random'``, a path, or ``None`` (``$STYLELIB_WEIGHTS``).
    height, width : int
        The input image's size in pixels (the graph has this one fixed shape).
    pooling : {'avg', 'max'}
        Pooling between blocks; the pool nodes are keyed ``avgpool1`` … or ``maxpool1`` ….

    Returns
    -------
    dict of str to tf.Tensor
        ``{'input': tf.Variable (1, height, width, 3) float32, 'conv1_1': Tensor, …, 'avgpool5': Tensor}``
        (keys: :func:`stylelib.vgg19.layer_keys`). The weights are ``tf.constant`` nodes; the input is the
        graph's only variable, to be fed preprocessed images (:func:`stylelib.images.preprocess`).

    Raises
    ------
    ValueError
        A bad size or pooling.

    Notes
    -----
    Called inside ``with some_graph.as_default():`` it builds there; called while executing eagerly it builds
    in a fresh ``tf.Graph`` (reachable as ``result['input'].graph``), so it never touches the global default
    graph or switches eager execution off. This is the structure of art.py's ``load_vgg_model``.

    Examples
    --------
    >>> model = build_graph("random", 30, 40)
    >>> isinstance(model["input"], tf.Variable), model["avgpool1"].shape.as_list(), len(model)
    (True, [1, 15, 20, 64], 22)
    """
    check_pooling(pooling)
    for name, v in (("height", height), ("width", width)):
        if not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    weights = load_weights(weights)
    if tf.executing_eagerly():
        g = tf.Graph()
        with g.as_default():
            return build_graph(weights, int(height), int(width), pooling)
    net: dict[str, tf.Tensor] = {}
    net["input"] = tf1.Variable(np.zeros((1, height, width, 3), np.float32), dtype=tf.float32, name="input")
    prev = net["input"]
    for layer, key in zip(LAYERS, graph_layer_names(pooling), strict=True):
        if layer.kind == "conv":
            prev = _conv_relu(prev, weights, layer.name)
        else:
            prev = _pool(prev, pooling, key)
        net[key] = prev
    return net


def run_with_trace(sess, fetches, feed_dict=None):
    """``sess.run`` with a full trace; returns ``(values, run_metadata)``."""
    options = tf1.RunOptions(trace_level=tf1.RunOptions.FULL_TRACE)
    metadata = tf1.RunMetadata()
    values = sess.run(fetches, feed_dict=feed_dict, options=options, run_metadata=metadata)
    return values, metadata


def executed_ops(sess, fetches, feed_dict=None, *, kernels: bool = False):
    """Names of the graph's ops that one ``sess.run(fetches)`` executed, in graph order.

    Read from the RunMetadata step stats of a traced run. Before running, Grappler rewrites the graph:
    it may fuse ops (Conv2D + BiasAdd + Relu run as one kernel named after one of them) and fold
    constant subgraphs into a ``Const`` that keeps the original node's name. Each executed node is mapped
    back to the graph op of the same name; nodes that ran only as such a folded ``Const`` are left out
    (their op did not compute anything in this run), and so are internal nodes (``_SOURCE``, ``_Recv`` …).
    With ``kernels=True`` the result is a list of ``(op name, kernel type that ran)`` pairs instead.
    """
    _, metadata = run_with_trace(sess, fetches, feed_dict)
    ran: dict[str, str] = {}
    for dev in metadata.step_stats.dev_stats:
        for node in dev.node_stats:
            label = node.timeline_label  # "name = Kernel(inputs)", sometimes with a "[...] " prefix
            kernel = label.split(" = ", 1)[1].split("(", 1)[0] if " = " in label else ""
            ran[node.node_name.split(":")[0]] = kernel
    out = []
    for op in sess.graph.get_operations():
        if op.name not in ran:
            continue
        kernel = ran[op.name]
        if kernel == "Const" and op.type != "Const":
            continue  # folded by Grappler before the run
        out.append((op.name, kernel or op.type) if kernels else op.name)
    return out


def ops_of_layers(op_names: Iterable[str], pooling: str = DEFAULT_POOLING) -> list[str]:
    """The layer names (``conv1_1``, ``avgpool1`` …) that a list of executed op names touches."""
    keys = graph_layer_names(pooling)
    seen = []
    for key in keys:
        if any(n == key or n.startswith(key + "/") for n in op_names):
            seen.append(key)
    return seen
