"""TF1 engine: the art.py optimization, in a Session, on :func:`stylelib.graph.build_graph`.

The recipe of the code the blog post studies, with its numbers from :mod:`stylelib.recipe`: the start is
noise blended with the content image; Adam; total = content_weight x content + style_weight x style; content
layer conv4_2 with the Σ/(4NM) normalization; style layers conv1_1 … conv5_1 with art.py's weights.

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
from . import losses, memory, recipe
from .graph import build_graph
from .run import (RunConfig, RunRecorder, StepInfo, StyleResult, make_init, pick_device, pixel_bounds, shows_settings,
                  tf1_refusals)
from .samples import load_input
from .vgg19 import VGG19Weights, layer_key, load_weights

__all__ = ["ArtSession", "run_art"]

tf1 = tf.compat.v1

ENGINE = "run_art (TF1 Session)"

GRAM_GRADIENTS = {"one-product": losses.gram_matrix_for_gradient, "two-product": losses.gram_matrix}
"""How :class:`ArtSession` computes the generated image's Gram matrices, by the cost of their gradient."""


class ArtSession:
    """art.py's graph, snapshots and optimizer, held open for stepping and inspection.

    Parameters
    ----------
    content, style : ndarray
        RGB images ``(H, W, 3)`` float in 0–255 of the **same size** (the graph has one fixed input shape,
        as in art.py).
    weights : VGG19Weights or str, optional
        Loaded weights, ``'keras'``, ``'random'`` or a path (default: ``$STYLELIB_WEIGHTS``).
    content_layers, style_layers : mapping of str to float
        ``{layer: w_l}`` (default: art.py's conv4_2, and conv1_1…conv5_1 weighted 0.5/1/1.5/3/4).
    content_layer : str, optional
        Shorthand for ``content_layers={content_layer: 1.0}``.
    content_weight, style_weight, tv_weight, learning_rate : float
        art.py's 5, 100, 0 and Adam's 2.0 by default (:mod:`stylelib.recipe`). At ``tv_weight`` 0 the TV cost is
        in ``losses`` but not in the graph of ``total`` (art.py has no TV term): the same total, no TV gradient.
    content_normalization : {'art', 'paper'}
        See :func:`stylelib.losses.content_loss`.
    pooling : {'avg', 'max'}
        Pooling between blocks.
    device : str, optional
        Where the graph is placed (``'auto'``/``None``: TensorFlow's choice of a GPU if it sees one).
    clip : bool
        ``True`` (default): :meth:`step` clips the image back into the pixel range
        (:func:`stylelib.run.pixel_bounds`) after every Adam update, in the same ``sess.run``. ``False``: the bare
        ``train_op``, as in art.py's loop — pixels may leave the range (art.py clips only when it saves a picture).
    gram_gradient : {'one-product', 'two-product'}
        How the style cost's gradient goes through each generated Gram matrix ``G = FᵀF``. ``'one-product'``
        (default): :func:`stylelib.losses.gram_matrix_for_gradient`, ``2 F·∂L/∂G``, one matrix product per layer,
        as in the TF2 engine. ``'two-product'``: art.py's ``tf.matmul`` differentiated by TensorFlow,
        ``F·D + F·Dᵀ``, two products and a sum. The same gradient up to float rounding; the one product makes a
        512 px step about 4 % faster (``docs/PERFORMANCE.md``, "The TF1 Session's step").

    Attributes
    ----------
    graph : tf.Graph
        The session's own graph (finalized: stepping never adds nodes).
    sess : tf.compat.v1.Session
    model : dict
        The network's nodes (:func:`stylelib.graph.build_graph`).
    content_snapshots, style_snapshots : dict of str to ndarray
        The numpy snapshots taken with the content and the style image in the input variable.
    content_snapshot : ndarray
        The single content snapshot (when there is one content layer, as in art.py).
    losses : dict of str to tf.Tensor
        Scalar tensors ``content``, ``style``, ``tv``, ``total``.
    train_op : tf.Operation
        ``AdamOptimizer(learning_rate).minimize(total)``, built as its two halves: ``compute_gradients``, then
        ``apply_gradients`` under a control dependency on every tensor of ``losses`` (around ``minimize`` it would
        reach every op ``minimize`` makes, not the update alone). :meth:`step` fetches the losses in the same
        ``sess.run`` as the update, and at ``tv_weight`` 0 the TV cost's read of the variable feeds no gradient:
        without the dependency, nothing would keep that read before the update, and the TV value reported could be
        the next image's. The dependency only orders the ops: the update's inputs are the same tensors.
    clip : bool
        Whether :meth:`step` clips after each update.
    gram_gradient : str
        As given.

    Raises
    ------
    ValueError
        Images of different shapes, or an unknown layer (the same one-line error as the TF2 engine).

    Examples
    --------
    >>> from stylelib.images import resize_to
    >>> from stylelib.samples import load_input
    >>> c = load_input("sample:chelsea", 32)
    >>> s = resize_to(load_input("sample:brick"), *c.shape[:2])
    >>> with ArtSession(c, s, "random") as art:
    ...     values = art.step()  # one Adam update; the losses measured before it
    ...     snapshot = art.content_snapshot
    >>> sorted(values), type(snapshot).__name__, snapshot.shape  # conv4_2 of a 21 x 32 image
    (['content', 'style', 'total', 'tv'], 'ndarray', (1, 3, 4, 512))
    """

    def __init__(self, content: np.ndarray, style: np.ndarray, weights: VGG19Weights | str | None = None, *,
                 content_layers: Mapping[str, float] = recipe.ART_CONTENT_LAYERS,
                 style_layers: Mapping[str, float] = recipe.ART_STYLE_LAYERS,
                 content_layer: str | None = None,
                 content_weight: float = recipe.ART_CONTENT_WEIGHT, style_weight: float = recipe.ART_STYLE_WEIGHT,
                 tv_weight: float = recipe.ART_TV_WEIGHT, learning_rate: float = recipe.ART_LEARNING_RATE,
                 content_normalization: str = recipe.DEFAULT_CONTENT_NORMALIZATION,
                 pooling: str = recipe.DEFAULT_POOLING, device: str | None = None, clip: bool = True,
                 gram_gradient: str = "one-product"):
        self.clip = bool(clip)
        recipe.check_choice("gram_gradient", gram_gradient, GRAM_GRADIENTS)
        self.gram_gradient = gram_gradient
        content = np.asarray(content, np.float32)
        style = np.asarray(style, np.float32)
        if content.shape != style.shape or content.ndim != 3:
            raise ValueError(
                f"content {content.shape} and style {style.shape} must be (H, W, 3) images of the same size: "
                "the TF1 graph has one fixed input shape (resize the style image with "
                "stylelib.images.resize_to(style, H, W))"
            )
        if content_layer is not None:
            content_layers = {content_layer: 1.0}
        self.content_layers = dict(content_layers)
        self.style_layers = dict(style_layers)
        # the graph's key of every layer asked for; an unknown name fails here, as in the TF2 engine
        keys = {name: layer_key(name, pooling) for name in [*self.content_layers, *self.style_layers]}
        self.weights = load_weights(weights)
        h, w = content.shape[:2]
        self.content_pre = _images.preprocess(content, self.weights)
        self.style_pre = _images.preprocess(style, self.weights)
        self.graph = tf.Graph()
        with self.graph.as_default(), tf.device(None if device in (None, "", "auto") else pick_device(device)):
            self.model = build_graph(self.weights, h, w, pooling=pooling)
            self.sess = tf1.Session(graph=self.graph)
            self.sess.run(self.model["input"].initializer)  # the graph's only variable so far
            # Network 1: the content image -> numpy snapshots of the content layer(s).
            self.sess.run(self.model["input"].assign(self.content_pre))
            self.content_snapshots = self.sess.run({l: self.model[keys[l]] for l in self.content_layers})
            # Network 3: the style image -> numpy snapshots of the style layers.
            self.sess.run(self.model["input"].assign(self.style_pre))
            self.style_snapshots = self.sess.run({l: self.model[keys[l]] for l in self.style_layers})
            # Network 2: the live tensors, compared with the snapshots (which become constants here).
            live = {l: self.model[k] for l, k in keys.items()}
            c = tf.add_n([w * losses.content_loss(self.content_snapshots[l], live[l], content_normalization)
                          for l, w in self.content_layers.items()])
            s = losses.style_loss(self.style_snapshots, live, self.style_layers,
                                  generated_gram=GRAM_GRADIENTS[gram_gradient])
            tv = losses.total_variation_loss(self.model["input"])
            total = content_weight * c + style_weight * s
            if tv_weight:  # at weight 0 (art.py's: it has no TV term) reported, not differentiated: the same total
                total = total + tv_weight * tv
            self.losses = {"content": c, "style": s, "tv": tv, "total": total}
            self.optimizer = tf1.train.AdamOptimizer(learning_rate)
            # minimize(total) as its two halves, so that the update waits for every loss it is reported with
            grads = self.optimizer.compute_gradients(total, var_list=[self.model["input"]])
            with tf.control_dependencies(list(self.losses.values())):
                self.train_op = self.optimizer.apply_gradients(grads)
            self._train = self.train_op  # art.py's loop: the update alone
            if self.clip:
                lo, hi = pixel_bounds(self.weights)
                with tf.control_dependencies([self.train_op]):  # the update, then back into the pixel range:
                    self._train = self.model["input"].assign(  # one sess.run per step
                        tf.clip_by_value(self.model["input"].read_value(), lo, hi))
            # As art.py: initialize every variable again (now Adam's slots exist). This resets the input variable
            # to zeros; the snapshots survive because they are constants in the graph, not links to the input.
            # (A second tf1.global_variables_initializer() would group the input's initializer again, which
            # changes an op the session already ran - TensorFlow warns that this "will trigger an error in the
            # future". So: the input's own initializer, and a new group for the variables Adam just made.)
            new_variables = [v for v in tf1.global_variables() if v is not self.model["input"]]
            self.sess.run([self.model["input"].initializer, tf1.variables_initializer(new_variables)])
            self._image_in = tf1.placeholder(tf.float32, self.content_pre.shape, name="image_in")
            self._assign = self.model["input"].assign(self._image_in)
        self.graph.finalize()  # nothing below adds nodes: stepping never grows the graph

    @property
    def content_layer(self) -> str:
        """The content layer, when there is one (art.py's case)."""
        if len(self.content_layers) != 1:
            raise AttributeError(f"this session has {len(self.content_layers)} content layers; see content_layers")
        return next(iter(self.content_layers))

    @property
    def content_snapshot(self) -> np.ndarray:
        """The snapshot of the content layer, when there is one (art.py's case)."""
        return self.content_snapshots[self.content_layer]

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
        """One Adam update (then the clip, if ``clip``); returns the losses at the image *before* the update (as
        the TF2 engine does). Fetching the losses in the same ``sess.run`` does not change the update."""
        values, _ = self.sess.run([self.losses, self._train])
        return {k: float(v) for k, v in values.items()}


