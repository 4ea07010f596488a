"""Where a run's memory goes, phase by phase (issue 11, memory; docs/PERFORMANCE.md, "Memory", fourth and fifth
rounds).

    python -m benchmarks.memory_phases timeline --size 1024 --iterations 12 [--no-coarse]
    python -m benchmarks.memory_phases tensors --size 1024
    python -m benchmarks.memory_phases times --size 1024 --repeats 5

``timeline``: one ``stylize(..., optimizer='lbfgs')`` run (sample:chelsea, sample:brick, random weights) in a child
process, its resident set sampled every 10 ms by a thread; printed: the resident set at each call of the L-BFGS
loop's function (:meth:`stylelib.transfer._LbfgsLoop._fg`) and at its end, the highest sample inside it, and the
run's high-water mark (``VmHWM``). Units: MiB (2**20 bytes), as ``/proc/self/status`` counts them.

``tensors``: the peak of TensorFlow's own tensors (not the resident set) in each phase of one compiled loss-and-
gradient evaluation at ``size`` px, read from TensorFlow's BFC allocator, which a child process turns on for the CPU
(``TF_CPU_ALLOCATOR_USE_BFC=true``) so that ``tf.config.experimental.get_memory_info('CPU:0')`` answers: the row
tiles' forward pass through the recomputed blocks, the differentiated rest of the network, the whole evaluation —
and two variants built here, not in stylelib, each compared with the engine's loss and gradient: the rest of the
network differentiated as one tape, its loss layers' own gradients taken as soon as the forward pass ends (the
engine before stop 21; ``StyleObjective._tail_gradient`` now takes each one late), and block 3 recomputed whole after
the tiled blocks 1–2. Content sample:chelsea, style sample:brick resized
to the content's shape (``benchmarks.run.load_pair``); stylelib's default recomputation and tiles for that size.

``times``: the engine's evaluation and the two variants', compiled, called in turn (``benchmarks.run``'s
interleaved medians, one warm-up call each), with TensorFlow's usual allocator.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_TIMELINE_CHILD = r"""
import os, sys, threading, time, warnings
warnings.simplefilter("ignore")

def status(key="VmRSS"):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) // 1024
    return None

import stylelib.transfer as transfer
from stylelib.vgg19 import load_weights

size, iterations, coarse = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
print(f"after import: {status()} MiB", flush=True)
weights = load_weights("random")
print(f"after loading the weights: {status()} MiB", flush=True)
samples, marks, running = [], [], [True]

def sample():
    while running[0]:
        samples.append((time.perf_counter(), status()))
        time.sleep(0.01)

original = transfer._LbfgsLoop._fg

def fg(self, y, g):  # the loop's function, timed: the resident set at its start and end
    start = (time.perf_counter(), status())
    try:
        return original(self, y, g)
    finally:
        marks.append((self.shape, start, (time.perf_counter(), status())))

transfer._LbfgsLoop._fg = fg
thread = threading.Thread(target=sample, daemon=True)
thread.start()
t0 = time.perf_counter()
extra = {} if coarse else {"coarse_to_fine": None}
result = transfer.stylize("sample:chelsea", "sample:brick", size=size, optimizer="lbfgs", iterations=iterations,
                          weights=weights, **extra)
running[0] = False
thread.join()
for shape, (ts, rs), (te, re) in marks:
    inside = [r for t, r in samples if ts <= t <= te]
    print(f"{ts - t0:7.1f} s  evaluation at {shape[2]}x{shape[1]}: start {rs} MiB, "
          f"highest {max(inside, default=rs)} MiB, end {re} MiB")
print(f"peak (VmHWM): {status('VmHWM')} MiB = {status('VmHWM') * 2 ** 20 / 1e9:.3f} GB; "
      f"{time.perf_counter() - t0:.0f} s")
"""

_TENSORS_CHILD = r"""
import sys, warnings
warnings.simplefilter("ignore")
import numpy as np
import tensorflow as tf
from benchmarks.run import load_pair
from stylelib import images
from stylelib.run import RunConfig, recompute_blocks, tile_rows_for
from stylelib.transfer import StyleObjective
from stylelib.vgg19 import load_weights
from benchmarks.memory_phases import one_tape_tail

