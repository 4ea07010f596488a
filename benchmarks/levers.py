"""Side-by-side measurements of the levers tried for issue 11 (docs/PERFORMANCE.md quotes them).

    python -m benchmarks.levers step [--size 256] [--repeats 7]    # bookkeeping, XLA, bfloat16: one step
    python -m benchmarks.levers recompute [--size 1024]           # peak RSS of the targets pass and of a gradient
                                                                  # evaluation, recompute = 0, 1, 2, 3 blocks
    python -m benchmarks.levers recompute-time [--size 256] [--repeats 7]   # their step times, interleaved
    python -m benchmarks.levers recompute --blocks 1 2 --tile-rows 0 128 64  # ... with row tiles (0: none)
    python -m benchmarks.levers lbfgs-history [--size 256] [--iterations 60]  # loss after N iterations, maxcor 10/5/3
    python -m benchmarks.levers lbfgs-host [--size 1024]          # host memory of scipy's minimize vs lbfgs_b

``step`` times, interleaved in one process (medians after a warm-up), one loss-and-gradient evaluation of
stylelib's objective: bare (``tf.function``), with XLA (``jit_compile=True``), in bfloat16; and one step of the Adam
loop with and without the copy of the measured image (``keep_last``) plus the recorder's bookkeeping. ``recompute``
runs :meth:`stylelib.transfer.StyleObjective.value_and_gradient` with each number of recomputed blocks in a fresh
child process and reports its peak resident set; ``recompute-time`` times them side by side in one process.
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
from stylelib.vgg19 import load_weights
from stylelib.transfer import StyleObjective
from benchmarks.run import load_pair

def hwm():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM"))

size, blocks, tile_rows = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
w = load_weights("random")
content, style = load_pair(size, w)
c_pre, s_pre = images.preprocess(content, w), images.preprocess(style, w)
before = hwm()
objective = StyleObjective(c_pre, s_pre, w, recompute=blocks, tile_rows=tile_rows)
targets = hwm()
x = tf.Variable(c_pre)
step = tf.function(lambda: objective.value_and_gradient(x)[1])
for _ in range(2):
    step().numpy()
print(json.dumps({"before_targets": before, "after_targets": targets, "after_steps": hwm()}))
"""


def recompute_levers(size: int, blocks=(0, 1, 2, 3), tile_rows=(0,)) -> dict:
    """Peak RSS (MB) of building :class:`~stylelib.transfer.StyleObjective` (the targets pass) and of two compiled
    loss-and-gradient evaluations, with ``recompute`` = each of ``blocks`` and ``tile_rows`` = each of
    ``tile_rows`` (0: untiled; only with ``recompute > 0``), each in a fresh child process."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root, "TF_CPP_MIN_LOG_LEVEL": "2"}
    out = {}
    for k in blocks:
        for rows in tile_rows if k else (0,):
            done = subprocess.run([sys.executable, "-c", _CHILD, str(size), str(k), str(rows)], capture_output=True,
                                  text=True, env=env, check=True)
            row = json.loads(done.stdout.strip().splitlines()[-1])
            out[f"recompute={k}" + (f", tile_rows={rows}" if rows else "")] = {key: v / 1e6 for key, v in row.items()}
    return out


def recompute_times(size: int, repeats: int, weights, blocks=(0, 1, 2), tile_rows=(0,)) -> dict:
    """Median seconds of one compiled loss-and-gradient evaluation with ``recompute`` = each of ``blocks`` (and,
    where it is on, ``tile_rows`` = each of ``tile_rows``; 0: untiled), interleaved in this process, and each
    one's ratio to the first."""
    import tensorflow as tf

    from benchmarks.run import _median_interleaved, load_pair
    from stylelib import images
    from stylelib.transfer import StyleObjective

    content, style = load_pair(size, weights)
    c_pre, s_pre = images.preprocess(content, weights), images.preprocess(style, weights)
    x = tf.constant(c_pre)
    fns = {}
    for k in blocks:
        for rows in tile_rows if k else (0,):
            objective = StyleObjective(c_pre, s_pre, weights, recompute=k, tile_rows=rows)
            step = tf.function(lambda x, objective=objective: objective.value_and_gradient(x)[1])
            fns[f"recompute={k}" + (f", tile_rows={rows}" if rows else "")] = lambda step=step: step(x).numpy()
    med = _median_interleaved(fns, repeats, 1)
    ref = next(iter(med.values()))
    return {k: {"ms": v * 1000, "ratio": v / ref} for k, v in med.items()}


