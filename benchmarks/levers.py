"""Side-by-side measurements of the levers tried for issue 11 (docs/PERFORMANCE.md quotes them).

    python -m benchmarks.levers step [--size 256] [--repeats 7]    # bookkeeping, XLA, bfloat16: one step
    python -m benchmarks.levers recompute [--size 1024]           # peak RSS of a gradient step, with and without
                                                                  # tf.recompute_grad on VGG's first two blocks

``step`` times, interleaved in one process (medians after a warm-up), one loss-and-gradient evaluation of
stylelib's objective: bare (``tf.function``), with XLA (``jit_compile=True``), in bfloat16; and one step of the Adam
loop with and without the copy of the measured image (``keep_last``) plus the recorder's bookkeeping. ``recompute``
runs each variant in a fresh child process and reports its peak resident set.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _objective(size, weights, dtype="float32"):
    from benchmarks.run import load_pair
    from stylelib import images
    from stylelib.transfer import StyleObjective

    content, style = load_pair(size, weights)
    c_pre, s_pre = images.preprocess(content, weights), images.preprocess(style, weights)
    return StyleObjective(c_pre, s_pre, weights, dtype=dtype), c_pre


def step_levers(size: int, repeats: int, weights) -> dict:
    import tensorflow as tf

    from benchmarks.run import _median_interleaved
    from stylelib.run import RunRecorder, pixel_bounds
    from stylelib.transfer import _AdamLoop

    objective, c_pre = _objective(size, weights)
    objective_bf16, _ = _objective(size, weights, "bfloat16")
    x = tf.constant(c_pre)

    def value_and_grad(obj):
        def f(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                total = obj(x)["total"]
            return total, tape.gradient(total, x)
        return f

    bare = tf.function(value_and_grad(objective))
    xla = tf.function(value_and_grad(objective), jit_compile=True)
    bf16 = tf.function(value_and_grad(objective_bf16))
    lo, hi = pixel_bounds(weights)
    loops = {k: _AdamLoop(objective, c_pre, lo, hi, 2.0, keep_last=k) for k in (True, False)}
    rec = RunRecorder(10 ** 9, weights, None, False, desc="")
    counter = iter(range(10 ** 9))
    fns = {
        "bare value+grad": lambda: bare(x)[1].numpy(),
        "XLA value+grad": lambda: xla(x)[1].numpy(),
        "bfloat16 value+grad": lambda: bf16(x)[1].numpy(),
        "Adam loop step, keep_last": lambda: loops[True].step(next(counter), rec.record),
        "Adam loop step, no copy": lambda: loops[False].step(next(counter), rec.record),
    }
    med = _median_interleaved(fns, repeats, 2)
    ref = med["bare value+grad"]
    return {k: {"ms": v * 1000, "ratio_to_bare": v / ref} for k, v in med.items()}


_CHILD = r"""
import os, sys, json, warnings
warnings.simplefilter("ignore")
import numpy as np, tensorflow as tf
from stylelib import images
from stylelib.vgg19 import load_weights, LAYERS
from benchmarks.run import load_pair
size, recompute = int(sys.argv[1]), sys.argv[2] == "1"
w = load_weights("random")
content, _ = load_pair(size, w)
x = tf.constant(images.preprocess(content, w))
plan = LAYERS[: [l.name for l in LAYERS].index("conv5_1") + 1]
k = {l.name: tf.constant(w.kernels[l.name]) for l in plan if l.kind == "conv"}

def run(layers, x):
    for l in layers:
        x = tf.nn.relu(tf.nn.conv2d(x, k[l.name], 1, "SAME")) if l.kind == "conv" else tf.nn.avg_pool2d(x, 2, 2, "SAME")
    return x

split = [l.name for l in plan].index("pool2") + 1
head = (lambda t: run(plan[:split], t))
if recompute:
    head = tf.recompute_grad(head)

@tf.function
def step(x):
    with tf.GradientTape() as tape:
        tape.watch(x)
        mid = head(x)
        out = run(plan[split:], mid)
        loss = tf.reduce_sum(tf.square(out)) + tf.reduce_sum(tf.square(mid))
    return tape.gradient(loss, x)

for _ in range(2):
    step(x).numpy()
with open("/proc/self/status") as f:
    hwm = next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM"))
print(json.dumps({"hwm": hwm}))
"""


def recompute_levers(size: int) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = {}
    for flag in ("0", "1"):
        done = subprocess.run([sys.executable, "-c", _CHILD, str(size), flag], capture_output=True, text=True,
                              env=env, check=True)
        hwm = json.loads(done.stdout.strip().splitlines()[-1])["hwm"]
        out["recompute_grad" if flag == "1" else "plain"] = hwm / 1e6
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.levers", description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("step", "recompute"))
    ap.add_argument("--size", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    from stylelib.vgg19 import load_weights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = load_weights("random")
    if args.what == "step":
        result = step_levers(args.size or 256, args.repeats, weights)
        for k, v in result.items():
            print(f"{k:28s} {v['ms']:8.1f} ms  {v['ratio_to_bare']:.3f} x bare")
    else:
        result = recompute_levers(args.size or 1024)
        print("peak RSS MB of a gradient step to conv5_1:", {k: round(v) for k, v in result.items()})


if __name__ == "__main__":
    main()