def mib():
    return {k: v // 2 ** 20 for k, v in tf.config.experimental.get_memory_info("CPU:0").items()}

def phase(name, fn, *args):
    tf.config.experimental.reset_memory_stats("CPU:0")
    before = mib()["current"]
    out = fn(*args)
    print(f"{name}: tensors held before {before} MiB, peak {mib()['peak']} MiB", flush=True)
    return out

size = int(sys.argv[1])
w = load_weights("random")
content, style = load_pair(size, w)
c_pre, s_pre = images.preprocess(content, w), images.preprocess(style, w)
config = RunConfig(size=size, optimizer="lbfgs")
blocks, rows = recompute_blocks(config, c_pre.shape[1:3]), tile_rows_for(config, c_pre.shape[1:3])
print(f"{c_pre.shape[2]}x{c_pre.shape[1]}: blocks recomputed {blocks}, tile rows {rows}", flush=True)
x = tf.constant(c_pre)
objective = StyleObjective(c_pre, s_pre, w, recompute=blocks, tile_rows=rows)
tiles = objective._tiles(x)
if tiles is None:
    sys.exit("no row tiles at this size: the phases below need them (1024 px and more)")

def combine(terms, tv_of=None):  # as value_and_gradient's own (a closure there): the weighted sum, TV weight 0
    cw, sw, _ = objective._scales(True)
    weights = {"content": cw, "style": sw}
    return tf.add_n([weights[kind] * term for (kind, _), term in terms.items()])

mode = sys.argv[2]
evaluate = tf.function(lambda x: objective.value_and_gradient(x, relative=True))
if mode == "tensors":
    h = phase("row tiles, forward through the recomputed blocks",
              tf.function(lambda x: objective._tiled_forward(x, tiles)[0]), x)
    phase("the rest of the network, differentiated",
          tf.function(lambda h: objective._tail_gradient(h, objective._segments[-1], combine)[0]), h)
    del h
    values, grad = phase("a whole evaluation", evaluate, x)
    values, grad = phase("a whole evaluation, again", evaluate, x)

# the first variant: the rest of the network as one tape (the engine before stop 21)
one_tape = StyleObjective(c_pre, s_pre, w, recompute=blocks, tile_rows=rows)
one_tape._tail_gradient = one_tape_tail(one_tape)
evaluate_one_tape = tf.function(lambda x: one_tape.value_and_gradient(x, relative=True))

def compare(name, v2, g2):
    print(f"{name} against the engine: total {float(v2['total'])} / {float(values['total'])}, largest gradient "
          f"difference {float(tf.reduce_max(tf.abs(g2 - grad)))} (largest gradient "
          f"{float(tf.reduce_max(tf.abs(grad)))})", flush=True)

if mode == "tensors":
    phase("a whole evaluation, the rest as one tape", evaluate_one_tape, x)
    compare("the rest as one tape", *phase("a whole evaluation, the rest as one tape, again", evaluate_one_tape, x))

# the second variant: block 3 recomputed whole (no tiles) after the tiled blocks 1-2
variant = StyleObjective(c_pre, s_pre, w, recompute=blocks, tile_rows=rows)
block3, rest = variant.extractor.segments(3)[2:4]
tail = variant._tail_gradient

def tail_with_block3_recomputed(h, _, combine):
    out, feats = variant.extractor.run(h, *block3)  # forward, no tape: block 3's output only is kept
    terms = dict(variant._terms(feats))
    g, rest_terms = tail(out, rest, combine)
    terms.update(rest_terms)
    with tf.control_dependencies([g]):
        h = tf.identity(h)
    with tf.GradientTape() as tape:
        tape.watch(h)
        out, feats = variant.extractor.run(h, *block3)
        own = combine(variant._terms(feats))
    return tape.gradient([out, own], h, output_gradients=[g, tf.ones_like(own)]), terms

variant._tail_gradient = tail_with_block3_recomputed
evaluate_variant = tf.function(lambda x: variant.value_and_gradient(x, relative=True))
if mode == "tensors":
    phase("a whole evaluation, block 3 recomputed whole", evaluate_variant, x)
    compare("block 3 recomputed whole",
            *phase("a whole evaluation, block 3 recomputed whole, again", evaluate_variant, x))
else:  # times: interleaved medians of the three compiled evaluations
    import os
    from benchmarks.run import _median_interleaved
    med = _median_interleaved({"engine": lambda: evaluate(x)[1].numpy(),
                               "the rest as one tape": lambda: evaluate_one_tape(x)[1].numpy(),
                               "block 3 recomputed whole": lambda: evaluate_variant(x)[1].numpy()},
                              int(sys.argv[3]), 1)
    print({k: round(v, 2) for k, v in med.items()}, "seconds; against the engine:",
          {k: round(v / med["engine"], 3) for k, v in med.items() if k != "engine"}, "; load", os.getloadavg()[0])
"""


def one_tape_tail(objective):
    """``objective._tail_gradient`` as it was before stop 21, for comparison: the layers after the recomputed blocks
    and their terms differentiated as one tape (each loss layer's own gradient computed as the forward pass ends).
    Used by ``tensors``/``times`` and by ``tests/test_transfer.py``."""
    import tensorflow as tf

    def tail_gradient(h, tail, combine):
        with tf.GradientTape() as tape:
            tape.watch(h)
            _, feats = objective.extractor.run(h, *tail)
            terms = objective._terms(feats)
            loss = combine(terms)
        return tape.gradient(loss, h), terms

    return tail_gradient


def _child(code: str, args, env_extra=None) -> int:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "TF_CPP_MIN_LOG_LEVEL": "2", **(env_extra or {})}
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], env=env).returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("timeline", "tensors", "times"))
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--iterations", type=int, default=12, help="timeline: the run's iterations")
    ap.add_argument("--no-coarse", action="store_true", help="timeline: coarse_to_fine=None")
    ap.add_argument("--repeats", type=int, default=5, help="times: interleaved calls of each evaluation")
    args = ap.parse_args()
    if args.what == "timeline":
        code = _child(_TIMELINE_CHILD, [args.size, args.iterations, 0 if args.no_coarse else 1])
    elif args.what == "tensors":
        code = _child(_TENSORS_CHILD, [args.size, "tensors"], {"TF_CPU_ALLOCATOR_USE_BFC": "true"})
    else:  # times: TensorFlow's usual CPU allocator
        code = _child(_TENSORS_CHILD, [args.size, "times", args.repeats])
    sys.exit(code)


if __name__ == "__main__":
    main()
