"""Controlling the result: colour, style scale, masks (space) and several styles — Gatys et al. 2017.

The controls of L. A. Gatys, A. S. Ecker, M. Bethge, A. Hertzmann and E. Shechtman, "Controlling Perceptual
Factors in Neural Style Transfer" (CVPR 2017, arXiv:1611.07865), as :func:`stylelib.transfer.stylize` runs them:

=======================  ============================================  ===============================================
control                  API (``stylize(...)``)                        the paper
=======================  ============================================  ===============================================
luminance-only transfer  ``colour='luminance'``                        section 5.1 (YIQ; luminance histograms matched)
colour matching          ``colour='histogram'``                        section 5.2 (linear colour transfer)
style scale              ``style_scale=0.5``                           section 6 (scale control; here: one scale)
masks (space)            ``mask=..., mask_styles={...}``               section 4.1 (guided Gram matrices)
several styles           ``extra_styles=[...], style_blend=(w0, w1)``  blended Gram targets (mixing styles)
=======================  ============================================  ===============================================

``colour``, ``style_scale`` and ``style_blend`` are :class:`stylelib.run.RunConfig` fields (settings, saved with a
run); the extra style images and the mask are keywords of ``stylize``. The TF1 engine
(:func:`stylelib.session.run_art`) runs none of them and refuses them in one line.

Everything here is NumPy and Pillow, importable without TensorFlow (the command line and the explorer check a mask
before TensorFlow loads), except :func:`style_targets` and :class:`GuidedStyle`, which import it when called.

Examples
--------
>>> import numpy as np
>>> from stylelib import controls
>>> rgb = np.array([[[200.0, 40.0, 40.0]]], np.float32)          # one red pixel
>>> yiq = controls.rgb_to_yiq(rgb)
>>> np.allclose(controls.yiq_to_rgb(yiq), rgb, atol=1e-3)          # the transform is inverted exactly
True
>>> controls.luminance_image(rgb)[0, 0]                            # Y in all three channels: no colour
array([87.84, 87.84, 87.84], dtype=float32)
>>> controls.parse_mask_styles("white=0,black=none,#ff0000=1")
{(255, 255, 255): 0, (0, 0, 0): None, (255, 0, 0): 1}
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from . import images as _images
from . import recipe
from .run import RunConfig, StepInfo, StyleResult
from .samples import load_input

__all__ = [
    "RGB_TO_YIQ", "YIQ_TO_RGB", "rgb_to_yiq", "yiq_to_rgb", "luminance", "chroma", "luminance_image",
    "with_chroma_of", "match_colours",
    "style_side",
    "MASK_PRESETS", "preset_mask", "parse_mask_styles", "label_name", "RegionMask", "load_mask", "layer_guidance",
    "blend_weights", "Controls", "prepare", "style_targets", "GuidedStyle", "strip",
]

# ------------------------------------------------------------------------------------------ colour

RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114],
                       [0.5959, -0.2746, -0.3213],
                       [0.2115, -0.5227, 0.3112]], np.float64)
"""RGB -> YIQ (the NTSC colour space; FCC coefficients): Y is the luminance, I and Q the chroma. Gatys et al. 2017
run luminance-only transfer in YIQ (section 5.1). Rows: Y, I, Q; applied to 0–255 RGB, Y stays in 0–255."""

YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)
"""YIQ -> RGB: the exact inverse of :data:`RGB_TO_YIQ` (computed, so a round trip loses only float rounding)."""


def rgb_to_yiq(image: np.ndarray) -> np.ndarray:
    """An RGB image ``(H, W, 3)`` (0–255) in YIQ, ``(H, W, 3)`` float32: Y in 0–255, I and Q signed."""
    return (np.asarray(image, np.float64) @ RGB_TO_YIQ.T).astype(np.float32)


def yiq_to_rgb(yiq: np.ndarray) -> np.ndarray:
    """A YIQ image ``(H, W, 3)`` back in RGB, ``(H, W, 3)`` float32, not clipped."""
    return (np.asarray(yiq, np.float64) @ YIQ_TO_RGB.T).astype(np.float32)


def luminance(image: np.ndarray) -> np.ndarray:
    """The luminance Y of an RGB image ``(H, W, 3)``: ``(H, W)`` float32, 0–255."""
    return rgb_to_yiq(image)[..., 0]


def chroma(image: np.ndarray) -> np.ndarray:
    """The chroma (I, Q) of an RGB image ``(H, W, 3)``: ``(H, W, 2)`` float32, in 0–255 units."""
    return rgb_to_yiq(image)[..., 1:]


def luminance_image(image: np.ndarray, match: np.ndarray | None = None) -> np.ndarray:
    """The luminance of ``image`` as a grey RGB image, ``(H, W, 3)`` float32 with R = G = B = Y (I = Q = 0).

    With ``match`` (another RGB image), Y is first given the mean and standard deviation of ``match``'s luminance,
    ``Y' = σ_match / σ_Y · (Y − μ_Y) + μ_match`` (then clipped to 0–255): the luminance histogram matching that
    Gatys et al. 2017 (section 5.1) apply to the style image before luminance-only transfer, so that the style's
    brightness and contrast do not override the content's. A flat image (σ_Y = 0) is only shifted.

    VGG-19 takes three channels; a grey image gives it the luminance alone.
    """
    y = luminance(image).astype(np.float64)
    if match is not None:
        target = luminance(match).astype(np.float64)
        sd = y.std()
        y = (y - y.mean()) * (target.std() / sd if sd > 0 else 0.0) + target.mean()
        y = np.clip(y, 0.0, 255.0)
    return np.repeat(y[..., None], 3, axis=-1).astype(np.float32)


def with_chroma_of(luma_source: np.ndarray, chroma_source: np.ndarray) -> np.ndarray:
    """The luminance of ``luma_source`` with the chroma of ``chroma_source`` (both RGB ``(H, W, 3)``, one size).

    The last step of luminance-only transfer (Gatys et al. 2017, section 5.1): the stylized luminance Y, the
    content's I and Q, back to RGB. Returns ``(H, W, 3)`` float32 clipped to 0–255 (a very bright or dark Y with a
    strong chroma can leave the RGB cube; clipping those pixels is the only place the chroma is not the content's).
    """
    a, b = np.asarray(luma_source), np.asarray(chroma_source)
    if a.shape != b.shape:
        raise ValueError(f"with_chroma_of needs two images of one shape, got {a.shape} and {b.shape}")
    yiq = np.concatenate([rgb_to_yiq(a)[..., :1], rgb_to_yiq(b)[..., 1:]], axis=-1)
    return np.clip(yiq_to_rgb(yiq), 0.0, 255.0)


def _sqrtm(cov: np.ndarray, inverse: bool = False) -> np.ndarray:
    """The symmetric square root (or its inverse) of a 3×3 covariance; eigenvalues floored for flat images."""
    values, vectors = np.linalg.eigh(cov)
    values = np.maximum(values, max(float(values.max()), 1.0) * 1e-6)
    power = -0.5 if inverse else 0.5
    return (vectors * values ** power) @ vectors.T


def match_colours(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """``style`` recoloured so its pixels have the content's mean colour and colour covariance.

    Colour histogram matching by the linear colour transfer of Gatys et al. 2017, section 5.2: each style pixel
    ``p`` becomes ``A (p − μ_S) + μ_C`` with ``A = Σ_C^½ Σ_S^-½`` (μ, Σ: the mean and the 3×3 covariance of the
    RGB pixels of style S and content C; the symmetric matrix square roots), so the recoloured style has mean μ_C
    and covariance ``A Σ_S Aᵀ = Σ_C``. It matches the three channels together (their correlations too), not each
    channel's histogram on its own (as ``skimage.exposure.match_histograms`` would). The result is clipped to
    0–255, which moves the statistics a little where the transfer leaves the RGB cube.

    Parameters
    ----------
    style, content : ndarray
        RGB images ``(H, W, 3)``, 0–255; their sizes may differ.

    Returns
    -------
    ndarray
        ``(H, W, 3)`` float32 in 0–255, the size of ``style``.
    """
    s = np.asarray(style, np.float64).reshape(-1, 3)
    c = np.asarray(content, np.float64).reshape(-1, 3)
    mu_s, mu_c = s.mean(axis=0), c.mean(axis=0)
    a = _sqrtm(np.cov(c, rowvar=False)) @ _sqrtm(np.cov(s, rowvar=False), inverse=True)
    out = (s - mu_s) @ a.T + mu_c
    return np.clip(out, 0.0, 255.0).reshape(np.shape(style)).astype(np.float32)


# ------------------------------------------------------------------------------------------ scale

MIN_STYLE_SIDE = 16  # VGG-19 halves the image four times before conv5_1


def style_side(config: RunConfig, content_hw: tuple[int, int]) -> int:
    """The longest side, in pixels, the style image is resized to for ``config``.

    Without scale control it is ``style_size``, else ``size``, else the content's longest side; ``style_scale``
    multiplies it (rounded): ``style_scale=0.5`` halves the style image, so a pattern of 20 px in the style image
    seen at the result's size is 10 px in the result (Gatys et al. 2017, section 6: the scale at which style is
    measured decides the size of what is transferred). ``style_scale=1`` gives exactly the size of a run without
    it.

    Raises
    ------
    ValueError
        The scaled side is below 16 px (one line with a ``style_scale`` that works).
    """
    base = config.style_size or config.size or max(content_hw)
    if config.style_scale == 1.0:
        return base
    side = round(base * config.style_scale)
    if side < MIN_STYLE_SIDE:
        raise ValueError(f"style_scale={config.style_scale:g} makes the style image {side} px (its longest side, "
                         f"from {base} px), below the {MIN_STYLE_SIDE} px VGG-19 needs; use style_scale >= "
                         f"{math.ceil(MIN_STYLE_SIDE / base * 100) / 100:g} or a larger size")
    return side


# ------------------------------------------------------------------------------------------ masks

Label = tuple  # (r, g, b), 0–255 integers

_NAMED = {"black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 255, 0),
          "blue": (0, 0, 255)}

MASK_PRESETS: Mapping[str, str] = {
    "none": "no mask: the style everywhere",
    "left half": "style the left half; the right half keeps the content",
    "right half": "style the right half; the left half keeps the content",
    "top half": "style the top half; the bottom half keeps the content",
    "bottom half": "style the bottom half; the top half keeps the content",
    "centre": "style an ellipse in the middle; the border keeps the content",
}
"""Masks the explorer offers, name -> description (:func:`preset_mask` draws them)."""


def preset_mask(name: str, height: int, width: int) -> np.ndarray | None:
    """A two-label mask of :data:`MASK_PRESETS`: ``(height, width)`` uint8, 1 where the style goes, 0 where the
    content is kept (``None`` for ``'none'``). With the default mapping of :func:`load_mask` (black: no style,
    the other label: style 0) it needs no ``mask_styles``."""
    recipe.check_choice("mask", name, MASK_PRESETS)
    if name == "none":
        return None
    yy, xx = np.mgrid[0:height, 0:width]
    inside = {"left half": xx < width / 2, "right half": xx >= width / 2, "top half": yy < height / 2,
              "bottom half": yy >= height / 2,
              "centre": ((yy + 0.5 - height / 2) / (0.35 * height)) ** 2
              + ((xx + 0.5 - width / 2) / (0.35 * width)) ** 2 <= 1}[name]
    return inside.astype(np.uint8)


def label_name(label: Label) -> str:
    """``'#rrggbb'`` of a label colour (with its grey level for greys: ``'1 (#010101)'``)."""
    hexa = "#{:02x}{:02x}{:02x}".format(*label)
    return f"{label[0]} ({hexa})" if label[0] == label[1] == label[2] and label[0] < 16 else hexa


def _parse_label(key) -> Label:
    """A mask_styles key as an (r, g, b) label: an int k (grey k, the label k of a label array), '#rrggbb',
    a colour name, an (r, g, b) sequence, or their text forms ('3', '255,0,0')."""
    if isinstance(key, str):
        text = key.strip().lower()
        if text in _NAMED:
            return _NAMED[text]
        if text.startswith("#") and len(text) == 7:
            try:
                return tuple(int(text[i:i + 2], 16) for i in (1, 3, 5))
            except ValueError:
                pass
        elif text.isdigit():
            key = int(text)
        elif text.replace(" ", "").count(",") == 2:
            try:
                key = tuple(int(v) for v in text.split(","))
            except ValueError:
                pass
    if isinstance(key, numbers.Integral) and not isinstance(key, bool) and 0 <= int(key) <= 255:
        return (int(key),) * 3
    if isinstance(key, (tuple, list)) and len(key) == 3 and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and 0 <= int(v) <= 255 for v in key):
        return tuple(int(v) for v in key)
    raise ValueError(f"mask label {key!r} is not a label: give a grey level or label number 0–255, a colour "
                     f"'#rrggbb', one of {', '.join(_NAMED)}, or (r, g, b)")


def _parse_style(value, label) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "")):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0:
        return int(value)
    raise ValueError(f"mask_styles gives {label!r} the style {value!r}: give a style index (0: the style image, "
                     "1: the first of extra_styles, ...) or None (no style there: the content is kept)")


def parse_mask_styles(spec) -> dict[Label, int | None]:
    """``mask_styles`` as ``{(r, g, b): style index or None}``.

    Parameters
    ----------
    spec : mapping or str
        ``{label: style}`` or the command line's text ``"white=0,black=none,#ff0000=1"``. A label is a grey level
        or label number 0–255 (``3``), a colour (``'#ff0000'``, ``'red'``, ``(255, 0, 0)``); a style is the index of
        a style image (0: the style, 1: the first extra style, …) or ``None``/``'none'`` (no style: the region keeps
        the content).

    Raises
    ------
    ValueError
        A label or a style that is neither (one line naming it), or a label given twice.
    """
    if isinstance(spec, str):
        items = []
        for part in (p for p in spec.split(";" if ";" in spec else ",") if p.strip()):
            label, sep, style = part.rpartition("=")
            if not sep:
                raise ValueError(f"mask style {part!r} in {spec!r}: write LABEL=STYLE, e.g. white=0,black=none")
            items.append((label, style))
    elif isinstance(spec, Mapping):
        items = list(spec.items())
    else:
        raise ValueError(f"mask_styles must be a mapping {{label: style index or None}}, got {spec!r}")
    out: dict[Label, int | None] = {}
    for key, value in items:
        label = _parse_label(key)
        if label in out:
            raise ValueError(f"mask label {key!r} is given twice in mask_styles")
        out[label] = _parse_style(value, key)
    return out


def _mask_labels(mask, what: str = "mask") -> np.ndarray:
    """A mask as an ``(H, W, 3)`` uint8 array of label colours (a 2-D label array k becomes grey (k, k, k))."""
    if isinstance(mask, np.ndarray):
        a = mask
        if a.dtype == bool:
            a = a.astype(np.uint8)
        if a.ndim == 2:
            if not np.issubdtype(a.dtype, np.integer) and not np.all(np.mod(a, 1) == 0):
                raise ValueError(f"a 2-D {what} array holds labels: whole numbers 0–255, got {a.dtype} values like "
                                 f"{a.flat[np.argmax(np.mod(a, 1) != 0)]!r}; round it, or give an RGB label image")
            if a.size and (a.min() < 0 or a.max() > 255):
                raise ValueError(f"a 2-D {what} array holds labels 0–255, this one {a.min()}..{a.max()}; "
                                 "renumber its labels")
            return np.repeat(a.astype(np.uint8)[..., None], 3, axis=-1)
        return np.rint(_images.array_to_image(a)).astype(np.uint8)
    return np.rint(load_input(mask, what=what)).astype(np.uint8)


@dataclass
class RegionMask:
    """A mask resolved for one content image: which style goes where.

    Attributes
    ----------
    labels : ndarray
        ``(H, W, 3)`` uint8, the mask's label colours at the content's size.
    styles : dict
        ``{(r, g, b): style index or None}``, every label of the mask.
    regions : list of (int, ndarray)
        One ``(style index, weight map (H, W) float32 in {0, 1})`` per style used: the pixels whose label has
        that style. Pixels whose label has ``None`` are in no region: no style loss, they keep the content.
    """

    labels: np.ndarray = field(repr=False)
    styles: dict
    regions: list = field(repr=False)

    @property
    def kept(self) -> np.ndarray:
        """``(H, W)`` bool: the pixels with no style (mapped to ``None``)."""
        styled = np.zeros(self.labels.shape[:2], bool)
        for _, weight in self.regions:
            styled |= weight > 0
        return ~styled


def _label_counts(labels: np.ndarray) -> tuple[list[Label], np.ndarray]:
    """The labels (r, g, b) of an ``(H, W, 3)`` uint8 label image, sorted, and how many pixels each has.

    Each pixel is packed into one integer first: ``np.unique`` over rows (``axis=0``) sorts the pixels as
    records, which made ``load_mask`` of a 1920×1080 mask take 12.8 s instead of 0.64 s (the project's 2-core
    machine at load 6.5)."""
    packed = (labels[..., 0].astype(np.uint32) << 16) | (labels[..., 1].astype(np.uint32) << 8) | labels[..., 2]
    values, counts = np.unique(packed.ravel(), return_counts=True)
    return [(int(v) >> 16, (int(v) >> 8) & 255, int(v) & 255) for v in values], counts


def _nearest(labels: np.ndarray, height: int, width: int) -> np.ndarray:
    rows = np.minimum((np.arange(height) + 0.5) * labels.shape[0] / height, labels.shape[0] - 1).astype(int)
    cols = np.minimum((np.arange(width) + 0.5) * labels.shape[1] / width, labels.shape[1] - 1).astype(int)
    return labels[rows][:, cols]


def load_mask(mask, mask_styles, content_hw: tuple[int, int], n_styles: int = 1) -> RegionMask:
    """Read a mask and say which style each of its regions gets (Gatys et al. 2017, section 4: spatial control).

    Parameters
    ----------
    mask : ndarray, str or os.PathLike
        A label image: a file or sample (read as RGB: each colour is a label), an RGB array ``(H, W, 3)``, or a
        2-D array of labels 0–255 (label k is the grey (k, k, k)). Size rule: a mask with the content's aspect
        ratio (within 1 %, or one pixel of the mask or of the content) is resized to the content's size with
        nearest neighbour (labels never blend); any other shape is refused.
    mask_styles : mapping, str or None
        ``{label: style index or None}`` (see :func:`parse_mask_styles`). ``None``: a two-label mask whose
        labels include black (or 0) means black: no style, the other label: style 0 (white on black styles the
        white part).
    content_hw : (int, int)
        The content's size as the run uses it.
    n_styles : int
        How many style images there are (indices 0 … n_styles − 1).

    Raises
    ------
    ValueError
        One line: a mask of another aspect ratio; a label of the mask that ``mask_styles`` does not name (with
        its share of the mask); a label of ``mask_styles`` the mask does not have; a style index without a style
        image; no region with a style; no ``mask_styles`` for a mask that is not black and one other label.
    stylelib.images.ImageError
        A mask file that cannot be read.
    """
    if not isinstance(mask, (np.ndarray, str, os.PathLike)):
        raise ValueError(f"mask must be an image file, a sample name or an array, got {type(mask).__name__}")
    labels = _mask_labels(mask)
    hm, wm = labels.shape[:2]
    h, w = content_hw
    # the same aspect ratio: within 1 % or one pixel of the mask, or within one pixel of the content (a content
    # resized to a small --size has its short side rounded: a mask of the photo's own size must pass)
    same_in_mask_px = abs(hm - wm * h / w) <= max(1.0, 0.01 * hm)
    same_in_content_px = abs(h - w * hm / wm) <= 1.0 and abs(w - h * wm / hm) <= 1.0
    if not (same_in_mask_px or same_in_content_px):
        raise ValueError(f"the mask is {wm}×{hm} px but the content {w}×{h}: a mask needs the content's aspect "
                         f"ratio (it is then resized to {w}×{h} with nearest neighbour); crop or pad the mask")
    found, counts = _label_counts(labels)
    share = {f: c / (hm * wm) for f, c in zip(found, counts, strict=True)}
    if mask_styles is None:
        if len(found) == 2 and (0, 0, 0) in found:
            other = next(f for f in found if f != (0, 0, 0))
            styles = {(0, 0, 0): None, other: 0}
        elif len(found) == 1 and found[0] != (0, 0, 0):
            styles = {found[0]: 0}
        else:
            listed = ", ".join(label_name(f) for f in found[:6]) + (", ..." if len(found) > 6 else "")
            raise ValueError(f"the mask has {len(found)} labels ({listed}): say which style each gets, e.g. "
                             f"mask_styles={{{label_name(found[0])!r}: 0, {label_name(found[-1])!r}: None}} "
                             "(CLI: --mask-styles LABEL=STYLE,...); without it a mask must be black and one other "
                             "colour")
    else:
        styles = parse_mask_styles(mask_styles)
    missing = [f for f in found if f not in styles]
    if missing:
        f = max(missing, key=share.get)
        raise ValueError(f"mask label {label_name(f)} ({share[f]:.1%} of the mask) has no style in mask_styles"
                         f"{f' (and {len(missing) - 1} more labels)' if len(missing) > 1 else ''}: add it, as a "
                         "style index or None; an anti-aliased mask has in-between colours: save it without "
                         "smoothing")
    unknown = [lab for lab in styles if lab not in share]
    if unknown:
        raise ValueError(f"mask_styles names the label {label_name(unknown[0])}, which the mask does not have; the "
                         f"mask's labels are {', '.join(label_name(f) for f in found[:8])}")
    bad = [(lab, k) for lab, k in styles.items() if k is not None and k >= n_styles]
    if bad:
        lab, k = bad[0]
        there = ("is 1 style image (index 0)" if n_styles == 1
                 else f"are {n_styles} style images (index 0 to {n_styles - 1})")
        raise ValueError(f"mask_styles gives {label_name(lab)} style {k}, but there {there}; add style images with "
                         "extra_styles (CLI: --add-style) or use another index")
    if all(k is None for k in styles.values()):
        raise ValueError("mask_styles gives no label a style: every region would keep the content; give at least "
                         "one label a style index")
    if (hm, wm) != (h, w):
        labels = _nearest(labels, h, w)
    regions = []
    for k in sorted({k for k in styles.values() if k is not None}):
        weight = np.zeros((h, w), np.float32)
        for lab, kk in styles.items():
            if kk == k:
                weight[np.all(labels == np.array(lab, np.uint8), axis=-1)] = 1.0
        regions.append((k, weight))
    return RegionMask(labels, styles, regions)


def layer_guidance(weight: np.ndarray, height: int, width: int) -> np.ndarray:
    """A region's weight map ``(H, W)`` resized to a feature map ``(height, width)`` by area averaging.

    Gatys et al. 2017, section 4.1: the guidance channels are propagated to each layer's feature maps; here by
    plain down-sampling, each position's weight being the share of its patch of the image inside the region
    (Pillow's box filter). Returns ``(height, width)`` float32 in [0, 1].
    """
    from PIL import Image

    w = np.ascontiguousarray(weight, np.float32)
    if w.shape == (height, width):
        return w.copy()
    out = np.asarray(Image.fromarray(w).resize((width, height), Image.BOX), np.float32)
    return np.clip(out, 0.0, 1.0)


# ------------------------------------------------------------------------------------------ several styles


def blend_weights(style_blend, n_styles: int) -> tuple[float, ...]:
    """The blend weights normalized to sum 1: ``style_blend / sum(style_blend)``, or equal weights for ``None``.

    Raises
    ------
    ValueError
        ``style_blend`` does not have one weight per style image (or is refused by
        :func:`stylelib.recipe.check_blend`).
    """
    if style_blend is None:
        return (1.0 / n_styles,) * n_styles
    weights = recipe.check_blend(style_blend)
    if len(weights) != n_styles:
        raise ValueError(f"style_blend has {len(weights)} weight{'s' * (len(weights) != 1)} but there "
                         f"{'is' if n_styles == 1 else 'are'} {n_styles} style image{'s' * (n_styles != 1)} (the "
                         "style and each of extra_styles, CLI: --add-style); give one weight per style image")
    total = sum(weights)
    return tuple(w / total for w in weights)


# ------------------------------------------------------------------------------------------ the plan of a run


class _RecolouredStepInfo(StepInfo):
    """A :class:`~stylelib.run.StepInfo` whose picture gets the content's chroma back (luminance-only runs)."""

    def __init__(self, info: StepInfo, recolour: Callable[[np.ndarray], np.ndarray]):
        super().__init__(info.step, info.iterations, info.record, info.best_step, info._get_x, info._weights)
        self._recolour = recolour

    def image(self) -> np.ndarray:
        return self._recolour(super().image())


@dataclass
class Controls:
    """What the controls of one run turn its images into (made by :func:`prepare`, used by ``stylize``).

    Attributes
    ----------
    content : ndarray
        The content image the network sees (grey, its luminance, for ``colour='luminance'``).
    styles : list of ndarray
        The style images the network sees (resized by ``style_scale``; recoloured for ``'histogram'``,
        luminance for ``'luminance'``): the style, then ``extra_styles``.
    weights : tuple of float
        The normalized blend weights, one per style image (no mask), or ``None`` with a mask.
    regions : RegionMask or None
    colour : str
    original_content : ndarray
        The content as loaded (the chroma a luminance-only result takes).
    """

    content: np.ndarray = field(repr=False)
    styles: list = field(repr=False)
    weights: tuple | None
    regions: RegionMask | None
    colour: str
    original_content: np.ndarray = field(repr=False)

    @property
    def plain(self) -> bool:
        """True when the run is plain style transfer (one style at its usual size, no mask, its colours)."""
        return self.colour == "style" and self.regions is None and len(self.styles) == 1

    def describe(self) -> str:
        """The controls in a few words, for a status line (``'colour luminance, 2 styles blended 0.7/0.3'``)."""
        parts = [] if self.colour == "style" else [f"colour {self.colour}"]
        if len(self.styles) > 1 and self.weights is not None:
            parts.append(f"{len(self.styles)} styles blended " + "/".join(f"{w:.2g}" for w in self.weights))
        if self.regions is not None:
            styled = 1.0 - float(self.regions.kept.mean())
            parts.append(f"mask: {len(self.regions.regions)} styled region(s) over {styled:.0%} of the picture")
        return ", ".join(parts) or "none"

    @property
    def largest_style_hw(self) -> tuple[int, int]:
        """The (height, width) of the largest style image (for the memory check)."""
        return max((s.shape[:2] for s in self.styles), key=lambda hw: hw[0] * hw[1])

    def resized(self, height: int, width: int) -> "Controls":
        """The same controls for a smaller (or larger) picture ``height × width`` — a coarse stage of
        coarse-to-fine (:attr:`stylelib.run.RunConfig.coarse_to_fine`).

        The content images are resized to ``height × width``; every style image by the same factor (longest side
        at least 16 px), so the style is seen at the same scale relative to the content (its ``style_scale``
        holds); a mask's labels are resized with nearest neighbour (labels never blend) and its regions re-made;
        the blend weights and the colour mode stay. The images were recoloured before (``colour``), so a stage
        sees the colours the full-size run sees.

        Returns
        -------
        Controls
            A new object; this one is unchanged.

        Raises
        ------
        ValueError
            The mask has no styled pixel left at this size (from :func:`load_mask`).
        """
        h0, w0 = self.content.shape[:2]
        factor = max(height / h0, width / w0)
        styles = []
        for s in self.styles:
            sh, sw = s.shape[:2]
            side = max(MIN_STYLE_SIDE, round(max(sh, sw) * factor))
            sh, sw = _images.longest_side_shape(sh, sw, side)
            styles.append(_images.resize_to(s, sh, sw))
        regions = None
        if self.regions is not None:
            labels = _nearest(self.regions.labels, height, width)
            present = set(_label_counts(labels)[0])
            # a label too small to survive the resize is dropped; a mask left with no styled region is refused
            regions = load_mask(labels, {lab: k for lab, k in self.regions.styles.items() if lab in present},
                                (height, width), len(styles))
        return Controls(_images.resize_to(self.content, height, width), styles, self.weights, regions, self.colour,
                        _images.resize_to(self.original_content, height, width))

    def objective_args(self, preprocess: Callable[[np.ndarray], np.ndarray]) -> dict:
        """The keywords :class:`stylelib.transfer.StyleObjective` needs beyond the plain run (``{}`` for a plain
        run, so it stays the very same computation)."""
        if len(self.styles) == 1 and self.regions is None:
            return {}
        return {"extra_styles_pre": [preprocess(s) for s in self.styles[1:]], "style_blend": self.weights,
                "regions": self.regions}

    def recolour(self, image: np.ndarray) -> np.ndarray:
        """A picture of the run as the user gets it: with the content's chroma for ``'luminance'`` (uint8)."""
        if self.colour != "luminance":
            return image
        return _images.to_uint8(with_chroma_of(image, self.original_content))

    def start(self, start: np.ndarray | None) -> np.ndarray | None:
        """A start image as the network sees it (its luminance, for ``'luminance'``)."""
        if start is None or self.colour != "luminance":
            return start
        return luminance_image(start)

    def callback(self, callback):
        """``callback`` receiving pictures with the content's chroma (``'luminance'``), else itself."""
        if callback is None or self.colour != "luminance":
            return callback
        return lambda info: callback(_RecolouredStepInfo(info, self.recolour))

    def finish(self, result: StyleResult) -> StyleResult:
        """The run's result with its pictures recoloured (``'luminance'``), else itself."""
        if result is None or self.colour != "luminance":
            return result
        return dataclasses.replace(result, image=self.recolour(result.image),
                                   best_image=self.recolour(result.best_image))


def prepare(config: RunConfig, content_img: np.ndarray, style_img: np.ndarray, *,
            extra_styles: Sequence = (), mask=None, mask_styles=None) -> Controls:
    """Apply a run's controls to its images (before anything is preprocessed or TensorFlow runs).

    Parameters
    ----------
    config : RunConfig
        Its ``colour``, ``style_scale`` and ``style_blend``.
    content_img, style_img : ndarray
        The content at the run's size and the style at :func:`style_side` (RGB ``(H, W, 3)``, 0–255).
    extra_styles : sequence
        More style images (arrays, files or samples), loaded at :func:`style_side` like the style.
    mask, mask_styles
        See :func:`load_mask`.

    Raises
    ------
    ValueError
        One line: a blend that does not fit the number of styles, a mask refused by :func:`load_mask`, a mask
        together with ``style_blend`` (a mask gives each region its own style; blending happens without one).
    """
    if isinstance(extra_styles, (str, os.PathLike, np.ndarray)):
        extra_styles = [extra_styles]
    side = style_side(config, content_img.shape[:2])
    styles = [style_img] + [load_input(s, side, what=f"extra style image {i + 1}") for i, s in enumerate(extra_styles)]
    regions = None
    if mask is not None:
        if config.style_blend is not None:
            raise ValueError("style_blend blends the styles over the whole picture, but a mask gives each region its "
                             "own style: drop style_blend (or the mask)")
        regions = load_mask(mask, mask_styles, content_img.shape[:2], len(styles))
        weights = None
    else:
        if mask_styles is not None:
            raise ValueError("mask_styles without a mask: give mask= (CLI: --mask FILE) or drop mask_styles")
        weights = blend_weights(config.style_blend, len(styles))
    content = content_img
    if config.colour == "histogram":
        styles = [match_colours(s, content_img) for s in styles]
    elif config.colour == "luminance":
        content = luminance_image(content_img)
        styles = [luminance_image(s, match=content_img) for s in styles]
    return Controls(content, styles, weights, regions, config.colour, content_img)


# ------------------------------------------------------------------------------------------ targets (TensorFlow)


def _grams(extractor, style_pre, content_pre, content_feats, layers) -> dict:
    """``{layer: (G, M_x)}``: one style image's Gram matrix at each style layer, scaled to the content's M_x positions.

    ``G`` is scaled as :class:`stylelib.transfer.StyleObjective` scales it (by ``M_x / M_a``, the content's
    positions over the style's, when the two images differ in size; not at all when they do not)."""
    from . import losses

    feats = extractor(style_pre)
    same = content_pre.shape[1] * content_pre.shape[2] == style_pre.shape[1] * style_pre.shape[2]
    out = {}
    for l in layers:
        a = feats[l]
        m_a = float(a.shape[1] * a.shape[2])
        m_x = float(content_feats[l].shape[1] * content_feats[l].shape[2])
        out[l] = (losses.gram_matrix(a) * (1.0 if same else m_x / m_a), m_x)
    return out


def style_targets(extractor, content_pre, content_feats, styles_pre, layers, weights, regions=None):
    """The style targets of several style images: blended Gram matrices, or one guided target per region.

    Without a mask (``regions`` None): each layer's target is ``Σ_k w_k G_k`` with the normalized ``weights``
    (each ``G_k`` scaled to the content's number of positions, as for one style); a style with weight 0 is not
    even computed, and a weight of 1 multiplies nothing, so the weights (1, 0) give bit for bit the one-style
    target. With a mask: a :class:`GuidedStyle`.

    Returns
    -------
    (dict, GuidedStyle or None)
        ``{layer: target Gram (N, N)}`` (``{}`` with a mask) and the guided loss (``None`` without a mask).
    """
    if regions is None:
        targets = {}
        for k, w in enumerate(weights):
            if w <= 0:
                continue
            grams = _grams(extractor, styles_pre[k], content_pre, content_feats, layers)
            for l in layers:
                g = grams[l][0] if w == 1.0 else grams[l][0] * w
                targets[l] = g if l not in targets else targets[l] + g
        return targets, None
    grams = {k: _grams(extractor, styles_pre[k], content_pre, content_feats, layers)
             for k in sorted({k for k, _ in regions.regions})}
    return {}, GuidedStyle(regions, grams, {l: tuple(content_feats[l].shape[1:3]) for l in layers})


class GuidedStyle:
    """The style loss with guided Gram matrices (Gatys et al. 2017, section 4.1), for a :class:`RegionMask`.

    For each region r (the pixels whose label has style k) and style layer l, the region's guidance channel
    ``t_r`` is resized to the layer (:func:`layer_guidance`) and multiplies the features at every position:
    ``G_r = (F ∘ t_r)ᵀ (F ∘ t_r)``. Its target is the style's Gram matrix per position times the region's
    weight, ``A_r = G(S_k) / M_S · Σ_p t_r(p)²`` — so a region is compared with the style as an average over its
    own positions, as a whole image is (:class:`stylelib.transfer.StyleObjective`). The layer's cost is
    ``E_l = Σ_r Σ(G_r − A_r)² / (4 N² M²)`` (equation 4 of Gatys et al. 2016, summed over the regions); the loss is
    ``Σ_l w_l E_l``. Pixels of no region (label mapped to ``None``) have no style cost: only the content cost acts
    there, so they stay close to the content.
    """

    def __init__(self, regions: RegionMask, grams: Mapping, layer_hw: Mapping[str, tuple[int, int]]):
        import tensorflow as tf

        self.regions = regions
        self.guides: dict[str, list] = {}
        self.targets: dict[str, list] = {}
        for l, (h, w) in layer_hw.items():
            self.guides[l], self.targets[l] = [], []
            for k, weight in regions.regions:
                t = layer_guidance(weight, h, w)
                gram, m_x = grams[k][l]  # the style's Gram, already scaled to the content's M_x positions
                self.guides[l].append(tf.constant(t[None, :, :, None]))
                self.targets[l].append(gram * float(np.sum(t.astype(np.float64) ** 2) / m_x))

    def loss(self, feats: Mapping, layer_weights: Mapping[str, float]):
        """``Σ_l w_l Σ_r Σ(G_r − A_r)² / (4 N² M²)`` for the generated features ``feats``; a scalar tensor."""
        import tensorflow as tf

        from . import losses

        total = tf.constant(0.0, tf.float32)
        for l, w in layer_weights.items():
            x = tf.cast(feats[l], tf.float32)
            n, m = float(x.shape[-1]), float(x.shape[1] * x.shape[2])
            layer = tf.constant(0.0, tf.float32)
            for t, a in zip(self.guides[l], self.targets[l], strict=True):
                g = losses.gram_matrix_for_gradient(x * t)  # (a style cost: dL/dG symmetric)
                layer = layer + tf.reduce_sum(tf.square(g - a)) / (4.0 * n * n * m * m)
            total = total + float(w) * layer
        return total


# ------------------------------------------------------------------------------------------ pictures


def strip(pictures: Sequence[np.ndarray], gap: int = 4, background: int = 255) -> np.ndarray:
    """Pictures side by side (e.g. an interpolation's results), one height: ``(H, ΣW + gaps, 3)`` uint8.

    Pictures of other heights are resized to the first one's height (aspect kept).
    """
    if not pictures:
        raise ValueError("strip needs at least one picture")
    h = np.asarray(pictures[0]).shape[0]
    parts = []
    for i, p in enumerate(pictures):
        p = np.asarray(p, np.float32)
        if p.shape[0] != h:
            p = _images.resize_to(p, h, max(1, round(p.shape[1] * h / p.shape[0])))
        if i:
            parts.append(np.full((h, gap, 3), background, np.float32))
        parts.append(p)
    return _images.to_uint8(np.concatenate(parts, axis=1))
