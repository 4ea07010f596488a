"""Eager versus tf.function: time of one loss-and-gradient step, as a ratio, in one process.

    .venv/bin/python benchmarks/eager_vs_function.py --size 256

Same StyleObjective, same image; the step is called eagerly and through tf.function (traced once before
timing). Calls alternate, and the median of --calls each is reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--calls", type=int, default=7)
    args = ap.parse_args()

    import tensorflow as tf

    from stylelib import images, samples
    from stylelib.transfer import StyleObjective
    from stylelib.vgg19 import load_weights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = load_weights(os.environ.get("STYLELIB_WEIGHTS", "random"))
    c = samples.load_sample("chelsea", max_size=args.size)
    s = images.resize_to(samples.load_sample("brick"), *c.shape[:2])
    c_pre, s_pre = images.preprocess(c, w), images.preprocess(s, w)
    objective = StyleObjective(c_pre, s_pre, w)
    x = tf.constant(c_pre)

    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = objective(x)["total"]
        return total, tape.gradient(total, x)

    compiled = tf.function(step)
    compiled(x)  # trace
    step(x)  # warm up
    times = {"eager": [], "tf.function": []}
    for _ in range(args.calls):
        for name, fn in (("eager", step), ("tf.function", compiled)):
            t0 = time.perf_counter()
            _, g = fn(x)
            g.numpy()
            times[name].append(time.perf_counter() - t0)
    e, f = statistics.median(times["eager"]), statistics.median(times["tf.function"])
    print(f"image {c.shape[:2]}, weights {w.source}: eager {e * 1000:.1f} ms, tf.function {f * 1000:.1f} ms "
          f"per step -> eager / tf.function = {e / f:.2f}x")


if __name__ == "__main__":
    main()
