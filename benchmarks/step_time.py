"""Seconds per optimizer step at a given size, L-BFGS against Adam, in one process.

    .venv/bin/python benchmarks/step_time.py --size 256 --iterations 10 [--weights random]

The first step of each run includes tracing the tf.function and is reported apart; the per-step time
is the median of the later steps. Runs alternate (adam, lbfgs, adam, lbfgs, …) so a noisy machine hurts
both alike; the ratio is the number to quote.
"""

from __future__ import annotations

import argparse
import os
import statistics
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--weights", default=os.environ.get("STYLELIB_WEIGHTS", "random"))
    args = ap.parse_args()

    from stylelib import samples
    from stylelib.transfer import stylize
    from stylelib.vgg19 import load_weights

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = load_weights(args.weights)
    content, style = samples.load_sample("chelsea"), samples.load_sample("brick")
    per_step = {"adam": [], "lbfgs": []}
    evals = {}
    for _ in range(args.repeats):
        for opt in ("adam", "lbfgs"):
            r = stylize(content, style, size=args.size, iterations=args.iterations, optimizer=opt, weights=weights)
            t = r.series("seconds")
            per_step[opt].append(statistics.median(t[1:] - t[:-1]))
            evals[opt] = (len(r.history), r.shape)
    a, l = statistics.median(per_step["adam"]), statistics.median(per_step["lbfgs"])
    print(f"weights: {weights.source}; image {evals['adam'][1]}; {args.iterations} steps x {args.repeats} runs each")
    print(f"adam : {a:.3f} s/step  (runs: {', '.join(f'{x:.3f}' for x in per_step['adam'])})")
    runs = ", ".join(f"{x:.3f}" for x in per_step["lbfgs"])
    print(f"lbfgs: {l:.3f} s/step  (runs: {runs}; {evals['lbfgs'][0]} iterations)")
    print(f"ratio lbfgs/adam: {l / a:.2f}")


if __name__ == "__main__":
    main()
