"""TF2: VGG-19 features, computed only as far as the deepest layer asked for.

:class:`FeatureExtractor` is a ``tf.Module`` holding the weights as constants; calling it on a
preprocessed batch ``(N, H, W, 3)`` returns ``{layer: activations}``. It works eagerly and inside
``tf.function`` (the TF2 engine calls it from its compiled step). For the same weights and image it gives
the same activations as :func:`stylelib.graph.build_graph` + ``sess.run``.

:func:`keras_vgg19` builds the same conv stack as a Keras model, optionally cut at a layer — the usual
TF2 way to "run a network only up to a point".
"""

from __future__ import annotations

from typing import Iterable

import tensorflow as tf

from .vgg19 import LAYER_NAMES, LAYERS, VGG19Weights, load_weights

__all__ = ["FeatureExtractor", "keras_vgg19", "canonical_layer", "output_key"]


def canonical_layer(name: str) -> str:
    """``'avgpool3'``/``'maxpool3'``/``'pool3'`` -> ``'pool3'``; conv names unchanged. Raises on unknown names."""
    base = name
    for prefix in ("avgpool", "maxpool"):
        if name.startswith(prefix):
            base = "pool" + name[len(prefix):]
    if base not in LAYER_NAMES:
        raise ValueError(
            f"unknown VGG-19 layer {name!r}; use one of {', '.join(LAYER_NAMES)} "
            "(pools may also be written avgpoolN / maxpoolN)"
        )
    return base


def output_key(layer: str, pooling: str) -> str:
    """The dict key a layer gets in :func:`stylelib.graph.build_graph`: ``pool1`` -> ``avgpool1``."""
    return f"{pooling}{layer}" if layer.startswith("pool") else layer


class FeatureExtractor(tf.Module):
    """Activations of chosen VGG-19 layers for a preprocessed batch ``(N, H, W, 3)`` float32.

    ``layers``: names such as ``'conv4_2'``, ``'avgpool1'`` or ``'pool1'`` (returned under the name you
    gave). Only the layers up to the deepest requested one are built (``self.built_layers``).
    ``dtype``: compute dtype (``'float16'`` for mixed precision on a GPU; outputs have this dtype).
    """

    def __init__(self, weights: VGG19Weights | str | None, layers: Iterable[str], pooling: str = "avg",
                 dtype: str | tf.DType = tf.float32, name: str | None = None):
        super().__init__(name=name)
        if pooling not in ("avg", "max"):
            raise ValueError(f"pooling must be 'avg' or 'max', got {pooling!r}")
        self.weights = load_weights(weights)
        self.pooling = pooling
        self.dtype = tf.as_dtype(dtype)
        self.layers = tuple(layers)
        if not self.layers:
            raise ValueError("FeatureExtractor needs at least one layer")
        self._wanted: dict[str, list[str]] = {}  # 'pool1' -> every name it was asked under ('pool1', 'avgpool1')
        for n in self.layers:
            other = "max" if pooling == "avg" else "avg"
            if n.startswith(other + "pool"):
                raise ValueError(
                    f"layer {n!r} asks for {other} pooling but this extractor uses pooling={pooling!r}; "
                    f"ask for {output_key(canonical_layer(n), pooling)!r} or 'pool{n[-1]}', or pass pooling={other!r}"
                )
            self._wanted.setdefault(canonical_layer(n), []).append(n)
        deepest = max(LAYER_NAMES.index(c) for c in self._wanted)
        self._plan = LAYERS[: deepest + 1]
        self.built_layers = tuple(output_key(l.name, pooling) for l in self._plan)
        self._kernels = {}
        self._biases = {}
        for layer in self._plan:
            if layer.kind == "conv":
                self._kernels[layer.name] = tf.constant(self.weights.kernels[layer.name], dtype=self.dtype)
                self._biases[layer.name] = tf.constant(self.weights.biases[layer.name], dtype=self.dtype)

    def __call__(self, images) -> dict[str, tf.Tensor]:
        x = tf.cast(images, self.dtype)
        if x.shape.rank != 4 or x.shape[-1] != 3:
            raise ValueError(f"FeatureExtractor expects a preprocessed batch (N, H, W, 3), got shape {x.shape}")
        out = {}
        for layer in self._plan:
            if layer.kind == "conv":
                x = tf.nn.relu(
                    tf.nn.conv2d(x, self._kernels[layer.name], strides=1, padding="SAME") + self._biases[layer.name]
                )
            elif self.pooling == "avg":
                x = tf.nn.avg_pool2d(x, ksize=2, strides=2, padding="SAME")
            else:
                x = tf.nn.max_pool2d(x, ksize=2, strides=2, padding="SAME")
            for asked in self._wanted.get(layer.name, ()):
                out[asked] = x
        return out


def keras_vgg19(weights: VGG19Weights | str | None, up_to: str = "pool5", pooling: str = "avg",
                input_shape: tuple = (None, None, 3)):
    """VGG-19's conv stack as a Keras functional model, cut after ``up_to``.

    Layer names are the paper's (``conv1_1``, ``avgpool1`` …). Any image size works, since every layer is
    convolutional or pooling: ``input_shape=(None, None, 3)``.
    """
    import keras

    weights = load_weights(weights)
    last = canonical_layer(up_to)
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
            x = pool_cls(2, strides=2, padding="same", name=output_key(layer.name, pooling))(x)
    model = keras.Model(inputs, x, name=f"vgg19_to_{output_key(last, pooling)}")
    for conv in convs:
        conv.set_weights([weights.kernels[conv.name], weights.biases[conv.name]])
    return model
