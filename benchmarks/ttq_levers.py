"""Time to quality of ``stylize`` variants against one run of the tutorial-pattern loop (issue 11's lever probe).

    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.ttq_levers 256 1000   # ~40 min on a loaded 2-core CPU
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.ttq_levers 512 300
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.ttq_levers 1024 300 default   # only the named variants
    STYLELIB_WEIGHTS=random .venv/bin/python -m benchmarks.ttq_levers 1024 300 "coarse 50" --reuse-baseline

The baseline (:class:`benchmarks.baseline.Baseline`, the same pair as ``benchmarks.run``) runs ``steps`` steps; its
final loss is the target. Then each variant of the default ``stylize`` (L-BFGS from the content image) runs until it
reaches the target (a callback stops it). Wall and CPU seconds (``time.process_time``) are counted from the call,
set-up included on both sides; the ratios are stylize's over the baseline's. The baseline's wall time includes
measuring its loss every 50 steps (a few percent). Prints one line per variant and writes
``benchmarks/results/ttq-levers-SIZE.json``.

Variants: below 512 px the default and ``coarse_to_fine=0.5`` with 20 and 40 coarse iterations, then the default
again (the load drifts); from 512 px the default, ``coarse_to_fine=None`` and ``0.5`` with 40 coarse iterations.
(The 256 px measurement in ``benchmarks/results/ttq-levers-256.json`` was made while ``'auto'`` started at 512 px:
its "default" is the plain run; ``'auto'`` now starts at 256 px, as its "coarse_to_fine=0.5, 20 coarse" run did,
with half the iterations as coarse iterations.)
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings
from pathlib import Path


def main(size: int, steps: int, only=(), reuse: bool = False) -> dict:
    warnings.simplefilter("ignore")
    from benchmarks.baseline import Baseline
    from benchmarks.run import RESULTS, load_pair
    from stylelib.transfer import stylize
    from stylelib.vgg19 import load_weights

    w = load_weights("random")
    content, style = load_pair(size, w)
    path = Path(RESULTS) / f"ttq-levers-{size}.json"
    earlier = json.loads(path.read_text()) if reuse else None
    if earlier is not None:  # --reuse-baseline: the baseline of an earlier run (another process: said in the JSON)
        assert (earlier["size"], earlier["baseline_steps"]) == (size, steps), "the stored baseline is another run"
        curve = earlier["baseline_curve"]
    else:
        t0, c0 = time.perf_counter(), time.process_time()
        b = Baseline(content, style, w)
        curve = []
        for i in range(1, steps + 1):
            b.step().numpy()
            if i % 50 == 0 or i == steps:
                curve.append((i, time.perf_counter() - t0, time.process_time() - c0, b.loss()))
                print("baseline step, wall s, CPU s, loss:", curve[-1], f"load {os.getloadavg()[0]:.1f}", flush=True)
    target, base_wall, base_cpu = curve[-1][3], curve[-1][1], curve[-1][2]
    if size < 512:
        variants = {"default": {}, "coarse_to_fine=0.5, 20 coarse": dict(coarse_to_fine=0.5, coarse_iterations=20),
                    "coarse_to_fine=0.5, 40 coarse": dict(coarse_to_fine=0.5, coarse_iterations=40),
                    "default again": {}}
    else:
        # "default" runs stylize(iterations=400), whose coarse stages get 200 iterations each; a user's default
        # (iterations=100) gives them 50: "coarse 50" is that, with the full-size run allowed to go on to 400
        variants = {"default": {}, "coarse 50": dict(coarse_iterations=50), "coarse 20": dict(coarse_iterations=20),
                    "coarse_to_fine=None": dict(coarse_to_fine=None),
                    "coarse_to_fine=0.5, 40 coarse": dict(coarse_to_fine=0.5, coarse_iterations=40)}
    if only:
        variants = {name: settings for name, settings in variants.items() if name in only}
    path.parent.mkdir(parents=True, exist_ok=True)
    out = {"size": size, "baseline_steps": steps, "target": target, "baseline_wall": base_wall,
           "baseline_cpu": base_cpu, "baseline_curve": curve,
           "variants": dict(earlier["variants"]) if earlier is not None else {},
           "baseline_from_an_earlier_process": earlier is not None}
    path.write_text(json.dumps(out, indent=1))
    for name, settings in variants.items():
        hit = {}
        t0, c0 = time.perf_counter(), time.process_time()

        def callback(info, hit=hit, t0=t0, c0=c0):
            if info.record.total <= target and not hit:
                hit.update(wall=time.perf_counter() - t0, cpu=time.process_time() - c0, step=info.step)
                return False
            return None

        r = stylize(content, style, weights=w, iterations=400, callback=callback, size=max(content.shape[:2]),
                    **settings)  # the pair's own size (stylize's default is 256 px)
        v = {**hit, "reached": bool(hit), "wall_ratio": hit.get("wall", math.nan) / base_wall,
             "cpu_ratio": hit.get("cpu", math.nan) / base_cpu, "load": os.getloadavg()[0],
             "final_loss": r.history[-1].total}
        out["variants"][name] = v
        print(name, v, flush=True)
        path.write_text(json.dumps(out, indent=1))  # after every variant: a long run keeps what it measured
    return out


if __name__ == "__main__":
    args = sys.argv[3:]
    main(int(sys.argv[1]), int(sys.argv[2]), only=tuple(a for a in args if a != "--reuse-baseline"),
         reuse="--reuse-baseline" in args)
