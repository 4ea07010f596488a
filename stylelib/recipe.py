"""art.py's recipe and stylelib's vocabulary, in one TensorFlow-free place.

Every default number and every list of choices that the engines (:mod:`stylelib.transfer`,
:mod:`stylelib.session`), the command line (:mod:`stylelib.cli`) and the explorer (:mod:`stylelib.widgets`)
use is defined here once; they import it and never re-state it. To change the default style weight, change
:data:`ART_STYLE_WEIGHT`; to add a starting image, add its description to :data:`INITS` and its builder to
:data:`START_IMAGES`.

The numbers are those of ``art.py`` (https://github.com/log0/neural-style-painting/blob/master/art.py), the
TensorFlow 1 code studied by the blog post this project grew from, itself following Gatys et al., "A Neural
Algorithm of Artistic Style" (arXiv:1508.06576). Note the names: art.py calls its *content* weight ``BETA = 5``
and its *style* weight ``ALPHA = 100`` (``total_loss = BETA * content_loss + ALPHA * style_loss``), the reverse of
the paper's α (content) and β (style) in equation 7. stylelib says ``content_weight`` and ``style_weight``.

Examples
--------
>>> from stylelib import recipe
>>> recipe.ART_STYLE_WEIGHT / recipe.ART_CONTENT_WEIGHT
20.0
>>> recipe.check_choice("optimizer", "lbfgs", recipe.OPTIMIZERS)
'lbfgs'
>>> recipe.check_choice("pooling", "avgx", recipe.POOLINGS)
Traceback (most recent call last):
...
ValueError: pooling must be one of 'avg', 'max'; got 'avgx'
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, Mapping

import numpy as np

__all__ = [
    "ART_CONTENT_LAYERS",
    "ART_STYLE_LAYERS",
    "ART_CONTENT_WEIGHT",
    "ART_STYLE_WEIGHT",
    "ART_TV_WEIGHT",
    "ART_NOISE_RATIO",
    "ART_LEARNING_RATE",
    "DEFAULT_SIZE",
    "DEFAULT_ITERATIONS",
    "INITS",
    "START_IMAGES",
    "ART_INIT",
    "DEFAULT_INIT",
    "OPTIMIZERS",
    "DEFAULT_OPTIMIZER",
    "POOLINGS",
    "DEFAULT_POOLING",
    "CONTENT_NORMALIZATIONS",
    "DEFAULT_CONTENT_NORMALIZATION",
    "STYLE_WEIGHTINGS",
    "COLOUR_CONTROLS",
    "DEFAULT_COLOUR",
    "DEFAULT_STYLE_SCALE",
    "check_choice",
    "check_weight",
    "check_positive_int",
    "check_ratio",
    "check_style_scale",
    "check_blend",
    "style_layer_weights",
]

# ------------------------------------------------------------------------------------------ the recipe

ART_CONTENT_LAYERS: Mapping[str, float] = {"conv4_2": 1.0}
"""art.py's content layer: ``conv4_2`` (the paper's choice too, section 2.2 and Figure 2)."""

ART_STYLE_LAYERS: Mapping[str, float] = {"conv1_1": 0.5, "conv2_1": 1.0, "conv3_1": 1.5, "conv4_1": 3.0,
                                         "conv5_1": 4.0}
"""art.py's style layers and their weights w_l (the paper weights these five layers equally, w_l = 1/5)."""

ART_CONTENT_WEIGHT: float = 5.0
"""Weight of the content cost in the total loss (art.py's ``BETA``; the paper's α)."""

ART_STYLE_WEIGHT: float = 100.0
"""Weight of the style cost in the total loss (art.py's ``ALPHA``; the paper's β)."""

ART_TV_WEIGHT: float = 0.0
"""Weight of the total-variation (smoothness) cost; art.py and the paper use none."""

ART_NOISE_RATIO: float = 0.6
"""Share of uniform(−20, 20) noise in art.py's starting image (the rest is the content image)."""

ART_LEARNING_RATE: float = 2.0
"""art.py's Adam step size, in pixel values (0–255 scale)."""

