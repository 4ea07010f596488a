"""What both engines share: the run's settings, the start image, the pixel bounds, the per-step records,
the recorder that keeps them, and the result.

The TF2 engine (:func:`stylelib.transfer.stylize`) and the TF1 engine (:func:`stylelib.session.run_art`)
both take a :class:`RunConfig`, start from :func:`make_init`, keep the image inside :func:`pixel_bounds`,
let a :class:`RunRecorder` keep the history, the best step, the progress bar and the callback, and return a
:class:`StyleResult` holding the same :class:`RunConfig`. This module imports neither TensorFlow nor an
engine, so the command line can build and check a :class:`RunConfig` before TensorFlow is loaded.

Examples
--------
>>> from stylelib.run import RunConfig
>>> cfg = RunConfig(size=64, iterations=10, style_layers=["conv1_1", "conv2_1"])
>>> cfg.style_layers, cfg.style_weight
({'conv1_1': 1.0, 'conv2_1': 1.0}, 100.0)
>>> RunConfig(init="zeros")
Traceback (most recent call last):
...
ValueError: init must be one of 'content', 'noise', 'blend'; got 'zeros'
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import json
import os
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from . import images as _images
from . import recipe
from .vgg19 import VGG19Weights, canonical_layer, check_pooling

__all__ = ["RunConfig", "STYLIZE_KEYWORDS", "tf1_refusals", "check_coarse_to_fine", "coarse_sides",
           "check_recompute", "recompute_blocks", "RECOMPUTE_AUTO_MIN_SIDE", "RECOMPUTE_BLOCKS",
           "check_tile_rows", "tile_rows_for", "TILE_AUTO_PIXELS",
           "COARSE_AUTO_MIN_SIDE", "COARSE_MIN_SIDE", "shows_settings", "pick_device", "Checkpoint",
           "checkpoint_text", "load_checkpoint", "StepRecord", "StepInfo", "StyleResult", "RunRecorder", "StopRun",
           "NonFiniteLossError", "make_init", "pixel_bounds", "layer_weights"]


# ------------------------------------------------------------------------------------------ settings


def layer_weights(layers, default: Mapping[str, float], what: str) -> dict[str, float]:
    """Normalize a layer choice to ``{name: weight}``.

    Parameters
    ----------
    layers : None, str, sequence of str, or mapping of str to float
        ``None`` gives ``default``; a name or a list of names gives weight 1.0 each; a mapping is taken as
        ``{name: w_l}``. Names are checked with :func:`stylelib.vgg19.canonical_layer` and kept as given.
    default : mapping
        The layers used when ``layers`` is ``None``.
    what : str
        ``"content"`` or ``"style"``, for the error message.

    Raises
    ------
    ValueError
        No layer, an unknown layer name, or a weight that is not a finite number >= 0.
    """
    if layers is None:
        return dict(default)
    if isinstance(layers, str):
        layers = [layers]
    if isinstance(layers, Mapping):
        out = {str(name): recipe.check_weight(f"the weight of {what} layer {name!r}", w)
               for name, w in layers.items()}
    else:
        out = {str(name): 1.0 for name in layers}
    if not out:
        raise ValueError(f"{what} layers: give at least one layer, e.g. {next(iter(default))!r}")
    for name in out:
        canonical_layer(name)
    return out


def _check_some_layer_counts(layers: Mapping[str, float], cost_weight: float, what: str) -> None:
    """Refuse layers that are all at weight 0 while their cost counts (``cost_weight`` > 0): the cost would measure
    nothing, and the run would silently leave the image as it starts (a placeholder layer at weight 0 with the
    cost's weight 0 is how a caller switches a cost off, e.g. the explorer)."""
    if cost_weight > 0 and not any(w > 0 for w in layers.values()):
        raise ValueError(f"every {what} layer has weight 0 ({', '.join(layers)}), so the {what} cost measures "
                         f"nothing; give one of them a weight above 0, or switch the {what} cost off with "
                         f"{what}_weight=0 (--{what}-weight 0)")


@dataclass(frozen=True)
class RunConfig:
    """Everything a style-transfer run is made from, apart from the two images and the weights.

    Both engines take one and store it in :attr:`StyleResult.config`; the command line builds one from its
    arguments and the explorer from its controls. Defaults come from :mod:`stylelib.recipe` (art.py's
    numbers). Every field is checked when the config is made, so a bad value fails before any work.

    Attributes
    ----------
    size : int or None
        Longest side of the content image and the result, in pixels (>= 16); ``None`` keeps the content's size.
    style_size : int or None
        Longest side of the style image in pixels; ``None``: the same as the result. (The TF1 engine resizes
        the style image to the content's exact size.)
    iterations : int
        Optimizer steps: L-BFGS iterations or Adam updates (>= 1).
    optimizer : str
        A key of :data:`stylelib.recipe.OPTIMIZERS`: ``'lbfgs'`` or ``'adam'``.
    learning_rate : float
        Adam's step size in pixel values (0–255 scale); L-BFGS ignores it.
    content_weight, style_weight, tv_weight : float
        Weights of the content, style and total-variation costs in the total loss (finite, >= 0).
    content_layers, style_layers : dict of str to float
        ``{layer: w_l}``. Given as ``None`` (art.py's layers), a name, a list of names (weight 1.0 each) or a
        mapping; stored as a dict.
    content_normalization : str
        A key of :data:`stylelib.recipe.CONTENT_NORMALIZATIONS`: ``'art'`` or ``'paper'``.
    pooling : str
        A key of :data:`stylelib.recipe.POOLINGS`: ``'avg'`` or ``'max'``.
    init : str
        A key of :data:`stylelib.recipe.INITS`: ``'content'``, ``'noise'`` or ``'blend'``.
    noise_ratio : float
        Share of noise in the ``'blend'`` start, in [0, 1].
    seed : int
        Seed of the start image's noise (random weights are always the seed-0 network).
    device : str or None
        ``None``/``'auto'`` (a GPU if TensorFlow sees one), ``'cpu'``, ``'gpu'`` or ``'gpu:N'``.
    mixed_precision : bool
        Compute the network in float16 (TF2 engine only; for GPUs).
    colour : str
        Controls (Gatys et al. 2017, :mod:`stylelib.controls`). A key of :data:`stylelib.recipe.COLOUR_CONTROLS`:
        ``'style'`` (default: the style's colours, plain style transfer), ``'luminance'`` (luminance-only
        transfer: the result keeps the content's chroma, section 5.1) or ``'histogram'`` (the style images are
        first recoloured to the content's mean and covariance, section 5.2). TF2 engine only.
    style_scale : float
        The style image's longest side relative to the one it has without scale control (``style_size``, else
        ``size``): 1 (default) changes nothing; 0.5 makes the style image half as large, so its strokes and
        patterns come out half as large in the result (each receptive field of the network covers twice as
        much of the painting); 2 makes them twice as large. In (0, 8]; the scaled style image must keep a
        longest side of at least 16 px. TF2 engine only.
    style_blend : tuple of float or None
        Weights of the style images when there are several (``stylize(..., extra_styles=[...])``): the
        style target of each layer is Σ_k w_k G_k / Σ_k w_k, the weighted mean of each style's Gram matrix.
        ``None`` (default): equal weights. One weight per style image, each >= 0, with a sum above 0.
        TF2 engine only.
    coarse_to_fine : float, 'auto' or None
        Optimize first at a fraction of the size, upsample, then finish at full size (TF2 engine; ignored when the
        run starts from a given image). A fraction ``f`` in (0, 1): coarse stages with longest sides ``L·f``,
        ``L·f²``, … as long as they are at least 256 px (always at least one), run coarsest first. ``'auto'``
        (default): ``f = 0.5`` when the longest side ``L`` is at least :data:`COARSE_AUTO_MIN_SIDE` (256) px,
        otherwise off. ``None`` or ``0``: off. Only the full-size stage is recorded and reported to the callback.
    coarse_iterations : int or None
        Optimizer steps of each coarse stage (default ``None``: half of ``iterations``, at least 1).
    bfloat16 : bool
        Compute the network in bfloat16, losses in float32 (TF2 engine, Adam only; fast on CPUs with AVX-512 BF16
        or AMX, slow elsewhere). Default False.
    recompute : 'auto', bool or int
        Gradient checkpointing (TF2 engine): the first ``k`` VGG blocks keep none of their activations for the
        backward pass and are run again during it (:meth:`stylelib.transfer.StyleObjective.value_and_gradient`).
        Same losses and gradients, bit for bit; less peak memory, for one more forward pass through those blocks.
        ``'auto'`` (default): ``k = 2`` (:data:`RECOMPUTE_BLOCKS`: blocks 1–2, the largest activations, in row
        tiles: ``tile_rows``) when the result's longest side is at least :data:`RECOMPUTE_AUTO_MIN_SIDE` px, else
        off; ``True``: 2; ``False`` or ``0``: off; an int: ``k`` (``3``: less memory for a long L-BFGS run, slower
        steps: :data:`RECOMPUTE_BLOCKS`).
    tile_rows : 'auto', int or None
        Where blocks are recomputed (``recompute``): run them on horizontal tiles of about this many image rows,
        with a halo, in the forward and the backward pass (TF2 engine,
        :meth:`stylelib.transfer.StyleObjective.value_and_gradient`), so that none of their layers is ever held
        whole. The same losses and gradients up to float rounding (the Gram matrices are summed tile by tile).
        ``'auto'`` (default): tiles of about :data:`TILE_AUTO_PIXELS` pixels wherever blocks are recomputed;
        ``None`` or 0: off; an int: that many rows (rounded up to a multiple of 2 per pooling in the tiled
        blocks). Not with a mask or several styles.
    lbfgs_history : int
        Correction pairs L-BFGS keeps (scipy's ``maxcor``; TF2 engine): each costs two float64 copies of the image
        on the host (at 1024 px, 33 MB). Default 10 (scipy's default); 5 halves that part of the memory and
        changes the iterates.
    """

    size: int | None = recipe.DEFAULT_SIZE
    style_size: int | None = None
    iterations: int = recipe.DEFAULT_ITERATIONS
    optimizer: str = recipe.DEFAULT_OPTIMIZER
    learning_rate: float = recipe.ART_LEARNING_RATE
    content_weight: float = recipe.ART_CONTENT_WEIGHT
    style_weight: float = recipe.ART_STYLE_WEIGHT
    tv_weight: float = recipe.ART_TV_WEIGHT
    content_layers: Mapping[str, float] | None = None
    style_layers: Mapping[str, float] | None = None
    content_normalization: str = recipe.DEFAULT_CONTENT_NORMALIZATION
    pooling: str = recipe.DEFAULT_POOLING
    init: str = recipe.DEFAULT_INIT
    noise_ratio: float = recipe.ART_NOISE_RATIO
    seed: int = 0
    device: str | None = "auto"
    mixed_precision: bool = False
    # controls (issue 12)
    colour: str = recipe.DEFAULT_COLOUR
    style_scale: float = recipe.DEFAULT_STYLE_SCALE
    style_blend: tuple[float, ...] | None = None
    # performance (issue 11)
    coarse_to_fine: float | str | None = "auto"
    coarse_iterations: int | None = None
    bfloat16: bool = False
    recompute: bool | int | str = "auto"
    tile_rows: int | str | None = "auto"
    lbfgs_history: int = 10

    def __post_init__(self) -> None:
        def put(name, value):
            object.__setattr__(self, name, value)

        for name in ("size", "style_size"):
            value = getattr(self, name)
            if value is not None:
                put(name, recipe.check_positive_int(f"{name} (longest side in pixels)", value, 16))
        put("iterations", recipe.check_positive_int("iterations", self.iterations))
        recipe.check_choice("optimizer", self.optimizer, recipe.OPTIMIZERS)
        recipe.check_choice("init", self.init, recipe.INITS)
        recipe.check_choice("content_normalization", self.content_normalization, recipe.CONTENT_NORMALIZATIONS)
        check_pooling(self.pooling)
        for name in ("content_weight", "style_weight", "tv_weight", "learning_rate"):
            put(name, recipe.check_weight(name, getattr(self, name)))
        put("noise_ratio", recipe.check_ratio("noise_ratio", self.noise_ratio))
        put("seed", recipe.check_positive_int("seed", self.seed, 0))
        put("content_layers", layer_weights(self.content_layers, recipe.ART_CONTENT_LAYERS, "content"))
        put("style_layers", layer_weights(self.style_layers, recipe.ART_STYLE_LAYERS, "style"))
        _check_some_layer_counts(self.content_layers, self.content_weight, "content")
        _check_some_layer_counts(self.style_layers, self.style_weight, "style")
        put("mixed_precision", bool(self.mixed_precision))
        # controls (issue 12)
        recipe.check_choice("colour", self.colour, recipe.COLOUR_CONTROLS)
        put("style_scale", recipe.check_style_scale(self.style_scale))
        put("style_blend", recipe.check_blend(self.style_blend))
        if self.mixed_precision and self.optimizer == "lbfgs":  # refused now rather than explained after the run
            raise ValueError("mixed_precision does not work with optimizer='lbfgs': its line search fails on float16 "
                             "gradients after a step or two; use optimizer='adam' (CLI: --optimizer adam)")
        put("coarse_to_fine", check_coarse_to_fine(self.coarse_to_fine))
        if self.coarse_iterations is not None:
            put("coarse_iterations", recipe.check_positive_int("coarse_iterations", self.coarse_iterations))
        put("bfloat16", bool(self.bfloat16))
        if self.bfloat16 and (self.optimizer == "lbfgs" or self.mixed_precision):
            raise ValueError("bfloat16 works with optimizer='adam' and without mixed_precision only (L-BFGS's line "
                             "search needs float32 gradients); use optimizer='adam' (CLI: --optimizer adam)")
        put("recompute", check_recompute(self.recompute))
        put("tile_rows", check_tile_rows(self.tile_rows))
        put("lbfgs_history", recipe.check_positive_int("lbfgs_history", self.lbfgs_history, 1))

    @classmethod
    def art(cls, **settings) -> "RunConfig":
        """art.py's run: Adam from the noisy blend (the TF1 engine's defaults), with ``settings`` changed."""
        return cls.make(None, **{"optimizer": "adam", "init": recipe.ART_INIT, **settings})

    @classmethod
    def make(cls, config: "RunConfig | None" = None, **settings) -> "RunConfig":
        """``config`` (or the defaults) with ``settings`` changed; an unknown setting name is a one-line
        ``TypeError`` with the closest name."""
        names = [f.name for f in dataclasses.fields(cls)]
        for key in settings:
            if key in STYLIZE_KEYWORDS:  # given to an engine that does not take them (run_art)
                raise TypeError(f"{key!r} ({STYLIZE_KEYWORDS[key]}) is an image keyword of stylelib.transfer.stylize, "
                                "not a setting: the TF1 engine run_art has no several styles or masks; use "
                                "stylelib.transfer.stylize")
            if key not in names:
                close = difflib.get_close_matches(key, names, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise TypeError(f"unknown setting {key!r}{hint}; the settings are {', '.join(names)}")
        return dataclasses.replace(config, **settings) if config is not None else cls(**settings)

    def replace(self, **settings) -> "RunConfig":
        """A copy with ``settings`` changed (checked like a new config)."""
        return self.make(self, **settings)

    def as_dict(self) -> dict:
        """The fields as a plain dict (layer dicts copied)."""
        return dataclasses.asdict(self)


STYLIZE_KEYWORDS: Mapping[str, str] = {
    "extra_styles": "more style images, blended or picked by a mask",
    "mask": "a label image saying which style goes where",
    "mask_styles": "which style each mask label gets",
}
"""The image keywords of :func:`stylelib.transfer.stylize` that are not :class:`RunConfig` fields (controls,
issue 12); :meth:`RunConfig.make` names them when another engine receives them."""


def tf1_refusals(config: RunConfig) -> None:
    """Refuse, in one line, the controls and performance settings the TF1 engine (:func:`stylelib.session.run_art`)
    cannot run.

    :func:`stylelib.session.run_art` calls it first, before anything is loaded or built. ``coarse_to_fine='auto'``
    (the default) is not refused: it is the TF2 engine's default and means nothing to the TF1 engine; a fraction is.

    Raises
    ------
    ValueError
        ``colour``, ``style_scale``, ``style_blend``, ``coarse_to_fine`` (a fraction), ``coarse_iterations``,
        ``bfloat16`` or ``recompute`` differs from its default.
    """
    given = [f"{name}={getattr(config, name)!r}" for name, default in
             (("colour", recipe.DEFAULT_COLOUR), ("style_scale", recipe.DEFAULT_STYLE_SCALE), ("style_blend", None),
              ("coarse_iterations", None), ("bfloat16", False))
             if getattr(config, name, default) != default]
    if config.coarse_to_fine not in ("auto", None):
        given.append(f"coarse_to_fine={config.coarse_to_fine!r}")
    if getattr(config, "recompute", "auto") != "auto":  # gradient checkpointing: a TF2-engine memory setting
        given.append(f"recompute={config.recompute!r}")
    if getattr(config, "tile_rows", "auto") != "auto":
        given.append(f"tile_rows={config.tile_rows!r}")
    if given:
        raise ValueError(f"run_art (the TF1 engine) has no colour, scale, several-style or coarse-to-fine controls "
                         f"({', '.join(given)}); use stylelib.transfer.stylize, or leave them at their defaults")


COARSE_AUTO_MIN_SIDE = 256
"""``coarse_to_fine='auto'`` is on for results whose longest side is at least this many pixels. Measured
(``python -m benchmarks.ttq_levers 256 1000``, random weights, 2-core CPU): at 256 px a 128 px stage first cut the
CPU time to the baseline's 1000-step loss from 0.077 to 0.049 of the baseline's; at 128 px a 64 px stage made it
slower (docs/PERFORMANCE.md)."""

COARSE_MIN_SIDE = 256
"""Coarse stages beyond the first are added while their longest side is at least this many pixels."""


RECOMPUTE_AUTO_MIN_SIDE = 1024
"""``recompute='auto'`` recomputes VGG's blocks 1–2 (:data:`RECOMPUTE_BLOCKS`) for results whose longest side is at
least this many pixels."""

RECOMPUTE_BLOCKS = 2
"""The blocks ``recompute=True`` (and ``'auto'``, for large results) recomputes: blocks 1–2, run in row tiles
(:attr:`RunConfig.tile_rows`, ``'auto'``). Block 1 holds 144 of the 320 numbers per pixel a backward pass keeps
(art.py's layers), block 2 72; together they cost about a third of the forward pass's FLOPs. Peak RSS of two compiled
loss-and-gradient evaluations at 1024 px (``python -m benchmarks.levers recompute --size 1024 --blocks 1 2 3
--tile-rows 0 128 256``): 2073 MB with block 1, 1948 with blocks 1–2, untiled; in tiles of 128 rows 1804 (block 1),
1564 (blocks 1–2), 1539 (blocks 1–3, whose halo is 24 rows). Before row tiles, one block was kept
(2525 MB with none, 2109 with block 1, 2270 with blocks 1–2 in an earlier session).

``recompute=3`` is for a long L-BFGS run that must fit: scipy keeps its state as float64 vectors of the whole image on
the host (0.59 GB at 1024 px with 10 correction pairs, 2.3 GB at 2048 px), which a long run fills. Peak RSS of a
12-iteration L-BFGS ``stylize`` (``python -m benchmarks.peak_memory --sizes 1024 2048 --optimizers lbfgs
--iterations 12``, and ``--recompute 3``): 1024 px 2300 MB with blocks 1–2, 2126 MB with blocks 1–3; 2048 px 6160
and 4857 MB. The cost: one evaluation takes 1.35 × as long at 1024 px and 1.58 × at 2048 px (block 3's halo of 24
rows makes the tiles recompute blocks 1–2 on more rows; ``python -m benchmarks.levers recompute-time --size 2048
--repeats 3 --blocks 2 3 --tile-rows 64``), so it is not the default; :func:`stylelib.memory.check_memory` suggests
it when it makes a run fit."""


def check_recompute(value):
    """``'auto'``, or the number of VGG blocks to recompute (``True`` → :data:`RECOMPUTE_BLOCKS`, ``False``/``None``
    → 0); a one-line ``ValueError`` for anything else."""
    if isinstance(value, str):
        if value == "auto":
            return value
    elif value is None or isinstance(value, bool):
        return RECOMPUTE_BLOCKS if value else 0
    elif isinstance(value, (int, np.integer)) and 0 <= int(value) <= 5:
        return int(value)
    raise ValueError(f"recompute must be 'auto', True, False or a number of VGG blocks 0–5, got {value!r}")


def recompute_blocks(config: "RunConfig", shape) -> int:
    """How many VGG blocks a run of result shape ``shape`` ``(H, W)`` recomputes (:attr:`RunConfig.recompute`).

    Examples
    --------
    >>> [recompute_blocks(RunConfig(), (h, w)) for h, w in ((341, 512), (681, 1024))]
    [0, 2]
    >>> recompute_blocks(RunConfig(recompute=True), (10, 10)), recompute_blocks(RunConfig(recompute=3), (10, 10))
    (2, 3)
    """
    k = getattr(config, "recompute", "auto")
    if k == "auto":
        return RECOMPUTE_BLOCKS if max(int(shape[0]), int(shape[1])) >= RECOMPUTE_AUTO_MIN_SIDE else 0
    return int(k)


TILE_AUTO_PIXELS = 131_072
"""``tile_rows='auto'``: row tiles of about this many pixels of the image (128 rows of a 1024 px wide image, 64 of
a 2048 px one), wherever blocks are recomputed (docs/PERFORMANCE.md, "Memory": measured peaks and step times)."""


def check_tile_rows(value):
    """``'auto'``, ``0`` (off; also for ``None``/``False``) or a positive number of rows; a one-line ``ValueError``
    otherwise."""
    if isinstance(value, str):
        if value == "auto":
            return value
    elif value is None or value is False:
        return 0
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool) and int(value) >= 0:
        return int(value)
    raise ValueError(f"tile_rows must be 'auto', None/0 (off) or a number of image rows >= 1, got {value!r}")


def tile_rows_for(config: "RunConfig", shape) -> int:
    """The rows per tile of a run of result shape ``shape`` ``(H, W)`` (:attr:`RunConfig.tile_rows`): 0 for none.

    ``'auto'``: ``⌈TILE_AUTO_PIXELS / W⌉`` rows where blocks are recomputed (:func:`recompute_blocks`), else 0.

    Examples
    --------
    >>> [tile_rows_for(RunConfig(), (h, w)) for h, w in ((341, 512), (681, 1024), (1364, 2048))]
    [0, 128, 64]
    >>> tile_rows_for(RunConfig(tile_rows=None), (681, 1024)), tile_rows_for(RunConfig(tile_rows=40), (10, 10))
    (0, 40)
    """
    rows = getattr(config, "tile_rows", "auto")
    if rows != "auto":
        return int(rows or 0)
    if not recompute_blocks(config, shape):
        return 0
    return max(1, -(-TILE_AUTO_PIXELS // int(shape[1])))


def check_coarse_to_fine(value):
    """``'auto'``, ``None`` (also for ``0``/``'off'``) or a float in (0, 1); a one-line ``ValueError`` otherwise."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("off", "none", "0")):
        return None
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        f = float(value)
    except (TypeError, ValueError):
        f = math.nan
    if isinstance(value, bool) or not (0.0 <= f < 1.0):
        raise ValueError(f"coarse_to_fine must be 'auto', None (off) or a fraction of the size in (0, 1), "
                         f"e.g. 0.5; got {value!r}")
    return f or None


def coarse_sides(config: "RunConfig", longest: int) -> list[int]:
    """The longest sides (px) of the coarse stages of a run whose result has longest side ``longest``, coarsest
    first; ``[]`` when coarse-to-fine is off (see :attr:`RunConfig.coarse_to_fine`).

    Examples
    --------
    >>> [coarse_sides(RunConfig(), n) for n in (256, 512, 1024, 1600)]
    [[128], [256], [256, 512], [400, 800]]
    >>> coarse_sides(RunConfig(), 255)
    []
    >>> coarse_sides(RunConfig(coarse_to_fine=0.5), 64)
    [32]
    """
    f = config.coarse_to_fine
    if f == "auto":
        f = 0.5 if longest >= COARSE_AUTO_MIN_SIDE else None
    if not f:
        return []
    sides = [max(16, round(longest * f))]
    while round(sides[-1] * f) >= COARSE_MIN_SIDE and sides[-1] > 16:
        sides.append(round(sides[-1] * f))
    return sorted(set(s for s in sides if s < longest))


def shows_settings(defaults: RunConfig):
    """Decorator for an engine taking ``**settings``: its signature (``help()``, Jupyter's Shift-Tab) lists
    :class:`RunConfig`'s fields as keyword-only parameters with the values of ``defaults``.

    The engine still receives them as ``**settings`` and builds its :class:`RunConfig` with
    :meth:`RunConfig.make`, so no default is written twice.
    """
    def decorate(fn):
        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
        params += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=getattr(defaults, f.name))
                   for f in dataclasses.fields(RunConfig)]
        fn.__signature__ = sig.replace(parameters=params)
        return fn

    return decorate


def pick_device(device: str | None = None) -> str:
    """The TensorFlow device name for a ``device`` setting.

    ``None``, ``''`` or ``'auto'``: the first GPU TensorFlow sees, else the CPU. ``'cpu'``, ``'gpu'``,
    ``'gpu:1'``, ``'/device:GPU:0'``: that device, if it exists.

    Returns
    -------
    str
        A full name such as ``'/device:CPU:0'``.

    Raises
    ------
    ValueError
        An unknown device kind, or a device TensorFlow does not see (with the way out).
    """
    import tensorflow as tf  # here, not at the top: the command line builds a RunConfig before loading TF

    gpus = tf.config.list_logical_devices("GPU")
    if device in (None, "", "auto"):
        return gpus[0].name if gpus else "/device:CPU:0"
    want = str(device).upper().replace("/DEVICE:", "").lstrip("/")
    kind = want.split(":")[0]
    if kind not in ("CPU", "GPU"):
        raise ValueError(f"device {device!r}: use 'auto', 'cpu', 'gpu', 'gpu:1', ...")
    index = int(want.split(":")[1]) if ":" in want and want.split(":")[1].isdigit() else 0
    available = tf.config.list_logical_devices(kind)
    if index >= len(available):
        raise ValueError(
            f"device {device!r} is not available: TensorFlow sees {len(gpus)} GPU(s) here. "
            "Use device='cpu' or 'auto' (install the GPU build with `pip install stylelib[gpu]`)."
        )
    return available[index].name


# ------------------------------------------------------------------------------------------ pixels


def pixel_bounds(weights: VGG19Weights) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel bounds ``(lo, hi)`` of a preprocessed pixel, each ``(3,)`` float32: ``0 − mean`` and
    ``255 − mean`` (in the weights' channel order), i.e. the 0–255 range after
    :func:`stylelib.images.preprocess`."""
    mean = np.asarray(weights.mean, np.float32)
    return -mean, np.float32(255.0) - mean


def make_init(init: str, content_pre: np.ndarray, *, seed: int = 0, noise_ratio: float = recipe.ART_NOISE_RATIO,
              weights: VGG19Weights, start: np.ndarray | None = None) -> np.ndarray:
    """The starting image, preprocessed, ``(1, H, W, 3)`` float32, inside :func:`pixel_bounds`.

    Parameters
    ----------
    init : str
        A key of :data:`stylelib.recipe.INITS`, built by :data:`stylelib.recipe.START_IMAGES`:
        ``'content'``: the content image; ``'noise'``: uniform noise over the whole 0–255 pixel range;
        ``'blend'``: art.py's start, ``noise_ratio`` × uniform(−20, 20) + (1 − ``noise_ratio``) × content
        (art.py's ``generate_noise_image``).
    content_pre : ndarray
        The preprocessed content image ``(1, H, W, 3)``.
    seed : int
        Seed of the noise (NumPy's ``default_rng``).
    noise_ratio : float
        Share of noise in ``'blend'``.
    weights : VGG19Weights
        Gives the mean pixel, hence the bounds.
    start : ndarray, optional
        An image ``(h, w, 3)`` 0–255 to start from instead (a checkpoint, to resume a run): resized to the
        content's size; ``init`` is then not used.

    Raises
    ------
    ValueError
        ``init`` is not a key of :data:`stylelib.recipe.INITS`.
    """
    recipe.check_choice("init", init, recipe.INITS)
    lo, hi = pixel_bounds(weights)
    if start is not None:
        h, w = content_pre.shape[1:3]
        start = np.asarray(start, np.float32)
        if start.shape[:2] != (h, w):
            start = _images.resize_to(start, h, w)
        return np.clip(_images.preprocess(start, weights), lo, hi).astype(np.float32)
    x = recipe.START_IMAGES[init](np.asarray(content_pre, np.float32), np.random.default_rng(seed), noise_ratio,
                                  np.asarray(weights.mean, np.float32))
    return np.clip(x, lo, hi).astype(np.float32)


# ------------------------------------------------------------------------------------------ checkpoints

CHECKPOINT_KEY = "stylelib-run"
"""The PNG text chunk that holds a run's settings (JSON), written next to the picture."""


def checkpoint_text(config: RunConfig, *, step: int, content: str | None, style: str | None,
                    weights: str, inputs: dict | None = None) -> dict[str, str]:
    """What :func:`stylelib.images.save_image` stores (``text=``) in a PNG so the run can be resumed from it.

    ``content`` and ``style`` are the inputs as given (a file path or a sample name; ``None`` for arrays),
    ``step`` the step the picture is from, counted from the run's very start. ``inputs`` holds the other
    images of the controls, JSON-ready: ``{"extra_styles": [spec, ...], "mask": spec or None,
    "mask_styles": [[[r, g, b], style index or None], ...] or None}``, so a resumed run uses them again.
    """
    data = {"format": 1, "step": int(step), "config": config.as_dict(), "content": content, "style": style,
            "weights": weights, "inputs": dict(inputs or {})}
    return {CHECKPOINT_KEY: json.dumps(data)}


@dataclass(frozen=True)
class Checkpoint:
    """A picture saved by a run, with the run's settings (see :func:`load_checkpoint`).

    Attributes
    ----------
    path : Path
    image : ndarray
        The picture, ``(H, W, 3)`` float32 0–255: the start of the resumed run.
    config : RunConfig
        The settings of the run that wrote it (``iterations`` is that run's total).
    step : int
        The step it is from, counted from the run's start.
    content, style : str or None
        The inputs as the run was given them (``None`` if they were arrays).
    weights : str
        The weights' source.
    inputs : dict
        The controls' other images as :func:`checkpoint_text` stored them (empty for a plain run).
    """

    path: Path
    image: np.ndarray = field(repr=False)
    config: RunConfig
    step: int
    content: str | None
    style: str | None
    weights: str
    inputs: dict = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        """Steps left of the original run (at least 1)."""
        return max(1, self.config.iterations - self.step)


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """Read a picture written by ``stylelib stylize`` (the output or a ``--save-every`` step image, PNG) and the
    settings of its run.

    Raises
    ------
    stylelib.images.ImageError
        The file cannot be read.
    ValueError
        It holds no stylelib settings (one line saying which files do).
    """
    p = Path(os.fspath(path)).expanduser()
    text = _images.read_text(p).get(CHECKPOINT_KEY)
    if text is None:
        raise ValueError(f"{p} holds no stylelib run settings: only PNG pictures written by `stylelib stylize` "
                         "(its output, or the step images of --save-every) can be resumed; start a new run instead")
    try:
        data = json.loads(text)
        config = RunConfig(**data["config"])
        step = int(data["step"])
    except (ValueError, KeyError, TypeError) as e:
        raise ValueError(f"{p}: its stylelib run settings cannot be read ({e}); start a new run instead") from None
    return Checkpoint(p, _images.load_image(p), config, step, data.get("content"), data.get("style"),
                      str(data.get("weights", "")), dict(data.get("inputs") or {}))


# ------------------------------------------------------------------------------------------ records


@dataclass
class StepRecord:
    """The losses measured at one step.

    Attributes
    ----------
    step : int
        0 for the start image, then the number of optimizer steps taken.
    content, style, tv : float
        The unweighted costs (content: Σ_l w_l of the content layers' costs; style: Σ_l w_l E_l).
    total : float
        ``content_weight·content + style_weight·style + tv_weight·tv``.
    seconds : float
        Wall time since the loop started, this step included (steps 0 and 1 include tracing/compiling).
    """

    step: int
    content: float
    style: float
    tv: float
    total: float
    seconds: float


@dataclass
class StepInfo:
    """What a run's ``callback`` receives after each step.

    Attributes
    ----------
    step, iterations : int
        This step (0: the start image) and the planned number of steps.
    record : StepRecord
        Its losses.
    best_step : int
        The step with the lowest total loss so far.
    """

    step: int
    iterations: int
    record: StepRecord
    best_step: int
    _get_x: Callable[[], np.ndarray] = field(repr=False, default=None)  # -> preprocessed (1, H, W, 3)
    _weights: VGG19Weights = field(repr=False, default=None)

    def image(self) -> np.ndarray:
        """The image these losses were measured on, RGB uint8 ``(H, W, 3)``.

        Copied from the device only when called, so a callback that looks every 10 steps costs nothing
        on the other 9.
        """
        return _images.deprocess(self._get_x(), self._weights)


@dataclass
class StyleResult:
    """What a run returns (both engines).

    Attributes
    ----------
    image : ndarray
        The image after the last step, RGB uint8 ``(H, W, 3)``.
    best_image : ndarray
        The image with the lowest total loss seen, RGB uint8 ``(H, W, 3)`` — the one worth saving.
    best_step : int
        The step it was measured at (0: the start image).
    best_loss : float
        Its total loss (``inf`` only when the run was stopped before the start image was measured).
    history : list of StepRecord
        One record per measured image: step 0 (the start image), then one per optimizer step.
    interrupted : bool
        True when a callback returned ``False`` or Ctrl-C stopped the run.
    weights_source : str
        Where the VGG-19 weights came from.
    random_weights : bool
        True for untrained weights: the pictures are texture noise, not style transfer.
    config : RunConfig
        The settings of the run.
    stop_reason : str
        Why the loop ended: ``'completed'``, ``'stopped by callback'``, ``'interrupted (KeyboardInterrupt)'``,
        or the optimizer's own message (L-BFGS may converge early).
    engine : str
        Which engine ran: ``'stylize (TF2)'`` or ``'run_art (TF1 Session)'``.
    device : str
        The TensorFlow device it ran on (``'/device:CPU:0'`` …); ``''`` when not pinned.
    shape : tuple of int
        The content image's (and result's) shape ``(H, W, 3)``.
    """

    image: np.ndarray
    best_image: np.ndarray
    best_step: int
    best_loss: float
    history: list[StepRecord]
    interrupted: bool
    weights_source: str
    random_weights: bool
    config: RunConfig
    stop_reason: str = ""
    engine: str = ""
    device: str = ""
    shape: tuple = ()

    def series(self, key: str) -> np.ndarray:
        """One field of the history (``'total'``, ``'content'``, ``'style'``, ``'tv'``, ``'seconds'``,
        ``'step'``) per step, as a float64 array."""
        return np.array([getattr(r, key) for r in self.history], dtype=np.float64)


class StopRun(Exception):
    """Raised inside a loop by :meth:`RunRecorder.record` when the callback returned ``False``."""


class _NonFinite(Exception):
    pass


class NonFiniteLossError(ValueError):
    """A run stopped because a loss became NaN or infinite.

    The message is one line naming the step, the term that went bad and the way out. ``result`` is the
    :class:`StyleResult` of the finite steps before it (its images are the last finite ones), or ``None``.
    """

    def __init__(self, message: str, result: "StyleResult | None" = None):
        super().__init__(message)
        self.result = result


_WAY_OUT = {
    "content": "lower content_weight (CLI: --content-weight) or, with Adam, the learning rate",
    "style": "lower style_weight (CLI: --style-weight) or, with Adam, the learning rate",
    "tv": "lower tv_weight (CLI: --tv-weight) or, with Adam, the learning rate",
    "total": "the weighted sum overflows float32: lower the loss weights (content_weight, style_weight, tv_weight)",
}


class RunRecorder:
    """The bookkeeping both engines share: the loss history, the best step, the progress bar, the per-step
    callback, and stopping on ``False`` or Ctrl-C.

    An engine's loop calls ``record(step, values, get_x)`` after each step (``values``: a mapping with the four
    losses ``content``, ``style``, ``tv``, ``total``; ``get_x``: returns the preprocessed image they were measured
    on, called only when needed); it returns True when the step is the best so far. :meth:`drive` runs the loop
    and keeps what it had when stopped; :meth:`result` builds the :class:`StyleResult`.

    Parameters
    ----------
    iterations : int
        The planned number of steps (for the progress bar and :class:`StepInfo`).
    weights : VGG19Weights
        To turn preprocessed images back into pictures.
    callback : callable or None
        ``callback(StepInfo)`` after every step; returning ``False`` stops the run.
    progress : bool
        Show a tqdm progress bar.
    desc : str
        The progress bar's label.
    """

    def __init__(self, iterations: int, weights: VGG19Weights,
                 callback: Callable[[StepInfo], object] | None, progress: bool, desc: str):
        self.iterations = iterations
        self.weights = weights
        self.callback = callback
        self.history: list[StepRecord] = []
        self.best_loss, self.best_step = math.inf, 0
        self.interrupted, self.stop_reason = False, "completed"
        self.failure: str | None = None  # why the run failed (a non-finite loss), if it did
        self._bar = None
        if progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=iterations, desc=desc, unit="step")
        self._t0 = time.perf_counter()

    def record(self, step: int, values: Mapping[str, object], get_x: Callable[[], np.ndarray]) -> bool:
        """Keep one step's losses; call the callback; True when this step is the best so far.

        A NaN or infinite loss ends the loop (see :meth:`drive`); it is not recorded."""
        terms = {k: float(values[k]) for k in ("content", "style", "tv", "total")}
        bad = next((k for k, v in terms.items() if not math.isfinite(v)), None)
        if bad is not None:
            raise _NonFinite(
                f"the {bad} loss became {terms[bad]} at step {step}"
                + (f" (content {terms['content']:.4g}, style {terms['style']:.4g})" if bad == "total" else "")
                + f"; {_WAY_OUT[bad]}. The run stopped there"
                + (f"; its last finite image is from step {self.history[-1].step}" if self.history else ""))
        rec = StepRecord(step, *terms.values(), seconds=time.perf_counter() - self._t0)
        self.history.append(rec)
        improved = rec.total < self.best_loss
        if improved:
            self.best_loss, self.best_step = rec.total, step
        if self._bar is not None:
            if step > 0:  # the bar counts optimizer steps
                self._bar.update(1)
            self._bar.set_postfix(loss=f"{rec.total:.4g}")
        if self.callback is not None:
            if self.callback(StepInfo(step, self.iterations, rec, self.best_step, get_x, self.weights)) is False:
                raise StopRun
        return improved

    def drive(self, loop: Callable[[Callable[..., bool]], str | None]) -> None:
        """Run ``loop(self.record)``; its return value, if any, is the stop reason."""
        try:
            self.stop_reason = loop(self.record) or self.stop_reason
        except StopRun:
            self.interrupted, self.stop_reason = True, "stopped by callback"
        except KeyboardInterrupt:
            self.interrupted, self.stop_reason = True, "interrupted (KeyboardInterrupt)"
        except _NonFinite as e:
            self.failure = self.stop_reason = str(e)
        finally:
            if self._bar is not None:
                self._bar.close()

    def result(self, final_x: np.ndarray, best_x: np.ndarray, config: RunConfig, *, engine: str,
               device: str = "", shape: tuple = ()) -> StyleResult:
        """The :class:`StyleResult` of the run, from the last and the best preprocessed images.

        Raises
        ------
        NonFiniteLossError
            When a loss became NaN or infinite; its ``result`` holds the finite steps (``image`` is then the
            best image, since the last one may hold NaN pixels).
        """
        if self.failure is not None:
            if not np.all(np.isfinite(final_x)):
                final_x = best_x
            raise NonFiniteLossError(self.failure, self._result(final_x, best_x, config, engine, device, shape))
        return self._result(final_x, best_x, config, engine, device, shape)

    def _result(self, final_x, best_x, config, engine, device, shape) -> StyleResult:
        return StyleResult(
            image=_images.deprocess(final_x, self.weights),
            best_image=_images.deprocess(best_x, self.weights),
            best_step=self.best_step,
            best_loss=self.best_loss,
            history=self.history,
            interrupted=self.interrupted,
            weights_source=self.weights.source,
            random_weights=self.weights.is_random,
            config=config,
            stop_reason=self.stop_reason,
            engine=engine,
            device=device,
            shape=tuple(shape),
        )
