"""Named sample images that work offline, and :func:`load_input`, the one resolver of an input image.

:func:`load_input` turns what a user gives as a content or style image — an array, an image file, or a
sample name (``chelsea`` or ``sample:chelsea``) — into the image convention ``(H, W, 3)`` float32 RGB
0–255. Both engines, the explorer and the command line call it.

The samples are content photos and style textures bundled with scikit-image, plus one colourful style
picture, ``stained_glass``, that this module paints itself (:func:`stained_glass`).

Every scikit-image sample is a file shipped *inside* the ``scikit-image`` wheel (``skimage/data/``), so
:func:`load_sample` never needs the network (scikit-image downloads its other data sets with ``pooch``;
none of those are used). Provenance and licences are quoted from scikit-image's docstrings; see
``docs/SAMPLES.md`` for the table.

>>> from stylelib.samples import list_samples, load_sample
>>> list_samples("style")
['brick', 'grass', 'gravel', 'hubble', 'ihc', 'stained_glass']
>>> load_sample("chelsea", max_size=256).shape
(170, 256, 3)
>>> load_input("sample:brick", max_size=64).shape
(64, 64, 3)
"""

from __future__ import annotations

import difflib
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .images import ImageError, array_to_image, check_size, at_longest, load_image, resize_longest

__all__ = ["Sample", "SAMPLES", "KINDS", "UnknownSampleError", "list_samples", "get_sample", "load_sample",
           "load_input", "describe_input", "stained_glass"]

KINDS: tuple[str, ...] = ("content", "style")


@dataclass(frozen=True)
class Sample:
    """One named sample image.

    ``kind`` is ``"content"`` (a photo to restyle) or ``"style"`` (a texture / picture to take the style
    from). ``loader`` is the name of the ``skimage.data`` function that returns it and ``filename`` the
    file that function reads from the scikit-image package. ``source`` and ``licence`` are as
    scikit-image documents them. ``size`` is the native ``(height, width)`` in pixels.

    A sample with ``generated=True`` has no file: ``loader`` names a function of this module that paints it
    (deterministically), and ``filename`` is empty.
    """

    name: str
    kind: str
    loader: str
    description: str
    source: str
    licence: str
    filename: str
    size: tuple[int, int]
    generated: bool = False

    @property
    def path(self) -> Path:
        """Where the bundled file lives in the installed scikit-image (readable with ``load_image``).

        Raises ``ValueError`` for a generated sample, which has no file (save one with ``stylelib samples``
        or :func:`stylelib.images.save_image`)."""
        if self.generated:
            raise ValueError(f"sample {self.name!r} is painted by stylelib.samples.{self.loader}(); it has no file")
        import skimage.data

        return Path(skimage.data.__file__).parent / self.filename


_ALL: tuple[Sample, ...] = (
    # --- content photos -------------------------------------------------------------------------
    Sample(
        "astronaut", "content", "astronaut",
        "Portrait of astronaut Eileen Collins (colour photo).",
        "NASA Great Images database, https://flic.kr/p/r9qvLn",
        "Public domain (no known copyright restrictions)",
        "astronaut.png", (512, 512),
    ),
    Sample(
        "coffee", "content", "coffee",
        "A coffee cup on a wooden table: smooth porcelain, coarse wood grain, ellipses.",
        "Courtesy of Pikolo Espresso Bar; photographer Rachel Michetti",
        "CC0 (no copyright restrictions)",
        "coffee.png", (400, 600),
    ),
    Sample(
        "chelsea", "content", "chelsea",
        "Chelsea the cat: fur texture, strong horizontal and diagonal edges.",
        "Photographer Stefan van der Walt",
        "CC0 (no copyright restrictions)",
        "chelsea.png", (300, 451),
    ),
    Sample(
        "rocket", "content", "rocket",
        "Launch of DSCOVR on a SpaceX Falcon 9 at Cape Canaveral.",
        "SpaceX Photos on Flickr, https://www.flickr.com/photos/spacexphotos/16511594820/",
        "Public domain (released by SpaceX)",
        "rocket.jpg", (427, 640),
    ),
    # --- style textures -------------------------------------------------------------------------
    Sample(
        "brick", "style", "brick",
        "A brick wall texture (grayscale, used as RGB).",
        "CC0Textures, Bricks25 (perspective-corrected, rotated, cropped, scaled by scikit-image)",
        "CC0",
        "brick.png", (512, 512),
    ),
    Sample(
        "grass", "style", "grass",
        "Blades of grass (grayscale, used as RGB).",
        "DeviantArt, linolafett 'Grass 01' (cropped, converted to grayscale by scikit-image)",
        "CC0",
        "grass.png", (512, 512),
    ),
    Sample(
        "gravel", "style", "gravel",
        "Gravel stones (grayscale, used as RGB).",
        "CC0Textures, Gravel04 (rescaled, cropped, converted to grayscale by scikit-image)",
        "CC0",
        "gravel.png", (512, 512),
    ),
    Sample(
        "hubble", "style", "hubble_deep_field",
        "Hubble eXtreme Deep Field: colourful galaxies on black.",
        "NASA / HubbleSite, release 2012-37",
        "Public domain (NASA imagery may be freely used)",
        "hubble_deep_field.jpg", (872, 1000),
    ),
    Sample(
        "ihc", "style", "immunohistochemistry",
        "Immunohistochemical staining of colonic glands: brown and blue cell texture.",
        "Center for Microscopy And Molecular Imaging (CMMI)",
        "No known copyright restrictions",
        "ihc.png", (512, 512),
    ),
    Sample(
        "stained_glass", "style", "stained_glass",
        "A stained-glass window: saturated cells of every hue, dark lead lines, brush-streaked glass.",
        "Painted by stylelib.samples.stained_glass() (recipe in docs/SAMPLES.md)",
        "CC0 (made for stylelib)",
        "", (512, 512), generated=True,
    ),
)

