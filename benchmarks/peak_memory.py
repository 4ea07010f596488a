"""Peak memory of a real run against :func:`stylelib.memory.estimate_peak_bytes`, one child process per run.

    STYLELIB_WEIGHTS=random .venv/bin/python benchmarks/peak_memory.py --sizes 128 256 512 1024 \\
        --optimizers adam lbfgs --iterations 3

Each run is ``stylelib.transfer.stylize("sample:chelsea", "sample:brick", size=S, optimizer=O,
iterations=N, weights="random")`` in a fresh Python process, so one run's memory never counts towards the
next. The child reports its resident set (``VmRSS``) after importing TensorFlow and stylelib, after loading
the weights, and its high-water mark (``VmHWM``, the peak resident set) after the run; the parent checks the
last against ``os.wait4``'s ``ru_maxrss`` for that child. Runs go one after the other (never in parallel) so
they do not compete for memory. The table gives the measured peak, the estimate (same content/style shapes,
same settings) and their ratio; ``--json`` writes the rows for later use.

Other runs: ``--style-size`` (a style image of another size), ``--content-layers`` / ``--style-layers``
(comma-separated), ``--pooling max``, ``--engine tf1`` (``stylelib.session.run_art``, Adam only).
``--recompute K`` and ``--lbfgs-history M`` set those two settings (the run and its estimate). ``--max-seconds``
skips the larger sizes of an optimizer once a run took longer than that. The runs behind
``stylelib.memory``'s constants and their table are in ``docs/reliability.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = r"""
import json, os, sys, time, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
warnings.simplefilter("ignore")

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return None

size, optimizer, iterations, engine = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
style_size = int(sys.argv[5]) or None
layers = {k: v.split(",") for k, v in zip(("content_layers", "style_layers"), sys.argv[6:8]) if v}
pooling = sys.argv[8]
extra = json.loads(sys.argv[9]) if len(sys.argv) > 9 else {}
import numpy as np
import tensorflow as tf
from stylelib.transfer import stylize
from stylelib.session import run_art
from stylelib.vgg19 import load_weights
after_import = status("VmRSS")
weights = load_weights("random")
after_weights = status("VmRSS")
t0 = time.perf_counter()
if engine == "tf1":
    r = run_art("sample:chelsea", "sample:brick", size=size, iterations=iterations, weights=weights)
else:
    r = stylize("sample:chelsea", "sample:brick", size=size, optimizer=optimizer, iterations=iterations,
                weights=weights, style_size=style_size, pooling=pooling, **layers, **extra)
seconds = time.perf_counter() - t0
print(json.dumps({"after_import": after_import, "after_weights": after_weights, "hwm": status("VmHWM"),
                  "rss_end": status("VmRSS"), "seconds": seconds, "steps": len(r.history),
                  "shape": list(r.shape)}))
"""


def measure(size: int, optimizer: str, iterations: int, engine: str = "tf2", style_size: int | None = None,
            content_layers: str = "", style_layers: str = "", pooling: str = "avg", extra: dict | None = None) -> dict:
    """Run one stylize in a child process; its memory figures (bytes) and wall time. ``extra``: more stylize
    settings (JSON-able), e.g. ``{"coarse_to_fine": None}``."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "STYLELIB_WEIGHTS": "random"}
    root = Path(__file__).resolve().parents[1]
    env["PYTHONPATH"] = os.pathsep.join([str(root), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(size), optimizer, str(iterations), engine,
                                 str(style_size or 0), content_layers, style_layers, pooling, json.dumps(extra or {})],
                                stdout=subprocess.PIPE, stderr=err, env=env, text=True)
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)  # reap it ourselves: wait4 gives this child's own rusage
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        if proc.returncode != 0 or not out.strip():
            raise RuntimeError(f"size {size} {optimizer}: child exited {proc.returncode}\n{err.read()[-2000:]}")
    row = json.loads(out.strip().splitlines()[-1])
    row["ru_maxrss"] = usage.ru_maxrss * 1024  # kB on Linux
    row.update(size=size, optimizer=optimizer, iterations=iterations, engine=engine, style_size=style_size,
               content_layers=content_layers, style_layers=style_layers, pooling=pooling,
               wall=time.perf_counter() - t0)
    return row


