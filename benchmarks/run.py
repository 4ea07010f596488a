"""stylelib against the usual TensorFlow loop: step time, time to quality, peak memory, efficiency.

    python -m benchmarks.run [--quick] [--size N] [--device cpu|gpu] [--json PATH] [--parts step,ttq,memory,eff]
    make bench          # the full benchmark; make bench BENCH_ARGS=--quick for the quick one

Everything that is compared runs in this one process, side by side (the calls interleaved, medians taken), and is
reported as ratios next to the absolute medians, with the machine described: the machine may be shared and
noisy, so only the ratios are worth quoting. Peak memory is the exception: each stylization runs in a fresh
child process (``benchmarks/peak_memory.py``'s ``measure``), one after the other.

The yardstick is ``benchmarks/baseline.py``: the TensorFlow tutorial's loop (Keras multi-output VGG-19, image in
[0, 1], Adam 0.02/0.99/0.1, ``tf.function`` step, clip) scoring stylelib's default objective. Both loops use the
same weights (``STYLELIB_WEIGHTS``, default random), the same images (``sample:chelsea``, ``sample:brick``) and
the same start (the content image).

Parts (``--parts``, default all):

``step``
    Median seconds per step (9 after warm-up; quick: 5) at 128, 256 and 512 px (``--size``: that size only): the
    baseline; stylelib eager (the Adam step not compiled); stylelib's Adam loop (its ``tf.function`` step and its
    per-step bookkeeping, as ``stylize`` runs it); one L-BFGS evaluation (loss and gradient as scipy gets them);
    one TF1 Session step (``stylelib.session.ArtSession.step``). ``step_ratio`` = stylelib Adam / baseline,
    ``session_ratio`` = TF1 Session / stylelib Adam.
``ttq`` (time to quality)
    The baseline runs 1000 steps at 256 px (quick: 200 at 128 px); its final loss is the target. stylelib's
    default ``stylize`` (L-BFGS) runs until its loss is at or below the target; ``time_to_quality_ratio`` = its
    wall time / the baseline's (both counted from building the model, tracing included). stylize runs once
    before and once after the baseline; the mean of the two is used. Full mode adds 1024 px against the
    baseline's loss after 300 steps. A plot of loss against seconds is saved under ``benchmarks/results/``.
``memory``
    Peak resident memory (MB) of one ``stylize`` run (3 iterations) at 512, 1024 and 2048 px (quick: 256), with
    Adam and with L-BFGS, each in a fresh child process.
``eff`` (efficiency)
    The conv FLOPs of a step (the layers the objective runs, forward and backward — the backward pass computes
    only the input's gradient, as many FLOPs as the forward) per second of stylelib's Adam step, divided by the
    FLOP/s of a forward-only run of the same convolutions (``tf.function``, same process, interleaved).

The JSON (``--json``, default ``benchmarks/results/bench[-quick].json``) holds ``machine``, ``mode`` and, keyed by
size in px (as strings): ``time_to_quality_ratio``, ``step_ratio``, ``session_ratio``, ``peak_memory_mb``
(``{size: {optimizer: MB}}``), ``efficiency``; the absolute medians are under ``step_seconds``,
``time_to_quality`` and ``efficiency_detail``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RESULTS = Path(__file__).resolve().parent / "results"

FULL = {"step_sizes": (128, 256, 512), "ttq": ((256, 1000), (1024, 300)), "memory_sizes": (512, 1024, 2048),
        "repeats": 9, "warmup": 2, "memory_iterations": 3}
QUICK = {"step_sizes": (128,), "ttq": ((128, 200),), "memory_sizes": (256,), "repeats": 5, "warmup": 1,
         "memory_iterations": 2}
PARTS = ("step", "ttq", "memory", "eff")


# ------------------------------------------------------------------------------------------ the machine


def machine(device: str = "cpu") -> dict:
    """CPU model, cores (usable/total), memory, Python, TensorFlow and NumPy versions, the device used."""
    import numpy as np
    import tensorflow as tf

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = None
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        pass
    gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"cpu": model, "cores": usable, "cores_total": os.cpu_count(), "memory_gb": mem and round(mem, 1),
            "python": platform.python_version(), "tensorflow": tf.__version__, "numpy": np.__version__,
            "device": device, "gpus": gpus, "load_average_1min": load}


def _device_name(device: str) -> str:
    from stylelib.run import pick_device

    return pick_device(device)


def load_pair(size: int, weights):
    """(content, style): sample:chelsea with longest side ``size`` and sample:brick resized to its exact shape,
    RGB float32 0–255 — the same pair for every loop (the TF1 graph needs one shape)."""
    from stylelib import images, samples

    content = samples.load_input("sample:chelsea", size)
    style = images.resize_to(samples.load_input("sample:brick"), *content.shape[:2])
    return content, style


def _median_interleaved(fns: dict, repeats: int, warmup: int) -> dict[str, float]:
    """Median seconds of each callable after ``warmup`` calls each, the calls interleaved and their order rotated
    every round (a, b, c, then b, c, a, then c, a, b, ...): each callable takes each place in the round in turn, so
    a load that drifts within a round, and whatever the first call of a round meets, reach them alike. (Until stop
    22 the order was the same every round; results measured before then used it.)"""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    keys = list(fns)
    times = {k: [] for k in keys}
    for r in range(repeats):
        shift = r % len(keys)
        for k in keys[shift:] + keys[:shift]:
            t0 = time.perf_counter()
            fns[k]()
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


# ------------------------------------------------------------------------------------------ step time


def step_times(size: int, weights, *, repeats: int = 5, warmup: int = 2, device: str = "cpu",
               session: bool = True) -> dict:
    """Median seconds per step of each loop at ``size`` px (see the module docstring), and the ratios."""
    import numpy as np
    import tensorflow as tf

    from benchmarks.baseline import Baseline
    from stylelib import images
    from stylelib.run import RunConfig, RunRecorder, pixel_bounds
    from stylelib.transfer import StyleObjective, _AdamLoop, _LbfgsLoop

    content, style = load_pair(size, weights)
    cfg = RunConfig(size=size, optimizer="adam")
    c_pre, s_pre = images.preprocess(content, weights), images.preprocess(style, weights)
    lo, hi = pixel_bounds(weights)
    fns = {}
    with tf.device(_device_name(device)):
        base = Baseline(content, style, weights)
        fns["baseline"] = lambda: base.step().numpy()

        objective = StyleObjective.from_config(c_pre, s_pre, weights, cfg)
        eager = _AdamLoop(objective, c_pre, lo, hi, cfg.learning_rate, keep_last=False)
        fns["stylelib_eager"] = lambda: eager._step_fn()["total"].numpy()

        adam = _AdamLoop(objective, c_pre, lo, hi, cfg.learning_rate, keep_last=False)  # stylize's, no callback
        recorder = RunRecorder(10 ** 9, weights, None, False, desc="")
        counter = iter(range(10 ** 9))
        fns["stylelib_adam"] = lambda: adam.step(next(counter), recorder.record)

        lbfgs = _LbfgsLoop(objective, c_pre, lo, hi, cfg.learning_rate)
        flat = c_pre.astype(np.float64).ravel()
        grad = np.empty_like(flat)

        def lbfgs_evaluation():  # one real evaluation, as scipy asks for it (value; gradient into grad)
            return lbfgs._fg(flat, grad)

        fns["lbfgs_evaluation"] = lbfgs_evaluation
    art = None
    if session:
        from stylelib.session import ArtSession

        art = ArtSession(content, style, weights, device=device)
        art.set_image(c_pre)
        fns["tf1_session"] = art.step
    try:
        with tf.device(_device_name(device)):
            med = _median_interleaved(fns, repeats, warmup)
    finally:
        if art is not None:
            art.close()
    out = {"size": size, "shape": list(content.shape[:2]), "seconds": med,
           "step_ratio": med["stylelib_adam"] / med["baseline"],
           "eager_ratio": med["stylelib_eager"] / med["stylelib_adam"],
           "lbfgs_ratio": med["lbfgs_evaluation"] / med["stylelib_adam"]}
    if session:
        out["session_ratio"] = med["tf1_session"] / med["stylelib_adam"]
    return out


# ------------------------------------------------------------------------------------------ time to quality


def _stylize_until(content, style, weights, target: float, *, device: str, max_iterations: int, **settings) -> dict:
    """Run the default ``stylize`` until its total loss is <= ``target``; wall seconds from the call, and the curve.

    ``max_iterations`` bounds the full-size stage only: the coarse stages get what a default run gives them
    (``coarse_iterations`` = half of :data:`stylelib.recipe.DEFAULT_ITERATIONS`), unless ``settings`` say otherwise.
    (``stylize``'s own default, half of ``iterations``, would give a 1000-iteration budget 500 iterations per coarse
    stage, a run no user makes by default; stop 19 measured 0.152 × at 256 px that way.)"""
    from stylelib import recipe
    from stylelib.transfer import stylize

    t0, c0 = time.perf_counter(), time.process_time()
    curve, hit = [], {}

    def callback(info):
        now = time.perf_counter() - t0
        curve.append((now, info.record.total))
        if info.record.total <= target:
            hit.update(seconds=now, cpu=time.process_time() - c0, step=info.step)
            return False
        return None

    # size= the pair's own size: stylize's default size (256 px) would resize a pair of another size, and its loss
    # would then not be comparable with the baseline's target
    settings = {"coarse_iterations": max(1, recipe.DEFAULT_ITERATIONS // 2), **settings}
    r = stylize(content, style, weights=weights, iterations=max_iterations, callback=callback, device=device,
                size=max(content.shape[:2]), **settings)
    wall = time.perf_counter() - t0
    return {"seconds": hit.get("seconds", wall), "cpu": hit.get("cpu", time.process_time() - c0),
            "reached": bool(hit), "shape": list(r.shape[:2]), "step": hit.get("step", r.history[-1].step),
            "final_loss": r.history[-1].total, "stop_reason": r.stop_reason, "curve": curve}


def time_to_quality(size: int, steps: int, weights, *, device: str = "cpu", max_iterations: int | None = None,
                    every: int | None = None, twice: bool = True, **settings) -> dict:
    """Baseline ``steps`` steps at ``size`` px -> target loss; stylize's wall time to reach it (mean of a run
    before and one after the baseline) / the baseline's wall time. ``settings`` go to ``stylize``.

    Also ``cpu_ratio``: the same with the process's CPU seconds (``time.process_time``, the run after the baseline,
    set-up included on both sides), which a shared machine's load changes much less than wall time."""
    import tensorflow as tf

    from benchmarks.baseline import Baseline

    content, style = load_pair(size, weights)
    max_iterations = max_iterations or max(steps, 50)
    every = every or max(1, steps // 50)
    with tf.device(_device_name(device)):
        t0, c0 = time.perf_counter(), time.process_time()
        base = Baseline(content, style, weights)
        setup = time.perf_counter() - t0
        c_setup = time.process_time() - c0  # the baseline's set-up, as on the wall clock (not the run below)
        first_loss = base.loss()
        # a stylize run before the baseline; its target is not known yet, so it is measured against the curve
        pre = None
        if twice:
            pre = _stylize_until(content, style, weights, -math.inf, device=device,
                                 max_iterations=min(max_iterations, 400), **settings)
        c1 = time.process_time()
        base_curve = [(setup, first_loss)] + [(setup + s, loss) for s, loss in base.run(steps, every=every)]
        base_cpu = c_setup + time.process_time() - c1  # (includes measuring the loss every `every` steps)
    target = base_curve[-1][1]
    base_seconds = base_curve[-1][0]
    post = _stylize_until(content, style, weights, target, device=device, max_iterations=max_iterations, **settings)
    pre_hit = pre and next(((s, i) for i, (s, loss) in enumerate(pre["curve"]) if loss <= target), None)
    runs = [post["seconds"]] + ([pre_hit[0]] if pre_hit else [])
    seconds = statistics.mean(runs)
    return {"size": size, "shape": list(content.shape[:2]), "stylelib_shape": post["shape"],
            "baseline_steps": steps, "target": target,
            "baseline_seconds": base_seconds, "stylelib_seconds": seconds, "stylelib_runs": runs,
            "reached": post["reached"], "stylelib_steps": post["step"], "ratio": seconds / base_seconds,
            "baseline_cpu_seconds": base_cpu, "stylelib_cpu_seconds": post["cpu"], "cpu_ratio": post["cpu"] / base_cpu,
            "baseline_curve": base_curve, "stylelib_curve": post["curve"]}


def plot_ttq(results: list[dict], path: Path) -> Path:
    """Loss against seconds, the baseline and stylelib, one panel per size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4), squeeze=False)
    for ax, r in zip(axes[0], results, strict=True):
        bx, by = zip(*r["baseline_curve"], strict=True)
        sx, sy = zip(*r["stylelib_curve"], strict=True)
        ax.plot(bx, by, label=f"tutorial-pattern Adam ({r['baseline_steps']} steps)")
        ax.plot(sx, sy, label="stylelib stylize (default)")
        ax.axhline(r["target"], color="gray", ls=":", label="target")
        ax.set_yscale("log")
        ax.set_xlabel("seconds (wall, from building the model)")
        ax.set_ylabel("total loss")
        ax.set_title(f"{r['shape'][1]}x{r['shape'][0]} px: ratio {r['ratio']:.3f}")
        ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


# ------------------------------------------------------------------------------------------ peak memory


def peak_memory(sizes, optimizers=("adam", "lbfgs"), iterations: int = 3, **settings) -> dict:
    """``{size: {optimizer: MB}}``: the peak resident set of one stylize run, each in a fresh child process.

    ``settings`` (``name=value``) are passed to ``stylize`` in the child."""
    from benchmarks.peak_memory import measure

    out: dict = {}
    for size in sizes:
        for opt in optimizers:
            row = measure(size, opt, iterations, extra=settings)
            # the child's own high-water mark: wait4's ru_maxrss also counts the parent's pages the child had
            # between fork and exec, so from a large parent (this process) it reports the parent's size
            peak = row["hwm"] if row["hwm"] is not None else row["ru_maxrss"]
            out.setdefault(str(size), {})[opt] = {"mb": peak / 1e6, "seconds": row["seconds"]}
    return out


# ------------------------------------------------------------------------------------------ efficiency


def conv_flops(height: int, width: int, layers) -> int:
    """Multiply-adds × 2 of the 3×3 convolutions up to the deepest of ``layers`` for one ``height × width`` image."""
    from stylelib.vgg19 import LAYER_NAMES, LAYERS, canonical_layer, layer_shapes

    deepest = max(LAYER_NAMES.index(canonical_layer(n)) for n in layers)
    shapes = layer_shapes(height, width)
    total = 0
    for layer in LAYERS[: deepest + 1]:
        if layer.kind == "conv":
            h, w, c = shapes[layer.name]
            total += 2 * 9 * h * w * layer.in_channels * c
    return total


def efficiency(size: int, weights, *, repeats: int = 5, warmup: int = 2, device: str = "cpu") -> dict:
    """Achieved conv FLOP/s of stylelib's Adam step / FLOP/s of a forward-only pass of the same convolutions."""
    import tensorflow as tf

    from stylelib import images
    from stylelib.extractor import FeatureExtractor
    from stylelib.run import RunConfig, RunRecorder, pixel_bounds
    from stylelib.transfer import StyleObjective, _AdamLoop
    from stylelib.vgg19 import LAYER_NAMES, canonical_layer

    content, style = load_pair(size, weights)
    cfg = RunConfig(size=size, optimizer="adam")
    layers = [*cfg.content_layers, *cfg.style_layers]
    c_pre, s_pre = images.preprocess(content, weights), images.preprocess(style, weights)
    lo, hi = pixel_bounds(weights)
    with tf.device(_device_name(device)):
        objective = StyleObjective.from_config(c_pre, s_pre, weights, cfg)
        adam = _AdamLoop(objective, c_pre, lo, hi, cfg.learning_rate, keep_last=False)  # stylize's, no callback
        recorder = RunRecorder(10 ** 9, weights, None, False, desc="")
        counter = iter(range(10 ** 9))
        # the same convolutions (in the same form), forward only: the net up to the deepest layer the objective uses
        last = max((canonical_layer(n) for n in layers), key=LAYER_NAMES.index)
        net = FeatureExtractor(weights, [last], pooling=cfg.pooling, as_conv3d=objective.extractor.as_conv3d)
        forward = tf.function(lambda x: tf.reduce_sum(net(x)[last]))
        x = tf.constant(c_pre)
        med = _median_interleaved({"step": lambda: adam.step(next(counter), recorder.record),
                                   "forward": lambda: forward(x).numpy()}, repeats, warmup)
    fwd = conv_flops(content.shape[0], content.shape[1], layers)
    achieved = 2 * fwd / med["step"]
    peak = fwd / med["forward"]
    return {"size": size, "forward_gflop": fwd / 1e9, "step_seconds": med["step"],
            "forward_seconds": med["forward"], "step_gflops": achieved / 1e9, "forward_gflops": peak / 1e9,
            "efficiency": achieved / peak}


# ------------------------------------------------------------------------------------------ the whole run


def run(*, quick: bool = False, sizes=None, device: str = "cpu", parts=PARTS, weights=None, plan=None,
        plot_path: Path | None = None, log=print) -> dict:
    """Run the chosen parts; the JSON-able result (see the module docstring). ``plan`` overrides the
    quick/full settings (``step_sizes``, ``ttq``, ``memory_sizes``, ``repeats``, ``warmup``,
    ``memory_iterations``, ``memory_optimizers``, ``memory_background`` — run the memory children meanwhile, for
    the smoke test only —, ``ttq_iterations``, ``ttq_twice``); ``sizes`` replaces the step, memory and efficiency
    sizes."""
    from stylelib.vgg19 import load_weights

    plan = {**(QUICK if quick else FULL), **(plan or {})}
    if sizes:
        plan["step_sizes"] = plan["memory_sizes"] = tuple(sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = weights if weights is not None else load_weights(os.environ.get("STYLELIB_WEIGHTS", "random"))
        result = {"mode": "quick" if quick else "full", "machine": machine(device), "weights": weights.source,
                  "command": " ".join(["python -m benchmarks.run", *sys.argv[1:]]) if log else ""}
        background = None
        if "memory" in parts and plan.get("memory_background"):  # the smoke test: the child runs meanwhile
            import threading

            box: dict = {}
            background = threading.Thread(target=lambda: box.update(mem=peak_memory(
                plan["memory_sizes"], plan.get("memory_optimizers", ("adam", "lbfgs")),
                iterations=plan["memory_iterations"])))
            background.start()
        if "step" in parts:
            result["step_seconds"], result["step_ratio"], result["session_ratio"] = {}, {}, {}
            for size in plan["step_sizes"]:
                r = step_times(size, weights, repeats=plan["repeats"], warmup=plan["warmup"], device=device)
                key = str(size)
                result["step_seconds"][key] = r
                result["step_ratio"][key] = r["step_ratio"]
                result["session_ratio"][key] = r["session_ratio"]
                log and log(f"step {size} px: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in r["seconds"].items())
                            + f"; step_ratio {r['step_ratio']:.3f}, session_ratio {r['session_ratio']:.3f}")
        if "ttq" in parts:
            result["time_to_quality"], result["time_to_quality_ratio"] = {}, {}
            for size, steps in plan["ttq"]:
                r = time_to_quality(size, steps, weights, device=device, max_iterations=plan.get("ttq_iterations"),
                                    twice=plan.get("ttq_twice", True))
                result["time_to_quality"][str(size)] = r
                result["time_to_quality_ratio"][str(size)] = r["ratio"]
                log and log(f"time to quality {size} px: baseline {steps} steps {r['baseline_seconds']:.1f} s, "
                            f"stylize {r['stylelib_seconds']:.1f} s -> ratio {r['ratio']:.3f} "
                            f"(CPU seconds: {r['cpu_ratio']:.3f})"
                            + ("" if r["reached"] else " (target NOT reached)"))
            path = plot_path or RESULTS / f"loss_vs_seconds{'-quick' if quick else ''}.png"
            result["plot"] = str(plot_ttq(list(result["time_to_quality"].values()), path))
        if "memory" in parts:
            if background is not None:
                background.join()
                mem = box["mem"]
            else:
                mem = peak_memory(plan["memory_sizes"], plan.get("memory_optimizers", ("adam", "lbfgs")),
                                  iterations=plan["memory_iterations"])
            result["peak_memory_mb"] = {s: {o: v["mb"] for o, v in d.items()} for s, d in mem.items()}
            result["peak_memory_seconds"] = {s: {o: v["seconds"] for o, v in d.items()} for s, d in mem.items()}
            log and log(f"peak memory MB: {result['peak_memory_mb']}")
        if "eff" in parts:
            result["efficiency"], result["efficiency_detail"] = {}, {}
            for size in plan["step_sizes"]:
                r = efficiency(size, weights, repeats=plan["repeats"], warmup=plan["warmup"], device=device)
                result["efficiency"][str(size)] = r["efficiency"]
                result["efficiency_detail"][str(size)] = r
                log and log(f"efficiency {size} px: {r['efficiency']:.3f} ({r['step_gflops']:.1f} GFLOP/s of "
                            f"{r['forward_gflops']:.1f})")
    return result


TARGETS = {"time_to_quality_ratio": {"256": 0.08, "1024": 0.1}, "step_ratio": 0.85, "session_ratio": 1.0,
           "peak_memory_mb": {"1024": 2000, "2048": 6000}, "efficiency": 0.7}


def table(result: dict) -> str:
    """The result as a Markdown table (what is measured, the ratio or value, the target), with the machine."""
    m = result["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores usable ({m['cores_total']} total), "
             f"TensorFlow {m['tensorflow']}, NumPy {m['numpy']}, Python {m['python']}, device {m['device']}, "
             f"load average {m['load_average_1min']:.1f}; weights {result['weights']}; {result['mode']} mode.",
             "", "| measure | size | value | target |", "|---|---|---|---|"]
    for size, r in result.get("step_seconds", {}).items():
        s = r["seconds"]
        lines.append(f"| step: stylelib Adam / baseline (ms: {s['stylelib_adam'] * 1000:.0f} / "
                     f"{s['baseline'] * 1000:.0f}) | {size} | {r['step_ratio']:.3f} | ≤ 0.85 |")
    for size, r in result.get("step_seconds", {}).items():
        s = r["seconds"]
        lines.append(f"| step: TF1 Session / stylelib Adam (ms: {s['tf1_session'] * 1000:.0f}) | {size} | "
                     f"{r['session_ratio']:.3f} | ≤ 1.0 |")
    for size, r in result.get("step_seconds", {}).items():
        lines.append(f"| step: stylelib eager / tf.function; one L-BFGS evaluation / Adam step | {size} | "
                     f"{r['eager_ratio']:.2f}; {r['lbfgs_ratio']:.2f} | — |")
    for size, r in result.get("time_to_quality", {}).items():
        target = TARGETS["time_to_quality_ratio"].get(size)
        lines.append(f"| time to quality: stylize / baseline {r['baseline_steps']} steps (s: "
                     f"{r['stylelib_seconds']:.1f} / {r['baseline_seconds']:.1f}) | {size} | {r['ratio']:.3f}"
                     f"{'' if r['reached'] else ' (not reached)'} | {'≤ ' + str(target) if target else '—'} |")
        if "cpu_ratio" in r:
            lines.append(f"| time to quality in CPU seconds (s: {r['stylelib_cpu_seconds']:.1f} / "
                         f"{r['baseline_cpu_seconds']:.1f}) | {size} | {r['cpu_ratio']:.3f} | — |")
    for size, d in result.get("peak_memory_mb", {}).items():
        target = TARGETS["peak_memory_mb"].get(size)
        vals = ", ".join(f"{o} {v:.0f}" for o, v in d.items())
        lines.append(f"| peak RSS, MB | {size} | {vals} | {'≤ ' + str(target) if target else '—'} |")
    for size, e in result.get("efficiency", {}).items():
        d = result["efficiency_detail"][size]
        lines.append(f"| efficiency (GFLOP/s {d['step_gflops']:.1f} / {d['forward_gflops']:.1f}) | {size} | "
                     f"{e:.3f} | ≥ 0.7 |")
    return "\n".join(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, 200 baseline steps at 128 px (a few minutes)")
    ap.add_argument("--size", type=int, action="append", default=None,
                    help="measure step time, memory and efficiency at this size only (repeatable)")
    ap.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    ap.add_argument("--json", type=Path, default=None, help="where to write the JSON")
    ap.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    ap.add_argument("--ttq", default=None, metavar="SIZE:STEPS,...",
                    help="time-to-quality runs (default full: 256:1000,1024:300; quick: 128:200)")
    args = ap.parse_args(argv)
    parts = tuple(p.strip() for p in args.parts.split(",") if p.strip())
    bad = [p for p in parts if p not in PARTS]
    if bad:
        ap.error(f"--parts: unknown {bad}; choose from {','.join(PARTS)}")
    plan = {}
    if args.ttq:
        plan["ttq"] = tuple(tuple(int(v) for v in item.split(":")) for item in args.ttq.split(","))
    result = run(quick=args.quick, sizes=args.size, device=args.device, parts=parts, plan=plan)
    # a run of some parts only gets its own file: it must not replace a whole run's committed results
    subset = "" if set(parts) == set(PARTS) and not args.size and not args.ttq else "-" + "-".join(parts)
    path = args.json or RESULTS / f"bench{'-quick' if args.quick else ''}{subset}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1))
    print()
    print(table(result))
    print(f"\nJSON: {path}" + (f"; plot: {result['plot']}" if "plot" in result else ""))


if __name__ == "__main__":
    main()
