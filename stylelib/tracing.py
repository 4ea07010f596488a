"""TF2: which ops a ``tf.function`` call really runs, read through public TensorFlow APIs only.

A ``tf.function`` holds the graph Python traced (``fn.get_concrete_function(...).graph``). When that graph is
instantiated for a call, TensorFlow first drops the nodes its outputs do not need and then lets Grappler rewrite
what is left (fold constants, fuse a convolution with its bias and ReLU, ...). :func:`function_graphs` returns
both versions of the graph, as TensorBoard's "trace" does: ``tf.summary.trace_on(graph=True)``, one call,
``tf.summary.trace_export`` into a temporary event file, read back with ``tf.data.TFRecordDataset``.

For a TF1 ``Session`` the same question is answered by :func:`stylelib.graph.executed_ops` (the run's trace).
"""

from __future__ import annotations

import glob
import os
import tempfile
from typing import Callable

import tensorflow as tf

__all__ = ["function_graphs", "optimized_graph", "count_ops"]


def function_graphs(fn: Callable, *args, **kwargs) -> list:
    """The graphs one call of a freshly wrapped ``tf.function`` instantiated, before and after optimization.

    Parameters
    ----------
    fn : callable
        A Python function, or a ``tf.function`` (its ``python_function`` is used). It is wrapped in a *new*
        ``tf.function`` so that this call traces and instantiates it: TensorFlow reports a function's graphs
        only on the call that instantiates it.
    *args, **kwargs
        The call's arguments.

    Returns
    -------
    list of ``tf.compat.v1.RunMetadata.FunctionGraphs``
        Each has ``pre_optimization_graph`` (the traced graph, as a ``GraphDef``) and
        ``post_optimization_graph`` (after pruning to the outputs and Grappler's rewrites). A call may
        instantiate small helper functions too; :func:`optimized_graph` picks the main one.

    Notes
    -----
    Public APIs only: ``tf.summary.trace_on`` / ``trace_export`` write the call's run metadata to an event
    file in a temporary folder, which is read back and deleted. The call itself runs normally.

    Examples
    --------
    >>> import tensorflow as tf
    >>> graphs = function_graphs(lambda x: tf.nn.relu(x) + 0.0 * tf.exp(x), tf.ones(3))
    >>> any(g.post_optimization_graph.node for g in graphs)
    True
    """
    return _traced_call(fn, args, kwargs)[0]


def _traced_call(fn: Callable, args, kwargs):
    # (the function graphs the call reported, the op names of the graph it traced)
    python_fn = getattr(fn, "python_function", fn)
    fresh = tf.function(python_fn)
    with tempfile.TemporaryDirectory() as logdir:
        writer = tf.summary.create_file_writer(logdir)
        tf.summary.trace_on(graph=True, profiler=False)
        try:
            fresh(*args, **kwargs)
            with writer.as_default():
                tf.summary.trace_export("call", step=0)
        finally:
            tf.summary.trace_off()
            writer.close()
        graphs = []
        for path in sorted(glob.glob(os.path.join(logdir, "events.*"))):
            for record in tf.data.TFRecordDataset(path):
                event = tf.compat.v1.Event.FromString(record.numpy())
                for value in event.summary.value:
                    for blob in value.tensor.string_val:
                        graphs.extend(tf.compat.v1.RunMetadata.FromString(blob).function_graphs)
    traced = {op.name for op in fresh.get_concrete_function(*args, **kwargs).graph.get_operations()}  # no retrace
    return graphs, traced


def optimized_graph(fn: Callable, *args, **kwargs):
    """``(pre, post)``: the traced and the optimized ``GraphDef`` of ``fn``'s main function for this call.

    The main function is the one of :func:`function_graphs` whose nodes are the ops ``fn`` traces into.

    Examples
    --------
    >>> import tensorflow as tf
    >>> def f(x):
    ...     unused = tf.exp(x)           # traced, but the output does not need it
    ...     return tf.nn.relu(x)
    >>> pre, post = optimized_graph(f, tf.ones(3))
    >>> count_ops(pre, "Exp"), count_ops(post, "Exp")
    (1, 0)
    """
    graphs, traced = _traced_call(fn, args, kwargs)
    # the call's own function is the one whose nodes carry the traced graph's op names (the others: helpers
    # TensorFlow ran around the call, such as the summary writer's)
    main = max(graphs, key=lambda g: len(traced & {n.name for n in g.pre_optimization_graph.node}), default=None)
    if main is None or not traced & {n.name for n in main.pre_optimization_graph.node}:
        raise RuntimeError("TensorFlow reported no function graph for this call")
    return main.pre_optimization_graph, main.post_optimization_graph


def count_ops(graph, op_type: str) -> int:
    """How many nodes of ``graph`` have an op type containing ``op_type``.

    Parameters
    ----------
    graph : tf.Graph or GraphDef
        A graph (``concrete_function.graph``, a ``tf.Graph``) or a ``GraphDef``.
    op_type : str
        Matched as a substring, so ``"Conv2D"`` also counts fused kernels (``_FusedConv2D``).

    Examples
    --------
    >>> import tensorflow as tf
    >>> g = tf.function(lambda x: tf.nn.relu(x) + 1.0).get_concrete_function(tf.TensorSpec([2])).graph
    >>> count_ops(g, "Relu"), count_ops(g.as_graph_def(), "Relu")
    (1, 1)
    """
    if isinstance(graph, tf.Graph):
        return sum(op_type in op.type for op in graph.get_operations())
    return sum(op_type in node.op for node in graph.node)
