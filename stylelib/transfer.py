"""TF2 engine: style transfer with a compiled (``tf.function``) step, Adam or L-BFGS.

    from stylelib.transfer import stylize
    result = stylize("photo.jpg", "painting.jpg", size=256, iterations=100)
    result.best_image          # (H, W, 3) uint8, the lowest-loss image seen
    result.history[-1].total   # losses per step, with the wall time

The optimized variable is the *preprocessed* image (weights' channel order, mean subtracted), kept inside
the valid pixel range. Targets (content activations and style Gram matrices) are computed once, before
the loop, and held as tensors — not rebuilt at every step. Everything runs on the device TensorFlow picks
(a GPU when it sees one) unless ``device=`` says otherwise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np
import tensorflow as tf

from . import images as _images
from . import losses
from .extractor import FeatureExtractor, canonical_layer
from .vgg19 import VGG19Weights, load_weights

__all__ = [
    "ART_STYLE_LAYERS",
    "ART_CONTENT_LAYERS",
    "StepRecord",
    "StepInfo",
    "StyleResult",
    "StyleObjective",
    "RunRecorder",
    "stylize",
    "as_image",
    "pick_device",
    "make_init",
]

ART_STYLE_LAYERS: dict[str, float] = {"conv1_1": 0.5, "conv2_1": 1.0, "conv3_1": 1.5, "conv4_1": 3.0, "conv5_1": 4.0}
"""Style layers and their weights in art.py (the code the blog post studies)."""
ART_CONTENT_LAYERS: dict[str, float] = {"conv4_2": 1.0}

INITS = ("content", "noise", "blend")
OPTIMIZERS = ("lbfgs", "adam")


@dataclass
class StepRecord:
    """Losses after one step. ``seconds`` is the wall time since the loop started (first step included)."""

    step: int
    content: float
    style: float
    tv: float
    total: float
    seconds: float


@dataclass
class StepInfo:
    """What a ``callback`` receives after each step."""

    step: int
    iterations: int
    record: StepRecord
    best_step: int
    _get_x: Callable[[], np.ndarray] = field(repr=False, default=None)  # -> preprocessed (1, H, W, 3)
    _weights: VGG19Weights = field(repr=False, default=None)

    def image(self) -> np.ndarray:
        """The image these losses were measured on, RGB uint8 ``(H, W, 3)``.

        Copied from the device only when called, so a callback that looks every 10 steps costs nothing
        on the other 9.
        """
        return _images.deprocess(self._get_x(), self._weights)


@dataclass
class StyleResult:
    image: np.ndarray  # final image, uint8 (H, W, 3)
    best_image: np.ndarray  # lowest total loss, uint8
    best_step: int
    best_loss: float
    history: list[StepRecord]
    interrupted: bool
    weights_source: str
    random_weights: bool
    config: dict
    stop_reason: str = ""  # why the loop ended: 'completed', 'stopped by callback', 'interrupted', or the optimizer's message

    def series(self, key: str) -> np.ndarray:
        """One loss (``'total'``, ``'content'``, ``'style'``, ``'tv'``, ``'seconds'``) per step, as an array."""
        return np.array([getattr(r, key) for r in self.history], dtype=np.float64)


def as_image(source, max_size: int | None = None) -> np.ndarray:
    """An RGB float image ``(H, W, 3)`` from an array, an image file, or a sample name (see
    :func:`stylelib.images.load_any`), resized so its longest side is ``max_size`` when given."""
    return _images.load_any(source, max_size)


def pick_device(device: str | None = None) -> str:
    """``None``/``'auto'``: the first GPU TensorFlow sees, else the CPU. Otherwise check ``device`` exists."""
    gpus = tf.config.list_logical_devices("GPU")
    if device in (None, "", "auto"):
        return gpus[0].name if gpus else "/device:CPU:0"
    want = device.upper().replace("/DEVICE:", "").lstrip("/")
    kind = want.split(":")[0]
    if kind not in ("CPU", "GPU"):
        raise ValueError(f"device {device!r}: use 'auto', 'cpu', 'gpu', 'gpu:1', ...")
    index = int(want.split(":")[1]) if ":" in want else 0
    available = tf.config.list_logical_devices(kind)
    if index >= len(available):
        raise ValueError(
            f"device {device!r} is not available: TensorFlow sees {len(gpus)} GPU(s) here. "
            "Use device='cpu' or 'auto' (install the GPU build with `pip install stylelib[gpu]`)."
        )
    return available[index].name


def _bounds(weights: VGG19Weights) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel bounds of a preprocessed pixel: 0 − mean and 255 − mean."""
    mean = np.asarray(weights.mean, np.float32)
    return -mean, 255.0 - mean


