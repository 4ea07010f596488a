"""TF2: VGG-19 features, computed only as far as the deepest layer asked for.

:class:`FeatureExtractor` is a ``tf.Module`` holding the weights as tensors nothing writes to (float32 on the CPU:
the NumPy weights' own buffers, :func:`weight_tensors`); calling it on a preprocessed batch ``(N, H, W, 3)``
returns ``{layer: activations}``. It works eagerly and inside ``tf.function``
(the TF2 engine calls it from its compiled step). For the same weights and image it gives
the same activations as :func:`stylelib.graph.build_graph` + ``sess.run``.

:func:`keras_vgg19` builds the same conv stack as a Keras model, optionally cut at a layer — the usual
TF2 way to "run a network only up to a point".
"""

from __future__ import annotations

import weakref
from typing import Iterable, NamedTuple

import numpy as np
import tensorflow as tf

from .recipe import DEFAULT_POOLING
from .vgg19 import (ALIGNMENT, LAYER_NAMES, LAYERS, VGG19Weights, _writable_alias, canonical_layer, check_pooling,
                    layer_key, load_weights)

__all__ = ["FeatureExtractor", "RowTile", "conv3d_bias_relu", "conv3d_is_faster", "keras_vgg19", "weight_tensors"]


# weights object -> {(layer, dtype name, device): (weak reference to the kernel tensor, … to the bias tensor)}
_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def weight_tensors(weights: VGG19Weights, layer: str,
                   dtype: str | tf.DType = tf.float32) -> tuple[tf.Tensor, tf.Tensor]:
    """The kernel and bias of one conv layer as tensors that nothing writes to — one pair per weights object, layer,
    dtype and device, shared by every :class:`FeatureExtractor` that holds it.

    Each extractor used to make its own copy — 87–99 MB more resident memory per extractor up to ``conv5_1``
    (measured) — for each ``StyleObjective`` (one per :func:`stylelib.transfer.stylize` call, two with a coarse
    stage) and each extractor a notebook builds (issue 11, kernel memory). The tensors are constants — nothing
    writes to them — so sharing changes no value. The cache holds the tensors weakly: they go when the last
    extractor holding them goes, and the entries go with the weights object. Float32 tensors on the CPU are the
    weights' own arrays, not a copy (DLPack; :class:`~stylelib.vgg19.VGG19Weights` puts its arrays on the boundary
    that needs): 52 MB less resident memory up to ``conv5_1`` (issue 11, stop 21).

    Parameters
    ----------
    weights : VGG19Weights
        Loaded weights (:func:`stylelib.vgg19.load_weights`).
    layer : str
        A conv layer's name, ``'conv1_1'`` … ``'conv5_4'``.
    dtype : str or tf.DType
        The tensors' dtype (the weights are float32; ``'float16'``, ``'bfloat16'`` are rounded once).

    Returns
    -------
    (tf.Tensor, tf.Tensor)
        ``(3, 3, in, out)`` kernel and ``(out,)`` bias of ``dtype``, on the device ``tf.constant`` places tensors on
        here (inside ``with tf.device(...)``: that one). Called while tracing a ``tf.function`` (not eagerly):
        new constants of that graph, as ``tf.constant`` gives.

    Examples
    --------
    >>> from stylelib.vgg19 import load_weights
    >>> w = load_weights("random")
    >>> k, b = weight_tensors(w, "conv1_2")
    >>> tuple(k.shape), tuple(b.shape), weight_tensors(w, "conv1_2")[0] is k
    ((3, 3, 64, 64), (64,), True)
    >>> weight_tensors(w, "conv1_2", "float16")[0].dtype.name
    'float16'
    """
    dtype = tf.as_dtype(dtype)
    if not tf.executing_eagerly():  # inside a trace: constants belong to that graph, not to the cache
        return (tf.constant(weights.kernels[layer], dtype=dtype), tf.constant(weights.biases[layer], dtype=dtype))
    # the device is part of the key: a GPU run's tensors live on the GPU
    key = (layer, dtype.name, _constant_device())
    cache = _SHARED.setdefault(weights, {})
    refs = cache.get(key)
    pair = (refs[0](), refs[1]()) if refs else (None, None)
    if pair[0] is None or pair[1] is None:
        pair = (_tensor_on(weights.kernels[layer], dtype, key[2]), _tensor_on(weights.biases[layer], dtype, key[2]))
        cache[key] = (weakref.ref(pair[0]), weakref.ref(pair[1]))
    return pair