SAMPLES: dict[str, Sample] = {s.name: s for s in _ALL}
"""All samples by name, content photos first, then style textures."""


class UnknownSampleError(KeyError, ValueError):
    """No sample has the requested name (a ``KeyError`` and a ``ValueError``); the message lists them."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


def list_samples(kind: str | None = None) -> list[str]:
    """Names of the samples, all or only those of ``kind`` (``"content"`` or ``"style"``)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, got {kind!r}")
    return [s.name for s in _ALL if kind is None or s.kind == kind]


def get_sample(name: str) -> Sample:
    """The :class:`Sample` called ``name``; :class:`UnknownSampleError` lists the known names."""
    try:
        return SAMPLES[name]
    except (KeyError, TypeError):
        pass
    close = difflib.get_close_matches(str(name), list(SAMPLES), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UnknownSampleError(
        f"unknown sample {name!r}.{hint} Known samples: content {', '.join(list_samples('content'))}; "
        f"style {', '.join(list_samples('style'))}."
    )


def load_sample(name: str | Sample, max_size: int | None = None) -> np.ndarray:
    """Load a sample as an RGB image ``(H, W, 3)`` float32 in 0–255, without network access.

    Grayscale textures are copied into all three channels. ``max_size`` works as in
    :func:`stylelib.images.load_image`: the sample is resized so that its longest side is exactly
    ``max_size`` pixels (aspect kept); ``None`` keeps its native :attr:`Sample.size`.
    """
    sample = name if isinstance(name, Sample) else get_sample(name)
    if max_size is not None:
        check_size(max_size, "max_size")
    if sample.generated:
        image = array_to_image(globals()[sample.loader]())
    else:
        import skimage.data

        image = array_to_image(getattr(skimage.data, sample.loader)())
    image = at_longest(image, max_size)
    return image


# ------------------------------------------------------------------------------------------ painted samples


@functools.lru_cache(maxsize=1)
def _stained_glass_cached(size: int, cells: int, seed: int) -> np.ndarray:
    from scipy import ndimage
    from scipy.spatial import cKDTree
    from skimage import color, morphology, segmentation

    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, size, (cells, 2))
    rows, cols = np.mgrid[0:size, 0:size]
    # Voronoi cells: every pixel belongs to its nearest centre
    _, labels = cKDTree(centres).query(np.column_stack([rows.ravel(), cols.ravel()]))
    labels = labels.reshape(size, size)
    hue, sat, val = rng.uniform(0, 1, cells), rng.uniform(0.55, 0.95, cells), rng.uniform(0.6, 0.95, cells)
    hsv = np.stack([hue[labels], sat[labels], val[labels]], axis=-1)
    # streaks in the glass: white noise blurred much more along one axis than the other, in both directions
    noise = rng.normal(size=(size, size))
    streaks = ndimage.gaussian_filter(noise, sigma=(1.0, 6.0)) + 0.5 * ndimage.gaussian_filter(noise, sigma=(6.0, 1.0))
    hsv[..., 2] = np.clip(hsv[..., 2] * (1 + 0.35 * streaks / np.abs(streaks).max()), 0, 1)
    rgb = color.hsv2rgb(hsv)
    lead = morphology.dilation(segmentation.find_boundaries(labels, mode="inner"), morphology.disk(1))
    rgb[lead] = 0.08
    out = (rgb * 255).astype(np.uint8)
    out.flags.writeable = False
    return out


