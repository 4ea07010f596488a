"""The usual TensorFlow style-transfer loop (the official tutorial's pattern), with stylelib's objective.

This is the yardstick of ``benchmarks/run.py``: written the way a new user would, after the TensorFlow tutorial
"Neural style transfer" (tensorflow/docs, site/en/tutorials/generative/style_transfer.ipynb), but scoring the
image with the same loss as :class:`stylelib.transfer.StyleObjective` so the two losses can be compared number
for number. What follows the tutorial's recipe:

* a Keras VGG-19 conv stack (``include_top=False``-style) turned into *one* multi-output
  ``keras.Model`` whose outputs are the style and content layers (Keras runs it only as far as the deepest
  output, as the tutorial's model does);
* the image is a ``tf.Variable`` holding RGB values in [0, 1], fed through a preprocessing function inside
  the model call;
* ``keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=0.1)``;
* a ``tf.function`` train step: tape, loss, gradient, ``apply_gradients``, then the image clipped to [0, 1].

What is stylelib's instead of the tutorial's (so that the losses mean the same thing):

* the weights are stylelib's (``load_weights``, e.g. the seeded random network), loaded into the Keras layers
  with :func:`stylelib.extractor.keras_vgg19`; pooling is stylelib's default (average; the tutorial's Keras VGG
  uses max);
* the layers, their weights ``w_l``, the content/style weights and the normalizations are those of
  :class:`stylelib.run.RunConfig` (art.py's: content ``conv4_2``, style ``conv1_1`` … ``conv5_1``, 5 and 100,
  Σ/(4NM) content cost, Σ(G − A)²/(4N²M²) style cost), computed with :mod:`stylelib.losses`.

How the [0, 1] image maps to stylelib's: pixel = 255 × image (RGB, 0–255, stylelib's image convention), then
:func:`stylelib.images.preprocess` — the channels put in the weights' order (``weights.channel_order``) and the
weights' mean pixel subtracted. Clipping the [0, 1] image is clipping to stylelib's pixel bounds
(:func:`stylelib.run.pixel_bounds`). So ``Baseline.loss()`` and ``StyleObjective(preprocess(255 × image))`` are
the same number (up to float32 rounding), and a learning rate of 0.02 in [0, 1] units is 5.1 pixel values.
The start is the content image (the tutorial's start, and ``stylize``'s default ``init='content'``).

    from benchmarks.baseline import Baseline
    b = Baseline(content_img, style_img, weights)   # (H, W, 3) float32 0-255 images
    for _ in range(100):
        b.step()
    b.loss()       # float: stylelib's total loss of the current image
"""

from __future__ import annotations

import time

import numpy as np
import tensorflow as tf

from stylelib import losses
from stylelib.extractor import keras_vgg19
from stylelib.run import RunConfig
from stylelib.vgg19 import VGG19Weights, canonical_layer, layer_key, layer_shapes

LEARNING_RATE = 0.02
BETA_1 = 0.99
EPSILON = 0.1


def build_model(weights: VGG19Weights, layers, pooling: str = "avg"):
    """A multi-output Keras model: input (N, H, W, 3) preprocessed, outputs the activations of ``layers`` (a
    list, in that order). The VGG-19 conv stack is :func:`stylelib.extractor.keras_vgg19` (stylelib's weights
    already set in its layers); as in the tutorial, a new ``keras.Model`` picks the outputs by layer name."""
    import keras

    vgg = keras_vgg19(weights, up_to="pool5", pooling=pooling)  # include_top=False: the whole conv stack
    vgg.trainable = False
    outputs = [vgg.get_layer(layer_key(name, pooling)).output for name in layers]
    return keras.Model(vgg.input, outputs, name="style_content_model")


