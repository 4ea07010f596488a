"""How much memory a run needs, how much there is, and what to say when it does not fit.

A style-transfer run's memory grows with the number of pixels: VGG-19's first block alone keeps 128 float32
numbers per pixel for the backward pass. Without a check, a run that is too large fails late, with
TensorFlow's ``ResourceExhaustedError`` (``OOM when allocating tensor with shape[1,1996,3000,64]``) or with
the process killed by the kernel and no message at all. This module lets the engines and the command line
refuse such a run *before* anything big is allocated, in one line naming the size that would fit::

    from stylelib import memory
    memory.check_memory(config, content_hw, style_hw)   # raises MemoryEstimateError, or warns, or passes

and turn an out-of-memory error that still happens into one line (:func:`explain_oom`).

The model (:func:`estimate_peak_bytes`) adds, in bytes:

``tensorflow``
    The process after ``import tensorflow`` and stylelib, plus what TensorFlow's runtime adds during a run
    (thread pools, traced functions, oneDNN caches) — measured, see :data:`TF_BASELINE_BYTES`.
``weights``
    The 16 conv layers as NumPy arrays (all of them, about 80 MB). The TF2 engine's float32 tensors on the CPU are
    those arrays' buffers (:func:`stylelib.extractor.weight_tensors`); its float16 or bfloat16 tensors and the TF1
    engine's graph constants are copies of the layers the run builds (up to the deepest layer it uses), counted too.
``network``
    The larger of two phases. The *gradient pass*: every built layer's output kept for the backward pass
    (:data:`KEEP_PER_LAYER` copies) plus :data:`TRANSIENT_LARGEST` copies of the largest layer in flight
    during the backward pass. With gradient recomputation (``RunConfig.recompute``, on by default from 1024 px)
    the pass is made segment by segment — the layers after the recomputed blocks first, then each recomputed
    block — so the largest segment's layers count, plus the recomputed blocks' outputs. With row tiles
    (``RunConfig.tile_rows``, on wherever blocks are recomputed) the recomputed blocks are one segment whose layers
    count at one tile's share of the rows (the tile and its halo), in both passes. The *targets pass*
    (before the loop): each image run once, what is needed of each layer taken as it comes, so only
    :data:`EAGER_TRANSIENT_LARGEST` copies of the larger image's largest layer plus the content targets (the TF1
    engine holds the chosen layers of both images).
``targets``
    What the loop keeps: the content activations of the content layers and the style Gram matrices.
``optimizer``
    Adam: the image variable, its two slots, the best and last images, the gradient and a clip temporary
    (float32 on the device). L-BFGS: float64 copies of the image on the host — two per correction pair in use
    (``RunConfig.lbfgs_history``, 10; a run of fewer iterations has filled only that many pairs) and
    :data:`LBFGS_FLOAT64_VECTORS` more (scipy's other work arrays, the point, gradient and bounds, the engine's
    float32 images).
``images``
    The content, style, preprocessed and start images on the host (float32).

Everything scales with the content's pixel count except ``tensorflow`` and ``weights``; the style image
counts in the targets pass (a large ``style_size`` can dominate it). The constants were fitted to peak
resident-set sizes measured with ``benchmarks/peak_memory.py`` (TF2 engine, CPU, random weights); see
``docs/reliability.md`` ("Memory estimate: accuracy") for the table. The estimate is for the process's
whole peak resident memory on a CPU; :attr:`MemoryEstimate.device` is the part that lives on a GPU.

This module does not import TensorFlow (the command line checks a run before loading it).

Examples
--------
>>> from stylelib.run import RunConfig
>>> est = estimate_peak_bytes(RunConfig(size=512, optimizer="adam"), (341, 512), (512, 512))
>>> sorted(est.parts)
['images', 'network', 'optimizer', 'targets', 'tensorflow', 'weights']
>>> 0.8e9 < est.total < 3e9
True
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import resource
import warnings
from dataclasses import dataclass
from typing import Mapping

from . import recipe
from .images import longest_side_shape
from .vgg19 import LAYER_NAMES, LAYERS, canonical_layer, layer_shapes

__all__ = [
    "MemoryEstimate",
    "MemoryEstimateError",
    "MemoryWarning",
    "OutOfMemoryError",
    "oom_guard",
    "estimate_peak_bytes",
    "available_bytes",
    "largest_size_that_fits",
    "check_memory",
    "is_out_of_memory",
    "explain_oom",
    "format_bytes",
    "TF_BASELINE_BYTES",
    "KEEP_PER_LAYER",
    "TRANSIENT_LARGEST",
    "TILED_TRANSIENT_LARGEST",
    "EAGER_TRANSIENT_LARGEST",
    "ADAM_FLOAT32_IMAGES",
    "LBFGS_FLOAT64_VECTORS",
    "TF1_EXTRA_BYTES",
    "TF1_PER_PIXEL_FACTOR",
    "FIT_FRACTION",
    "WARN_FRACTION",
]

# ------------------------------------------------------------------------------------------ constants
#
# Measured with (TF 2.21 CPU, NumPy 2.4, SciPy 1.17, 2 cores; random weights; sample:chelsea as content,
# sample:brick as style; one child process per run):
#
#     STYLELIB_WEIGHTS=random .venv/bin/python benchmarks/peak_memory.py --sizes 128 256 512 768 1024 \
#         --optimizers adam lbfgs --iterations 3
#
# and the other runs listed in docs/reliability.md ("Memory estimate: accuracy"), which has the table and the
# ratios. Each constant's docstring names the runs it comes from. Issue 11 changed the engine's memory
# (recomputation, targets layer by layer, L-BFGS without minimize's copies); the constants it touched were
# refitted to (branch mem):
#
#     python -m benchmarks.run --parts memory --size 512 --size 1024    # and --size 2048
#     python -m benchmarks.levers recompute --size 1024 --blocks 0 1 2
#     python -m benchmarks.levers lbfgs-host --size 1024

TF_BASELINE_BYTES = 820_000_000
"""The process apart from the weights and the run's arrays, bytes: ``import tensorflow`` and stylelib (measured
resident set 0.64 GB) plus what TensorFlow's runtime adds during a run — thread pools, traced ``tf.function``
graphs, oneDNN primitive caches (about 0.18 GB: the measured peak at 128 px, 0.94 GB, less the import, the
weights and the 128 px arrays)."""

KEEP_PER_LAYER = 1.0
"""Copies of every built layer's output kept from the forward to the backward pass (the ReLU output, which
is also the next layer's input and all the conv's gradient needs). Checked against the measured peaks: a
1024 px Adam run with a 128 px style image (so the gradient pass alone sets the peak) measured 2.57 GB,
estimated 2.52 GB."""

TRANSIENT_LARGEST = 4.0
"""Copies of the largest layer's output in flight at the worst moment of the backward pass (the incoming
gradient, the ReLU gradient, the conv's input gradient, the Gram matrix's gradient of a style layer). 3.0 fitted
the engine before issue 11; refitted (issue 11) to the peaks of two compiled loss-and-gradient evaluations at
1024 px (``python -m benchmarks.levers recompute --size 1024 --blocks 0 1 2``: 2525, 2109, 2270 MB measured
against 2583, 2135, 2157 estimated for the process less the optimizer and images) and to
``python -m benchmarks.run --parts memory --size 512 --size 1024`` (Adam 1363 and 2397 MB measured, 1398 and 2277
estimated)."""

TILED_TRANSIENT_LARGEST = 7.0
""":data:`TRANSIENT_LARGEST` of a run whose recomputed blocks run in row tiles (``RunConfig.tile_rows``, the default
from 1024 px): there the largest layer of the rest of the network (conv3_x) sets the peak, and the pass holds more
besides it that the model does not count one by one (the tiled blocks' output twice while it is concatenated and its
gradient, the image-sized gradient being summed, the tiles' graph). Fitted (branch ``tile``) to
``python -m benchmarks.run --parts memory --size 1024 --size 2048``: Adam 1782 and 4247 MB, L-BFGS 1997 and 5086 MB
measured, against 1744, 4108, 2029 and 5248 estimated (0.98, 0.97, 1.02, 1.03). Stop 21 took one such tensor out of
the pass (``conv3_1``'s own gradient, no longer held through the backward pass of blocks 4 and 3:
``StyleObjective._tail_gradient``) but kept 7.0: the 2048 px runs were not measured again, and with 6.0 the
estimate of the last 2048 px Adam run would be 0.91 of it (too low for a refusal test)."""

EAGER_TRANSIENT_LARGEST = 2.5
"""Copies of the style image's largest layer in flight, besides the layers kept, while the targets are computed
eagerly (the conv output and the bias added, one op at a time; oneDNN's reorders). Where this pass sets the peak
(a style image as large as the content or larger), the measured peaks asked for 2.0 (1024 px), 2.2 (640 px with
a 1600 px style) and 2.85 (1280 px); 2.5 keeps those runs within −4 % … +7 %."""

COMPILED_TARGETS_PIXELS = 1024 * 1024
"""From this many pixels a style image's targets pass is a compiled function (``stylelib.transfer.StyleObjective``),
also when the content is small and nothing is recomputed: eagerly a 1500×1500 style with a 64 px content peaked at
3.44 GB (4.3 copies of its largest layer), compiled at 2.52 GB."""

COMPILED_TARGETS_LARGEST = 2.9
"""Copies of the style image's largest layer in flight in that compiled pass, fitted to a 64 px content with a
1500 px and a 3000 px square style (``sample:brick``), one L-BFGS iteration: ``python -m benchmarks.peak_memory
--sizes 64 --optimizers lbfgs --iterations 1 --style-size 1500`` (and 3000) measured 2.67 and 7.86 GB (10⁹ bytes)
against 2.68 and 7.85 estimated; a run in-process, ``stylize(..., size=64, style_size=N, iterations=1)``, 2524 and
7493 MiB."""

ADAM_FLOAT32_IMAGES = 8
"""Float32 images Adam's loop holds: the variable, Adam's two slots, the best and the last measured image,
the gradient, the clipped update and the start image (``stylelib.transfer._AdamLoop``)."""

LBFGS_FLOAT64_VECTORS = 10
"""Float64 vectors of ``3·H·W`` numbers the L-BFGS loop holds on the host besides the ``2·m`` of its ``m``
correction pairs: the rest of scipy's work array (5), the gradient, the two bounds, the integer work arrays (2)
— the 10 the measure below counts above the start vector, which the caller made before the call — and, left to
the fit, the point itself (:func:`stylelib.lbfgsb.lbfgs_b` works in the engine's start vector and reads the engine's
bounds, with no copies; since stop 20 it remembers the last point evaluated by a digest, where scipy's ``minimize``
— its fallback before scipy 1.15 — keeps a copy) and the engine's float32 images (current, best, last, the one
being evaluated and its gradient).
``python -m benchmarks.levers lbfgs-host --size 1024`` (12 iterations of a quadratic with as many variables): 30.0
vectors with ``lbfgs_b`` and history 10 (20.0 with 5; 31.0 and 21.0 before stop 20), against 58.8 (48.8) with
``scipy.optimize.minimize`` and ``Bounds`` — the engine before issue 11, whose runs measured 52–53 vectors here. Was
14 until stop 18, when the engine stopped copying its start and bounds (3 vectors): ``python -m
benchmarks.peak_memory --sizes 1024 2048 --optimizers lbfgs --iterations 12`` measured 2.16 → 2.14 GB at 1024 px and
5.66 → 5.41 GB at 2048 px (before and after, the same day); 11 until stop 20, when ``lbfgs_b`` stopped copying the
last point it evaluated."""

TF1_EXTRA_BYTES = 740_000_000
"""What the TF1 engine (:func:`stylelib.session.run_art`) holds beyond the TF2 model whatever the size, bytes: its
``tf.Graph`` with the weights as constants and Grappler's rewritten copies of it. Fitted, with
:data:`TF1_PER_PIXEL_FACTOR`, to two measured runs (512 px: 3.18 GB, 1024 px: 7.61 GB)."""

TF1_PER_PIXEL_FACTOR = 2.25
"""How much more the TF1 Session keeps per pixel than the TF2 model's network, targets, optimizer and images:
its executor holds about 2.2 times as much as ``tf.function`` does for the same layers (fitted to the two
runs above; not investigated further)."""

LBFGS_CORRECTIONS = 10
"""``m``, the correction pairs ``stylelib.transfer._LbfgsLoop`` asks scipy for by default (``maxcor``; a config's
``lbfgs_history`` replaces it)."""

FIT_FRACTION = 0.7
"""A run "fits" when its estimate is at most this share of the available memory (the safety margin of
:func:`largest_size_that_fits`)."""

WARN_FRACTION = 0.7
""":func:`check_memory` warns when the estimate is above this share of the available memory. The measured peaks
were within 10 % of the estimate on the machine the constants come from; another TensorFlow version, allocator
or a GPU can differ by more, and the memory available changes while a run goes on."""

_UNMEASURED_WARN_FRACTION = 0.5
# for configurations the constants were not measured on (TF1 engine, mixed precision, a GPU): warn earlier

_WEIGHT_BYTES = {l.name: 4 * (9 * l.in_channels * l.out_channels + l.out_channels) for l in LAYERS
                 if l.kind == "conv"}
_ALL_WEIGHTS = sum(_WEIGHT_BYTES.values())  # 80.1 MB: the NumPy copy VGG19Weights always holds

_LIMIT_UNSET = 1 << 60  # cgroup v1 writes "no limit" as 2**63 rounded to a page; treat anything this big as none


# ------------------------------------------------------------------------------------------ estimate


class MemoryEstimateError(ValueError):
    """A run would need more memory than is available; the message is one line with the estimate, the memory
    available and a size that fits."""


class MemoryWarning(UserWarning):
    """A run's estimate is close to the available memory: it may or may not fit. (A ``UserWarning``, not a
    ``ResourceWarning``: Python hides those by default.)"""


class OutOfMemoryError(MemoryError):
    """A run ran out of memory; the message is the one line of :func:`explain_oom`. Raised by :func:`oom_guard`
    from the original error (``__cause__``)."""


@dataclass(frozen=True)
class MemoryEstimate:
    """The estimated peak memory of a run, in bytes, and its parts.

    Attributes
    ----------
    total : int
        Peak resident memory of the process, bytes (the sum of ``parts``).
    parts : dict of str to int
        ``tensorflow``, ``weights``, ``network``, ``targets``, ``optimizer``, ``images`` (see the module
        docstring), bytes.
    device : int
        The part that lives on the compute device (a GPU's memory): ``network``, ``targets``, the built
        layers' weights and, for Adam, its state. Bytes.
    measured : bool
        False for configurations the constants were not checked on (mixed precision, not measured; the TF1
        engine, fitted to two runs only): treat the estimate as rougher (:func:`check_memory` warns earlier).
    content_hw, style_hw : tuple of int
        The shapes it was computed for.
    """

    total: int
    parts: Mapping[str, int]
    device: int
    measured: bool = True
    content_hw: tuple = ()
    style_hw: tuple = ()

    def __int__(self) -> int:
        return int(self.total)

    def __index__(self) -> int:
        return int(self.total)

    def __str__(self) -> str:
        parts = ", ".join(f"{k} {format_bytes(v)}" for k, v in self.parts.items())
        return f"about {format_bytes(self.total)} ({parts})"


def format_bytes(n: float) -> str:
    """``n`` bytes as ``'14.2 GB'`` / ``'850 MB'`` (decimal units, as ``free -h --si`` prints them).

    Examples
    --------
    >>> format_bytes(14_200_000_000), format_bytes(850_000_000), format_bytes(5_000)
    ('14.2 GB', '850 MB', '0.01 MB')
    """
    if n >= 1e9:
        return f"{n / 1e9:.1f} GB"
    if n >= 1e6:
        return f"{n / 1e6:.0f} MB"
    return f"{n / 1e6:.2f} MB"


def _layers(config) -> tuple[dict[str, float], dict[str, float]]:
    """The config's content and style layers by table name (art.py's when a config has none)."""
    content = getattr(config, "content_layers", None) or recipe.ART_CONTENT_LAYERS
    style = getattr(config, "style_layers", None) or recipe.ART_STYLE_LAYERS
    return {canonical_layer(n): 1.0 for n in content}, {canonical_layer(n): 1.0 for n in style}


def _hw(shape, what: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in tuple(shape)[:2])
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be (height, width) in pixels, got {shape!r}") from None
    if h < 1 or w < 1:
        raise ValueError(f"{what} must be (height, width) of at least 1 pixel, got {shape!r}")
    return h, w


def estimate_peak_bytes(config, content_hw, style_hw=None, *, engine: str = "tf2") -> MemoryEstimate:
    """Estimate the peak memory of a style-transfer run from its sizes, before anything is allocated.

    Parameters
    ----------
    config : stylelib.run.RunConfig
        The run's settings; read: ``optimizer``, ``content_layers``, ``style_layers``, ``mixed_precision``.
        (``size`` is not read: ``content_hw`` is the size the run will have.)
    content_hw : tuple of int
        ``(height, width)`` of the content image as the run will use it (after resizing to ``size``), pixels.
        A longer tuple (an image's ``shape``) is fine.
    style_hw : tuple of int, optional
        ``(height, width)`` of the style image after resizing (default: ``content_hw``). The TF1 engine
        always uses ``content_hw``.
    engine : {'tf2', 'tf1'}
        ``'tf2'``: :func:`stylelib.transfer.stylize`; ``'tf1'``: :func:`stylelib.session.run_art`, which needs
        about three times as much at 1024 px (:data:`TF1_PER_PIXEL_FACTOR`, :data:`TF1_EXTRA_BYTES`; fitted to
        two runs only).

    Returns
    -------
    MemoryEstimate
        ``total`` (bytes) and its ``parts``; ``int(estimate)`` is the total.

    Raises
    ------
    ValueError
        An unknown engine or layer, or a shape that is not ``(height, width)`` of positive sizes.

    Notes
    -----
    Accuracy: the estimate/measured ratio of the peak resident memory was 0.95–1.09 for the TF2 engine's runs at
    512–2048 px after issue 11's memory levers (0.97–1.03 at 1024 and 2048 px with row tiles, 1.08–1.13 for stop 21's
    long runs at 1024 px, on the safe side; and 0.96–1.08 at
    128–1536 px, both engines, other layers, max pooling, style images smaller and larger than the content, for
    the engine before them); the tables, with the runs not used for fitting marked, are in
    ``docs/reliability.md``. Other machines (another TensorFlow, a GPU, oneDNN off) will differ, hence the warning
    band of :func:`check_memory`. From 1024 px (blocks 1–2 recomputed in row tiles) the estimate grows by about
    1.1 kB per pixel of the content for Adam with art.py's layers and a style image of the content's shape, 1.8 kB
    for a long L-BFGS run (8.5 kB for the TF1 engine), on top of about 0.91 GB (1.7 GB for the TF1 engine).
    """
    if engine not in ("tf2", "tf1"):
        raise ValueError(f"engine must be 'tf2' or 'tf1', got {engine!r}")
    ch, cw = _hw(content_hw, "content_hw")
    sh, sw = (ch, cw) if style_hw is None or engine == "tf1" else _hw(style_hw, "style_hw")
    mixed = bool(getattr(config, "mixed_precision", False)) and engine == "tf2"
    item = 2 if mixed else 4  # bytes per activation
    content_layers, style_layers = _layers(config)
    used = set(content_layers) | set(style_layers)
    deepest = max(LAYER_NAMES.index(n) for n in used)
    built = LAYERS[: deepest + 1]
    c_shapes, s_shapes = layer_shapes(ch, cw), layer_shapes(sh, sw)

    def elems(shapes, name):
        h, w, c = shapes[name]
        return h * w * c

    # gradient pass: every built layer's output kept, the largest few in flight; the loss terms' float32 copies.
    # With gradient recomputation (TF2, `recompute` blocks) the pass is made segment by segment: the recomputed
    # blocks' inputs are kept, and only one segment's layers at a time (the rest of the network first, then each
    # recomputed block backwards).
    loss_side = sum(elems(c_shapes, n) for n in content_layers)  # x − p of the content cost
    if mixed:  # the losses cast the chosen layers' float16 activations to float32 (kept for the Gram's gradient)
        loss_side += sum(elems(c_shapes, n) for n in used)
    blocks = _recompute_blocks(config, (ch, cw)) if engine == "tf2" else 0
    segments = _segments(built, blocks)
    # row tiles (TF2, `tile_rows`): the recomputed blocks are one segment, run a tile (with its halo) at a time
    rows = _tile_rows(config, (ch, cw)) if blocks and len(segments) > 1 and not mixed else 0
    tiled = 0  # the layers built[:tiled] count at a tile's share of the rows
    if rows and _tile_share(built, segments[-2][1], rows, ch, halo=False) < 1.0:  # more than one tile
        segments, tiled = [(0, segments[-2][1]), segments[-1]], segments[-2][1]
    c_share, s_share = (_tile_share(built, tiled, rows, h) for h in (ch, sh))

    def sized(shapes, layer, share):  # a layer's numbers, a tile's share of them if it is tiled
        return elems(shapes, layer.name) * (share if built.index(layer) < tiled else 1.0)

    boundaries = sum(elems(c_shapes, built[a - 1].name) for a, _ in segments[1:])  # the recomputed blocks' outputs
    gradient_pass = 0.0
    for a, b in segments:
        seg = built[a:b]
        kept = sum(sized(c_shapes, l, c_share) for l in seg)
        largest = max(sized(c_shapes, l, c_share) for l in seg)
        transient = TILED_TRANSIENT_LARGEST if tiled else TRANSIENT_LARGEST
        gradient_pass = max(gradient_pass, item * (KEEP_PER_LAYER * kept + transient * largest))
    gradient_pass += item * boundaries + 4 * loss_side
    largest = max(sized(c_shapes, l, c_share) for l in built)

    # targets pass: each image run through the network once, eagerly, one layer at a time; what is kept of it is
    # taken as each layer comes (the content layers' activations, the style layers' Gram matrices), so the peak is
    # the largest layer in flight (TF2). The TF1 engine holds the chosen layers of both images at once.
    style_largest = max(sized(s_shapes, l, s_share) for l in built)
    content_kept = sum(elems(c_shapes, n) for n in content_layers)
    compiled_style = False
    if engine == "tf1":
        content_feats = sum(elems(c_shapes, n) for n in used)
        style_feats = sum(elems(s_shapes, n) for n in style_layers)
        targets_pass = item * max(content_feats + style_feats + EAGER_TRANSIENT_LARGEST * style_largest,
                                  content_feats + EAGER_TRANSIENT_LARGEST * largest)
    else:
        compiled_style = not tiled and sh * sw >= COMPILED_TARGETS_PIXELS  # a large style, a small content
        style_copies = COMPILED_TARGETS_LARGEST if compiled_style else EAGER_TRANSIENT_LARGEST
        targets_pass = item * (content_kept + max(style_copies * style_largest, EAGER_TRANSIENT_LARGEST * largest))

    grams = sum(4 * s_shapes[n][2] ** 2 for n in style_layers)
    targets = 4 * sum(elems(c_shapes, n) for n in content_layers) + grams
    if engine == "tf1":  # NumPy snapshots of the content and style layers, again as graph constants (2 copies)
        targets = 3 * 4 * (sum(elems(c_shapes, n) for n in content_layers)
                           + sum(elems(s_shapes, n) for n in style_layers))

    n = 3 * ch * cw  # numbers in one image
    if getattr(config, "optimizer", "lbfgs") == "adam":
        optimizer = 4 * ADAM_FLOAT32_IMAGES * n
        optimizer_on_device = optimizer
    else:
        # scipy's history arrays are allocated whole but filled one pair per iteration (the pages of a pair not
        # yet written are not resident): a run of fewer iterations than the history uses that many pairs
        history = int(getattr(config, "lbfgs_history", LBFGS_CORRECTIONS) or LBFGS_CORRECTIONS)
        pairs = min(history, int(getattr(config, "iterations", history) or history))
        optimizer = 8 * (2 * pairs + LBFGS_FLOAT64_VECTORS) * n + 4 * 2 * n  # + the float32 image and gradient
        optimizer_on_device = 4 * 2 * n
    # content, preprocessed, start; style and preprocessed style (stylize drops the preprocessed pair before the
    # loop since stop 20; they are still counted: they are there during the targets pass, and the fit has them)
    images = 4 * (3 * n + 2 * 3 * sh * sw)

    built_weights = sum(_WEIGHT_BYTES[l.name] for l in built if l.kind == "conv")
    # the engine's float32 tensors on the CPU are the NumPy arrays themselves (stylelib.extractor.weight_tensors,
    # stop 21); its float16 and bfloat16 tensors and the TF1 Session's graph constants are copies (bfloat16's counted
    # at float32's size: this model does not follow bfloat16 runs otherwise)
    copied = mixed or engine == "tf1" or bool(getattr(config, "bfloat16", False))
    weights = _ALL_WEIGHTS + (built_weights * item // 4 if copied else 0)
    # a compiled style pass's memory is not all handed back before the gradient pass: the two add up (a 640 px
    # content with a 1600 px style measured 3.37 GB, where the larger of the two passes gives 2.97)
    network = gradient_pass + targets_pass if compiled_style else max(gradient_pass, targets_pass)
    baseline = TF_BASELINE_BYTES
    if engine == "tf1":  # measured: the Session keeps ~2.2x as much per pixel, and its graph ~0.74 GB
        network, targets, optimizer, images = (TF1_PER_PIXEL_FACTOR * v for v in (network, targets, optimizer, images))
        optimizer_on_device = optimizer
        baseline += TF1_EXTRA_BYTES
    parts = {
        "tensorflow": int(baseline),
        "weights": int(weights),
        "network": int(network),
        "targets": int(targets),
        "optimizer": int(optimizer),
        "images": int(images),
    }
    device = int(network + targets + optimizer_on_device + built_weights * item // 4)
    return MemoryEstimate(total=sum(parts.values()), parts=parts, device=device,
                          measured=engine == "tf2" and not mixed, content_hw=(ch, cw), style_hw=(sh, sw))


def _recompute_blocks(config, content_hw) -> int:
    """The VGG blocks a TF2 run recomputes (:func:`stylelib.run.recompute_blocks`; 0 for a config without the
    setting)."""
    from .run import recompute_blocks  # (stylelib.run imports no TensorFlow either)

    if not hasattr(config, "recompute"):
        return 0
    return recompute_blocks(config, content_hw)


def _tile_rows(config, content_hw) -> int:
    """The rows per tile of a TF2 run (:func:`stylelib.run.tile_rows_for`; 0 for a config without the setting)."""
    from .run import tile_rows_for

    if not hasattr(config, "tile_rows"):
        return 0
    return tile_rows_for(config, content_hw)


def _tile_share(built, stop: int, rows: int, height: int, halo: bool = True) -> float:
    """The share of an image's ``height`` rows one row tile of the layers ``built[:stop]`` computes: its ``rows``
    (rounded up as :meth:`stylelib.extractor.FeatureExtractor.row_tiles` does) plus a halo on each side (or
    without it: ``halo=False``, below 1 when there is more than one tile)."""
    if not stop or not rows:
        return 1.0
    reach, scale = 0, 1
    for layer in built[:stop]:
        if layer.kind == "conv":
            reach += scale
        else:
            scale *= 2
    rows = max(scale, -(-rows // scale) * scale)
    extra = 2 * (-(-reach // scale) * scale) if halo else 0
    return min(1.0, (rows + extra) / height)


def _segments(built, blocks: int) -> list[tuple[int, int]]:
    """``built`` cut after each of its first ``blocks`` pooling layers, as
    :meth:`stylelib.extractor.FeatureExtractor.segments` cuts it."""
    cuts = [i + 1 for i, layer in enumerate(built) if layer.kind != "conv"][:max(0, int(blocks))]
    bounds = [0, *cuts, len(built)]
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


# ------------------------------------------------------------------------------------------ available


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _status_bytes(key: str) -> int | None:
    text = _read("/proc/self/status") or ""
    m = re.search(rf"^{key}:\s+(\d+)\s+kB", text, re.M)
    return int(m.group(1)) * 1024 if m else None


def _meminfo_available() -> int | None:
    text = _read("/proc/meminfo") or ""
    m = re.search(r"^MemAvailable:\s+(\d+)\s+kB", text, re.M)
    return int(m.group(1)) * 1024 if m else None


def _cgroup_dirs(controller_v1: str) -> list[tuple[str, str]]:
    """``(version, directory)`` of this process's memory cgroup and of each cgroup above it (a limit set on a
    parent counts too), then the mount points themselves (inside a container the cgroup is mounted at the root)."""
    out: dict[tuple[str, str], None] = {}
    for line in (_read("/proc/self/cgroup") or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            version, mount = "v2", "/sys/fs/cgroup"
        elif controller_v1 in controllers.split(","):
            version, mount = "v1", f"/sys/fs/cgroup/{controller_v1}"
        else:
            continue
        steps = [p for p in path.strip("/").split("/") if p]
        for i in range(len(steps), 0, -1):
            out[(version, mount + "/" + "/".join(steps[:i]))] = None
    out[("v2", "/sys/fs/cgroup")] = None
    out[("v1", f"/sys/fs/cgroup/{controller_v1}")] = None
    return list(out)


def _inactive_file(directory: str, key: str) -> int:
    m = re.search(rf"^{key} (\d+)$", _read(os.path.join(directory, "memory.stat")) or "", re.M)
    return int(m.group(1)) if m else 0


def _cgroup_free() -> int | None:
    """The least, over this process's cgroup and the cgroups above it, of the memory limit less what the cgroup
    uses (page cache it could drop not counted as used), bytes; None when no cgroup sets a limit."""
    free = []
    for version, d in _cgroup_dirs("memory"):
        if version == "v2":
            limit, usage = _read(os.path.join(d, "memory.max")), _read(os.path.join(d, "memory.current"))
            cache_key = "inactive_file"
        else:
            limit, usage = (_read(os.path.join(d, "memory.limit_in_bytes")),
                            _read(os.path.join(d, "memory.usage_in_bytes")))
            cache_key = "total_inactive_file"
        if limit is None or usage is None or not limit.isdigit() or int(limit) >= _LIMIT_UNSET:
            continue  # no such cgroup file here, or "max" / v1's huge "no limit"
        used = max(0, int(usage) - _inactive_file(d, cache_key))
        free.append(max(0, int(limit) - used))
    return min(free) if free else None


def available_bytes(limit: int | None = None) -> int | None:
    """The memory this process may use in all, bytes: what it already holds plus what it can still get.

    Parameters
    ----------
    limit : int, optional
        Use this instead (e.g. a GPU's memory, as TensorFlow reports it). Returned as is when given.

    Returns
    -------
    int or None
        The smallest of: ``MemAvailable`` from ``/proc/meminfo``; the cgroup's limit less its usage (cgroup v2
        ``memory.max`` − ``memory.current``, v1 ``memory.limit_in_bytes`` − ``memory.usage_in_bytes``, inactive
        page cache not counted as used); the address-space limit (``RLIMIT_AS``) less the address space not
        resident — each plus the process's own resident memory (``VmRSS``), since the estimate counts it too.
        ``None`` when none of them is known (not Linux, no ``/proc``).
    """
    if limit is not None:
        return int(limit)
    rss = _status_bytes("VmRSS") or 0
    candidates = []
    free = _meminfo_available()
    if free is not None:
        candidates.append(free + rss)
    cg = _cgroup_free()
    if cg is not None:
        candidates.append(cg + rss)
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (ValueError, OSError, AttributeError):  # pragma: no cover - platform without RLIMIT_AS
        soft = resource.RLIM_INFINITY
    if soft not in (resource.RLIM_INFINITY, -1) and soft > 0:
        vm = _status_bytes("VmSize") or 0
        candidates.append(max(0, soft - vm) + rss)
    return min(candidates) if candidates else None


# ------------------------------------------------------------------------------------------ what fits


def _round_down_16(n: float) -> int:
    return int(n) // 16 * 16


def _shape_function(config, content_hw, style_hw, engine: str, scale_style: bool):
    """``size -> (content_hw, style_hw)`` as the engines resize: the content's longest side to ``size``; the style
    to ``style_size`` if set (or, with ``scale_style``, to ``min(style_size, size)``), else to ``size``."""
    ch, cw = _hw(content_hw, "content_hw")
    sh, sw = (ch, cw) if style_hw is None else _hw(style_hw, "style_hw")
    style_size = getattr(config, "style_size", None)

    def shapes(size: int):
        c = longest_side_shape(ch, cw, size)
        if engine == "tf1":
            return c, c
        if style_size is None:
            s = longest_side_shape(sh, sw, size)
        elif scale_style:
            s = longest_side_shape(sh, sw, min(style_size, size))
        else:
            s = (sh, sw)
        return c, s

    return shapes


def largest_size_that_fits(config, shapes, available: int, *, engine: str = "tf2", margin: float = FIT_FRACTION,
                           max_size: int = 16384, device_memory: bool = False) -> int | None:
    """The largest ``size`` (longest side, a multiple of 16, at least 16) whose estimate fits in ``available``.

    Parameters
    ----------
    config : stylelib.run.RunConfig
        The run's settings (optimizer and layers matter).
    shapes : float or callable
        How the images' shapes follow from ``size``: a callable ``size -> (content_hw, style_hw)`` or
        ``size -> content_hw`` (the style then gets the content's shape), or a number, the content's aspect
        ratio ``height / width`` (the style gets the content's shape).
    available : int
        Memory available, bytes (e.g. :func:`available_bytes`).
    engine : {'tf2', 'tf1'}
        As for :func:`estimate_peak_bytes`.
    margin : float
        A size fits when its estimate is at most ``margin × available`` (default :data:`FIT_FRACTION`).
    max_size : int
        The largest size considered, pixels.
    device_memory : bool
        ``available`` is a GPU's memory: compare :attr:`MemoryEstimate.device`, not the total.

    Returns
    -------
    int or None
        Pixels; ``None`` when even 16 px does not fit.

    Examples
    --------
    >>> from stylelib.run import RunConfig
    >>> largest_size_that_fits(RunConfig(optimizer="adam"), 2 / 3, 6_000_000_000) % 16
    0
    """
    if callable(shapes):
        fn = shapes
    else:
        aspect = float(shapes)
        if not (aspect > 0 and math.isfinite(aspect)):
            raise ValueError(f"the aspect ratio (height / width) must be a positive number, got {shapes!r}")

        def fn(size: int):
            return longest_side_shape(max(1, round(1000 * aspect)), 1000, size)

    def fits(size: int) -> bool:
        got = fn(size)
        if isinstance(got[0], (tuple, list)):
            c, s = got
        else:
            c, s = got, got
        est = estimate_peak_bytes(config, c, s, engine=engine)
        return (est.device if device_memory else est.total) <= margin * available

    if not fits(16):
        return None
    lo, hi = 1, max(1, max_size // 16)  # in units of 16 px: lo fits
    if fits(hi * 16):
        return hi * 16
    while hi - lo > 1:  # the estimate grows with size, so bisect
        mid = (lo + hi) // 2
        if fits(mid * 16):
            lo = mid
        else:
            hi = mid
    return lo * 16


_MORE_RECOMPUTE = 3  # the blocks the memory check may suggest recomputing (blocks 1–3; stylelib.run.RECOMPUTE_BLOCKS)


def _recompute_more_fits(config, content_hw, style_hw, available: int, engine: str, device_memory: bool) -> bool:
    """Whether the same run with VGG's blocks 1–3 recomputed (``recompute=3``, the same result; slower evaluations,
    :data:`stylelib.run.RECOMPUTE_BLOCKS`) fits in ``FIT_FRACTION × available``, where the run as asked does not
    recompute them."""
    import dataclasses

    if engine != "tf2" or not dataclasses.is_dataclass(config) or not hasattr(config, "recompute"):
        return False
    if _recompute_blocks(config, _hw(content_hw, "content_hw")) >= _MORE_RECOMPUTE:
        return False
    est = estimate_peak_bytes(dataclasses.replace(config, recompute=_MORE_RECOMPUTE), content_hw, style_hw,
                              engine=engine)
    return (est.device if device_memory else est.total) <= FIT_FRACTION * available


def _suggestion(config, content_hw, style_hw, available: int, engine: str, device_memory: bool = False,
                offer_recompute: bool = True) -> str:
    """``'use --size N or less (API: size=N)'`` or the same with ``--style-size``; or 'free memory'. When
    recomputing blocks 1–3 makes the run fit at its size (and ``offer_recompute``), that first:
    ``'use --recompute 3 (…) or --size N …'``."""
    size = largest_size_that_fits(config, _shape_function(config, content_hw, style_hw, engine, False),
                                  available, engine=engine, device_memory=device_memory)
    if size is not None:
        smaller = f"--size {size} or less (API: size={size})"
        if offer_recompute and _recompute_more_fits(config, content_hw, style_hw, available, engine, device_memory):
            return (f"use --recompute {_MORE_RECOMPUTE} (API: recompute={_MORE_RECOMPUTE}; the same picture, each "
                    f"step up to 1.6x slower) or {smaller}")
        return f"use {smaller}"
    if getattr(config, "style_size", None) is not None and engine == "tf2":
        size = largest_size_that_fits(config, _shape_function(config, content_hw, style_hw, engine, True),
                                      available, engine=engine, device_memory=device_memory)
        if size is not None:
            return (f"use --size {size} --style-size {size} or less "
                    f"(API: size={size}, style_size={size})")
    return "even 16 px does not fit: close other programs"


def _describe_run(config, content_hw, optimizer: str) -> str:
    h, w = _hw(content_hw, "content_hw")
    return f"a {max(h, w)} px run ({h}×{w}) with {optimizer}"


def check_memory(config, content_hw, style_hw=None, *, available: int | None = None, engine: str = "tf2",
                 device_memory: bool = False) -> MemoryEstimate:
    """Refuse a run that would not fit in memory, warn about one that may not; call before allocating.

    Parameters
    ----------
    config : stylelib.run.RunConfig
        The run's settings.
    content_hw, style_hw : tuple of int
        ``(height, width)`` of the content and the style image as the run will use them, pixels.
    available : int, optional
        Memory available, bytes (default: :func:`available_bytes`). Pass a GPU's memory together with
        ``device_memory=True``; with ``device_memory=True`` and no ``available`` nothing is checked.
    engine : {'tf2', 'tf1'}
        As for :func:`estimate_peak_bytes`.
    device_memory : bool
        Compare :attr:`MemoryEstimate.device` (what lives on a GPU) instead of the process's total.

    Returns
    -------
    MemoryEstimate
        The estimate, when the run is not refused (also when ``available`` is unknown: nothing is checked).

    Examples
    --------
    >>> from stylelib.run import RunConfig
    >>> check_memory(RunConfig(optimizer="adam"), (1996, 3000), (3000, 3000), available=4_000_000_000)
    Traceback (most recent call last):
    ...
    stylelib.memory.MemoryEstimateError: a 3000 px run ... needs about 7.7 GB ... use --size 1584 or less ...

    Raises
    ------
    MemoryEstimateError
        The estimate exceeds the available memory. One line: the estimate, the memory available, and the
        largest ``size`` that fits (``--size N`` for the command line, ``size=N`` for the API).

    Warns
    -----
    MemoryWarning
        The estimate is above :data:`WARN_FRACTION` of the available memory (half of it for configurations
        the constants were not measured on): the run may or may not fit. One line.
    """
    est = estimate_peak_bytes(config, content_hw, style_hw, engine=engine)
    if available is None and not device_memory:  # a GPU's memory is what the caller knows, or nobody
        available = available_bytes()
    if available is None:
        return est
    need = est.device if device_memory else est.total
    where = "on the GPU" if device_memory else "available"
    optimizer = getattr(config, "optimizer", "lbfgs")
    run = _describe_run(config, est.content_hw, optimizer)
    if need > available:
        raise MemoryEstimateError(
            f"{run} needs about {format_bytes(need)} (estimate), but about {format_bytes(available)} is {where}; "
            f"{_suggestion(config, content_hw, style_hw, available, engine, device_memory)}, or free memory")
    band = WARN_FRACTION if est.measured else _UNMEASURED_WARN_FRACTION
    if need > band * available:
        warnings.warn(
            f"{run} needs about {format_bytes(need)} (estimate) of about {format_bytes(available)} {where}, close "
            f"enough to run out of memory; to be safe, "
            f"{_suggestion(config, content_hw, style_hw, available, engine, device_memory)}",
            MemoryWarning, stacklevel=2)
    return est


# ------------------------------------------------------------------------------------------ after the fact

_OOM_NAMES = ("ResourceExhaustedError", "MemoryError", "OutOfMemoryError")


def is_out_of_memory(exc: BaseException) -> bool:
    """True for a ``MemoryError`` or TensorFlow's ``ResourceExhaustedError`` (recognized by class name, so this
    module needs no TensorFlow), or an error whose message says ``OOM when allocating``."""
    names = {c.__name__ for c in type(exc).__mro__}
    return bool(names & set(_OOM_NAMES)) or "OOM when allocating" in str(exc)


def _what_failed(exc: BaseException) -> str:
    text = str(exc)
    m = re.search(r"OOM when allocating tensor with shape\s*\[([\d,\s]+)\]", text)
    if m:
        dims = "×".join(d.strip() for d in m.group(1).split(",") if d.strip())
        return f"TensorFlow could not allocate a {dims} tensor"
    m = re.search(r"Unable to allocate ([\d.]+\s*\w+) for an array with shape \(([^)]*)\)", text)
    if m:
        dims = "×".join(d.strip() for d in m.group(2).split(",") if d.strip())
        return f"NumPy could not allocate {m.group(1)} for a {dims} array"
    if isinstance(exc, MemoryError) or "MemoryError" in {c.__name__ for c in type(exc).__mro__}:
        return "Python could not allocate memory"
    return f"{type(exc).__name__}"


def explain_oom(exc: BaseException, config, content_hw, style_hw=None, *, available: int | None = None,
                engine: str = "tf2", device_memory: bool = False) -> str | None:
    """One line for an out-of-memory error caught during a run, naming the option and a size that fits.

    Parameters
    ----------
    exc : BaseException
        The caught error: ``MemoryError`` or ``tf.errors.ResourceExhaustedError`` (recognized by class name).
    config : stylelib.run.RunConfig
        The run's settings.
    content_hw, style_hw : tuple of int
        ``(height, width)`` of the content and style images as the run used them, pixels.
    available : int, optional
        Memory available, bytes (default: :func:`available_bytes`, measured now — after the failed run has
        freed its arrays).
    engine : {'tf2', 'tf1'}
        As for :func:`estimate_peak_bytes`.
    device_memory : bool
        ``available`` is a GPU's memory (compare the device part of the estimate).

    Returns
    -------
    str or None
        E.g. ``"out of memory at 3000 px (TensorFlow could not allocate a 1×1996×3000×64 tensor); the run
        needs about 14.2 GB (estimate) of about 5.1 GB available; use --size 1400 or less (API: size=1400)"``.
        ``None`` when ``exc`` is not an out-of-memory error (re-raise it).
    """
    if not is_out_of_memory(exc):
        return None
    if isinstance(exc, OutOfMemoryError):  # explained already
        return str(exc)
    est = estimate_peak_bytes(config, content_hw, style_hw, engine=engine)
    if available is None and not device_memory:
        available = available_bytes()
    h, w = est.content_hw
    head = f"out of memory at {max(h, w)} px with {getattr(config, 'optimizer', 'lbfgs')} ({_what_failed(exc)})"
    need = est.device if device_memory else est.total
    if available is None:
        smaller = max(16, _round_down_16(max(h, w) / 2))
        return f"{head}; the run needs about {format_bytes(need)} (estimate); use a smaller --size, e.g. {smaller} " \
               f"(API: size={smaller})"
    # the run failed, so whatever the estimate says, ask for less than it had
    # (after a real out-of-memory error, a smaller size: the estimate that --recompute 3 would rest on was wrong)
    suggestion = _suggestion(config, content_hw, style_hw, available, engine, device_memory, offer_recompute=False)
    m = re.match(r"use --size (\d+)", suggestion)
    if m and int(m.group(1)) >= max(h, w):
        smaller = max(16, _round_down_16(max(h, w) * 0.7))
        suggestion = f"use --size {smaller} or less (API: size={smaller})"
    return (f"{head}; the run needs about {format_bytes(need)} (estimate) of about {format_bytes(available)} "
            f"available; {suggestion}")


@contextlib.contextmanager
def oom_guard(config, content_hw, style_hw=None, *, available: int | None = None, engine: str = "tf2",
              device_memory: bool = False):
    """Turn an out-of-memory error inside the ``with`` block into :class:`OutOfMemoryError` with one line.

    Parameters
    ----------
    config, content_hw, style_hw, available, engine, device_memory
        As for :func:`explain_oom` (``available`` is measured when the error happens, if not given).

    Raises
    ------
    OutOfMemoryError
        For a ``MemoryError`` or ``ResourceExhaustedError`` raised in the block; the original is its ``__cause__``.
        Other exceptions pass unchanged.

    Examples
    --------
    >>> from stylelib.run import RunConfig
    >>> with oom_guard(RunConfig(optimizer="adam"), (341, 512), available=2_000_000_000):
    ...     raise MemoryError()
    Traceback (most recent call last):
    ...
    stylelib.memory.OutOfMemoryError: out of memory at 512 px with adam (Python could not allocate memory); ...
    """
    try:
        yield
    except (MemoryError, Exception) as exc:
        line = explain_oom(exc, config, content_hw, style_hw, available=available, engine=engine,
                           device_memory=device_memory)
        if line is None or isinstance(exc, OutOfMemoryError):
            raise
        raise OutOfMemoryError(line) from exc