def _gb(n) -> str:
    return "—" if n is None else f"{n / 1e9:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[128, 256, 512, 1024])
    ap.add_argument("--optimizers", nargs="+", default=["adam", "lbfgs"], choices=["adam", "lbfgs"],
                    help="tf1 runs Adam whatever this says")
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("--engine", default="tf2", choices=["tf2", "tf1"],
                    help="tf2: stylelib.transfer.stylize; tf1: stylelib.session.run_art (Adam only)")
    ap.add_argument("--style-size", type=int, default=None,
                    help="longest side of the style image (default: the size; tf2 only)")
    ap.add_argument("--content-layers", default="", help="comma-separated (default: art.py's conv4_2; tf2 only)")
    ap.add_argument("--style-layers", default="", help="comma-separated (default: art.py's conv1_1..conv5_1; tf2 only)")
    ap.add_argument("--pooling", default="avg", choices=["avg", "max"], help="tf2 only")
    ap.add_argument("--max-seconds", type=float, default=180.0,
                    help="skip an optimizer's larger sizes once a run took longer than this")
    ap.add_argument("--recompute", default="auto", help="RunConfig.recompute: auto (default), or K blocks (tf2 only)")
    ap.add_argument("--lbfgs-history", type=int, default=None, help="RunConfig.lbfgs_history (default: its default)")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args()
    if args.engine == "tf1":
        args.optimizers = ["adam"]  # run_art is art.py's Adam

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    try:
        from stylelib import memory
    except ImportError:  # measuring before the model exists (calibration)
        memory = None
    from stylelib.images import longest_side_shape
    from stylelib.run import RunConfig
    from stylelib.samples import load_input

    c_h, c_w = load_input("sample:chelsea").shape[:2]
    s_h, s_w = load_input("sample:brick").shape[:2]
    settings = {}  # stylize settings beyond the defaults, for the child and the estimate
    if args.recompute != "auto":
        settings["recompute"] = int(args.recompute)
    if args.lbfgs_history is not None:
        settings["lbfgs_history"] = args.lbfgs_history
    rows = []
    print(f"{'size':>5} {'optimizer':>9} {'shape':>11} {'import':>7} {'peak GB':>8} {'estimate':>9} {'ratio':>6} "
          f"{'seconds':>8}", flush=True)
    for optimizer in args.optimizers:
        for size in sorted(args.sizes):
            row = measure(size, optimizer, args.iterations, args.engine, args.style_size, args.content_layers,
                          args.style_layers, args.pooling, extra=settings)
            peak = max(v for v in (row["hwm"], row["ru_maxrss"]) if v is not None)
            row["peak"] = peak
            est_total, row["ratio"] = None, float("nan")
            if memory is not None:
                layers = {k: v.split(",") for k, v in (("content_layers", args.content_layers),
                                                        ("style_layers", args.style_layers)) if v}
                cfg = RunConfig(size=size, optimizer=optimizer, iterations=args.iterations,
                                style_size=args.style_size, pooling=args.pooling, **layers, **settings)
                est = memory.estimate_peak_bytes(cfg, longest_side_shape(c_h, c_w, size),
                                                 longest_side_shape(s_h, s_w, args.style_size or size),
                                                 engine=args.engine)
                est_total = row["estimate"] = est.total
                row["parts"] = dict(est.parts)
                row["ratio"] = est.total / peak
            rows.append(row)
            print(f"{size:>5} {optimizer:>9} {'x'.join(map(str, row['shape'][:2])):>11} "
                  f"{_gb(row['after_import']):>7} {_gb(peak):>8} {_gb(est_total):>9} {row['ratio']:>6.2f} "
                  f"{row['seconds']:>8.1f}", flush=True)
            if row["wall"] > args.max_seconds:
                print(f"  ({optimizer} at {size} px took {row['wall']:.0f} s > --max-seconds: larger sizes skipped)")
                break
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