@shows_settings(RunConfig.art())
def run_art(content, style, config: RunConfig | None = None, *, weights: VGG19Weights | str | None = None,
            callback: Callable[[StepInfo], object] | None = None, progress: bool = False, start=None,
            exact_art_py: bool = False, **settings) -> StyleResult:
    """art.py's whole run in a TF1 Session; returns the same :class:`~stylelib.run.StyleResult` as the TF2
    engine :func:`stylelib.transfer.stylize`.

    Parameters
    ----------
    content, style : ndarray, str or os.PathLike
        Arrays, image files or sample names (:func:`stylelib.samples.load_input`). The content is resized
        so its longest side is ``size``; the style image to the content's exact size (one graph, one shape).
    config : RunConfig, optional
        The run's settings (default: ``RunConfig.art()``: Adam, learning rate 2, from art.py's noisy blend).
    weights, callback, progress, start
        As in :func:`stylelib.transfer.stylize`.
    exact_art_py : bool
        ``False`` (default): stylelib's loop, which adds two things to art.py's — the image is clipped back into
        the pixel range after every Adam update (:class:`ArtSession` with ``clip=True``), and the result's
        ``best_image`` is the lowest-loss image seen — and computes the style cost's gradient with one matrix
        product per layer (``gram_gradient='one-product'``; the same gradient up to rounding). ``True``: art.py's
        graph and loop exactly — its two-product gradient, ``sess.run(train_op)`` and nothing else (art.py clips
        only when it saves a picture, and keeps no best image): ``best_image`` is then the last measured image, and
        ``best_step`` / ``best_loss`` are that step's. Either way the losses of
        every step are recorded (fetched in the same ``sess.run`` as the update, which leaves it unchanged), and
        the update waits for them (:attr:`ArtSession.train_op`: a control dependency, which only orders the
        ops).
        Not a :class:`~stylelib.run.RunConfig` field: only this engine has it.
    **settings
        Fields of :class:`~stylelib.run.RunConfig` changing ``config``. ``optimizer`` must stay ``'adam'``;
        ``style_size`` and ``mixed_precision`` are not available in this engine.

    Returns
    -------
    StyleResult
        With ``engine == 'run_art (TF1 Session)'``.

    Raises
    ------
    ValueError
        A bad or unknown setting, a layer name either engine refuses, or a setting this engine lacks.
    TypeError
        An unknown setting name.

    Examples
    --------
    >>> r = run_art("sample:chelsea", "sample:brick", size=32, iterations=2, weights="random")
    >>> r.config.optimizer, r.config.init, [h.step for h in r.history]  # step 0: the start image
    ('adam', 'blend', [0, 1, 2])
    >>> exact = run_art("sample:chelsea", "sample:brick", size=32, iterations=2, weights="random", exact_art_py=True)
    >>> exact.best_step, bool((exact.best_image == exact.image).all())  # art.py keeps only the last image
    (2, True)
    """
    config = RunConfig.make(config if config is not None else RunConfig.art(), **settings)
    tf1_refusals(config)  # the controls of issue 12 are the TF2 engine's: one line, before anything is built
    if config.optimizer != "adam":
        raise ValueError(f"run_art runs art.py's Adam in a TF1 Session, not optimizer={config.optimizer!r}; "
                         "use stylelib.transfer.stylize for L-BFGS")
    if config.mixed_precision:
        raise ValueError("run_art has no mixed precision; use stylelib.transfer.stylize(..., mixed_precision=True)")
    if config.style_size is not None:
        raise ValueError("run_art resizes the style image to the content's size (one graph, one input shape); "
                         "leave style_size=None, or use stylelib.transfer.stylize")
    weights = load_weights(weights)  # 'random' means the seed-0 network: `seed` only drives the start image
    content_img = load_input(content, config.size, what="content image")
    style_img = _images.resize_to(load_input(style, what="style image"), *content_img.shape[:2])
    memory.check_memory(config, content_img.shape[:2], engine="tf1")  # before the graph is built
    session = dict(content_layers=config.content_layers, style_layers=config.style_layers,
                   content_weight=config.content_weight, style_weight=config.style_weight, tv_weight=config.tv_weight,
                   learning_rate=config.learning_rate, content_normalization=config.content_normalization,
                   pooling=config.pooling, device=config.device, clip=not exact_art_py,
                   gram_gradient="two-product" if exact_art_py else "one-product")
    with memory.oom_guard(config, content_img.shape[:2], engine="tf1"), \
            ArtSession(content_img, style_img, weights, **session) as art:
        x0 = make_init(config.init, art.content_pre, seed=config.seed, noise_ratio=config.noise_ratio,
                       weights=weights, start=None if start is None else load_input(start, what="start image"))
        art.set_image(x0)
        best = {"x": x0}
        last = {"x": x0}  # the last measured image: all that art.py's loop keeps

        def loop(record) -> None:
            for i in range(config.iterations):  # step i: the image after i updates, measured by update i + 1
                before = last["x"] = art.image()
                if record(i, art.step(), lambda x=before: x):
                    best["x"] = before
            after = last["x"] = art.image()
            if record(config.iterations, art.loss_values(), lambda: after):
                best["x"] = after

        run = RunRecorder(config.iterations, weights, callback, progress,
                          desc="art.py (TF1 Session, Adam" + (", exact)" if exact_art_py else ")"))
        run.drive(loop)
        final = art.image()
        device = art.model["input"].device  # '' when TensorFlow placed it
    if exact_art_py:
        # art.py keeps no best image: the "best" is the last measured one
        best["x"] = last["x"]
        if run.history:
            run.best_step, run.best_loss = run.history[-1].step, run.history[-1].total
    return run.result(final, best["x"], config, engine=ENGINE, device=device, shape=content_img.shape)
