"""Write VGG-19 weight files in the real published layouts, for tests that must run offline.

The files have the real shapes (``conv1_1`` is ``(3, 3, 3, 64)`` ... ``conv5_4`` ``(3, 3, 512, 512)``),
so they are as large as the real ones (about 80 MB); writing one takes well under a second. Use
:func:`vgg_arrays` for the values and write each file once per test module (a module-scoped fixture).

Layouts written
---------------
:func:`write_keras_h5`
    Keras' legacy HDF5 weights file ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``: root attribute
    ``layer_names``; one group per layer (``block1_conv1`` ... ``block5_pool``) whose ``weight_names``
    attribute lists its datasets, named either flat (``block1_conv1_W_1:0`` stored in the group) or
    nested (``block1_conv1/kernel:0``, a subgroup). Kernels HWIO, BGR input channels.
:func:`write_matconvnet`
    MatConvNet's ``imagenet-vgg-verydeep-19.mat`` in its two published layouts, through
    ``scipy.io.savemat`` with numpy record/object arrays (MATLAB structs/cells):

    * ``"old"``: top-level ``layers`` (1 x L cell of 1x1 structs whose fields are
      ``weights, pad, type, name, stride`` — ``weights`` first), ``normalization`` (with an
      ``H x W x 3`` ``averageImage``) and ``classes``;
    * ``"new"``: top-level ``layers`` (structs ``name, type, weights, size, pad, stride, ...`` —
      ``name`` first, ``weights`` third) and ``meta`` holding ``normalization`` (``averageImage`` a
      ``1 x 1 x 3`` array or a 3-vector) and ``classes``.

    The layer list holds the ReLU and pool entries too, so ``conv1_1`` is entry 0, ``conv1_2`` entry 2,
    ``pool1`` entry 4, as in the real file. Kernels are written ``H x W x C x K`` exactly as given.

Every writer takes the kernels/biases dicts keyed by paper names (``conv1_1``) so a test can compare
what it loads with exactly what it wrote; ``skip`` leaves layers out and ``override`` replaces arrays
(to make a mis-shaped file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping

import numpy as np

from stylelib import vgg19

# A marker written into every kernel at tap (row 0, column 2) of input 0, output 0, and its negative at
# (row 2, column 0): if a loader swaps rows and columns, the markers trade places and the test says so.
ROW0_COL2_MARK = 100.0
ROW2_COL0_MARK = -100.0


def vgg_arrays(seed: int = 0) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Reproducible full-shape VGG-19 kernels ``(3, 3, in, out)`` and biases ``(out,)``, float32.

    Kernels are random (so no symmetry) plus the row/column markers above plus ``layer_number``
    at tap ``[1, 1, 0, 0]``; bias ``i`` of layer ``n`` is ``n + i / 1000`` so a mixed-up layer shows.
    """
    rng = np.random.default_rng(seed)
    kernels: dict[str, np.ndarray] = {}
    biases: dict[str, np.ndarray] = {}
    for number, name in enumerate(vgg19.CONV_LAYERS, start=1):
        layer = next(l for l in vgg19.LAYERS if l.name == name)
        k = rng.standard_normal((3, 3, layer.in_channels, layer.out_channels), dtype=np.float32)
        k[0, 2, 0, 0] = ROW0_COL2_MARK
        k[2, 0, 0, 0] = ROW2_COL0_MARK
        k[1, 1, 0, 0] = float(number)
        kernels[name] = k
        biases[name] = (number + np.arange(layer.out_channels) / 1000.0).astype(np.float32)
    return kernels, biases


def _pick(
    kernels: Mapping[str, np.ndarray],
    biases: Mapping[str, np.ndarray],
    override: Mapping[str, tuple[np.ndarray, np.ndarray]] | None,
    name: str,
) -> tuple[np.ndarray, np.ndarray]:
    if override and name in override:
        return override[name]
    return kernels[name], biases[name]


# --------------------------------------------------------------------------- Keras .h5


