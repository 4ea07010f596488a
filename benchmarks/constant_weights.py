"""The Adam step's levers side by side: weights as graph constants (measured, not kept) and the Gram matrix's
one-product gradient (kept), against the baseline (docs/PERFORMANCE.md).

    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights step 256      # step ratios, 5 repeats
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights fusion 256    # unfused convs alone
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights fusion-warm 256   # ... after a warm-up
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights conv3d 512    # Conv3D fused or split
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights session 512   # the TF1 Session's forms
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights session-conv3d 512  # ... its conv form
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights session-stop21 256  # ... stop 21's
    .venv/bin/python -m benchmarks.constant_weights backward-conv 512   # a layer's input gradient, two forms
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights memory var    # RSS of one traced function
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.constant_weights memory const

``step SIZE``: interleaved medians of the baseline's step (:mod:`benchmarks.baseline`); stylelib's Adam loop step as
it is (``adam``); the same with stop 16's objective (``adam_plain_gram``: every Gram matrix differentiated as
TensorFlow does, two products, and the TV term differentiated at weight 0); the loop whose extractor makes its
kernels with ``tf.constant`` inside the trace (``adam_const``: ``Const`` nodes that oneDNN may keep packed); and the
loop whose convolutions are 2-D and kept apart from their bias and ReLU (``adam_unfused``: no Grappler
``_FusedConv2D``); and the loop with stop 17's 2-D convolutions (``adam_conv2d``: ``FeatureExtractor(as_conv3d=False)``;
``adam`` runs each as a depth-1 ``Conv3D`` on a CPU, for the kernel layout oneDNN prefers), and stop 18's ``Conv3D``
form (``adam_conv3d_split``, below). Then the objectives'
totals and each one's largest gradient difference from ``adam``.
``fusion SIZE``: the baseline, ``adam``, ``adam_unfused`` and ``adam_conv2d`` — no constant-weights graph in the
process.
``fusion-warm SIZE``: the same after the constants' extractor has run forward twice at this size and been dropped
(oneDNN's primitives for these shapes then exist; docs/PERFORMANCE.md, "The kernel layout of the forward
convolution").
``conv3d SIZE``: the baseline, ``adam`` (each conv a depth-1 ``Conv3D`` whose bias and ReLU stay 5-D, so the remapper
fuses the three) and ``adam_conv3d_split`` (stop 18's form: squeezed back to 4-D before the bias, so the bias add and
the ReLU run as their own ops).
``session SIZE``: stylelib's Adam step and three TF1 Sessions (:class:`stylelib.session.ArtSession`): the default
(one-product Gram gradient, TV not differentiated at weight 0), ``gram_gradient='two-product'`` (art.py's), and the
default with the TV term differentiated (``tv_weight=1e-30``: its gradient computed, the total the same to float32).
``session-conv3d SIZE``: stylelib's Adam step, the default Session, and a Session whose graph runs each conv as the
TF2 engine does on a CPU (a depth-1 ``Conv3D`` of the constant kernel, the bias and ReLU on the 5-D result: stop 20's
probe; ``stylelib.graph``'s conv is swapped while that Session is built).
``session-stop21 SIZE``: stylelib's Adam step, the default Session, and the default Session as it was before stop 22
(``ArtSession`` of commit 45fca76, read from the repository's history with ``git show``: its update without the
control dependency on the losses; the rest of stylelib is today's, which that file's imports work with). Needs a git
clone.
``backward-conv SIZE``: in a TF1 session, the median ms of six layers' input gradients at the shapes of a ``SIZE`` px
image (4:3), as the Session's graph computes them (``Conv2DBackpropInput`` of a constant kernel) and in the TF2
engine's form on a CPU (a depth-1 ``Conv3DBackpropInputV2``); random kernels and gradients.
``memory var|const``: RSS and peak (MB, after ``gc`` and ``malloc_trim``) before and after tracing one 64 px
value-and-gradient function and calling it twice, with CPU seconds of each phase. Run each mode in its own process:
the peak (VmHWM) is the process's.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import os
import sys
import time
import warnings


def _rss() -> dict[str, int]:
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/status") as fh:
        return {line.split(":")[0]: int(line.split()[1]) // 1024 for line in fh if line.startswith(("VmRSS", "VmHWM"))}


def _extractor_with_conv(name: str, doc: str, conv):
    """A :class:`~stylelib.extractor.FeatureExtractor` subclass whose convolutions, inside a traced function, are
    ``conv(extractor, layer_name, x)`` (bias and ReLU included); eagerly, and for pooling, the usual ones."""
    import tensorflow as tf

    from stylelib.extractor import FeatureExtractor
    from stylelib.vgg19 import layer_key

    def _apply(self, layer, x):
        if layer.kind == "conv" and tf.inside_function():
            with tf.name_scope(layer_key(layer.name, self.pooling)):
                return conv(self, layer.name, x)
        return FeatureExtractor._apply(self, layer, x)

    return type(name, (FeatureExtractor,), {"__doc__": doc, "_apply": _apply})


def _const_extractor_class():
    import tensorflow as tf

    def conv(fe, name, x):
        k, b = tf.constant(fe.weights.kernels[name]), tf.constant(fe.weights.biases[name])
        return tf.nn.relu(tf.nn.conv2d(x, k, strides=1, padding="SAME") + b)

    return _extractor_with_conv(
        "ConstantWeights",
        "Kernels and biases as constants of the traced graph (eagerly: the shared tensors, as usual).", conv)


def _unfused_extractor_class():
    import tensorflow as tf

    def conv(fe, name, x):
        y = tf.nn.conv2d(x, fe._kernels[name], strides=1, padding="SAME")
        return tf.nn.relu(tf.ensure_shape(y, y.shape) + fe._biases[name])

    return _extractor_with_conv(
        "UnfusedConv",
        "Each conv kept apart from its bias and ReLU in the traced graph: an ``EnsureShape`` (an identity) between "
        "them, which Grappler's remapper does not fuse across, so no ``_FusedConv2D`` — the same values.", conv)


def _split_conv3d_extractor_class():
    import tensorflow as tf

    def conv(fe, name, x):
        y = tf.squeeze(tf.nn.conv3d(tf.expand_dims(x, 1), tf.expand_dims(fe._kernels[name], 0),
                                    strides=[1, 1, 1, 1, 1], padding="SAME"), 1)
        return tf.nn.relu(y + fe._biases[name])

    return _extractor_with_conv(
        "SplitConv3D",
        "Stop 18's ``Conv3D`` form: squeezed back to 4-D before the bias add, so Grappler fuses neither the bias nor "
        "the ReLU into the convolution — the same values.", conv)


def _objectives(size: int):
    from benchmarks.run import load_pair
    from stylelib import images
    from stylelib.run import RunConfig
    from stylelib.transfer import StyleObjective
    from stylelib.vgg19 import load_weights

    w = load_weights("random")
    content, style = load_pair(size, w)
    c_pre, s_pre = images.preprocess(content, w), images.preprocess(style, w)
    cfg = RunConfig(size=size, optimizer="adam")
    plain = StyleObjective.from_config(c_pre, s_pre, w, cfg)
    return w, content, style, c_pre, cfg, {"adam": plain,
                                           "adam_const": _with_extractor(plain, _const_extractor_class())}


def _plain_gram_objective(objective):
    """Stop 16's objective, made from ``objective`` (its targets shared): ``losses.gram_matrix`` (TensorFlow's
    gradient of it: two products and their sum) and the TV term differentiated at weight 0 — the same values."""
    import copy

    from stylelib import losses

    plain = copy.copy(objective)
    plain._gram, plain._differentiate_zero_tv = losses.gram_matrix, True
    return plain


def _with_extractor(objective, cls=None, **attributes):
    """``objective`` (its targets shared) with a copy of its extractor, made an instance of ``cls`` and/or given
    ``attributes``."""
    import copy

    other = copy.copy(objective)
    other.extractor = copy.copy(objective.extractor)
    if cls is not None:
        other.extractor.__class__ = cls
    for key, value in attributes.items():
        setattr(other.extractor, key, value)
    return other


FUSION_FORMS = ("adam", "adam_unfused", "adam_conv2d")
"""(fusion, fusion-warm): whether the unfused conv's speed needs the constants' graph in the process."""


def step(size: int, repeats: int = 5, warm_up: bool = False, forms=None) -> dict:
    import tensorflow as tf

    from benchmarks.baseline import Baseline
    from benchmarks.run import _median_interleaved
    from stylelib.run import RunRecorder, pixel_bounds
    from stylelib.transfer import _AdamLoop

    w, content, style, c_pre, cfg, objectives = _objectives(size)
    lo, hi = pixel_bounds(w)
    base = Baseline(content, style, w)
    objectives["adam_plain_gram"] = _plain_gram_objective(objectives["adam"])
    objectives["adam_unfused"] = _with_extractor(objectives["adam"], _unfused_extractor_class())
    objectives["adam_conv2d"] = _with_extractor(objectives["adam"], as_conv3d=False)
    objectives["adam_conv3d_split"] = _with_extractor(objectives["adam"], _split_conv3d_extractor_class())
    if warm_up:  # (fusion-warm): the constants' extractor run forward twice at this size, then dropped
        forward = tf.function(objectives["adam_const"].extractor)
        for _ in range(2):
            forward(tf.constant(c_pre))
        del forward
    if forms is not None:  # (fusion, conv3d): only these
        objectives = {k: objectives[k] for k in forms}
    loops = {k: _AdamLoop(o, c_pre, lo, hi, cfg.learning_rate, keep_last=False) for k, o in objectives.items()}
    rec = RunRecorder(10 ** 9, w, None, False, desc="")
    count = iter(range(10 ** 9))
    fns = {"baseline": lambda: base.step().numpy()}
    fns.update({k: functools.partial(lambda lp: lp.step(next(count), rec.record), loop) for k, loop in loops.items()})
    med = _median_interleaved(fns, repeats, 2)
    x = tf.constant(c_pre)
    vg = {k: tf.function(o.value_and_gradient)(x) for k, o in objectives.items()}
    out = {"size": size, "ms": {k: round(v * 1000) for k, v in med.items()},
           "ratio_to_baseline": {k: round(v / med["baseline"], 3) for k, v in med.items()},
           "totals": {k: float(v[0]["total"]) for k, v in vg.items()},
           "gradient_max_difference": {k: float(tf.reduce_max(tf.abs(v[1] - vg["adam"][1]))) for k, v in vg.items()},
           "load": os.getloadavg()[0]}
    print(out, flush=True)
    return out


def _conv3d_relu(prev, weights, name):
    """:func:`stylelib.graph._conv_relu` in the TF2 engine's CPU form (:func:`stylelib.extractor.conv3d_bias_relu`)
    on the constant kernel and bias."""
    import tensorflow as tf

    from stylelib.extractor import conv3d_bias_relu

    with tf.compat.v1.name_scope(name):
        return conv3d_bias_relu(prev, tf.constant(weights.kernels[name], name="kernel"),
                                tf.constant(weights.biases[name], name="bias"))


def _art_session(content, style, w, conv3d: bool = False, **kw):
    """An :class:`~stylelib.session.ArtSession`; with ``conv3d``, built while ``stylelib.graph``'s conv is
    :func:`_conv3d_relu` (a probe of this module only; the graph is finalized once built)."""
    from stylelib import graph
    from stylelib.session import ArtSession

    if not conv3d:
        return ArtSession(content, style, w, **kw)
    original, graph._conv_relu = graph._conv_relu, _conv3d_relu
    try:
        return ArtSession(content, style, w, **kw)
    finally:
        graph._conv_relu = original


STOP21 = "45fca76"
"""The last commit before stop 22 changed ``stylelib/session.py`` (``session-stop21`` reads that file from it)."""


def _stop21_art_session_class():
    """:class:`stylelib.session.ArtSession` as of commit 45fca76 (before stop 22), loaded from the repository's
    history as a module of the ``stylelib`` package beside today's (its relative imports resolve to today's modules:
    only ``session.py`` changed since)."""
    import subprocess
    import types
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{STOP21}:stylelib/session.py"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    module = types.ModuleType("stylelib._session_stop21")
    module.__package__ = "stylelib"
    exec(compile(source, f"stylelib/session.py@{STOP21}", "exec"), module.__dict__)
    return module.ArtSession


def session(size: int, repeats: int = 7, conv_forms: bool = False, stop21: bool = False) -> dict:
    from benchmarks.run import _median_interleaved
    from stylelib.run import RunRecorder, pixel_bounds
    from stylelib.transfer import _AdamLoop

    w, content, style, c_pre, cfg, objectives = _objectives(size)
    lo, hi = pixel_bounds(w)
    loop = _AdamLoop(objectives["adam"], c_pre, lo, hi, cfg.learning_rate, keep_last=False)
    rec = RunRecorder(10 ** 9, w, None, False, desc="")
    count = iter(range(10 ** 9))
    fns = {"adam": lambda: loop.step(next(count), rec.record)}
    if conv_forms:  # (session-conv3d)
        forms = {"session": {}, "session_conv3d": {"conv3d": True}}
    elif stop21:  # (session-stop21)
        forms = {"session": {}}
    else:
        forms = {"session": {}, "session_two_product": {"gram_gradient": "two-product"},
                 "session_tv_differentiated": {"tv_weight": 1e-30}}
    sessions = {k: _art_session(content, style, w, **kw) for k, kw in forms.items()}
    if stop21:
        sessions["session_stop21"] = _stop21_art_session_class()(content, style, w)
    try:
        totals = {k: art.loss_values(c_pre)["total"] for k, art in sessions.items()}
        for k, art in sessions.items():
            art.set_image(c_pre)
            fns[k] = art.step
        med = _median_interleaved(fns, repeats, 2)
    finally:
        for art in sessions.values():
            art.close()
    out = {"size": size, "ms": {k: round(v * 1000) for k, v in med.items()},
           "ratio_to_adam": {k: round(v / med["adam"], 3) for k, v in med.items()}, "totals": totals,
           "load": os.getloadavg()[0]}
    print(out, flush=True)
    return out


def backward_conv(size: int, repeats: int = 9) -> dict:
    import numpy as np
    import tensorflow as tf

    from benchmarks.run import _median_interleaved

    tf1 = tf.compat.v1
    height, width = size * 2 // 3, size  # about sample:chelsea's shape at this size (341 x 512 at 512 px)
    layers = [("conv1_2", 1, 64, 64), ("conv2_2", 2, 128, 128), ("conv3_2", 4, 256, 256), ("conv4_1", 8, 256, 512),
              ("conv4_2", 8, 512, 512), ("conv5_1", 16, 512, 512)]
    rng = np.random.default_rng(0)
    out = {}
    for name, stride, c_in, c_out in layers:
        h, w = -(-height // stride), -(-width // stride)
        with tf.Graph().as_default() as g:
            dy = tf1.Variable(rng.standard_normal((1, h, w, c_out)).astype(np.float32))  # a variable: not folded
            kernel = tf1.constant(rng.standard_normal((3, 3, c_in, c_out)).astype(np.float32) * 0.05)
            forms = {"conv2d": tf.raw_ops.Conv2DBackpropInput(
                input_sizes=[1, h, w, c_in], filter=kernel, out_backprop=dy, strides=[1] * 4, padding="SAME"),
                "conv3d": tf.raw_ops.Conv3DBackpropInputV2(
                input_sizes=[1, 1, h, w, c_in], filter=tf.expand_dims(kernel, 0),
                out_backprop=tf.expand_dims(dy, 1), strides=[1] * 5, padding="SAME")}
            sums = {k: tf.reduce_sum(t) for k, t in forms.items()}
            with tf1.Session(graph=g) as sess:
                sess.run(dy.initializer)
                med = _median_interleaved({k: (lambda t=t: sess.run(t)) for k, t in sums.items()}, repeats, 2)
        out[name] = {"shape": [h, w], **{k: round(v * 1000, 2) for k, v in med.items()}}
        print(name, out[name], flush=True)
    return out


def memory(mode: str) -> dict:
    import tensorflow as tf

    w, content, style, c_pre, cfg, objectives = _objectives(64)
    objective = objectives["adam_const" if mode == "const" else "adam"]
    x = tf.constant(c_pre)
    f = tf.function(lambda x: objective.value_and_gradient(x)[1])
    out = {"mode": mode, "before": _rss()}
    for phase, call in (("traced", lambda: f.get_concrete_function(x)), ("first call", lambda: f(x).numpy()),
                        ("second call", lambda: f(x).numpy())):
        c0 = time.process_time()
        call()
        out[phase] = {**_rss(), "cpu_s": round(time.process_time() - c0, 2)}
    print(out, flush=True)
    return out


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    if sys.argv[1] in ("step", "fusion", "fusion-warm"):
        step(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 5, warm_up=sys.argv[1] == "fusion-warm",
             forms=None if sys.argv[1] == "step" else FUSION_FORMS)
    elif sys.argv[1] == "conv3d":
        step(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 7, forms=("adam", "adam_conv3d_split"))
    elif sys.argv[1] == "backward-conv":
        backward_conv(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 9)
    elif sys.argv[1] in ("session", "session-conv3d", "session-stop21"):
        session(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 7,
                conv_forms=sys.argv[1] == "session-conv3d", stop21=sys.argv[1] == "session-stop21")
    else:
        memory(sys.argv[2])