def make_init(init: str, content_pre: np.ndarray, *, seed: int = 0, noise_ratio: float = 0.6,
              weights: VGG19Weights) -> np.ndarray:
    """The starting image, preprocessed ``(1, H, W, 3)``.

    ``'content'``: the content image; ``'noise'``: uniform noise over the whole pixel range;
    ``'blend'``: art.py's start, ``noise_ratio`` x uniform(−20, 20) + (1 − noise_ratio) x content.
    """
    rng = np.random.default_rng(seed)
    lo, hi = _bounds(weights)
    if init == "content":
        x = content_pre.copy()
    elif init == "noise":
        x = rng.uniform(0, 255, content_pre.shape).astype(np.float32) - np.asarray(weights.mean, np.float32)
    elif init == "blend":
        noise = rng.uniform(-20, 20, content_pre.shape).astype(np.float32)
        x = noise_ratio * noise + (1.0 - noise_ratio) * content_pre
    else:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return np.clip(x, lo, hi).astype(np.float32)


def _layer_dict(layers, default: Mapping[str, float], what: str) -> dict[str, float]:
    if layers is None:
        return dict(default)
    if isinstance(layers, str):
        layers = [layers]
    if isinstance(layers, Mapping):
        out = {str(k): float(v) for k, v in layers.items()}
    else:
        layers = list(layers)
        out = {str(k): 1.0 for k in layers}
    if not out:
        raise ValueError(f"{what} layers: give at least one layer")
    for name in out:
        canonical_layer(name)  # raises a clear error for unknown names
    return out


class StyleObjective(tf.Module):
    """The loss of Gatys et al. for fixed content and style targets, as a TF2 callable.

    ``objective(x)`` takes a preprocessed image ``(1, H, W, 3)`` and returns a dict of scalar tensors
    ``content``, ``style``, ``tv`` (unweighted) and ``total`` (weighted sum). The targets are computed once
    here. A style image of a different size is allowed: its Gram matrices are rescaled by ``M_x / M_a`` so
    they compare with the generated image's as averages over positions, not sums.
    """

    def __init__(self, content_pre, style_pre, weights: VGG19Weights, *,
                 content_layers: Mapping[str, float] = ART_CONTENT_LAYERS,
                 style_layers: Mapping[str, float] = ART_STYLE_LAYERS,
                 content_weight: float = 5.0, style_weight: float = 100.0, tv_weight: float = 0.0,
                 content_normalization: str = "art", pooling: str = "avg", dtype="float32"):
        super().__init__()
        self.content_layers = dict(content_layers)
        self.style_layers = dict(style_layers)
        self.content_weight = float(content_weight)
        self.style_weight = float(style_weight)
        self.tv_weight = float(tv_weight)
        self.content_normalization = content_normalization
        if content_normalization not in losses.CONTENT_NORMALIZATIONS:
            raise ValueError(f"content_normalization must be one of {losses.CONTENT_NORMALIZATIONS}, "
                             f"got {content_normalization!r}")
        self.extractor = FeatureExtractor(
            weights, list(dict.fromkeys([*self.content_layers, *self.style_layers])), pooling=pooling, dtype=dtype
        )
        content_feats = self.extractor(tf.constant(content_pre))
        style_feats = self.extractor(tf.constant(style_pre))
        self.content_targets = {l: tf.cast(content_feats[l], tf.float32) for l in self.content_layers}
        shape_c = content_pre.shape[1] * content_pre.shape[2]
        shape_s = style_pre.shape[1] * style_pre.shape[2]
        self.style_targets = {}
        for l in self.style_layers:
            a = style_feats[l]
            m_a = float(a.shape[1] * a.shape[2])
            m_x = float(content_feats[l].shape[1] * content_feats[l].shape[2])
            scale = 1.0 if shape_c == shape_s else m_x / m_a
            self.style_targets[l] = losses.gram_matrix(a) * scale

    def __call__(self, x) -> dict[str, tf.Tensor]:
        feats = self.extractor(x)
        c = tf.add_n([
            w * losses.content_loss(self.content_targets[l], feats[l], self.content_normalization)
            for l, w in self.content_layers.items()
        ])
        s = losses.style_loss(self.style_targets, feats, self.style_layers, targets_are_grams=True)
        tv = losses.total_variation_loss(x)
        total = self.content_weight * c + self.style_weight * s + self.tv_weight * tv
        return {"content": c, "style": s, "tv": tv, "total": total}


