"""TF1 engine: the art.py optimization, in a Session, on :func:`stylelib.graph.build_graph`.

The recipe of the code the blog post studies, with its numbers: the start is 0.6 x uniform(−20, 20) noise
+ 0.4 x the content image; Adam with learning rate 2.0; total = 5 x content + 100 x style; content layer
conv4_2 with the Σ/(4NM) normalization; style layers conv1_1 … conv5_1 weighted 0.5/1/1.5/3/4.

How the three "networks" arise, in one graph::

    sess.run(model['input'].assign(content))   # evaluate the net on the content image ...
    p = sess.run(model['conv4_2'])              # ... keep a numpy snapshot (becomes a Const in the loss)
    sess.run(model['input'].assign(style))      # evaluate it on the style image ...
    a = sess.run(model['conv1_1'])              # ... snapshots again
    loss = content_loss(p, model['conv4_2'])    # live tensor: still wired to the input variable

Everything lives in its own ``tf.Graph``; eager execution stays on for the rest of the program.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import tensorflow as tf

from . import images as _images
from . import losses
from .graph import build_graph
from .transfer import ART_STYLE_LAYERS, RunRecorder, StepInfo, StyleResult, make_init
from .vgg19 import VGG19Weights, load_weights

__all__ = ["ArtSession", "run_art", "ART_NOISE_RATIO", "ART_LEARNING_RATE", "ART_CONTENT_WEIGHT", "ART_STYLE_WEIGHT"]

tf1 = tf.compat.v1

ART_NOISE_RATIO = 0.6
ART_LEARNING_RATE = 2.0
ART_CONTENT_WEIGHT = 5.0
ART_STYLE_WEIGHT = 100.0


class ArtSession:
    """art.py's graph, snapshots and optimizer, held open for stepping and inspection.

    ``content`` and ``style`` are RGB images ``(H, W, 3)`` of the **same size** (the graph has one fixed
    input shape, as in art.py). Attributes: ``graph``, ``sess``, ``model`` (the dict of nodes),
    ``content_snapshot`` / ``style_snapshots`` (numpy arrays), ``losses`` (dict of scalar tensors:
    content, style, tv, total), ``train_op``. Use as a context manager or call :meth:`close`.
    """

    def __init__(self, content: np.ndarray, style: np.ndarray, weights: VGG19Weights | str | None = None, *,
                 content_layer: str = "conv4_2", style_layers: Mapping[str, float] = ART_STYLE_LAYERS,
                 content_weight: float = ART_CONTENT_WEIGHT, style_weight: float = ART_STYLE_WEIGHT,
                 tv_weight: float = 0.0, learning_rate: float = ART_LEARNING_RATE,
                 content_normalization: str = "art", pooling: str = "avg", device: str | None = None):
        content = np.asarray(content, np.float32)
        style = np.asarray(style, np.float32)
        if content.shape != style.shape or content.ndim != 3:
            raise ValueError(
                f"content {content.shape} and style {style.shape} must be (H, W, 3) images of the same size: "
                "the TF1 graph has one fixed input shape (resize the style image with "
                "stylelib.images.resize_to(style, H, W))"
            )
        self.weights = load_weights(weights)
        h, w = content.shape[:2]
        self.content_pre = _images.preprocess(content, self.weights)
        self.style_pre = _images.preprocess(style, self.weights)
        self.style_layers = dict(style_layers)
        self.content_layer = content_layer
        self.graph = tf.Graph()
        with self.graph.as_default(), tf.device(device):
            self.model = build_graph(self.weights, h, w, pooling=pooling)
            self.sess = tf1.Session(graph=self.graph)
            self.sess.run(tf1.global_variables_initializer())
            # Network 1: the content image -> a numpy snapshot of conv4_2.
            self.sess.run(self.model["input"].assign(self.content_pre))
            self.content_snapshot = self.sess.run(self.model[content_layer])
            # Network 3: the style image -> numpy snapshots of the style layers.
            self.sess.run(self.model["input"].assign(self.style_pre))
            self.style_snapshots = self.sess.run({l: self.model[l] for l in self.style_layers})
            # Network 2: the live tensors, compared with the snapshots (which become constants here).
            c = losses.content_loss(self.content_snapshot, self.model[content_layer], content_normalization)
            s = losses.style_loss(self.style_snapshots, self.model, self.style_layers)
            tv = losses.total_variation_loss(self.model["input"])
            total = content_weight * c + style_weight * s + tv_weight * tv
            self.losses = {"content": c, "style": s, "tv": tv, "total": total}
            self.optimizer = tf1.train.AdamOptimizer(learning_rate)
            self.train_op = self.optimizer.minimize(total, var_list=[self.model["input"]])
            lo = -np.asarray(self.weights.mean, np.float32)
            with tf.control_dependencies([self.train_op]):  # the update, then back into the pixel range:
                self._train_and_clip = self.model["input"].assign(  # one sess.run per step
                    tf.clip_by_value(self.model["input"].read_value(), lo, lo + 255.0))
            # As art.py: initialize again (now Adam's slots exist). This resets the input variable to zeros;
            # the snapshots survive because they are constants in the graph, not links to the input.
            self.sess.run(tf1.global_variables_initializer())
            self._image_in = tf1.placeholder(tf.float32, self.content_pre.shape, name="image_in")
            self._assign = self.model["input"].assign(self._image_in)
        self.graph.finalize()  # nothing below adds nodes: stepping never grows the graph

    def __enter__(self) -> "ArtSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.sess.close()

    def set_image(self, x_pre: np.ndarray) -> None:
        """Load a preprocessed image ``(1, H, W, 3)`` into the input variable."""
        self.sess.run(self._assign, {self._image_in: np.asarray(x_pre, np.float32)})

    def image(self) -> np.ndarray:
        """The input variable's current value, preprocessed ``(1, H, W, 3)``."""
        return self.sess.run(self.model["input"])

    def loss_values(self, x_pre: np.ndarray | None = None) -> dict[str, float]:
        """The losses at ``x_pre`` (loaded into the variable first), or at the current image."""
        if x_pre is not None:
            self.set_image(x_pre)
        return {k: float(v) for k, v in self.sess.run(self.losses).items()}

    def step(self) -> dict[str, float]:
        """One Adam update; returns the losses at the image *before* the update (as the TF2 engine does)."""
        values, _ = self.sess.run([self.losses, self._train_and_clip])
        return {k: float(v) for k, v in values.items()}