def write_keras_h5(
    path: str | Path,
    kernels: Mapping[str, np.ndarray],
    biases: Mapping[str, np.ndarray],
    *,
    naming: str = "flat",
    skip: Iterable[str] = (),
    override: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Path:
    """Write a Keras legacy-HDF5 ``notop`` weights file; ``naming`` is ``"flat"`` or ``"nested"``.

    ``kernels``/``biases`` are keyed by paper names and written as given (HWIO). ``skip`` holds paper
    names of conv layers to leave out entirely (group and ``layer_names`` entry).
    """
    import h5py

    if naming not in ("flat", "nested"):
        raise ValueError(f"naming must be 'flat' or 'nested', got {naming!r}")
    path = Path(path)
    skip = set(skip)
    layer_names = [vgg19.KERAS_NAMES[l.name] for l in vgg19.LAYERS if l.name not in skip]
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = np.array([n.encode("utf8") for n in layer_names])
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.0.0"
        for layer in vgg19.LAYERS:
            if layer.name in skip:
                continue
            kname = layer.keras_name
            group = f.create_group(kname)
            if layer.kind == "pool":
                group.attrs["weight_names"] = np.array([], dtype="S1")
                continue
            k, b = _pick(kernels, biases, override, layer.name)
            if naming == "flat":
                names = [f"{kname}_W_1:0", f"{kname}_b_1:0"]
            else:
                names = [f"{kname}/kernel:0", f"{kname}/bias:0"]
            group.attrs["weight_names"] = np.array([n.encode("utf8") for n in names])
            group.create_dataset(names[0], data=np.asarray(k, np.float32))
            group.create_dataset(names[1], data=np.asarray(b, np.float32))
    return path


# --------------------------------------------------------------------------- MatConvNet .mat


def _struct(fields: Mapping[str, object]) -> np.ndarray:
    """A 1x1 MATLAB struct whose fields keep the given order."""
    s = np.zeros((1, 1), dtype=[(name, object) for name in fields])
    for name, value in fields.items():
        s[name][0, 0] = value
    return s


def _cell(*items) -> np.ndarray:
    c = np.empty((1, len(items)), dtype=object)
    for i, item in enumerate(items):
        c[0, i] = item
    return c


def _row(*values) -> np.ndarray:
    return np.array(values, dtype=np.float64).reshape(1, -1)


def _mat_layer_list() -> list[tuple[str, str]]:
    """(name, type) of every entry of the real layer list up to pool5: conv, relu, ..., pool."""
    entries: list[tuple[str, str]] = []
    for layer in vgg19.LAYERS:
        if layer.kind == "conv":
            entries.append((layer.name, "conv"))
            entries.append(("relu" + layer.name[4:], "relu"))
        else:
            entries.append((layer.name, "pool"))
    # the real files go on with fc6, relu6, fc7, relu7, fc8, prob; a short tail is enough here
    entries += [("fc6", "conv"), ("relu6", "relu")]
    return entries


def average_image(shape: tuple[int, ...], mean_rgb: tuple[float, float, float], seed: int = 1) -> np.ndarray:
    """An average image of ``shape`` (last axis 3) whose per-channel mean is exactly ``mean_rgb``."""
    rng = np.random.default_rng(seed)
    img = rng.uniform(-20.0, 20.0, size=shape)
    flat = img.reshape(-1, 3)
    flat -= flat.mean(axis=0)  # zero mean per channel ...
    flat += np.asarray(mean_rgb)  # ... then exactly the requested mean
    return flat.reshape(shape).astype(np.float32)


def write_matconvnet(
    path: str | Path,
    kernels: Mapping[str, np.ndarray],
    biases: Mapping[str, np.ndarray],
    *,
    layout: str = "old",
    average: np.ndarray | None = None,
    skip: Iterable[str] = (),
    override: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
    truncate: int | None = None,
    drop: Iterable[str] = (),
    with_normalization: bool = True,
) -> Path:
    """Write ``imagenet-vgg-verydeep-19.mat`` in the ``"old"`` or ``"new"`` published layout.

    ``average`` is the ``averageImage`` to store (default: ``224 x 224 x 3`` for ``"old"``,
    ``1 x 1 x 3`` for ``"new"``, both with mean (123.68, 116.779, 103.939)). ``skip`` replaces the
    named conv layers' weights by an empty cell (the layer entry stays, so indices still line up);
    ``truncate`` keeps only the first ``truncate`` entries of the layer list; ``drop`` removes conv
    layers *and their ReLU entries* (dropping ``conv3_4``, ``conv4_4``, ``conv5_4`` gives VGG-16's
    list, where every later index shifts); ``with_normalization=False`` leaves the mean out.
    """
    import scipy.io

    if layout not in ("old", "new"):
        raise ValueError(f"layout must be 'old' or 'new', got {layout!r}")
    path = Path(path)
    skip = set(skip)
    if average is None:
        shape = (224, 224, 3) if layout == "old" else (1, 1, 3)
        average = average_image(shape, vgg19.IMAGENET_MEAN_RGB)

    drop = set(drop)
    dropped_relus = {"relu" + name[4:] for name in drop}
    entries = [e for e in _mat_layer_list() if e[0] not in drop and e[0] not in dropped_relus]
    if truncate is not None:
        entries = entries[:truncate]
    layers = np.empty((1, len(entries)), dtype=object)
    for i, (name, kind) in enumerate(entries):
        if kind == "conv" and name in kernels and name not in skip:
            k, b = _pick(kernels, biases, override, name)
            k = np.asarray(k, np.float32)
            # the old files hold the bias as a 1 x K row, the newer ones as K x 1
            b = np.asarray(b, np.float32).reshape((1, -1) if layout == "old" else (-1, 1))
            weights = _cell(k, b)
        else:  # relu, pool, a skipped conv, or fc6 of this short tail: an empty cell
            weights = np.empty((1, 0), dtype=object)
        pad = _row(1, 1, 1, 1) if kind == "conv" else _row(0, 0, 0, 0)
        stride = _row(2, 2) if kind == "pool" else _row(1, 1)
        if layout == "old":
            fields: dict[str, object] = {
                "weights": weights,
                "pad": pad,
                "type": kind,
                "name": name,
                "stride": stride,
            }
            if kind == "pool":
                fields.update(method="max", pool=_row(2, 2))
        else:
            size = _row(*np.asarray(weights[0, 0]).shape) if weights.size else np.zeros((0, 0))
            fields = {
                "name": name,
                "type": kind,
                "weights": weights,
                "size": size,
                "pad": pad,
                "stride": stride,
                "precious": False,
                "dilate": _row(1, 1),
                "opts": np.empty((1, 0), dtype=object),
            }
            if kind == "pool":
                fields.update(method="max", pool=_row(2, 2))
        layers[0, i] = _struct(fields)

    classes = _struct(
        {
            "name": _cell("n01440764", "n01443537", "n01484850"),
            "description": _cell("tench, Tinca tinca", "goldfish, Carassius auratus", "great white shark"),
        }
    )
    normalization = {
        "averageImage": np.asarray(average, np.float32),
        "keepAspect": True,
        "border": _row(32, 32),
        "imageSize": _row(224, 224, 3),
        "interpolation": "bilinear",
    }
    if layout == "old":
        content = {"layers": layers, "normalization": _struct(normalization), "classes": classes}
        if not with_normalization:
            del content["normalization"]
    else:
        normalization["cropSize"] = _row(0.875, 0.875)
        meta = _struct(
            {
                "inputs": _struct({"name": "data", "size": _row(224, 224, 3, 10)}),
                "classes": classes,
                **({"normalization": _struct(normalization)} if with_normalization else {}),
            }
        )
        content = {"layers": layers, "meta": meta}
    scipy.io.savemat(str(path), content, do_compression=False)
    return path


def write_garbage(path: str | Path, size: int = 4096, seed: int = 2) -> Path:
    """A file of random bytes (a corrupt download), whatever its suffix."""
    path = Path(path)
    path.write_bytes(np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes())
    return path
