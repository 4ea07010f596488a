"""stylelib.memory: the peak-memory estimate, the memory available, refusing a run that does not fit, and one line
for an out-of-memory error (issue: reliability — "out of memory is an 'unexpected' error or a silent kill")."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from stylelib import memory
from stylelib.images import longest_side_shape
from stylelib.memory import (MemoryEstimateError, MemoryWarning, available_bytes, check_memory, estimate_peak_bytes,
                             explain_oom, largest_size_that_fits)
from stylelib.run import RunConfig

CHELSEA = (300, 451)  # sample:chelsea, the content of the measurements
ADAM = RunConfig(optimizer="adam")
LBFGS = RunConfig(optimizer="lbfgs")


def shapes(size, content=CHELSEA, style=(512, 512)):
    return longest_side_shape(*content, size), longest_side_shape(*style, size)


def size_in(message: str) -> int:
    m = re.search(r"--size (\d+)", message)
    assert m, message
    return int(m.group(1))


# ------------------------------------------------------------------------------------------ the estimate


def test_the_estimate_grows_with_the_square_of_the_size():
    for config in (ADAM, LBFGS):
        totals = {s: estimate_peak_bytes(config, *shapes(s)).total for s in (256, 512, 4000, 8000)}
        assert totals[256] < totals[512] < totals[4000] < totals[8000]
        assert 3.5 <= totals[8000] / totals[4000] <= 4.5  # the pixels dominate the fixed part
        network = {s: estimate_peak_bytes(config, *shapes(s)).parts["network"] for s in (1024, 2048)}
        assert 3.5 <= network[2048] / network[1024] <= 4.5  # (both with blocks 1-2 recomputed, in tiles: 'auto')
    # the fixed part: TensorFlow and the weights, whatever the size
    small = estimate_peak_bytes(ADAM, (16, 16))
    assert small.parts["tensorflow"] == memory.TF_BASELINE_BYTES
    assert 80e6 < small.parts["weights"] < 200e6
    assert small.total == sum(small.parts.values()) == int(small)


def test_adam_and_lbfgs_differ_in_the_optimizer_state_only():
    c, s = shapes(1024)
    adam, lbfgs = estimate_peak_bytes(ADAM, c, s), estimate_peak_bytes(LBFGS, c, s)
    for part in ("tensorflow", "weights", "network", "targets", "images"):
        assert adam.parts[part] == lbfgs.parts[part], part
    n = 3 * c[0] * c[1]  # numbers in one image
    assert adam.parts["optimizer"] == 4 * memory.ADAM_FLOAT32_IMAGES * n  # float32 variables on the device
    # float64 on the host: 2 vectors per correction pair, and the others
    assert lbfgs.parts["optimizer"] == 8 * (2 * 10 + memory.LBFGS_FLOAT64_VECTORS) * n + 8 * n
    assert lbfgs.total - adam.total == lbfgs.parts["optimizer"] - adam.parts["optimizer"] > 0
    # L-BFGS's state is on the host: a GPU holds less of an L-BFGS run than of an Adam run
    assert lbfgs.device < adam.device < adam.total


def test_a_run_that_fits_with_block_3_recomputed_is_told_so():
    """A long L-BFGS run at 2048 px: recomputing blocks 1-3 (recompute=3, the same picture, slower steps) takes
    about a quarter off; the memory check offers it before a smaller size when it makes the run fit, and not
    when the run already recomputes them."""
    import dataclasses

    c = s = (1362, 2048)
    auto, three = LBFGS, dataclasses.replace(LBFGS, recompute=3)
    need2, need3 = estimate_peak_bytes(auto, c, s).total, estimate_peak_bytes(three, c, s).total
    assert 0.7 * need2 < need3 < 0.85 * need2  # (measured: 6160 and 4857 MB, docs/reliability.md)
    available = int(need3 / memory.FIT_FRACTION) + 1  # block 3 recomputed fits; as asked, a warning
    with pytest.warns(MemoryWarning, match=r"use --recompute 3 \(API: recompute=3; the same picture, .*\) or "
                                           r"--size \d+ or less"):
        check_memory(auto, c, s, available=available)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_memory(three, c, s, available=int(need3 * 1.2))
    assert len(caught) == 1 and "--recompute" not in str(caught[0].message)
    with pytest.raises(MemoryEstimateError) as refused:  # too little even with block 3: a smaller size only
        check_memory(auto, c, s, available=int(need3 * 0.9))
    assert "--recompute" not in str(refused.value) and "--size" in str(refused.value)


def test_recomputation_and_a_shorter_lbfgs_history_cost_less_by_their_share():
    """recompute (issue 11): the gradient pass holds one segment of layers at a time (plus the segments' inputs);
    lbfgs_history: two float64 vectors of the image per correction pair."""
    c, s = shapes(1024)
    off = estimate_peak_bytes(RunConfig(recompute=False), c, s)
    auto = estimate_peak_bytes(RunConfig(), c, s)
    block1 = estimate_peak_bytes(RunConfig(recompute=1, tile_rows=None), c, s)
    assert estimate_peak_bytes(RunConfig(recompute=2), c, s).total == auto.total  # 'auto': blocks 1-2, tiled
    assert estimate_peak_bytes(RunConfig(recompute=3), c, s).total < auto.total  # block 3 too: less
    h, w = c
    # without recomputation the pass keeps every layer (about 320 numbers per pixel); with block 1 recomputed,
    # the larger of block 1's layers (144) and the rest's (176 from pool1 on), plus block 1's output (16)
    saved = off.parts["network"] - block1.parts["network"]
    assert saved == pytest.approx(4 * h * w * (320 - 144 - 16), rel=0.05)
    assert estimate_peak_bytes(RunConfig(), *shapes(512)).parts["network"] == \
        estimate_peak_bytes(RunConfig(recompute=False), *shapes(512)).parts["network"]  # 'auto': off below 1024 px
    short = estimate_peak_bytes(RunConfig(lbfgs_history=5), c, s)
    assert auto.parts["optimizer"] - short.parts["optimizer"] == 8 * 2 * 5 * (3 * h * w)
    # a run of 3 iterations fills 3 of the 10 pairs (scipy's arrays are zero pages until written)
    three = estimate_peak_bytes(RunConfig(iterations=3), c, s)
    assert auto.parts["optimizer"] - three.parts["optimizer"] == 8 * 2 * 7 * (3 * h * w)
    assert estimate_peak_bytes(RunConfig(recompute=False), c, s, engine="tf1").total == \
        estimate_peak_bytes(RunConfig(), c, s, engine="tf1").total  # the TF1 engine recomputes nothing


def test_row_tiles_count_the_tiled_blocks_at_a_tiles_share():
    """tile_rows (issue 11): the recomputed blocks are held a tile (and its halo) at a time, in the gradient pass and
    in the targets pass; what is left is the rest of the network, from pool2 on (plus pool2's output)."""
    from stylelib.run import tile_rows_for

    c, s = shapes(1024)
    h, w = c
    tiled = estimate_peak_bytes(RunConfig(recompute=2), c, s)
    untiled = estimate_peak_bytes(RunConfig(recompute=2, tile_rows=None), c, s)
    assert tile_rows_for(RunConfig(), c) == 128 and tiled.total < untiled.total
    # blocks 1-2 at a tile's share: (128 + 2·8 halo rows) / 681 of their layers (about 100 numbers per pixel); the
    # rest sets the peak: conv3_1 … conv5_1 kept (104 numbers per pixel of the image), transient copies of a conv3
    # layer (16 each), pool2's output (8) and conv4_2's content difference (8)
    rest = 4 * h * w * (104 + memory.TILED_TRANSIENT_LARGEST * 16 + 8 + 8)
    assert tiled.parts["network"] == pytest.approx(rest, rel=0.1)
    # a tile as large as the image: the untiled estimate; off below 1024 px (no recomputation)
    assert estimate_peak_bytes(RunConfig(recompute=2, tile_rows=4000), c, s).total == untiled.total
    assert estimate_peak_bytes(RunConfig(), *shapes(512)).total == \
        estimate_peak_bytes(RunConfig(tile_rows=None), *shapes(512)).total


def test_deeper_layers_and_a_bigger_style_image_cost_more():
    c, s = shapes(512)
    shallow = estimate_peak_bytes(RunConfig(content_layers=["conv2_2"], style_layers=["conv1_1", "conv2_1"]), c, s)
    deep = estimate_peak_bytes(RunConfig(), c, s)
    assert shallow.parts["network"] < deep.parts["network"]
    # float32 on the CPU: the engine's tensors are the NumPy weights (80.1 MB, all 16 layers) themselves; float16
    # copies (mixed precision) and the TF1 graph's constants: of the layers built only
    assert shallow.parts["weights"] == deep.parts["weights"] == memory._ALL_WEIGHTS
    mixed = {k: estimate_peak_bytes(RunConfig(mixed_precision=True, optimizer="adam", **kw), c, s).parts["weights"]
             for k, kw in (("shallow", dict(content_layers=["conv2_2"], style_layers=["conv1_1", "conv2_1"])),
                           ("deep", {}))}
    assert memory._ALL_WEIGHTS < mixed["shallow"] < mixed["deep"]
    assert estimate_peak_bytes(RunConfig(), c, s, engine="tf1").parts["weights"] > memory._ALL_WEIGHTS
    big_style = estimate_peak_bytes(RunConfig(), c, (2048, 2048))
    assert big_style.parts["network"] > deep.parts["network"]  # the targets pass runs the style image
    assert big_style.parts["optimizer"] == deep.parts["optimizer"]


def test_the_tf1_engine_and_mixed_precision_are_marked_as_rougher():
    c, _ = shapes(512)
    tf1 = estimate_peak_bytes(RunConfig.art(), c, (2048, 2048), engine="tf1")
    assert tf1.style_hw == tf1.content_hw == c  # run_art resizes the style to the content
    assert not tf1.measured and estimate_peak_bytes(ADAM, c).measured
    half = estimate_peak_bytes(RunConfig(mixed_precision=True, optimizer="adam"), c)
    assert not half.measured and half.parts["network"] < estimate_peak_bytes(ADAM, c).parts["network"]


@pytest.mark.parametrize("kwargs, words", [
    ({"engine": "tf3"}, "engine must be 'tf2' or 'tf1'"),
    ({"content_hw": (0, 10)}, "content_hw must be (height, width)"),
    ({"content_hw": "big"}, "content_hw must be (height, width)"),
])
def test_bad_arguments_are_one_line_errors(kwargs, words):
    args = {"config": ADAM, "content_hw": (10, 10), **kwargs}
    with pytest.raises(ValueError) as info:
        estimate_peak_bytes(args.pop("config"), args.pop("content_hw"), **args)
    assert words in str(info.value) and "\n" not in str(info.value)


# ------------------------------------------------------------------------------------------ available


def test_available_bytes_here_is_a_positive_int():
    got = available_bytes()
    assert isinstance(got, int) and got > 100e6
    assert available_bytes(limit=123_456) == 123_456  # e.g. a GPU's memory


def test_a_cgroup_limit_caps_the_memory_available(monkeypatch):
    files = {
        "/proc/self/cgroup": "0::/job\n",
        "/sys/fs/cgroup/job/memory.max": str(6 * 10**9),
        "/sys/fs/cgroup/job/memory.current": str(2 * 10**9),
        "/sys/fs/cgroup/job/memory.stat": "anon 1500000000\ninactive_file 500000000\n",
        "/proc/meminfo": "MemTotal: 100000000 kB\nMemAvailable: 90000000 kB\n",
        "/proc/self/status": "VmRSS:\t1000000 kB\nVmSize:\t9000000 kB\n",
    }
    monkeypatch.setattr(memory, "_read", files.get)
    # 6 GB limit − (2 GB used − 0.5 GB cache it can drop) + the process's own 1.024 GB
    assert available_bytes() == 6 * 10**9 - 15 * 10**8 + 1_024_000_000
    files["/sys/fs/cgroup/job/memory.max"] = "max"  # no limit: MemAvailable decides
    assert available_bytes() == 90_000_000 * 1024 + 1_024_000_000
    files["/proc/self/cgroup"] = "4:memory:/job\n"  # cgroup v1
    files["/sys/fs/cgroup/memory/job/memory.limit_in_bytes"] = str(3 * 10**9)
    files["/sys/fs/cgroup/memory/job/memory.usage_in_bytes"] = str(10**9)
    assert available_bytes() == 2 * 10**9 + 1_024_000_000
    files["/sys/fs/cgroup/memory/job/memory.limit_in_bytes"] = "9223372036854771712"  # v1's "no limit"
    assert available_bytes() == 90_000_000 * 1024 + 1_024_000_000
    files["/proc/self/cgroup"] = "0::/ci/job\n"  # a limit on the parent cgroup counts too
    files.update({"/sys/fs/cgroup/ci/job/memory.max": "max", "/sys/fs/cgroup/ci/job/memory.current": "10",
                  "/sys/fs/cgroup/ci/memory.max": str(4 * 10**9), "/sys/fs/cgroup/ci/memory.current": str(10**9)})
    assert available_bytes() == 3 * 10**9 + 1_024_000_000


def test_nothing_known_means_none(monkeypatch):
    monkeypatch.setattr(memory, "_read", lambda path: None)
    monkeypatch.setattr(memory.resource, "getrlimit", lambda which: (memory.resource.RLIM_INFINITY,) * 2)
    assert available_bytes() is None


# ------------------------------------------------------------------------------------------ refusing


def test_a_3000_px_adam_run_under_6_gb_is_refused_in_one_line_with_a_size_that_fits():
    c, s = shapes(3000)
    assert c == (1996, 3000)  # the tensor: shape[1,1996,3000,64]
    available = 5_100_000_000
    with pytest.raises(MemoryEstimateError) as info:
        check_memory(ADAM, c, s, available=available)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("a 3000 px run (1996×3000) with adam needs about ")
    assert "GB (estimate), but about 5.1 GB is available" in message
    size = size_in(message)
    assert f"(API: size={size})" in message and message.endswith("or free memory")
    assert size % 16 == 0 and size < 3000
    fits = estimate_peak_bytes(ADAM, *shapes(size)).total
    assert fits <= memory.FIT_FRACTION * available < estimate_peak_bytes(ADAM, *shapes(size + 16)).total
    check_memory(ADAM, *shapes(size), available=available)  # the suggestion passes the check, silently


def test_a_run_close_to_the_limit_warns_in_one_line_and_a_small_one_passes():
    c, s = shapes(1024)
    est = estimate_peak_bytes(LBFGS, c, s)
    with pytest.warns(MemoryWarning) as record:
        got = check_memory(LBFGS, c, s, available=int(est.total / 0.85))
    assert got.total == est.total
    (w,) = record
    text = str(w.message)
    assert "close enough to run out of memory" in text and "--size" in text and "\n" not in text
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_memory(LBFGS, c, s, available=10 * est.total).total == est.total


def test_unknown_memory_checks_nothing(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda limit=None: None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = check_memory(ADAM, (20000, 30000))  # would need hundreds of GB
    assert est.total > 100e9


def test_a_gpu_is_checked_against_the_device_part():
    c, s = shapes(2048)
    est = estimate_peak_bytes(LBFGS, c, s)
    gpu = (est.device + est.total) // 2  # enough for the device part, not for the whole process
    assert check_memory(LBFGS, c, s, available=gpu * 2, device_memory=True).device == est.device
    with pytest.raises(MemoryEstimateError, match="is on the GPU"):
        check_memory(LBFGS, c, s, available=est.device // 2, device_memory=True)


def test_a_large_style_size_is_named_when_the_size_alone_cannot_fit():
    config = RunConfig(optimizer="adam", style_size=6000)
    c, s = longest_side_shape(*CHELSEA, 512), (6000, 6000)
    with pytest.raises(MemoryEstimateError) as info:
        check_memory(config, c, s, available=3_000_000_000)
    assert "--style-size" in str(info.value) and "style_size=" in str(info.value)


def test_largest_size_that_fits_grows_with_the_memory():
    sizes = [largest_size_that_fits(ADAM, 2 / 3, gb * 10**9) for gb in (1.5, 2, 3, 4, 6, 8, 16, 32, 64)]
    assert all(isinstance(x, int) and x % 16 == 0 and x >= 16 for x in sizes)
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert largest_size_that_fits(ADAM, 2 / 3, 10**8) is None  # not even TensorFlow fits
    by_shape = largest_size_that_fits(LBFGS, lambda size: shapes(size), 8 * 10**9)
    assert by_shape < largest_size_that_fits(ADAM, lambda size: shapes(size), 8 * 10**9)  # L-BFGS needs more
    with pytest.raises(ValueError, match="aspect ratio"):
        largest_size_that_fits(ADAM, 0.0, 10**9)


# ------------------------------------------------------------------------------------------ after the fact


class ResourceExhaustedError(Exception):
    """Stands in for tf.errors.ResourceExhaustedError: recognized by its class name."""


def test_a_tensorflow_oom_becomes_one_line_naming_the_tensor_and_a_size():
    c, s = shapes(3000)
    exc = ResourceExhaustedError("{{function_node __wrapped__Relu_device_/job:localhost/replica:0/task:0/device:CPU:0}}"
                                 " OOM when allocating tensor with shape[1,1996,3000,64] and type float on "
                                 "/job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu [Op:Relu] name: ")
    line = explain_oom(exc, ADAM, c, s, available=5_100_000_000)
    assert "\n" not in line
    assert line.startswith("out of memory at 3000 px with adam (TensorFlow could not allocate a 1×1996×3000×64 "
                           "tensor); the run needs about ")
    size = size_in(line)
    assert f"(API: size={size})" in line and 16 <= size < 3000
    assert estimate_peak_bytes(ADAM, *shapes(size)).total <= 5_100_000_000


def test_numpy_memory_errors_and_others():
    c, s = shapes(2048)
    exc = MemoryError("Unable to allocate 1.56 GiB for an array with shape (1, 1365, 2048, 3) and data type float64")
    line = explain_oom(exc, LBFGS, c, s, available=4 * 10**9)
    assert "NumPy could not allocate 1.56 GiB for a 1×1365×2048×3 array" in line and "--size" in line
    assert size_in(line) < 2048
    assert "Python could not allocate memory" in explain_oom(MemoryError(), LBFGS, c, s, available=4 * 10**9)
    assert explain_oom(ValueError("no"), LBFGS, c, s) is None  # not ours: the caller re-raises it
    assert memory.is_out_of_memory(ResourceExhaustedError("x")) and not memory.is_out_of_memory(KeyError("x"))


def test_an_oom_asks_for_less_even_when_the_estimate_said_it_fits(monkeypatch):
    c, s = shapes(512)
    line = explain_oom(MemoryError(), ADAM, c, s, available=10**12)  # the estimate fits; the run did not
    assert size_in(line) == 352  # 0.7 × 512, down to a multiple of 16
    monkeypatch.setattr(memory, "available_bytes", lambda limit=None: None)
    line = explain_oom(MemoryError(), ADAM, c, s)  # memory unknown: half the size
    assert "use a smaller --size, e.g. 256 (API: size=256)" in line and "\n" not in line


def test_oom_guard_turns_an_oom_into_one_line_and_lets_other_errors_pass():
    c, s = shapes(3000)
    with pytest.raises(memory.OutOfMemoryError) as info:
        with memory.oom_guard(ADAM, c, s, available=5_100_000_000):
            raise ResourceExhaustedError("OOM when allocating tensor with shape[1,1996,3000,64] and type float")
    assert isinstance(info.value, MemoryError)  # code catching MemoryError still catches it
    assert isinstance(info.value.__cause__, ResourceExhaustedError)
    assert str(info.value).startswith("out of memory at 3000 px with adam (TensorFlow could not allocate")
    assert size_in(str(info.value)) < 3000 and "\n" not in str(info.value)
    with pytest.raises(KeyError):
        with memory.oom_guard(ADAM, c, s):
            raise KeyError("not memory")
    with pytest.raises(memory.OutOfMemoryError) as again:  # nested guards explain once
        with memory.oom_guard(ADAM, c, s, available=10**10):
            with memory.oom_guard(ADAM, c, s, available=5_100_000_000):
                raise MemoryError()
    assert again.value.__cause__.__class__ is MemoryError
    with memory.oom_guard(ADAM, c, s):
        pass  # nothing raised, nothing to do


def test_a_gpu_without_a_known_size_is_not_checked_against_the_host(monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda limit=None: 10**6)  # a host with (almost) nothing free
    est = check_memory(ADAM, (2000, 3000), device_memory=True)  # the GPU's size unknown: nothing to compare
    assert est.total > 5 * 10**9  # (7.6 GB with blocks 1-2 in row tiles)
    line = explain_oom(MemoryError(), ADAM, (1996, 3000), device_memory=True)
    assert "use a smaller --size, e.g. 1488 (API: size=1488)" in line  # half, as the GPU's size is unknown


def test_the_warning_is_shown_by_default():
    """MemoryWarning is a UserWarning: Python's default filters hide ResourceWarning."""
    assert issubclass(MemoryWarning, UserWarning) and not issubclass(MemoryWarning, ResourceWarning)
    code = ("import warnings; from stylelib.memory import MemoryWarning; "
            "warnings.warn('close to the limit', MemoryWarning)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert "MemoryWarning: close to the limit" in out.stderr


# ------------------------------------------------------------------------------------------ a real run

_CHILD = r"""
import json, warnings
warnings.simplefilter("ignore")
from stylelib.transfer import stylize
stylize("sample:chelsea", "sample:brick", size=256, optimizer="adam", iterations=2, weights="random")
status = open("/proc/self/status").read()
print(json.dumps({k: int(l.split()[1]) * 1024 for l in status.splitlines() for k in ("VmHWM",)
                  if l.startswith(k + ":")}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc (Linux)")
def test_the_estimate_is_within_a_factor_of_1_5_of_a_measured_peak():
    """One small real run (256 px, Adam, 2 steps) in a child process: its peak resident memory (VmHWM)
    against the estimate. The calibration table (128–1024 px) is in docs/reliability.md."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "STYLELIB_WEIGHTS": "random",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    peak = json.loads(out.stdout.strip().splitlines()[-1])["VmHWM"]
    est = estimate_peak_bytes(ADAM, *shapes(256)).total
    assert 0.67 <= est / peak <= 1.5, (est, peak)


def test_the_docstring_examples_run_and_tensorflow_is_not_imported():
    import doctest

    result = doctest.testmod(memory, optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.attempted >= 4 and result.failed == 0
    out = subprocess.run([sys.executable, "-c", "import sys, stylelib.memory; print('tensorflow' in sys.modules)"],
                         capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert out.stdout.strip() == "False", out.stderr[-1000:]


_OOM_CHILD = r"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (6 * 10**9, resource.RLIM_INFINITY))  # a 6 GB limit, as in the issue
import tensorflow as tf
from stylelib import memory
from stylelib.run import RunConfig
try:
    with memory.oom_guard(RunConfig(optimizer="adam"), (1996, 3000), (3000, 3000)):
        tf.zeros([1, 1996, 3000, 512]) + 1.0  # 12 GB
except memory.OutOfMemoryError as e:
    print(type(e.__cause__).__name__)
    print(e)
"""


@pytest.mark.skipif(not hasattr(__import__("resource"), "RLIMIT_AS") or sys.platform != "linux",
                    reason="needs RLIMIT_AS (Linux)")
def test_a_real_tensorflow_oom_under_a_memory_limit_is_explained_in_one_line():
    """TensorFlow's own ResourceExhaustedError (recognized by its class name) under RLIMIT_AS, in a child."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", _OOM_CHILD], capture_output=True, text=True, env=env, timeout=300)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2, out.stdout + out.stderr[-2000:]
    cause, line = lines
    assert cause == "ResourceExhaustedError"
    assert re.fullmatch(r"out of memory at 3000 px with adam \(TensorFlow could not allocate a 1×1996×3000×512 "
                        r"tensor\); the run needs about [\d.]+ GB \(estimate\) of about [\d.]+ GB available; "
                        r"use --size (\d+) or less \(API: size=\1\)", line), line
    assert size_in(line) < 3000