def run_art(content, style, *, size: int | None = 256, iterations: int = 100,
            weights: VGG19Weights | str | None = None, seed: int = 0, noise_ratio: float = ART_NOISE_RATIO,
            init: str = "blend", callback: Callable[[StepInfo], object] | None = None, progress: bool = False,
            **session_kwargs) -> StyleResult:
    """art.py's whole run: returns the same :class:`~stylelib.transfer.StyleResult` as the TF2 engine.

    ``content``/``style``: arrays, files or sample names; the style image is resized to the content's
    exact size. ``init='blend'`` is art.py's start. ``callback`` and Ctrl-C behave as in
    :func:`stylelib.transfer.stylize`.
    """
    from .transfer import as_image

    if not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
    weights = load_weights(weights)  # 'random' means the seed-0 network: `seed` only drives the start image
    content_img = as_image(content, size)
    style_img = _images.resize_to(as_image(style), *content_img.shape[:2])
    with ArtSession(content_img, style_img, weights, **session_kwargs) as art:
        x0 = make_init(init, art.content_pre, seed=seed, noise_ratio=noise_ratio, weights=weights)
        art.set_image(x0)
        best = {"x": x0}

        def loop(record) -> None:
            for i in range(1, iterations + 1):
                before = art.image()
                if record(i, art.step(), lambda x=before: x):
                    best["x"] = before

        run = RunRecorder(iterations, weights, callback, progress, desc="art.py (TF1 Session, Adam)")
        run.drive(loop)
        final = art.image()
    config = dict(size=size, iterations=iterations, optimizer="adam (tf.compat.v1)", init=init,
                  noise_ratio=noise_ratio, seed=seed, shape=tuple(content_img.shape), **session_kwargs)
    return run.result(final, best["x"], config)
