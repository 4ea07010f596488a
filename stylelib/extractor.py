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

from .recipe import DEFAULT_POOLING
from .vgg19 import LAYER_NAMES, LAYERS, VGG19Weights, canonical_layer, check_pooling, layer_key, load_weights

__all__ = ["FeatureExtractor", "keras_vgg19"]


class FeatureExtractor(tf.Module):
    """Activations of chosen VGG-19 layers for a preprocessed batch ``(N, H, W, 3)`` float32.

    ``layers``: names such as ``'conv4_2'``, ``'avgpool1'`` or ``'pool1'`` (returned under the name you
    gave). Only the layers up to the deepest requested one are built (``self.built_layers``).
    ``dtype``: compute dtype (``'float16'`` for mixed precision on a GPU; outputs have this dtype).
    """

    def __init__(self, weights: VGG19Weights | str | None, layers: Iterable[str], pooling: str = DEFAULT_POOLING,
                 dtype: str | tf.DType = tf.float32, name: str | None = None):
        super().__init__(name=name)
        check_pooling(pooling)
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


def keras_vgg19(weights: VGG19Weights | str | None, up_to: str = "pool5", pooling: str = DEFAULT_POOLING,
                input_shape: tuple = (None, None, 3)):
    """VGG-19's conv stack as a Keras functional model, cut after ``up_to``.

    Layer names are the paper's (``conv1_1``, ``avgpool1`` …). Any image size works, since every layer is
    convolutional or pooling: ``input_shape=(None, None, 3)``.
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