def _tensor_on(array: np.ndarray, dtype: tf.DType, device: str) -> tf.Tensor:
    """An eager tensor of ``array``: for float32 on the CPU, ``array``'s own buffer (DLPack, no copy) when it starts
    on a :data:`stylelib.vgg19.ALIGNMENT`-byte boundary (as :class:`~stylelib.vgg19.VGG19Weights` makes its arrays);
    otherwise a copy (``tf.constant``: another dtype, another device, an unaligned buffer)."""
    if (dtype == tf.float32 and tf.DeviceSpec.from_string(device).device_type == "CPU"
            and array.dtype == np.float32 and array.flags.c_contiguous and array.ctypes.data % ALIGNMENT == 0):
        buffer = _writable_alias(array)  # NumPy's DLPack export takes writable arrays only
        if buffer is not None:
            return tf.experimental.dlpack.from_dlpack(buffer.__dlpack__())
    return tf.constant(array, dtype=dtype)


def _constant_device() -> str:
    """Where ``tf.constant`` puts a tensor here (inside ``with tf.device(...)``: that device): a scalar says."""
    return tf.constant(0.0).device


def conv3d_is_faster(dtype="float32") -> bool:
    """Whether :class:`FeatureExtractor`'s ``as_conv3d`` form is the faster one for ``dtype`` on the device
    ``tf.constant`` uses here: float32 off a GPU (TensorFlow's oneDNN convolution keeps only a float32 2-D kernel in
    the plain ``hwio`` layout; a GPU's cuDNN convolution was not measured, so it keeps ``Conv2D``).

    >>> conv3d_is_faster("float32"), conv3d_is_faster("bfloat16")  # on this CPU
    (True, False)
    """
    return tf.as_dtype(dtype) == tf.float32 and ":GPU:" not in _constant_device().upper()


def conv3d_bias_relu(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor) -> tf.Tensor:
    """``relu(conv2d(x, kernel, SAME) + bias)`` computed as a depth-1 ``Conv3D`` (:class:`FeatureExtractor`'s
    ``as_conv3d`` form; the same sums).

    Parameters
    ----------
    x : tf.Tensor
        ``(N, H, W, C)`` activations (float32 on a CPU, where the form is the faster one: :func:`conv3d_is_faster`).
    kernel : tf.Tensor
        ``(3, 3, C, C')`` HWIO kernel.
    bias : tf.Tensor
        ``(C',)`` bias.

    Returns
    -------
    tf.Tensor
        ``(N, H, W, C')``, ``x``'s dtype.

    Notes
    -----
    ``x`` and ``kernel`` are each given a depth axis (``tf.expand_dims``), the bias and ReLU run on the 5-D result
    and ``tf.squeeze`` comes after them: Grappler's remapper fuses ``Conv3D`` + ``BiasAdd`` + ``Relu`` into one
    kernel only when nothing stands between them (docs/PERFORMANCE.md, "The ``Conv3D``'s bias and ReLU fused").
    """
    z = tf.nn.conv3d(tf.expand_dims(x, 1), tf.expand_dims(kernel, 0), strides=[1, 1, 1, 1, 1], padding="SAME")
    return tf.squeeze(tf.nn.relu(tf.nn.bias_add(z, bias)), 1)