def stained_glass(size: int = 512, cells: int = 140, seed: int = 1508) -> np.ndarray:
    """Paint the ``stained_glass`` sample: a colourful style picture made here, so no file or network is needed.

    The recipe (also in ``docs/SAMPLES.md``): ``cells`` random centres split the square into Voronoi cells
    (``scipy.spatial.cKDTree`` nearest centre); each cell gets a random hue, a saturation in 0.55–0.95 and a
    value in 0.6–0.95 (HSV, converted with ``skimage.color.hsv2rgb``); the value is streaked by white noise
    blurred anisotropically (``scipy.ndimage.gaussian_filter``, sigma (1, 6) plus half of (6, 1)); the cell
    borders (``skimage.segmentation.find_boundaries``, dilated by a disk of radius 1) are painted dark as lead.

    Parameters
    ----------
    size : int
        Height and width in pixels.
    cells : int
        Number of glass pieces.
    seed : int
        Seed of ``numpy.random.default_rng``: the same seed gives the same picture.

    Returns
    -------
    ndarray
        ``(size, size, 3)`` uint8 RGB (a fresh, writeable copy).
    """
    return _stained_glass_cached(int(size), int(cells), int(seed)).copy()


# ------------------------------------------------------------------------------------------ the resolver

SAMPLE_PREFIX = "sample:"


def _sample_name(text: str) -> str:
    return text[len(SAMPLE_PREFIX):] if text.startswith(SAMPLE_PREFIX) else text


def load_input(source, max_size: int | None = None, *, what: str = "image") -> np.ndarray:
    """An input image from an array, an image file, or a sample name — the one resolver stylelib uses.

    Parameters
    ----------
    source : ndarray, str or os.PathLike
        An array (see :func:`stylelib.images.array_to_image` for the shapes and dtypes it takes), a path to
        an image file (anything :func:`stylelib.images.load_image` reads), or a sample name, plain
        (``"chelsea"``) or prefixed (``"sample:chelsea"``). An existing file wins over a sample of the same name.
    max_size : int, optional
        Resize so the longest side is exactly this many pixels (aspect kept); ``None`` keeps the size.
    what : str
        How the error message names the input, e.g. ``"content image"``.

    Returns
    -------
    ndarray
        ``(H, W, 3)`` float32, RGB, 0–255.

    Raises
    ------
    stylelib.images.ImageError
        A name that is neither a file nor a sample (the message names it, the closest sample and the way
        out), or a file that cannot be read.
    ValueError
        An array of an unusable shape, or a bad ``max_size``.
    """
    if max_size is not None:
        check_size(max_size, "max_size")
    if isinstance(source, np.ndarray):
        img = array_to_image(source)
        return resize_longest(img, max_size) if max_size else img
    text = os.fspath(source) if isinstance(source, os.PathLike) else str(source)
    path = Path(text).expanduser()
    if path.exists():
        return load_image(path, max_size=max_size)
    name = _sample_name(text)
    if name in SAMPLES:
        return load_sample(name, max_size=max_size)
    close = difflib.get_close_matches(name, list(SAMPLES), n=1)
    hint = f"did you mean sample {close[0]!r}? " if close else ""
    if text.startswith(SAMPLE_PREFIX):
        raise ImageError(f"{what} {text!r}: there is no sample called {name!r}; {hint}"
                         f"samples: {', '.join(SAMPLES)} (`stylelib samples` describes them)")
    where = "" if path.is_absolute() else f" (relative to {Path.cwd()})"
    raise ImageError(f"{what} {text}: no such file{where} and not a sample name; {hint}give an image "
                     f"file or a sample ({', '.join(SAMPLES)})")


def describe_input(source) -> str:
    """A short label for what :func:`load_input` reads: the file path, ``"sample NAME"`` or ``"array (H, W, C)"``."""
    if isinstance(source, np.ndarray):
        return f"array {source.shape}"
    text = os.fspath(source) if isinstance(source, os.PathLike) else str(source)
    path = Path(text).expanduser()
    return str(path) if path.exists() else f"sample {_sample_name(text)}"