DEFAULT_SIZE: int = 256
"""Longest side of the result in pixels, when the caller gives none."""

DEFAULT_ITERATIONS: int = 100
"""Optimizer steps (L-BFGS iterations or Adam updates), when the caller gives none."""

# ------------------------------------------------------------------------------------------ vocabulary

INITS: Mapping[str, str] = {
    "content": "the content image",
    "noise": "uniform noise over the pixel range",
    "blend": "art.py's start: noise_ratio × noise + (1 − noise_ratio) × content",
}
"""Starting images, name -> description (each built by its function in :data:`START_IMAGES`)."""


def _start_content(content_pre: np.ndarray, rng: np.random.Generator, noise_ratio: float, mean: np.ndarray):
    return content_pre.copy()


def _start_noise(content_pre, rng, noise_ratio, mean):
    return rng.uniform(0, 255, content_pre.shape).astype(np.float32) - mean


def _start_blend(content_pre, rng, noise_ratio, mean):
    # art.py's generate_noise_image: uniform(-20, 20) noise, blended with the (preprocessed) content image
    noise = rng.uniform(-20, 20, content_pre.shape).astype(np.float32)
    return noise_ratio * noise + (1.0 - noise_ratio) * content_pre


START_IMAGES: Mapping[str, Callable[..., np.ndarray]] = {
    "content": _start_content,
    "noise": _start_noise,
    "blend": _start_blend,
}
"""How each of :data:`INITS` is built: ``build(content_pre, rng, noise_ratio, mean)`` returns a preprocessed
``(1, H, W, 3)`` float32 image (clipped to the pixel range afterwards by :func:`stylelib.run.make_init`);
``mean`` is the weights' mean pixel, ``(3,)`` float32 in their channel order."""
assert set(START_IMAGES) == set(INITS), "every init needs a description in INITS and a builder in START_IMAGES"

ART_INIT: str = "blend"
"""art.py's start (the TF1 engine's default)."""

DEFAULT_INIT: str = "content"
"""The TF2 engine's default start: with L-BFGS it reaches a low loss in fewest steps."""

OPTIMIZERS: Mapping[str, str] = {"lbfgs": "L-BFGS", "adam": "Adam"}
"""Optimizers, name -> display label. ``lbfgs`` is scipy's L-BFGS-B (the paper's choice), ``adam`` art.py's."""

DEFAULT_OPTIMIZER: str = "lbfgs"

POOLINGS: Mapping[str, str] = {"avg": "average pooling (the paper prefers it)", "max": "max pooling (VGG-19's own)"}
"""Pooling between VGG-19's blocks, name -> description (Gatys et al., section 2: average gives slightly more
appealing results)."""

DEFAULT_POOLING: str = "avg"

CONTENT_NORMALIZATIONS: Mapping[str, str] = {
    "art": "art.py: Σ(F − P)² / (4·N·M)",
    "paper": "the paper, equation 1: ½·Σ(F − P)²",
}
"""How the content cost is normalized, name -> formula (see :func:`stylelib.losses.content_loss`)."""

DEFAULT_CONTENT_NORMALIZATION: str = "art"

STYLE_WEIGHTINGS: Mapping[str, str] = {
    "art": "art.py: deeper layers more",
    "equal": "equal: every layer 1.0",
}
"""How chosen style layers are weighted, name -> label (see :func:`style_layer_weights`)."""

# controls (issue 12): Gatys et al. 2017, "Controlling Perceptual Factors in Neural Style Transfer" (arXiv:1611.07865)

COLOUR_CONTROLS: Mapping[str, str] = {
    "style": "the style's colours (plain style transfer)",
    "luminance": "luminance-only transfer: the content's colours (2017 paper, section 5.1)",
    "histogram": "the style image recoloured to the content's colour statistics first (section 5.2)",
}
"""Where the result's colours come from, name -> description (see :mod:`stylelib.controls`)."""

DEFAULT_COLOUR: str = "style"