class Baseline:
    """The tutorial-pattern loop for one content/style pair.

    Parameters
    ----------
    content, style : ndarray
        RGB images ``(H, W, 3)`` float32 in 0–255 (``style`` may have another size).
    weights : VGG19Weights
        The network's weights (e.g. ``load_weights('random')``).
    config : RunConfig, optional
        Layers, loss weights, normalization and pooling (default: ``RunConfig()``, stylelib's default
        objective). Its optimizer settings are not used: this loop is the tutorial's Adam.
    """

    def __init__(self, content: np.ndarray, style: np.ndarray, weights: VGG19Weights,
                 config: RunConfig | None = None):
        import keras

        cfg = config or RunConfig()
        self.config = cfg
        self.content_layers = dict(cfg.content_layers)
        self.style_layers = dict(cfg.style_layers)
        self.names = list(dict.fromkeys([*self.style_layers, *self.content_layers]))
        self.model = build_model(weights, self.names, cfg.pooling)
        order = [2, 1, 0] if weights.channel_order == "BGR" else [0, 1, 2]
        self._order = tf.constant(order)
        self._mean = tf.constant(np.asarray(weights.mean, np.float32))  # in the weights' channel order

        content01 = tf.constant(np.asarray(content, np.float32)[None] / 255.0)
        style01 = tf.constant(np.asarray(style, np.float32)[None] / 255.0)
        self.content_targets = {k: v for k, v in self._features(content01).items() if k in self.content_layers}
        style_feats = self._features(style01)
        same_size = content.shape[:2] == style.shape[:2]
        # the Gram matrices of the style image, scaled as StyleObjective does when the sizes differ
        self.style_targets = {}
        for name in self.style_layers:
            a = style_feats[name]
            h, w, _ = layer_shapes(int(content.shape[0]), int(content.shape[1]))[canonical_layer(name)]
            scale = 1.0 if same_size else (h * w) / float(a.shape[1] * a.shape[2])
            self.style_targets[name] = losses.gram_matrix(a) * scale
        self.image = tf.Variable(content01, name="image01")  # the tutorial starts from the content image
        self.opt = keras.optimizers.Adam(learning_rate=LEARNING_RATE, beta_1=BETA_1, epsilon=EPSILON)
        self.steps = 0
        self._train_step = tf.function(self._train_step_fn)
        self._loss = tf.function(lambda: self._total(self._features(self.image)))

    def _preprocess(self, image01):
        """[0, 1] RGB -> stylelib's preprocessed input: ×255, the weights' channel order, minus the mean."""
        return tf.gather(image01 * 255.0, self._order, axis=-1) - self._mean

    def _features(self, image01) -> dict:
        outs = self.model(self._preprocess(image01))
        if len(self.names) == 1:
            outs = [outs]
        return dict(zip(self.names, outs, strict=True))

    def _total(self, feats):
        cfg = self.config
        c = tf.add_n([w * losses.content_loss(self.content_targets[l], feats[l], cfg.content_normalization)
                      for l, w in self.content_layers.items()])
        s = losses.style_loss(self.style_targets, feats, self.style_layers, targets_are_grams=True)
        total = cfg.content_weight * c + cfg.style_weight * s
        if cfg.tv_weight:
            total += cfg.tv_weight * losses.total_variation_loss(self._preprocess(self.image))
        return total

    def _train_step_fn(self):
        with tf.GradientTape() as tape:
            loss = self._total(self._features(self.image))
        grad = tape.gradient(loss, self.image)
        self.opt.apply_gradients([(grad, self.image)])
        self.image.assign(tf.clip_by_value(self.image, 0.0, 1.0))
        return loss

    def step(self) -> tf.Tensor:
        """One Adam update; returns the loss of the image before it (a tensor, not copied to the host)."""
        self.steps += 1
        return self._train_step()

    def loss(self) -> float:
        """stylelib's total loss of the current image."""
        return float(self._loss())

    def image_0255(self) -> np.ndarray:
        """The current image, RGB ``(H, W, 3)`` float32 in 0–255."""
        return self.image.numpy()[0] * 255.0

    def run(self, steps: int, every: int = 0) -> list[tuple[float, float]]:
        """``steps`` updates; returns ``[(seconds, loss), ...]`` measured every ``every`` steps (0: only at the
        end). Seconds count the steps only (from the call on); measuring the loss is not counted."""
        out = []
        spent = 0.0
        for i in range(1, steps + 1):
            t0 = time.perf_counter()
            self.step().numpy()
            spent += time.perf_counter() - t0
            if (every and i % every == 0) or i == steps:
                out.append((spent, self.loss()))
        return out
