"""The benchmark (``python -m benchmarks.run``) runs end to end: a smoke test at a tiny size, no timing thresholds.

The quick benchmark's own functions run on a 40 px pair for a few steps; the JSON must have every key the issue
asks for, with positive, finite ratios. Whether stylelib is faster is the benchmark's business, not the tests'.
"""

from __future__ import annotations

import json
import math
import time

import pytest

pytest.importorskip("matplotlib")

from benchmarks import run as bench  # noqa: E402

TINY = {"step_sizes": (40,), "ttq": ((40, 6),), "memory_sizes": (32,), "memory_optimizers": ("adam",),
        "repeats": 1, "warmup": 1, "memory_iterations": 1,
        "ttq_iterations": 6, "ttq_twice": False, "memory_background": True}


def _positive_finite(value) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def test_the_quick_benchmark_runs_and_its_json_is_sane(tmp_path, random_weights):
    result = bench.run(quick=True, weights=random_weights, plan=TINY, plot_path=tmp_path / "plot.png", log=None)
    text = json.dumps(result)  # JSON-able as it is
    data = json.loads(text)
    for key in ("time_to_quality_ratio", "step_ratio", "session_ratio", "peak_memory_mb", "efficiency", "machine"):
        assert key in data, key
    assert set(data["step_ratio"]) == set(data["session_ratio"]) == set(data["efficiency"]) == {"40"}
    assert set(data["time_to_quality_ratio"]) == {"40"}
    for key in ("time_to_quality_ratio", "step_ratio", "session_ratio", "efficiency"):
        assert all(_positive_finite(v) for v in data[key].values()), (key, data[key])
    assert _positive_finite(data["peak_memory_mb"]["32"]["adam"])
    assert 100 < data["peak_memory_mb"]["32"]["adam"] < 20_000  # a TensorFlow process: MB, not bytes or GB
    ttq = data["time_to_quality"]["40"]
    assert ttq["baseline_steps"] == 6 and math.isfinite(ttq["target"])
    assert ttq["stylelib_shape"] == ttq["shape"]  # both loops optimize the same picture size
    assert _positive_finite(ttq["cpu_ratio"]) and ttq["cpu_ratio"] == pytest.approx(
        ttq["stylelib_cpu_seconds"] / ttq["baseline_cpu_seconds"])
    assert all(_positive_finite(s) for s in data["step_seconds"]["40"]["seconds"].values())
    assert data["machine"]["cores"] >= 1 and data["machine"]["tensorflow"]
    assert (tmp_path / "plot.png").stat().st_size > 0
    table = bench.table(data)
    assert "step: stylelib Adam / baseline" in table and "efficiency" in table


def test_the_baseline_scores_the_image_with_stylelibs_objective(random_weights):
    """The tutorial-pattern loop's loss is StyleObjective's for the same image ([0, 1] x 255, preprocessed)."""
    import tensorflow as tf

    from benchmarks.baseline import Baseline
    from stylelib import images
    from stylelib.transfer import StyleObjective

    content, style = bench.load_pair(40, random_weights)
    base = Baseline(content, style, random_weights)
    base.step()
    base.step()
    objective = StyleObjective(images.preprocess(content, random_weights), images.preprocess(style, random_weights),
                               random_weights)
    x = images.preprocess(base.image_0255(), random_weights)
    assert base.loss() == pytest.approx(float(objective(tf.constant(x))["total"]), rel=1e-4)


def test_time_to_quality_runs_the_coarse_stages_of_a_default_run(monkeypatch):
    """The benchmark's stylize runs get a large iteration budget so that they can reach the target; their coarse
    stages must still be a default run's (half of DEFAULT_ITERATIONS), not half of that budget (stop 19: 0.152 x)."""
    import numpy as np

    import stylelib.transfer
    from benchmarks import run as bench
    from stylelib.recipe import DEFAULT_ITERATIONS

    seen = []

    class Result:
        shape = (8, 8, 3)
        history = [type("R", (), {"step": 0, "total": 1.0})()]
        stop_reason = "done"

    def fake_stylize(content, style, **kwargs):
        seen.append(kwargs)
        return Result()

    monkeypatch.setattr(stylelib.transfer, "stylize", fake_stylize)
    img = np.zeros((8, 8, 3), np.float32)
    bench._stylize_until(img, img, None, 0.0, device="cpu", max_iterations=1000)
    bench._stylize_until(img, img, None, 0.0, device="cpu", max_iterations=1000, coarse_iterations=7)
    assert seen[0]["iterations"] == 1000 and seen[0]["coarse_iterations"] == DEFAULT_ITERATIONS // 2 == 50
    assert seen[1]["coarse_iterations"] == 7


def test_time_to_quality_counts_only_the_baseline_in_its_cpu_seconds(monkeypatch):
    """The stylize run made before the baseline (``twice``) must not count in the baseline's CPU seconds: until stop
    20 it did (the 1024 px run: 6274 CPU-s for a baseline of 1400 s wall on 2 cores), which made ``cpu_ratio``
    look better than it was. Here the run before burns CPU and the baseline does nothing."""
    import numpy as np

    from benchmarks import baseline as baseline_module
    from benchmarks import run as bench

    def burn(seconds):
        t = time.process_time()
        while time.process_time() - t < seconds:
            pass

    class Idle:
        def __init__(self, *a, **k):
            pass

        def loss(self):
            return 2.0

        def run(self, steps, every):
            return [(0.001, 1.0)]

    calls = []

    def fake_until(content, style, weights, target, **kw):
        calls.append(target)
        if target == -math.inf:  # the run before the baseline
            burn(0.6)
        return {"seconds": 0.01, "shape": (8, 8, 3), "reached": True, "step": 1, "cpu": 0.01,
                "curve": [(0.01, 0.5)]}

    monkeypatch.setattr(baseline_module, "Baseline", Idle)
    monkeypatch.setattr(bench, "_stylize_until", fake_until)
    monkeypatch.setattr(bench, "load_pair", lambda size, w: (np.zeros((8, 8, 3), np.float32),) * 2)
    r = bench.time_to_quality(8, 1, None, twice=True)
    assert calls == [-math.inf, 1.0]  # the run before, then the measured run against the baseline's loss
    assert r["baseline_cpu_seconds"] < 0.3  # not the 0.6 s burnt before the baseline


def test_interleaved_calls_rotate_their_order_every_round():
    calls = []
    fns = {k: (lambda k=k: calls.append(k)) for k in "abc"}
    med = bench._median_interleaved(fns, repeats=4, warmup=1)
    assert "".join(calls) == "abc" + "abc" + "bca" + "cab" + "abc"  # the warm-up round, then four rotated rounds
    assert set(med) == set("abc") and all(v >= 0 for v in med.values())