class FeatureExtractor(tf.Module):
    """Activations of chosen VGG-19 layers for a preprocessed batch — the network run only as far as needed.

    Parameters
    ----------
    weights : VGG19Weights or str or None
        Loaded weights, ``'keras'``, ``'random'``, a path, or ``None`` (``$STYLELIB_WEIGHTS``).
    layers : iterable of str
        Names such as ``'conv4_2'``, ``'avgpool1'`` or ``'pool1'`` (:func:`stylelib.vgg19.canonical_layer`);
        each is returned under the name given. Only the layers up to the deepest one asked for are built
        (``self.built_layers``).
    pooling : {'avg', 'max'}
        Pooling between blocks.
    dtype : str or tf.DType
        Compute dtype (``'float16'`` for mixed precision on a GPU); the outputs have this dtype.
    as_conv3d : bool
        Inside a ``tf.function``, run each 3×3 conv as a ``Conv3D`` over a depth of 1 (``tf.nn.conv3d`` of the
        input and the kernel each given a depth axis, ``tf.expand_dims``; the bias and ReLU on the 5-D result,
        which Grappler's remapper fuses with the ``Conv3D``; ``tf.squeeze`` after them): the same sums.
        Why: TensorFlow's oneDNN forward convolution keeps a 2-D float32 kernel that is not a graph constant, at
        batch 1, in the plain ``hwio`` layout, and gives every other kernel (a 5-D one included) the layout oneDNN
        prefers (``MklConvFwdPrimitive::Setup``, tensorflow/core/kernels/mkl/mkl_conv_ops.cc). Measured on a CPU at
        128–512 px: the engine's Adam step 0.76–0.84 × the baseline loop's in this form, 0.96–0.97 × with ``Conv2D``
        (docs/PERFORMANCE.md, "The kernel layout of the forward convolution" and "The ``Conv3D``'s bias and ReLU
        fused"). Default False: the plain ``Conv2D`` the notebooks show. Eagerly, both run ``Conv2D``.
        :class:`stylelib.transfer.StyleObjective` sets it where :func:`conv3d_is_faster`.
    name : str, optional
        The ``tf.Module``'s name.

    Raises
    ------
    ValueError
        No layer, an unknown layer, an unknown pooling, or a pool of the other pooling (``'maxpool1'`` with
        ``pooling='avg'``); on call, an input that is not ``(N, H, W, 3)``.

    Notes
    -----
    Calling it on ``(N, H, W, 3)`` float32 (preprocessed: :func:`stylelib.images.preprocess`) returns
    ``{layer: (N, h, w, C) tensor}``; SAME convolutions keep ``h, w``, each 2×2/2 pool halves them rounding up
    (:func:`stylelib.vgg19.layer_shapes`). It works eagerly and inside ``tf.function``, and gives the same values
    as :func:`stylelib.graph.build_graph` + ``sess.run`` for the same weights and image.

    Examples
    --------
    >>> import numpy as np
    >>> fe = FeatureExtractor("random", ["conv1_1", "avgpool1"])
    >>> out = fe(np.zeros((1, 20, 30, 3), np.float32))
    >>> {k: tuple(v.shape) for k, v in out.items()}, fe.built_layers
    ({'conv1_1': (1, 20, 30, 64), 'avgpool1': (1, 10, 15, 64)}, ('conv1_1', 'conv1_2', 'avgpool1'))
    """

    def __init__(self, weights: VGG19Weights | str | None, layers: Iterable[str], pooling: str = DEFAULT_POOLING,
                 dtype: str | tf.DType = tf.float32, as_conv3d: bool = False, name: str | None = None):
        super().__init__(name=name)
        check_pooling(pooling)
        self.as_conv3d = bool(as_conv3d)
        self.weights = load_weights(weights)
        self.pooling = pooling
        self.dtype = tf.as_dtype(dtype)
        self.layers = tuple(layers)
        if not self.layers:
            raise ValueError("FeatureExtractor needs at least one layer")
        self._wanted: dict[str, list[str]] = {}  # 'pool1' -> every name it was asked under ('pool1', 'avgpool1')
        for n in self.layers:
            layer_key(n, pooling)  # refuses unknown names and a pool of the other pooling
            self._wanted.setdefault(canonical_layer(n), []).append(n)
        deepest = max(LAYER_NAMES.index(c) for c in self._wanted)
        self._plan = LAYERS[: deepest + 1]
        self.built_layers = tuple(layer_key(l.name, pooling) for l in self._plan)
        self._kernels = {}
        self._biases = {}
        for layer in self._plan:
            if layer.kind == "conv":
                self._kernels[layer.name], self._biases[layer.name] = weight_tensors(self.weights, layer.name,
                                                                                     self.dtype)

    def __call__(self, images) -> dict[str, tf.Tensor]:
        x = self._input(images)
        _, out = self.run(x)
        return out

    def _input(self, images) -> tf.Tensor:
        x = tf.cast(images, self.dtype)
        if x.shape.rank != 4 or x.shape[-1] != 3:
            raise ValueError(f"FeatureExtractor expects a preprocessed batch (N, H, W, 3), got shape {x.shape}")
        return x

    def _apply(self, layer, x) -> tf.Tensor:
        # a name scope per layer: in a traced graph the ops read "conv1_1/Conv2D", "avgpool1/AvgPool", …
        with tf.name_scope(layer_key(layer.name, self.pooling)):
            if layer.kind == "conv":
                kernel = self._kernels[layer.name]
                if self.as_conv3d and tf.inside_function():  # oneDNN's preferred kernel layout (as_conv3d)
                    return conv3d_bias_relu(x, kernel, self._biases[layer.name])
                y = tf.nn.conv2d(x, kernel, strides=1, padding="SAME")
                return tf.nn.relu(y + self._biases[layer.name])
            if self.pooling == "avg":
                return tf.nn.avg_pool2d(x, ksize=2, strides=2, padding="SAME")
            return tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")

    def iter_layers(self, images, start: int = 0, stop: int | None = None):
        """Run the built layers ``start:stop`` (indices into :attr:`built_layers`) on ``images``, one at a time.

        Parameters
        ----------
        images : array or tf.Tensor
            ``(N, H, W, 3)`` preprocessed for ``start == 0``; otherwise the output of layer ``start − 1``.
        start, stop : int
            The range of built layers to run (default: all of them).

        Yields
        ------
        (str or None, tf.Tensor)
            ``(name asked, activations)`` for each layer asked for in the range (once per name it was asked
            under), and ``(None, output)`` once at the end: the output of layer ``stop − 1``. Nothing else is
            held, so a caller that keeps only what it needs (a Gram matrix, say) frees each layer as the next is
            computed.
        """
        x = self._input(images) if start == 0 else tf.convert_to_tensor(images)
        stop = len(self._plan) if stop is None else stop
        for layer in self._plan[start:stop]:
            x = self._apply(layer, x)
            for asked in self._wanted.get(layer.name, ()):
                yield asked, x
        yield None, x

    def asked_stops(self, start: int = 0, stop: int | None = None) -> list[int]:
        """The index just after each layer asked for among the built layers ``start:stop``: the ``stop`` of each
        range that ends at one (:meth:`run`).

        Examples
        --------
        >>> FeatureExtractor("random", ["conv1_1", "conv2_1"]).asked_stops()  # conv1_1 conv1_2 pool1 conv2_1
        [1, 4]
        """
        stop = len(self._plan) if stop is None else stop
        return [i + 1 for i in range(start, stop) if self._plan[i].name in self._wanted]

    def run(self, images, start: int = 0, stop: int | None = None) -> tuple[tf.Tensor, dict[str, tf.Tensor]]:
        """``(output of layer stop − 1, {name asked: activations})`` of the built layers ``start:stop``
        (:meth:`iter_layers`, collected)."""
        out = {}
        last = None
        for name, x in self.iter_layers(images, start, stop):
            if name is None:
                last = x
            else:
                out[name] = x
        return last, out

    def segments(self, blocks: int) -> list[tuple[int, int]]:
        """The built layers cut after each of the first ``blocks`` pooling layers: ``[(start, stop), …]``.

        Each of the first ``blocks`` ranges is one VGG block (its convolutions and its pool); the last range is
        the rest (empty ranges dropped). ``blocks=0`` gives one range, the whole network. Used for gradient
        recomputation (:meth:`stylelib.transfer.StyleObjective.value_and_gradient`).

        Examples
        --------
        >>> FeatureExtractor("random", ["conv3_1"]).segments(2)
        [(0, 3), (3, 6), (6, 7)]
        """
        cuts = [i + 1 for i, layer in enumerate(self._plan) if layer.kind != "conv"][:max(0, int(blocks))]
        bounds = [0, *cuts, len(self._plan)]
        return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]

    def row_levels(self, stop: int) -> dict[str, int]:
        """``{name asked: p}`` for the layers asked for among the built layers ``0:stop``: ``p`` is the number of
        pooling layers up to and including it, so the layer has ``⌈H / 2^p⌉`` rows for an input of ``H`` rows."""
        levels, p = {}, 0
        for layer in self._plan[:stop]:
            if layer.kind != "conv":
                p += 1
            for asked in self._wanted.get(layer.name, ()):
                levels[asked] = p
        return levels

    def row_tiles(self, height: int, tile_rows: int, stop: int) -> list[RowTile]:
        """Horizontal tiles of an input of ``height`` rows for running the built layers ``0:stop`` tile by tile,
        exactly.

        Each tile keeps the output rows of ``[r0, r1)`` (input rows, at the input's resolution) and is computed
        from the input rows ``[s, e)``: the kept rows plus a halo of ``halo`` rows on each side (clipped at the
        image's edges, where the zero padding is the image's own), so that every kept row of every layer equals
        the whole image's. ``halo`` is what the 3×3 convolutions read beyond the kept rows (one row of each
        convolution, at its resolution), rounded up to ``align = 2^pools``; ``r0``, ``s`` (and ``r1`` except at
        the bottom) are multiples of ``align``, so every pooling window of a tile is one of the whole image's.

        Parameters
        ----------
        height : int
            Rows of the input ``(1, height, W, 3)``.
        tile_rows : int
            Kept rows per tile (input rows), rounded up to a multiple of ``align``; the last tile keeps the rest.
        stop : int
            The layers run on tiles: the built layers ``0:stop`` (the first segment of :meth:`segments`).

        Returns
        -------
        list of RowTile
            ``(s, e, r0, r1, align)`` per tile, top to bottom; one tile ``(0, height, 0, height)`` if
            ``tile_rows >= height``.

        Raises
        ------
        ValueError
            ``tile_rows < 1`` or ``stop`` outside ``1 .. len(built_layers)``.

        Examples
        --------
        >>> fe = FeatureExtractor("random", ["conv2_1"])
        >>> [tuple(t)[:4] for t in fe.row_tiles(9, 2, 3)]     # block 1: halo 2, pairs of rows
        [(0, 4, 0, 2), (0, 6, 2, 4), (2, 8, 4, 6), (4, 9, 6, 8), (6, 9, 8, 9)]
        """
        if int(tile_rows) < 1 or not 1 <= stop <= len(self._plan):
            raise ValueError(f"row tiles need tile_rows >= 1 and 1 <= stop <= {len(self._plan)}, "
                             f"got {tile_rows!r} and {stop!r}")
        reach, scale = 0, 1  # input rows a kept row depends on beyond itself; input rows per row of this layer
        for layer in self._plan[:stop]:
            if layer.kind == "conv":
                reach += scale  # a 3×3 convolution reads one row more on each side, at its resolution
            else:
                scale *= 2
        align = scale
        halo = -(-reach // align) * align
        rows = max(align, -(-int(tile_rows) // align) * align)
        tiles = []
        for r0 in range(0, int(height), rows):
            r1 = min(int(height), r0 + rows)
            tiles.append(RowTile(max(0, r0 - halo), min(int(height), r1 + halo), r0, r1, align))
        return tiles


class RowTile(NamedTuple):
    """One horizontal tile (:meth:`FeatureExtractor.row_tiles`): computed from the input rows ``[s, e)``, keeping
    the rows ``[r0, r1)``; ``align`` is ``2^pools`` of the tiled layers. A layer after ``p`` pools keeps its rows
    ``[r0 / 2^p, ⌈r1 / 2^p⌉)``, which are its local rows from ``(r0 − s) / 2^p``."""

    s: int
    e: int
    r0: int
    r1: int
    align: int

    def kept(self, level: int) -> tuple[int, int]:
        """``(first, stop)``: the local rows (in the tile's output of a layer after ``level`` pools) it keeps."""
        k = 1 << level
        first = (self.r0 - self.s) // k
        return first, first + (-(-self.r1 // k) - self.r0 // k)


def keras_vgg19(weights: VGG19Weights | str | None, up_to: str = "pool5", pooling: str = DEFAULT_POOLING,
                input_shape: tuple = (None, None, 3)):
    """VGG-19's conv stack as a Keras functional model, cut after ``up_to`` — the usual TF2 way to run a
    network only up to a layer.

    Parameters
    ----------
    weights : VGG19Weights or str or None
        As for :class:`FeatureExtractor`.
    up_to : str
        The last layer kept (any name :func:`stylelib.vgg19.canonical_layer` accepts).
    pooling : {'avg', 'max'}
        Pooling between blocks (Keras' own VGG19 uses max).
    input_shape : tuple
        ``(H, W, 3)``; ``(None, None, 3)`` takes any image size, since every layer is a convolution or a pool.

    Returns
    -------
    keras.Model
        Input ``(N, H, W, 3)`` float32 preprocessed; output the activations of ``up_to``. Layers carry the
        paper's names (``conv1_1``, ``avgpool1`` …).

    Raises
    ------
    ValueError
        An unknown layer or pooling (``pooling='avgx'``).
    """
    import keras

    last = canonical_layer(layer_key(up_to, pooling))  # checks the pooling and the layer name
    weights = load_weights(weights)
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    convs = []
    for layer in LAYERS[: LAYER_NAMES.index(last) + 1]:
        if layer.kind == "conv":
            conv = keras.layers.Conv2D(layer.out_channels, 3, padding="same", activation="relu", name=layer.name)
            x = conv(x)
            convs.append(conv)
        else:
            pool_cls = keras.layers.AveragePooling2D if pooling == "avg" else keras.layers.MaxPooling2D
            x = pool_cls(2, strides=2, padding="same", name=layer_key(layer.name, pooling))(x)
    model = keras.Model(inputs, x, name=f"vgg19_to_{layer_key(last, pooling)}")
    for conv in convs:
        conv.set_weights([weights.kernels[conv.name], weights.biases[conv.name]])
    return model