DEFAULT_STYLE_SCALE: float = 1.0
"""The style image at the longest side it has without scale control (``style_size``, else ``size``)."""


# ------------------------------------------------------------------------------------------ validators


def _listing(choices) -> str:
    return ", ".join(repr(c) for c in choices)


def check_choice(what: str, value, choices) -> str:
    """Return ``value`` if it is one of ``choices`` (a mapping's keys or a sequence), else raise.

    Raises
    ------
    ValueError
        One line naming ``what``, the valid values and the value given.
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{what} must be one of {_listing(choices)}; got {value!r}")
    return value


def check_weight(what: str, value) -> float:
    """``value`` as a float if it is a finite number >= 0 (a loss weight, a step size), else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what} must be a finite number >= 0, got {value!r}")
    return float(value)


def check_positive_int(what: str, value, minimum: int = 1) -> int:
    """``value`` as an int if it is an integer >= ``minimum``, else ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < minimum:
        raise ValueError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_ratio(what: str, value) -> float:
    """``value`` as a float if it lies in [0, 1], else ``ValueError``."""
    value = check_weight(what, value)
    if value > 1:
        raise ValueError(f"{what} must lie between 0 and 1, got {value!r}")
    return value


MAX_STYLE_SCALE: float = 8.0
"""The largest ``style_scale`` accepted (a style image 8 times its usual size is already rarely affordable)."""


def check_style_scale(value) -> float:
    """``value`` as a float if it is a finite number in (0, :data:`MAX_STYLE_SCALE`], else one-line ``ValueError``.

    >>> check_style_scale(0.5)
    0.5
    >>> check_style_scale(0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: style_scale must be a number above 0 and at most 8 (1: the style image at its usual size, ...; got 0
    """
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
    if not ok or not 0 < value <= MAX_STYLE_SCALE:
        raise ValueError(f"style_scale must be a number above 0 and at most {MAX_STYLE_SCALE:g} (1: the style image at "
                         f"its usual size, 0.5: half as large); got {value!r}")
    return float(value)


def check_blend(value) -> tuple[float, ...] | None:
    """Blend weights of several style images: ``None``, or a sequence of finite numbers >= 0 with a sum above 0,
    returned as a tuple of floats (as given, not normalized). Else a one-line ``ValueError``.

    >>> check_blend([3, 1])
    (3.0, 1.0)
    >>> check_blend([1, -0.5])
    Traceback (most recent call last):
    ...
    ValueError: style_blend[1] is -0.5: blend weights must be finite numbers >= 0, e.g. style_blend=(0.7, 0.3)
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"style_blend must be a sequence of weights, one per style image, e.g. (0.7, 0.3); "
                         f"got {value!r}")
    weights = tuple(value)
    if not weights:
        raise ValueError("style_blend is empty: give one weight per style image, e.g. (0.7, 0.3), or None")
    for i, w in enumerate(weights):
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not math.isfinite(w) or w < 0:
            raise ValueError(f"style_blend[{i}] is {w!r}: blend weights must be finite numbers >= 0, "
                             "e.g. style_blend=(0.7, 0.3)")
    if sum(weights) <= 0:
        raise ValueError(f"style_blend {weights!r} sums to 0: at least one style needs a weight above 0, "
                         "e.g. style_blend=(1, 0)")
    return tuple(float(w) for w in weights)


def style_layer_weights(layers, weighting: str = "art") -> dict[str, float]:
    """Weights for the chosen style ``layers``: art.py's (:data:`ART_STYLE_LAYERS`, 1.0 for any other
    layer) or all 1.0 (``weighting='equal'``).

    >>> style_layer_weights(["conv1_1", "conv3_1", "conv3_2"])
    {'conv1_1': 0.5, 'conv3_1': 1.5, 'conv3_2': 1.0}
    """
    check_choice("style weighting", weighting, STYLE_WEIGHTINGS)
    if weighting == "art":
        return {name: ART_STYLE_LAYERS.get(name, 1.0) for name in layers}
    return {name: 1.0 for name in layers}