def lbfgs_history_levers(size: int, iterations: int, weights, histories=(10, 5, 3)) -> dict:
    """Loss of stylize's default run (L-BFGS, content start) after ``iterations`` at ``size`` px for each L-BFGS
    history (``lbfgs_history``): the quality a smaller history costs; wall times for scale."""
    import time

    from stylelib.transfer import stylize

    out = {}
    for m in histories:
        t0 = time.perf_counter()
        r = stylize("sample:chelsea", "sample:brick", size=size, iterations=iterations, weights=weights,
                    lbfgs_history=m, coarse_to_fine=None)
        losses = [h.total for h in r.history]
        out[f"lbfgs_history={m}"] = {"final": losses[-1], "best": min(losses), "steps": len(losses) - 1,
                                     "at": {i: losses[i] for i in (10, 20, 40, 60) if i < len(losses)},
                                     "seconds": time.perf_counter() - t0}
    ref = out[f"lbfgs_history={histories[0]}"]["best"]
    for v in out.values():
        v["best_ratio"] = v["best"] / ref
    return out


_HOST_CHILD = r"""
import json, sys, time
import numpy as np

def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))

from scipy.optimize import Bounds, minimize
from scipy.optimize import _lbfgsb_py  # noqa: F401  (what lbfgs_b imports)
from stylelib.lbfgsb import lbfgs_b

n, how, history = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(0)
target = rng.uniform(-100, 100, n)
scale = rng.uniform(1, 100, n)  # ill-conditioned: no early convergence, the whole history gets used
lo, hi = np.full(n, -120.0), np.full(n, 120.0)
x0 = np.zeros(n)


def fg(x, g):
    np.subtract(x, target, out=g)
    f = 0.5 * float(np.dot(scale * g, g))
    g *= scale
    return f


base = status("VmRSS")
t0 = time.perf_counter()
if how == "minimize":
    def fun(x):
        g = np.empty_like(x)
        return fg(x, g), g

    res = minimize(fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(lo, hi),
                   options={"maxiter": 12, "maxcor": history, "gtol": 0.0})
    message = res.message
else:
    message = lbfgs_b(fg, x0, lo, hi, history=history, maxiter=12, overwrite_x0=True)  # as the TF2 engine calls it
print(json.dumps({"extra_mb": (status("VmHWM") - base) / 1e6, "vectors": (status("VmHWM") - base) / (8 * n),
                  "seconds": time.perf_counter() - t0, "message": message}))
"""


def lbfgs_host_levers(size: int) -> dict:
    """Host memory (MB above the process before the call, and in float64 vectors of the image's size) and wall
    time of 12 L-BFGS-B iterations (the whole history in use) on an ill-conditioned quadratic with as many
    variables as a ``size`` px image of sample:chelsea: ``scipy.optimize.minimize`` with ``Bounds`` against
    :func:`stylelib.lbfgsb.lbfgs_b` (history 10 and 5), each in a fresh child process."""
    from stylelib.images import longest_side_shape

    h, w = longest_side_shape(300, 451, size)
    n = 3 * h * w
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root}
    out = {}
    for how, history in (("minimize", 10), ("lbfgs_b", 10), ("minimize", 5), ("lbfgs_b", 5)):
        done = subprocess.run([sys.executable, "-c", _HOST_CHILD, str(n), how, str(history)], capture_output=True,
                              text=True, env=env, check=True)
        out[f"{how}, history {history}"] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.levers", description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("step", "recompute", "recompute-time", "lbfgs-history", "lbfgs-host"))
    ap.add_argument("--iterations", type=int, default=60, help="lbfgs-history: iterations of each run")
    ap.add_argument("--blocks", type=int, nargs="+", default=None,
                    help="recompute, recompute-time: the numbers of recomputed blocks compared (first: reference)")
    ap.add_argument("--tile-rows", type=int, nargs="+", default=[0],
                    help="recompute, recompute-time: row tiles compared where blocks are recomputed (0: untiled)")
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
    elif args.what == "recompute":
        result = recompute_levers(args.size or 1024, tuple(args.blocks or (0, 1, 2, 3)), tuple(args.tile_rows))
        print("peak RSS MB (targets pass; two gradient evaluations), conv5_1, art.py's layers:")
        for k, v in result.items():
            print(f"  {k}: {v['after_targets']:.0f}; {v['after_steps']:.0f}")
    elif args.what == "lbfgs-host":
        result = lbfgs_host_levers(args.size or 1024)
        for k, v in result.items():
            print(f"{k:22s} +{v['extra_mb']:7.0f} MB = {v['vectors']:5.1f} float64 images, {v['seconds']:.1f} s "
                  f"({v['message']})")
    elif args.what == "lbfgs-history":
        result = lbfgs_history_levers(args.size or 256, args.iterations, weights)
        for k, v in result.items():
            print(f"{k:18s} best loss {v['best']:.6g} ({v['best_ratio']:.4f} x history 10), "
                  f"{v['steps']} iterations, {v['seconds']:.0f} s; at " +
                  ", ".join(f"{i}: {x:.4g}" for i, x in v["at"].items()))
    else:
        result = recompute_times(args.size or 256, args.repeats, weights, tuple(args.blocks or (0, 1, 2)),
                                 tuple(args.tile_rows))
        for k, v in result.items():
            print(f"{k:28s} {v['ms']:9.1f} ms  {v['ratio']:.3f} x the first")


if __name__ == "__main__":
    main()