class _Stop(Exception):
    pass


def stylize(content, style, *, size: int | None = 256, iterations: int = 100, optimizer: str = "lbfgs",
            content_weight: float = 5.0, style_weight: float = 100.0, tv_weight: float = 0.0,
            content_layers=None, style_layers=None, init: str = "content", noise_ratio: float = 0.6,
            pooling: str = "avg", seed: int = 0, weights: VGG19Weights | str | None = None,
            learning_rate: float = 2.0, content_normalization: str = "art",
            callback: Callable[[StepInfo], object] | None = None, progress: bool = False,
            device: str | None = None, mixed_precision: bool = False, style_size: int | None = None,
            ) -> StyleResult:
    """Stylize ``content`` with ``style`` and return a :class:`StyleResult`.

    ``content``/``style``: image arrays ``(H, W, 3)`` RGB 0–255, image files or sample names.
    ``size``: longest side of the result in pixels (``None`` keeps the content's size); the style image is
    resized to ``style_size`` (default: the same longest side). ``iterations``: optimizer steps (L-BFGS
    iterations or Adam updates). ``content_layers``/``style_layers``: names, or ``{name: weight}``
    (default: conv4_2; conv1_1…conv5_1 weighted 0.5/1/1.5/3/4 as in art.py). ``init``: ``'content'``,
    ``'noise'`` or ``'blend'`` (``noise_ratio`` of noise, as art.py). ``callback(info)`` runs after every
    step; returning ``False`` stops the run (the result keeps everything so far). Ctrl-C does the same and
    sets ``result.interrupted``. L-BFGS may end before ``iterations`` (converged, or its line search found
    no better point); ``result.stop_reason`` says why. ``mixed_precision`` computes the network in float16 (for GPUs; losses
    and the image stay float32).
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    if not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
    if size is not None and (not isinstance(size, (int, np.integer)) or size < 16):
        raise ValueError(f"size must be an integer of at least 16 pixels (or None), got {size!r}")
    for name, value in (("content_weight", content_weight), ("style_weight", style_weight),
                        ("tv_weight", tv_weight), ("learning_rate", learning_rate)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    content_layers = _layer_dict(content_layers, ART_CONTENT_LAYERS, "content")
    style_layers = _layer_dict(style_layers, ART_STYLE_LAYERS, "style")
    weights = load_weights(weights)  # 'random' means the seed-0 network: `seed` only drives the start image
    device_name = pick_device(device)

    content_img = as_image(content, size)
    style_img = as_image(style, style_size or size or max(content_img.shape[:2]))
    content_pre = _images.preprocess(content_img, weights)
    style_pre = _images.preprocess(style_img, weights)
    x0 = make_init(init, content_pre, seed=seed, noise_ratio=noise_ratio, weights=weights)
    lo, hi = _bounds(weights)
    config = dict(size=size, iterations=iterations, optimizer=optimizer, content_weight=content_weight,
                  style_weight=style_weight, tv_weight=tv_weight, content_layers=content_layers,
                  style_layers=style_layers, init=init, noise_ratio=noise_ratio, pooling=pooling, seed=seed,
                  learning_rate=learning_rate, content_normalization=content_normalization,
                  device=device_name, mixed_precision=mixed_precision, shape=tuple(content_img.shape))

    with tf.device(device_name):
        objective = StyleObjective(
            content_pre, style_pre, weights, content_layers=content_layers, style_layers=style_layers,
            content_weight=content_weight, style_weight=style_weight, tv_weight=tv_weight,
            content_normalization=content_normalization, pooling=pooling,
            dtype="float16" if mixed_precision else "float32",
        )
        loop = _AdamLoop if optimizer == "adam" else _LbfgsLoop
        runner = loop(objective, x0, lo, hi, learning_rate)
        run = RunRecorder(iterations, weights, callback, progress,
                          desc=f"stylize ({optimizer}, {device_name.split('device:')[-1]})")
        run.drive(lambda record: runner.run(iterations, record))
        return run.result(runner.current(), runner.best() if run.history else x0, config)


class RunRecorder:
    """The bookkeeping both engines share (TF2 here, TF1 in :mod:`stylelib.session`): the loss history,
    the best step, the progress bar, the per-step callback, and stopping on ``False`` or Ctrl-C.

    An engine's loop calls ``record(step, values, get_x)`` after each step (``values``: the four losses;
    ``get_x``: returns the preprocessed image they were measured on, only called when needed); it returns
    True when the step is the best so far. :meth:`drive` runs the loop and keeps what it had when stopped.
    """

    def __init__(self, iterations: int, weights: VGG19Weights,
                 callback: Callable[[StepInfo], object] | None, progress: bool, desc: str):
        self.iterations = iterations
        self.weights = weights
        self.callback = callback
        self.history: list[StepRecord] = []
        self.best_loss, self.best_step = math.inf, 0
        self.interrupted, self.stop_reason = False, "completed"
        self._bar = None
        if progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=iterations, desc=desc, unit="step")
        self._t0 = time.perf_counter()

    def record(self, step: int, values: Mapping[str, object], get_x: Callable[[], np.ndarray]) -> bool:
        rec = StepRecord(step, *(float(values[k]) for k in ("content", "style", "tv", "total")),
                         seconds=time.perf_counter() - self._t0)
        self.history.append(rec)
        improved = rec.total < self.best_loss
        if improved:
            self.best_loss, self.best_step = rec.total, step
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(loss=f"{rec.total:.4g}")
        if self.callback is not None:
            if self.callback(StepInfo(step, self.iterations, rec, self.best_step, get_x, self.weights)) is False:
                raise _Stop
        return improved

    def drive(self, loop: Callable[[Callable[..., bool]], str | None]) -> None:
        """Run ``loop(self.record)``; its return value, if any, is the stop reason."""
        try:
            self.stop_reason = loop(self.record) or self.stop_reason
        except _Stop:
            self.interrupted, self.stop_reason = True, "stopped by callback"
        except KeyboardInterrupt:
            self.interrupted, self.stop_reason = True, "interrupted (KeyboardInterrupt)"
        finally:
            if self._bar is not None:
                self._bar.close()

    def result(self, final_x: np.ndarray, best_x: np.ndarray, config: dict) -> StyleResult:
        return StyleResult(
            image=_images.deprocess(final_x, self.weights),
            best_image=_images.deprocess(best_x, self.weights),
            best_step=self.best_step,
            best_loss=self.best_loss,
            history=self.history,
            interrupted=self.interrupted,
            weights_source=self.weights.source,
            random_weights=self.weights.is_random,
            config=config,
            stop_reason=self.stop_reason,
        )


class _AdamLoop:
    def __init__(self, objective: StyleObjective, x0, lo, hi, learning_rate):
        import keras

        self.objective = objective
        self.x = tf.Variable(x0, dtype=tf.float32, name="image")
        self.lo = tf.constant(lo)
        self.hi = tf.constant(hi)
        self.opt = keras.optimizers.Adam(learning_rate=learning_rate)
        self.opt.build([self.x])
        # The best image is kept on the device, next to the image: no per-step copy to the host.
        self.best_x = tf.Variable(x0, dtype=tf.float32, name="best_image")
        self.last_x = tf.Variable(x0, dtype=tf.float32, name="last_measured_image")
        self.best_loss = tf.Variable(np.inf, dtype=tf.float32, name="best_loss")
        self._step = tf.function(self._step_fn)

    def _step_fn(self):
        with tf.GradientTape() as tape:
            values = self.objective(self.x)
        grad = tape.gradient(values["total"], self.x)
        self.last_x.assign(self.x)
        if values["total"] < self.best_loss:  # autograph turns this into a tf.cond
            self.best_loss.assign(values["total"])
            self.best_x.assign(self.x)
        self.opt.apply_gradients([(grad, self.x)])
        self.x.assign(tf.clip_by_value(self.x, self.lo, self.hi))
        return values

    def run(self, iterations: int, record) -> None:
        for i in range(1, iterations + 1):
            values = self._step()  # losses at the image *before* this update
            record(i, values, self.last_x.numpy)

    def current(self) -> np.ndarray:
        return self.x.numpy()

    def best(self) -> np.ndarray:
        return self.best_x.numpy()


class _LbfgsLoop:
    """scipy's L-BFGS-B over the flattened image, with the pixel range as box bounds."""

    def __init__(self, objective: StyleObjective, x0, lo, hi, learning_rate):
        from scipy.optimize import Bounds

        self.objective = objective
        self.shape = x0.shape
        self.x = x0.astype(np.float64).ravel()
        self.bounds = Bounds(np.broadcast_to(lo, x0.shape).ravel().astype(np.float64),
                             np.broadcast_to(hi, x0.shape).ravel().astype(np.float64))
        self._last = None
        self._best = (math.inf, self.x.copy())

        @tf.function
        def value_and_grad(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                values = self.objective(x)
            return values, tape.gradient(values["total"], x)

        self._vg = value_and_grad

    def _fun(self, flat: np.ndarray):
        x = tf.constant(flat.reshape(self.shape), tf.float32)
        values, grad = self._vg(x)
        values = {k: float(v) for k, v in values.items()}
        self._last = (flat.copy(), values)
        return values["total"], grad.numpy().astype(np.float64).ravel()

    def run(self, iterations: int, record) -> None:
        from scipy.optimize import minimize

        state = {"step": 0}

        def on_iteration(xk):
            if self._last is None or not np.array_equal(self._last[0], xk):
                self._fun(xk)
            state["step"] += 1
            self.x = xk.copy()
            if self._last[1]["total"] < self._best[0]:
                self._best = (self._last[1]["total"], self.x)
            record(state["step"], self._last[1], self.current)

        res = minimize(self._fun, self.x, jac=True, method="L-BFGS-B", bounds=self.bounds, callback=on_iteration,
                       options={"maxiter": iterations, "maxfun": iterations * 3, "maxcor": 10})
        if state["step"] >= iterations:
            return "completed"
        return f"L-BFGS-B stopped after {state['step']} of {iterations} iterations: {res.message}"

    def current(self) -> np.ndarray:
        return self.x.reshape(self.shape).astype(np.float32)

    def best(self) -> np.ndarray:
        return self._best[1].reshape(self.shape).astype(np.float32)
