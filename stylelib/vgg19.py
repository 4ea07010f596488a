"""The VGG-19 layer table and its weights.

Layer names follow the paper and MatConvNet (``conv1_1`` ... ``conv5_4``, ``pool1`` ... ``pool5``).
Each layer also carries its index in MatConvNet's ``imagenet-vgg-verydeep-19.mat`` layer list
(``conv1_1`` is 0, ``conv1_2`` is 2 — the ReLUs sit in between — ``pool1`` is 4, ``conv2_1`` 5, ...)
and its Keras name (``block1_conv1`` ...).

:func:`load_weights` returns a :class:`VGG19Weights`: per conv layer a kernel ``(3, 3, in, out)``
float32 (height, width, input channels, output channels — TensorFlow's ``HWIO``) and a bias ``(out,)``,
plus the input convention the weights were trained with (channel order and mean pixel).

Sources
-------
``"keras"``
    Keras' ImageNet file ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` from the Keras cache
    (``$KERAS_HOME/models`` or ``~/.keras/models``), downloaded with its published MD5 when missing.
    These weights come from the original Caffe model: **BGR** input, mean (103.939, 116.779, 123.68).
a path
    to that ``.h5`` or to MatConvNet's ``imagenet-vgg-verydeep-19.mat`` (both published layouts).
    MatConvNet weights expect **RGB** input with the mean of the file's average image.
``"random"``
    Seeded He-normal kernels and zero biases — for running offline. They give texture-like features
    only; a loud warning says so.

Kernel orientation of the ``.mat`` file
---------------------------------------
``scipy.io.loadmat`` keeps MATLAB's index order, so a conv layer's ``weights{1}`` arrives as an array
``[a, b, c, k]``. Which of ``a``/``b`` is the filter *row* decides whether it is TensorFlow's ``HWIO``
as it stands or needs ``np.transpose(w, (1, 0, 2, 3))``. What we found:

* MatConvNet's converter, ``utils/import-caffe.py`` (vlfeat/matconvnet), reads each Caffe blob as
  ``(K, C, H, W)``, reverses all four axes (``(W, H, C, K)``) and then, with its default ``--transpose``
  option, swaps the first two: the file holds ``H x W x C x K`` — ``[row, col, in, out]``, Caffe's tap
  ``[k, c, row, col]`` unmoved. ``utils/import-ref-models.sh`` converts the very-deep models with
  ``--caffe-variant=caffe`` (so the first conv's input channels are reversed, BGR -> RGB) and
  ``--average-value=(123.68, 116.779, 103.939)`` (an RGB mean).
* ``vl_nnconv``'s help text calls the filter bank ``FW x FH x FC x K`` (and images ``H x W x C x N``).
  The converter, though, swaps the average image's axes the same way (``(W, H, 3)`` -> ``(H, W, 3)``),
  so images and filters share one orientation: axis 0 is the row. Ports that trusted the help text
  transpose the kernels — anishathalye/neural-style's ``vgg.py`` does, citing it — and that project's
  issue #180 (2021) reports that the *untransposed* kernels classify ImageNet images better; the
  maintainer replied that the transpose only follows the docs and would be a bug if the report holds.
  (Style transfer with transposed 3x3 kernels still looks plausible, which may be why it goes unnoticed.)

So we load the ``.mat`` kernels **untransposed**. The Keras file comes from the same Caffe model with
BGR input, which gives a decisive check on real files: ``.mat`` ``conv1_1`` must equal Keras'
``conv1_1`` with its input-channel axis reversed. ``tests/test_real_weights.py`` runs that comparison
whenever both files are on the machine, and says so if the transposed kernels match instead.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from .recipe import DEFAULT_POOLING, POOLINGS, check_choice

__all__ = [
    "ALIGNMENT",
    "LAYERS",
    "CONV_LAYERS",
    "POOL_LAYERS",
    "LAYER_NAMES",
    "MATCONVNET_INDEX",
    "KERAS_NAMES",
    "KERAS_WEIGHTS_FILE",
    "KERAS_WEIGHTS_URL",
    "KERAS_WEIGHTS_MD5",
    "KERAS_MEAN_BGR",
    "IMAGENET_MEAN_RGB",
    "Layer",
    "VGG19Weights",
    "WeightsError",
    "RandomWeightsWarning",
    "load_weights",
    "random_weights",
    "keras_cache_path",
    "default_source",
    "describe_source",
    "layers_up_to",
    "layer_shapes",
    "canonical_layer",
    "layer_key",
    "layer_keys",
    "check_pooling",
    "LAYER_NAME_HELP",
    "RANDOM_WARNING",
    "RANDOM_LABEL",
    "RANDOM_NOTE",
    "RANDOM_FILE_NOTE",
    "random_banner",
    "weights_status",
    "weights_report",
]


@dataclass(frozen=True)
class Layer:
    """One row of the VGG-19 table (the ReLU after each conv is part of the conv row)."""

    name: str  # paper/MatConvNet name: 'conv3_2', 'pool3'
    kind: str  # 'conv' or 'pool'
    block: int  # 1..5
    matconvnet_index: int  # index in the .mat file's layer list
    in_channels: int  # 0 for pools (they keep the channel count)
    out_channels: int

    @property
    def keras_name(self) -> str:
        if self.kind == "pool":
            return f"block{self.block}_pool"
        return f"block{self.block}_conv{int(self.name.split('_')[1])}"


def _build_table() -> tuple[Layer, ...]:
    convs_per_block = (2, 2, 4, 4, 4)
    widths = (64, 128, 256, 512, 512)
    rows: list[Layer] = []
    index = 0
    channels = 3
    for block, (n_conv, width) in enumerate(zip(convs_per_block, widths, strict=True), start=1):
        for k in range(1, n_conv + 1):
            rows.append(Layer(f"conv{block}_{k}", "conv", block, index, channels, width))
            channels = width
            index += 2  # conv, then relu
        rows.append(Layer(f"pool{block}", "pool", block, index, 0, width))
        index += 1
    return tuple(rows)


LAYERS: tuple[Layer, ...] = _build_table()
"""All 21 layers in network order: 16 convolutions (each followed by a ReLU) and 5 pools."""
CONV_LAYERS: tuple[str, ...] = tuple(l.name for l in LAYERS if l.kind == "conv")
POOL_LAYERS: tuple[str, ...] = tuple(l.name for l in LAYERS if l.kind == "pool")
LAYER_NAMES: tuple[str, ...] = tuple(l.name for l in LAYERS)
MATCONVNET_INDEX: dict[str, int] = {l.name: l.matconvnet_index for l in LAYERS}
KERAS_NAMES: dict[str, str] = {l.name: l.keras_name for l in LAYERS}
_BY_NAME: dict[str, Layer] = {l.name: l for l in LAYERS}

KERAS_WEIGHTS_FILE = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
KERAS_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + KERAS_WEIGHTS_FILE
)
# The checksum Keras publishes for this file (keras.applications.vgg19, WEIGHTS_PATH_NO_TOP).
KERAS_WEIGHTS_MD5 = "253f8cb515780f3b799900260a226db6"
KERAS_MEAN_BGR = (103.939, 116.779, 123.68)
IMAGENET_MEAN_RGB = (123.68, 116.779, 103.939)


class WeightsError(RuntimeError):
    """The weights could not be loaded; the message names the file and the ways out."""


class RandomWeightsWarning(UserWarning):
    """Issued whenever random (untrained) VGG-19 weights are used."""


RANDOM_WARNING = (
    "USING RANDOM VGG-19 WEIGHTS (not the ImageNet-trained ones). Shapes, graphs, which ops run, "
    "loss values and gradients are all real and worth studying; but the features are untrained, so "
    "style transfer gives texture-like noise, not a painting, and feature maps show no learned edges "
    "or objects. Get the real weights with `stylelib weights`."
)

# The other texts that announce random weights; every module that says it takes its words from here.
RANDOM_LABEL = "RANDOM WEIGHTS — not a trained VGG-19 result"
"""The red label on every figure computed with random weights (:func:`stylelib.viz.mark_random`)."""

RANDOM_NOTE = "RANDOM WEIGHTS (untrained VGG-19)"
"""A short note for status lines (the explorer's)."""

RANDOM_FILE_NOTE = ("RANDOM WEIGHTS: made by stylelib with an untrained VGG-19, so it shows texture noise, "
                    "not the style image's style (stylelib weights says how to get the trained weights)")
"""What a picture saved by the command line with random weights says about itself (PNG ``Description`` text,
JPEG comment)."""

_BANNERS = {
    "notebook": (
        "RANDOM WEIGHTS: this notebook runs with UNTRAINED VGG-19 weights.",
        "Shapes, graphs, executed ops, losses and gradients are real; pictures of",
        "features and stylized images are NOT what trained VGG-19 gives (textures,",
        "not paintings). For the real thing: `stylelib weights` says how to get the",
        "ImageNet file, then restart with STYLELIB_WEIGHTS unset or set to its path.",
    ),
    "run": (
        "RANDOM VGG-19 WEIGHTS: this run uses an UNTRAINED network ({source}).",
        "The losses and the optimization are real, but the features are not ImageNet's:",
        "the picture will be texture noise, NOT a painting in the style of the style image.",
        "`stylelib weights` says how to get the real weights.",
    ),
    "saved": (
        "{path}",
        "was made with RANDOM VGG-19 WEIGHTS: texture noise, not style transfer.",
        "Run `stylelib weights` to get the ImageNet weights, then run again.",
    ),
}


def random_banner(kind: str, **fields: str) -> str:
    """A framed block of text announcing random weights.

    Parameters
    ----------
    kind : {'notebook', 'run', 'saved'}
        ``'notebook'``: the notebooks' setup cell (a ``#`` box, 80 columns); ``'run'``: the command line
        before a run; ``'saved'``: the command line after saving ``path`` (``!!`` blocks).
    **fields
        ``source`` (for 'run') or ``path`` (for 'saved').

    Examples
    --------
    >>> print(random_banner("saved", path="out.png").splitlines()[1])
    !!  out.png
    """
    check_choice("banner kind", kind, _BANNERS)
    lines = [line.format(**fields) for line in _BANNERS[kind]]
    if kind == "notebook":
        width = 80
        return "\n".join(["#" * width, *(f"#  {line:<{width - 4}}#" for line in lines), "#" * width])
    rule = "!" * (max(len(line) for line in lines) + 4)
    return "\n".join([rule, *(f"!!  {line}" for line in lines), rule])



@dataclass(frozen=True, eq=False)
class VGG19Weights:
    """Kernels and biases of the 16 conv layers plus the input convention they expect.

    ``kernels[name]`` is ``(3, 3, in, out)`` float32 (HWIO); ``biases[name]`` is ``(out,)`` float32. Float32 arrays
    are kept as read-only views on a :data:`ALIGNMENT`-byte boundary (copied there when they are not): the TF2
    engine's float32 CPU tensors are made on these buffers, not copied (:func:`stylelib.extractor.weight_tensors`).
    A ``VGG19Weights`` is not changed in place; build another one (a copy made by ``copy``/``pickle`` is not
    re-aligned, and its tensors are then copies).
    ``channel_order`` is ``"RGB"`` or ``"BGR"``: the order the network wants its input channels in;
    ``mean`` is the mean pixel *in that order* (0–255 scale), subtracted by
    :func:`stylelib.images.preprocess`.
    """

    kernels: Mapping[str, np.ndarray]
    biases: Mapping[str, np.ndarray]
    channel_order: str
    mean: tuple[float, float, float]
    source: str
    is_random: bool = False
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.channel_order not in ("RGB", "BGR"):
            raise ValueError(f"channel_order must be 'RGB' or 'BGR', got {self.channel_order!r}")
        _validate(self.kernels, self.biases, self.source)
        # float32 arrays on a 64-byte boundary, read-only, so that the engine's CPU tensors can be these buffers
        # themselves instead of a second copy (stylelib.extractor.weight_tensors: 52 MB up to conv5_1)
        object.__setattr__(self, "kernels", {k: _aligned(v) for k, v in self.kernels.items()})
        object.__setattr__(self, "biases", {k: _aligned(v) for k, v in self.biases.items()})

    def __repr__(self) -> str:
        kind = "RANDOM" if self.is_random else "trained"
        return (
            f"VGG19Weights({kind}, source={self.source!r}, channel_order={self.channel_order!r}, "
            f"mean={tuple(round(m, 3) for m in self.mean)})"
        )

    @property
    def mean_rgb(self) -> np.ndarray:
        """The mean pixel in RGB order, whatever order the network wants."""
        m = np.asarray(self.mean, dtype=np.float32)
        return m[::-1].copy() if self.channel_order == "BGR" else m


ALIGNMENT = 64
"""Bytes: the boundary :class:`VGG19Weights` puts its float32 arrays on, so that TensorFlow can use them as tensors
without a copy. An array from NumPy's allocator starts 16 bytes past a 64-byte boundary here, and a tensor made on
it through DLPack aborted the process inside an Eigen kernel (docs/PERFORMANCE.md, "Memory", stop 20); on a 64-byte
boundary the engine runs (``tests/test_extractor.py``)."""


def _aligned(a) -> np.ndarray:
    """A float32 array as a read-only C-contiguous float32 view starting on an :data:`ALIGNMENT`-byte boundary, over
    bytes that :func:`_writable_alias` can reach (``stylelib.extractor`` hands DLPack that alias: NumPy exports
    writable arrays only): ``a``'s own bytes when they already are such (another ``VGG19Weights``' arrays, say),
    else a copy in a buffer allocated for it. Other dtypes are returned as they are."""
    a = np.asarray(a)
    if a.dtype != np.float32:
        return a
    if not (a.flags.c_contiguous and a.ctypes.data % ALIGNMENT == 0 and _writable_alias(a) is not None):
        buf = np.empty(a.nbytes + ALIGNMENT, np.uint8)  # NumPy has no aligned allocation: over-allocate and offset
        start = -buf.ctypes.data % ALIGNMENT
        out = buf[start:start + a.nbytes].view(np.float32).reshape(a.shape)
        out[...] = a
        a = out
    view = a.view()
    view.flags.writeable = False
    return view


def _writable_alias(array: np.ndarray) -> np.ndarray | None:
    """``array`` itself when writable; for a read-only C-contiguous view of a writable buffer (as
    :class:`~stylelib.vgg19.VGG19Weights` keeps its arrays), a writable array over the same bytes; else ``None``."""
    if array.flags.writeable:
        return array
    base = array.base
    if not isinstance(base, np.ndarray) or not base.flags.writeable or not base.flags.c_contiguous:
        return None
    offset = array.ctypes.data - base.ctypes.data
    if offset < 0 or offset + array.nbytes > base.nbytes:
        return None
    return np.ndarray(array.shape, array.dtype, buffer=base, offset=offset)


def _validate(kernels: Mapping[str, np.ndarray], biases: Mapping[str, np.ndarray], source: str) -> None:
    for layer in LAYERS:
        if layer.kind != "conv":
            continue
        want_k = (3, 3, layer.in_channels, layer.out_channels)
        if layer.name not in kernels or layer.name not in biases:
            raise WeightsError(
                f"{source}: layer {layer.name} ({layer.keras_name}) is missing.{_ways_out()}"
            )
        k = np.asarray(kernels[layer.name])
        b = np.asarray(biases[layer.name])
        if k.shape != want_k or b.shape != (layer.out_channels,):
            raise WeightsError(
                f"{source}: layer {layer.name} has kernel {k.shape} and bias {b.shape}, expected "
                f"{want_k} and ({layer.out_channels},). Is this the VGG-19 file?{_ways_out()}"
            )


def keras_cache_path() -> Path:
    """Where Keras keeps (and we look for) the ImageNet weights file."""
    home = os.environ.get("KERAS_HOME")
    base = Path(home) if home else Path.home() / ".keras"
    return base / "models" / KERAS_WEIGHTS_FILE


def _ways_out() -> str:
    return (
        "\nWays out:\n"
        f"  1. put {KERAS_WEIGHTS_FILE} (from {KERAS_WEIGHTS_URL}) at {keras_cache_path()}\n"
        "  2. pass a path: weights='/path/to/imagenet-vgg-verydeep-19.mat' or the .h5 "
        "(CLI: --weights PATH; or set STYLELIB_WEIGHTS=PATH)\n"
        "  3. run offline with untrained weights: weights='random' (CLI: --weights random; "
        "or STYLELIB_WEIGHTS=random)"
    )


def default_source() -> str:
    """The source :func:`load_weights` uses when given none.

    ``$STYLELIB_WEIGHTS`` if set, else ``"keras"`` (the cached file, downloaded if missing).
    """
    return os.environ.get("STYLELIB_WEIGHTS", "").strip() or "keras"


def describe_source(source: str | os.PathLike | None = None) -> str:
    """One line saying which weights ``source`` means, for setup cells and the CLI."""
    src = default_source() if source is None else str(source)
    if src == "random":
        return "random (untrained He-normal VGG-19 weights — see the warning)"
    if src == "keras":
        p = keras_cache_path()
        return f"keras ImageNet weights at {p}" + ("" if p.exists() else " (missing: will download)")
    p = Path(src).expanduser()
    return f"file {p}" + ("" if p.is_file() else " (missing)")


# --------------------------------------------------------------------------- random


def random_weights(seed: int = 0, *, warn: bool = True) -> VGG19Weights:
    """He-normal kernels (std = sqrt(2 / fan_in)) and zero biases, reproducible from ``seed``.

    The input convention is RGB with the ImageNet mean, like MatConvNet weights.
    """
    if warn:
        warnings.warn(RANDOM_WARNING, RandomWeightsWarning, stacklevel=2)
    rng = np.random.default_rng(seed)
    kernels, biases = {}, {}
    for layer in LAYERS:
        if layer.kind != "conv":
            continue
        fan_in = 3 * 3 * layer.in_channels
        shape = (3, 3, layer.in_channels, layer.out_channels)
        kernels[layer.name] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        biases[layer.name] = np.zeros(layer.out_channels, np.float32)
    return VGG19Weights(
        kernels, biases, "RGB", IMAGENET_MEAN_RGB, source=f"random(seed={seed})", is_random=True
    )


# --------------------------------------------------------------------------- Keras .h5


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _decode(name) -> str:
    return name.decode("utf8") if isinstance(name, bytes) else str(name)


def _datasets_below(group) -> list[str]:
    """The names of all datasets below an h5py group (for writers that omit the ``weight_names`` attribute)."""
    import h5py

    found: list[str] = []
    group.visit(lambda n: found.append(n) if isinstance(group[n], h5py.Dataset) else None)
    return found


def load_keras_h5(path: str | os.PathLike) -> VGG19Weights:
    """Read Keras' legacy-HDF5 VGG-19 ``notop`` file.

    Each layer group lists its datasets in the ``weight_names`` attribute (kernel first, then bias);
    names may be flat (``block1_conv1_W_1:0``) or nested (``block1_conv1/kernel:0``), so we look them
    up through the attribute rather than guessing.
    """
    import h5py

    path = Path(path)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise WeightsError(f"{path}: not a readable HDF5 file ({e}).{_ways_out()}") from None
    kernels, biases = {}, {}
    with f:
        root = f["model_weights"] if "model_weights" in f else f
        for layer in LAYERS:
            if layer.kind != "conv":
                continue
            if layer.keras_name not in root:
                raise WeightsError(
                    f"{path}: layer {layer.keras_name} ({layer.name}) is missing.{_ways_out()}"
                )
            group = root[layer.keras_name]
            names = [_decode(n) for n in group.attrs.get("weight_names", [])]
            if not names:  # some writers omit the attribute: take the datasets below the group
                names = _datasets_below(group)
            arrays = [np.asarray(group[n], dtype=np.float32) for n in names]
            ks = [a for a in arrays if a.ndim == 4]
            bs = [a for a in arrays if a.ndim == 1]
            if len(ks) != 1 or len(bs) != 1:
                raise WeightsError(
                    f"{path}: layer {layer.keras_name} holds {[a.shape for a in arrays]}, "
                    f"expected one kernel and one bias.{_ways_out()}"
                )
            kernels[layer.name], biases[layer.name] = ks[0], bs[0]
    return VGG19Weights(kernels, biases, "BGR", KERAS_MEAN_BGR, source=str(path))


def _keras_weights(download: bool = True) -> VGG19Weights:
    path = keras_cache_path()
    if path.is_dir():
        raise WeightsError(f"{path} is a directory, not the weights file.{_ways_out()}")
    if not path.exists():
        if not download:
            raise WeightsError(f"{path} does not exist.{_ways_out()}")
        try:
            # get_file falls back to /tmp/.keras when cache_dir is missing or read-only: create it so
            # the download lands where keras_cache_path() will find it next time
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        try:
            from keras.utils import get_file

            fetched = get_file(
                KERAS_WEIGHTS_FILE,
                KERAS_WEIGHTS_URL,
                cache_subdir="models",
                cache_dir=str(path.parent.parent),
                file_hash=KERAS_WEIGHTS_MD5,
                hash_algorithm="md5",
            )
            path = Path(fetched)
        except Exception as e:  # offline, DNS, HTTP errors, checksum mismatch
            raise WeightsError(
                f"could not download {KERAS_WEIGHTS_URL} to {path}: {type(e).__name__}: "
                f"{str(e).splitlines()[0] if str(e) else ''}{_ways_out()}"
            ) from None
    else:
        digest = _md5(path)
        if digest != KERAS_WEIGHTS_MD5:
            raise WeightsError(
                f"{path}: MD5 {digest} does not match Keras' published {KERAS_WEIGHTS_MD5} "
                f"(corrupt or partial download?). Delete it and retry.{_ways_out()}"
            )
    return load_keras_h5(path)


# --------------------------------------------------------------------------- MatConvNet .mat


def _field(struct, name: str):
    """Field ``name`` of a 1x1 MATLAB struct as ``scipy.io.loadmat`` returns it.

    loadmat gives a struct as a ``(1, 1)`` record array (possibly inside a ``(1, 1)`` object array, a
    1x1 cell) whose every field holds its value wrapped in one more object slot; we unwrap exactly
    that slot, so a ``1 x 2`` cell stays a ``1 x 2`` object array. Fields are found by *name*, never
    by position: the two published layouts order them differently. Raises ``KeyError``.
    """
    s = struct
    while isinstance(s, np.ndarray) and s.dtype.names is None and s.dtype == object and s.size == 1:
        s = s.flat[0]
    if isinstance(s, np.void) and s.dtype.names is not None:
        if name not in s.dtype.names:
            raise KeyError(name)
        return s[name]
    if isinstance(s, np.ndarray) and s.dtype.names is not None and s.size == 1:
        if name not in s.dtype.names:
            raise KeyError(name)
        return s[name].flat[0]
    raise KeyError(name)


def _mat_string(value) -> str:
    while isinstance(value, np.ndarray):
        if value.size == 0:
            return ""
        if value.dtype.kind in "US":
            return str(value.flat[0])
        value = value.flat[0]
    return str(value)


def load_matconvnet(path: str | os.PathLike) -> VGG19Weights:
    """Read MatConvNet's ``imagenet-vgg-verydeep-19.mat`` in either published layout.

    Older layout: top-level ``layers`` and ``normalization``; each layer struct starts with ``weights``.
    Newer (vlfeat.org, "beta") layout: ``layers`` and ``meta`` (holding ``normalization``); each layer
    struct is ``name, type, weights, ...``. Fields are read by name, so the order does not matter.
    Kernels are used untransposed (see the module docstring for the evidence).
    """
    import scipy.io

    path = Path(path)
    try:
        data = scipy.io.loadmat(str(path), struct_as_record=True)
    except Exception as e:
        raise WeightsError(f"{path}: not a readable MATLAB .mat file ({e}).{_ways_out()}") from None
    if "layers" not in data:
        raise WeightsError(
            f"{path}: no 'layers' entry (keys: {sorted(k for k in data if not k.startswith('__'))}); "
            f"not a MatConvNet VGG file.{_ways_out()}"
        )
    layers = np.asarray(data["layers"]).ravel()
    norm_holder = data["meta"] if "meta" in data else data
    try:
        norm = _field(norm_holder, "normalization") if "meta" in data else data["normalization"]
        avg = np.asarray(_field(norm, "averageImage"), dtype=np.float64)
    except (KeyError, IndexError):
        raise WeightsError(f"{path}: no normalization.averageImage found.{_ways_out()}") from None
    # the older file stores a whole H x W x 3 average image, the newer one a 1 x 1 x 3 (or 3-vector)
    # mean pixel; either way the mean pixel is the per-channel mean over the last axis
    if avg.size == 3:
        avg = avg.reshape(1, 3)
    if avg.ndim < 2 or avg.shape[-1] != 3:
        raise WeightsError(
            f"{path}: normalization.averageImage has shape {avg.shape}, expected (H, W, 3) or 3 values."
            f"{_ways_out()}"
        )
    mean = tuple(float(m) for m in avg.reshape(-1, 3).mean(axis=0))

    kernels, biases = {}, {}
    for layer in LAYERS:
        if layer.kind != "conv":
            continue
        i = layer.matconvnet_index
        if i >= layers.size:
            raise WeightsError(f"{path}: layer {layer.name} (index {i}) is missing.{_ways_out()}")
        entry = layers[i]
        try:
            name = _mat_string(_field(entry, "name"))
            w = _field(entry, "weights")
        except KeyError:
            raise WeightsError(
                f"{path}: layer {i} has no 'name'/'weights' fields; not a MatConvNet layer.{_ways_out()}"
            ) from None
        if name and name != layer.name:
            raise WeightsError(
                f"{path}: layer {i} is {name!r}, expected {layer.name!r}. Is this VGG-19?{_ways_out()}"
            )
        if not (isinstance(w, np.ndarray) and w.dtype == object and w.size == 2):
            count = w.size if isinstance(w, np.ndarray) and w.dtype == object else 1
            raise WeightsError(
                f"{path}: layer {i} ({layer.name}) holds {count} weight arrays, expected 2 "
                f"(kernel, bias).{_ways_out()}"
            )
        w = w.ravel()
        # H x W x C x K in the file is TensorFlow's HWIO already: no transpose (module docstring)
        kernels[layer.name] = np.asarray(w[0], dtype=np.float32)
        biases[layer.name] = np.asarray(w[1], dtype=np.float32).ravel()  # 1 x K or K x 1 in the file
    return VGG19Weights(kernels, biases, "RGB", mean, source=str(path))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- entry point

_CACHE: dict[tuple, VGG19Weights] = {}


def load_weights(source: str | os.PathLike | VGG19Weights | None = None, *, seed: int = 0) -> VGG19Weights:
    """Load VGG-19 weights.

    Parameters
    ----------
    source : str, os.PathLike, VGG19Weights or None
        ``"keras"`` (Keras' ImageNet file, downloaded into its cache and MD5-checked when missing),
        ``"random"`` (seeded He-normal kernels, zero biases), a path to a Keras ``.h5`` or a MatConvNet ``.mat``
        (either published layout), an already loaded :class:`VGG19Weights` (returned as is), or ``None`` for
        :func:`default_source`.
    seed : int
        Only for ``"random"``.

    Returns
    -------
    VGG19Weights
        16 kernels ``(3, 3, in, out)`` and biases ``(out,)`` float32, and the input convention (channel order,
        mean pixel on the 0–255 scale). File weights are cached per path and modification time.

    Raises
    ------
    WeightsError
        Nothing usable: the message names the file and lists the ways out.

    Warns
    -----
    RandomWeightsWarning
        For ``"random"``: the features are untrained.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", RandomWeightsWarning)
    ...     w = load_weights("random")
    >>> w.kernels["conv1_1"].shape, w.channel_order, w.is_random
    ((3, 3, 3, 64), 'RGB', True)
    """
    if isinstance(source, VGG19Weights):
        return source
    src = default_source() if source is None else str(source)
    if src == "random":
        warnings.warn(RANDOM_WARNING, RandomWeightsWarning, stacklevel=2)
        key = ("random", seed)
        if key not in _CACHE:
            _CACHE[key] = random_weights(seed, warn=False)
        return _CACHE[key]
    if src == "keras":
        path = keras_cache_path()
        key = ("keras", str(path), path.stat().st_mtime if path.exists() else None)
        if key not in _CACHE:
            _CACHE[key] = _keras_weights(download=True)
        return _CACHE[key]
    path = Path(src).expanduser()
    if not path.exists():
        raise WeightsError(f"weights file {path} does not exist.{_ways_out()}")
    if path.is_dir():
        raise WeightsError(f"{path} is a directory, not a weights file.{_ways_out()}")
    key = ("file", str(path.resolve()), path.stat().st_mtime)
    if key not in _CACHE:
        suffix = path.suffix.lower()
        if suffix in (".h5", ".hdf5"):
            _CACHE[key] = load_keras_h5(path)
        elif suffix == ".mat":
            _CACHE[key] = load_matconvnet(path)
        else:
            raise WeightsError(
                f"{path}: unknown weights format {suffix!r}; expected a Keras .h5 or a MatConvNet .mat."
                f"{_ways_out()}"
            )
    return _CACHE[key]


# --------------------------------------------------------------------------- helpers


def canonical_layer(name: str) -> str:
    """The table name of a layer: ``'avgpool3'``, ``'maxpool3'`` and ``'pool3'`` give ``'pool3'``; conv names
    (``'conv4_2'``) are returned unchanged. The one place stylelib decides which layer names it accepts.

    Parameters
    ----------
    name : str
        A paper/MatConvNet layer name (``conv1_1`` … ``conv5_4``, ``pool1`` … ``pool5``), a pool written
        with its pooling (``avgpool1``, ``maxpool1``).

    Returns
    -------
    str
        One of :data:`LAYER_NAMES`.

    Raises
    ------
    ValueError
        One line naming the unknown ``name``, the closest known name and the valid ones.

    Examples
    --------
    >>> canonical_layer("avgpool3"), canonical_layer("conv4_2")
    ('pool3', 'conv4_2')
    >>> canonical_layer("relu4_2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown VGG-19 layer 'relu4_2' (did you mean 'conv4_2'?); use conv1_1..conv5_4 (...
    """
    text = str(name)
    base = text
    for pooling in POOLINGS:
        prefix = pooling + "pool"
        if text.startswith(prefix):
            base = "pool" + text[len(prefix):]
    if base in _BY_NAME:
        return base
    import difflib

    close = difflib.get_close_matches(text, [*LAYER_NAMES, *(f"{p}{n}" for p in POOLINGS for n in POOL_LAYERS)],
                                      n=1)
    if not close and "_" in text:  # 'relu4_2', 'block4_conv2': the block and index still point somewhere
        close = difflib.get_close_matches("conv" + text[-3:], CONV_LAYERS, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(f"unknown VGG-19 layer {name!r}{hint}; use {LAYER_NAME_HELP}")


LAYER_NAME_HELP = ("conv1_1..conv5_4 (conv1_1, conv1_2, conv2_1, conv2_2, conv3_1..conv3_4, conv4_1..conv4_4, "
                   "conv5_1..conv5_4) or pool1..pool5 (also written avgpoolN / maxpoolN)")
"""The accepted layer names, in one line (for help texts and errors)."""


def check_pooling(pooling: str) -> str:
    """``pooling`` if it is one of :data:`stylelib.recipe.POOLINGS` (``'avg'``, ``'max'``), else ``ValueError``."""
    return check_choice("pooling", pooling, POOLINGS)


def layer_key(name: str, pooling: str) -> str:
    """The key a layer has in :func:`stylelib.graph.build_graph`'s dict and in
    :func:`stylelib.extractor.keras_vgg19`'s layer names: pools carry their pooling (``'pool1'`` ->
    ``'avgpool1'``), convs keep their name.

    Raises
    ------
    ValueError
        For an unknown layer, an unknown pooling, or a pool written with the other pooling
        (``layer_key('maxpool1', 'avg')``): a silently different layer would be worse.

    Examples
    --------
    >>> layer_key("pool1", "avg"), layer_key("avgpool1", "avg"), layer_key("conv4_2", "max")
    ('avgpool1', 'avgpool1', 'conv4_2')
    """
    check_pooling(pooling)
    base = canonical_layer(name)
    if base.startswith("pool"):
        for other in POOLINGS:
            if other != pooling and str(name).startswith(other + "pool"):
                raise ValueError(
                    f"layer {name!r} asks for {other} pooling but this network uses pooling={pooling!r}; "
                    f"ask for {pooling + base!r} or {base!r}, or pass pooling={other!r}")
        return pooling + base
    return base


def layer_keys(pooling: str = DEFAULT_POOLING) -> list[str]:
    """All 21 layer keys in network order: ``conv1_1``, ``conv1_2``, ``avgpool1``, … (see :func:`layer_key`)."""
    check_pooling(pooling)
    return [layer_key(layer.name, pooling) for layer in LAYERS]


def layers_up_to(name: str) -> tuple[Layer, ...]:
    """The layers from the input up to and including ``name`` (any name :func:`canonical_layer` accepts)."""
    return LAYERS[: LAYER_NAMES.index(canonical_layer(name)) + 1]


def layer_shapes(height: int, width: int) -> dict[str, tuple[int, int, int]]:
    """Output shape ``(H, W, C)`` of every layer for an ``height x width`` input (SAME conv, 2x2/2 pools)."""
    shapes = {}
    h, w = height, width
    for layer in LAYERS:
        if layer.kind == "pool":
            h, w = (h + 1) // 2, (w + 1) // 2
        shapes[layer.name] = (h, w, layer.out_channels)
    return shapes


# --------------------------------------------------------------------------- the weights report

MATCONVNET_FILE = "imagenet-vgg-verydeep-19.mat"
MATCONVNET_URL = "https://www.vlfeat.org/matconvnet/models/imagenet-vgg-verydeep-19.mat"


def weights_status(source: str | os.PathLike) -> tuple[bool, str]:
    """Whether ``source`` gives usable *trained* weights here, and a one-line status — without downloading.

    Returns
    -------
    (bool, str)
        ``(True, "OK: … loads …")`` or ``(False, "missing: …" | "unusable: …" | "untrained: …")``.
        Random weights are always available but never count as usable.
    """
    src = str(source).strip() or "keras"
    if src == "random":
        return False, "untrained: random weights are always available, but give texture noise, not style transfer"
    path = keras_cache_path() if src == "keras" else Path(src).expanduser()
    if not path.exists():
        return False, f"missing: {path} does not exist"
    if path.is_dir():
        return False, f"unusable: {path} is a directory, not the weights file"
    try:
        w = load_weights(src)  # the file exists, so this reads it (and checks Keras' MD5); never downloads
    except WeightsError as e:
        return False, "unusable: " + str(e).split("\nWays out:")[0].strip().rstrip(".")
    except Exception as e:  # a file that breaks the reader in an unforeseen way is still "unusable"
        return False, f"unusable: {path}: {type(e).__name__}: {e}"
    md5 = ", MD5 matches Keras' published checksum" if src == "keras" else ""
    return True, (f"OK: {w.source} loads (16 conv layers, {w.channel_order} input, mean "
                  f"{tuple(round(m, 2) for m in w.mean)}){md5}")


def weights_report(source: str | None = None, origin: str = "") -> str:
    """The text of ``stylelib weights``: the source used and its status, Keras' file and its status, and the
    ways to get trained weights.

    Parameters
    ----------
    source : str, optional
        The source to report on (default: :func:`default_source`).
    origin : str
        Where ``source`` came from, e.g. ``"(--source)"``; shown after it.
    """
    src = (default_source() if source is None else str(source)).strip() or "keras"
    cache = keras_cache_path()
    lines = ["VGG-19 weights for stylelib", "", f"Source used: {src} {origin}".rstrip()]
    if src != "keras":
        lines.append(f"  status:   {weights_status(src)[1]}")
    lines += [
        "",
        f"Keras' ImageNet file ({KERAS_WEIGHTS_FILE}, about 80 MB), source `keras`:",
        f"  expected: {cache}",
        "            (Keras' cache: $KERAS_HOME/models, else ~/.keras/models)",
        f"  status:   {weights_status('keras')[1]}",
        "",
        "How to get trained weights:",
        "  1. stylelib weights --download",
        f"       fetches {KERAS_WEIGHTS_URL}",
        f"       into {cache} and checks its MD5 ({KERAS_WEIGHTS_MD5})",
        "  2. by hand, on a machine with internet:",
        f"       curl -L -o {KERAS_WEIGHTS_FILE} {KERAS_WEIGHTS_URL}",
        f"     then copy the file to {cache}",
        f"  3. MatConvNet's {MATCONVNET_FILE} (about 550 MB; RGB input):",
        f"       {MATCONVNET_URL}",
        f"     then use --weights /path/to/{MATCONVNET_FILE} or STYLELIB_WEIGHTS=/path/to/{MATCONVNET_FILE}",
        "     (a Keras .h5 stored elsewhere works the same way)",
        "  4. without any of them: --weights random (or STYLELIB_WEIGHTS=random) runs everything with an",
        "     untrained network - real losses and gradients, but texture noise instead of style transfer.",
        "",
        "For scripts: `stylelib weights --check` exits 0 only when trained weights load here.",
    ]
    return "\n".join(lines)
