"""stylelib.tracing: what a tf.function call runs, through public TensorFlow APIs."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from stylelib import tracing


def test_a_pruned_network_keeps_only_the_convolutions_its_output_needs():
    kernels = [tf.constant(np.full((3, 3, 2, 2), 0.1, np.float32)) for _ in range(4)]

    def body(x):                          # four convolutions computed, the second one returned
        outs = []
        for k in kernels:
            x = tf.nn.relu(tf.nn.conv2d(x, k, 1, "SAME") + 0.5)
            outs.append(x)
        return outs[1]

    pre, post = tracing.optimized_graph(body, tf.zeros((1, 8, 8, 2)))
    assert tracing.count_ops(pre, "Conv2D") == 4
    assert tracing.count_ops(post, "Conv2D") == 2    # fused with bias and ReLU or not, two convolutions remain


def test_a_tf_function_is_rewrapped_so_an_instantiated_one_still_reports():
    f = tf.function(lambda x: tf.nn.relu(x) * 2.0)
    f(tf.ones(2))                                   # instantiated already
    pre, post = tracing.optimized_graph(f, tf.ones(2))
    assert tracing.count_ops(pre, "Relu") == 1 and len(post.node) > 0


def test_the_call_runs_and_no_trace_is_left_on():
    seen = []

    def body(x):
        seen.append(1)                               # runs at trace time
        return x + 1.0

    tracing.function_graphs(body, tf.constant(np.float32(1)))
    assert seen == [1]
    # trace_on twice would warn; a second helper call must work cleanly
    assert tracing.function_graphs(body, tf.constant(np.float32(1)))
