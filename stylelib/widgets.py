"""Try style transfer by hand: a widget-free :class:`ExplorerController` and its ipywidgets view
:class:`StyleExplorer`.

    from stylelib.widgets import StyleExplorer
    explorer = StyleExplorer(weights=cfg.weights)
    explorer            # shows the panel in a notebook

Pick the content and style images from the bundled samples or upload your own, set the size, the weights
(content / style / total variation), the number of steps, the layers and the optimizer — and the controls of
Gatys et al. 2017 (:mod:`stylelib.controls`): where the colours come from, the style scale, a second style with
its blend weight, a mask saying where the style goes — then press **Run**.
The optimization runs in a background thread, so the panel stays responsive: the preview and the loss plot
are refreshed every few steps, and **Stop** ends the run early while keeping the lowest-loss image seen so
far. **Save** writes that image to the path in the text field (relative paths are relative to the kernel's
working directory, and the panel shows the absolute path it writes) and never replaces an existing file
unless *overwrite* is ticked. When a setting or an image changes after a run, the status line says the
result shown is out of date (and Save says it saves that previous result).

The split
---------
:class:`ExplorerController` holds everything that is not a widget: the settings (:meth:`~ExplorerController.config`
turns them into a :class:`stylelib.run.RunConfig`; :meth:`~ExplorerController.source` gives the content and
style images), whether the result shown is stale, the uploaded images, the worker thread, saving, and the
status line as plain data (:class:`Status`). It imports no ipywidgets. Whenever something changes it calls the
functions registered with :meth:`~ExplorerController.on_change` with the name of what changed (one of
:data:`EVENTS`).

:class:`StyleExplorer` is the thin view: it builds the controls, forwards their values to its controller
(``explorer.controller``) and shows the controller's status, preview, loss plot and progress.

Driving it without a browser
----------------------------
Everything a button does is a public method, on the controller and on the view::

    from stylelib.widgets import ExplorerController
    c = ExplorerController("chelsea", "brick", weights="random", size=32, steps=3)
    c.set(content_weight=10.0, style_layers=("conv1_1", "conv2_1"))
    c.config()                      # the RunConfig the next run uses
    result = c.run(blocking=True)   # what Run does, but waits for the end
    c.save("outputs/try.png")       # what Save does; c.status.text says where it wrote
    c.status                        # Status(text='saved the best image ...', kind='ok')

The weight sliders are :class:`ipywidgets.SelectionSlider` s over round values (:data:`CONTENT_WEIGHTS`,
:data:`STYLE_WEIGHTS`, :data:`TV_WEIGHTS`), so the number a browser sends back is exactly the number shown
(a ``FloatLogSlider`` snaps to its log grid: 5 would come back as 10**0.7 = 5.0119). Every default and
every list of choices comes from :mod:`stylelib.recipe`.
"""

from __future__ import annotations

import html
import io
import math
import os
import re
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from . import controls as _controls
from . import images as _images
from . import recipe
from . import samples as _samples
from .run import RunConfig, StepInfo, StyleResult
from .vgg19 import CONV_LAYERS, RANDOM_LABEL, RANDOM_NOTE, RandomWeightsWarning, VGG19Weights, load_weights

__all__ = ["ExplorerController", "StyleExplorer", "Status", "EVENTS", "SETTINGS", "STATUS_KINDS",
           "png_bytes", "loss_plot_png", "decode_upload", "PNG_SIGNATURE", "CONTENT_WEIGHTS", "STYLE_WEIGHTS",
           "TV_WEIGHTS", "DEFAULT_TV_WEIGHT", "STYLE_SCALES", "BLENDS", "NO_STYLE", "COLOUR_LABELS",
           "COARSE_TO_FINE"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------------------------ slider values


def _round_values(lo_exp: int, hi_exp: int, *, zero: bool = False) -> tuple[float, ...]:
    """1, 2, 5 × 10**e for ``lo_exp <= e < hi_exp``, then 10**hi_exp (and 0 first if ``zero``).

    Each value is the float nearest its short decimal form (``float("5e-3")``), so it prints, round-trips
    and compares exactly as written.
    """
    values = [float(f"{m}e{e}") for e in range(lo_exp, hi_exp) for m in (1, 2, 5)]
    values.append(float(f"1e{hi_exp}"))
    return ((0.0,) if zero else ()) + tuple(values)


def _number_label(value: float) -> str:
    """``0.00001``, ``0.5``, ``5``, ``1000`` — plain decimals (``float(label) == value``)."""
    return np.format_float_positional(value, trim="-")


CONTENT_WEIGHTS: tuple[float, ...] = _round_values(-2, 3, zero=True)
"""The content weights the panel offers: 0, 0.01, 0.02, 0.05, …, 500, 1000."""
STYLE_WEIGHTS: tuple[float, ...] = _round_values(-1, 5, zero=True)
"""The style weights the panel offers: 0, 0.1, 0.2, 0.5, …, 50000, 100000."""
TV_WEIGHTS: tuple[float, ...] = _round_values(-5, 1)
"""The total-variation weights the panel offers when *smooth* is ticked: 0.00001 … 10."""
DEFAULT_TV_WEIGHT: float = 1e-3
"""The TV slider's starting value (used only once *smooth* is ticked; art.py itself uses no TV cost)."""

STYLE_SCALES: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
"""The style scales the panel offers (``RunConfig.style_scale``; 1: the style image at its usual size)."""
BLENDS: tuple[float, ...] = tuple(float(f"{i / 10:.1f}") for i in range(11))
"""The second style's blend weights the panel offers: 0, 0.1, …, 1 (the first style gets 1 − t)."""
NO_STYLE = "none"
"""The *second style* choice that means one style only."""
COLOUR_LABELS: Mapping[str, str] = {"style": "the style's colours", "luminance": "the content's (luminance only)",
                                    "histogram": "style matched to content"}
"""The colour dropdown's short labels, one per :data:`stylelib.recipe.COLOUR_CONTROLS` key."""
assert set(COLOUR_LABELS) == set(recipe.COLOUR_CONTROLS)
COARSE_TO_FINE: Mapping[str, object] = {"auto (from 256 px)": "auto", "half size first": 0.5, "off": None}
"""The coarse-to-fine dropdown: label -> :attr:`stylelib.run.RunConfig.coarse_to_fine` (``'auto'``: a half-size stage
first for results of 256 px and more)."""

# the recipe's defaults must be values the sliders can show exactly
assert recipe.ART_CONTENT_WEIGHT in CONTENT_WEIGHTS, recipe.ART_CONTENT_WEIGHT
assert recipe.ART_STYLE_WEIGHT in STYLE_WEIGHTS, recipe.ART_STYLE_WEIGHT
assert DEFAULT_TV_WEIGHT in TV_WEIGHTS and recipe.ART_TV_WEIGHT in (0.0, *TV_WEIGHTS), recipe.ART_TV_WEIGHT
assert recipe.DEFAULT_STYLE_SCALE in STYLE_SCALES

# ------------------------------------------------------------------------------------------ plain data

STATUS_KINDS: tuple[str, ...] = ("info", "ok", "warn", "error")
"""The kinds of status: neutral, success, attention (stale result, stopped run), failure."""

EVENTS: tuple[str, ...] = ("settings", "choices", "status", "preview", "plot", "progress", "running")
"""What an :meth:`ExplorerController.on_change` listener is told changed."""

SETTINGS: tuple[str, ...] = ("content", "style", "size", "iterations", "content_weight", "style_weight", "smooth",
                             "tv_weight", "init", "optimizer", "style_weighting", "seed", "style_layers",
                             "content_layers", "colour", "style_scale", "style2", "blend", "mask", "coarse_to_fine")
"""The names :meth:`ExplorerController.set` takes (everything a result is made from)."""

UPLOAD_PREFIX = "upload: "
_MAX_UPLOAD_SIDE = 1024  # uploaded images are shrunk to this longest side on arrival
_DEFAULT_STYLE_WEIGHTING = "art"


@dataclass(frozen=True)
class Status:
    """The status line as plain data.

    Attributes
    ----------
    text : str
        One line for the user (it may say what to do next).
    kind : str
        One of :data:`STATUS_KINDS`: ``'info'``, ``'ok'``, ``'warn'`` or ``'error'``.
    """

    text: str
    kind: str = "info"


# ------------------------------------------------------------------------------------------ helpers


def png_bytes(image: np.ndarray) -> bytes:
    """Encode an RGB image as PNG.

    Parameters
    ----------
    image : ndarray
        ``(H, W, 3)``, uint8 or float in 0–255 (rounded and clipped).

    Returns
    -------
    bytes
        The PNG file's bytes (starting with :data:`PNG_SIGNATURE`).

    Raises
    ------
    ValueError
        NaN/inf pixels.
    """
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(_images.to_uint8(np.asarray(image)))).save(buf, format="PNG")
    return buf.getvalue()


def loss_plot_png(steps, totals, *, random_weights: bool = False, width: float = 4.2,
                  height: float = 2.4) -> bytes:
    """A small plot of the total loss against the step (log scale when every loss is positive).

    Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (not ``pyplot``), so it is safe
    to call from the optimization's background thread.

    Parameters
    ----------
    steps, totals : sequence of int, sequence of float
        The x and y values (may be empty: an empty plot).
    random_weights : bool
        Title the plot :data:`stylelib.vgg19.RANDOM_LABEL` in red.
    width, height : float
        Figure size in inches, at 80 dpi (4.2 × 2.4 in = 336 × 192 px).

    Returns
    -------
    bytes
        A PNG file's bytes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    steps, totals = list(steps), list(totals)
    if steps:
        ax.plot(steps, totals, color="tab:blue")
        if all(t > 0 for t in totals):
            ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("total loss")
    ax.tick_params(labelsize=8)
    if random_weights:
        ax.set_title(RANDOM_LABEL, color="red", fontsize=9, weight="bold")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _safe_suffix(name: str) -> str:
    suffix = Path(name or "").suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".img"


def decode_upload(data: bytes, name: str = "upload") -> np.ndarray:
    """Decode an uploaded image file.

    Decoded by :func:`stylelib.images.load_image` (EXIF orientation, transparency, 16-bit…), so an upload
    behaves exactly like a file on disk; images larger than 1024 px are shrunk to that longest side.

    Parameters
    ----------
    data : bytes-like
        The file's bytes.
    name : str
        The file's name: its suffix helps decoding, and error messages name it.

    Returns
    -------
    ndarray
        ``(H, W, 3)`` float32 RGB in 0–255, longest side at most 1024 px.

    Raises
    ------
    stylelib.images.ImageError
        Empty or undecodable data (the message names ``name``).
    """
    data = bytes(data)
    if not data:
        raise _images.ImageError(f"{name}: the uploaded file is empty")
    with tempfile.TemporaryDirectory(prefix="stylelib-upload-") as tmp:
        path = Path(tmp) / f"upload{_safe_suffix(name)}"
        path.write_bytes(data)
        try:
            img = _images.load_image(path)
        except _images.ImageError as exc:
            raise _images.ImageError(str(exc).replace(str(path), name)) from None
    if max(img.shape[:2]) > _MAX_UPLOAD_SIDE:
        img = _images.resize_longest(img, _MAX_UPLOAD_SIDE)
    return img


def _upload_entries(value) -> list[dict]:
    """The files in a ``FileUpload`` value (ipywidgets 8: a tuple of dicts; 7: a dict by name)."""
    if not value:
        return []
    if isinstance(value, Mapping):  # ipywidgets 7 layout, or a single file dict
        if "content" in value:
            return [dict(value)]
        return [dict(v, name=v.get("name", k)) if isinstance(v, Mapping) else {"name": k, "content": v}
                for k, v in value.items()]
    return [dict(v) for v in value]


def _check_which(which: str) -> str:
    return recipe.check_choice("which", which, ("content", "style"))


# ------------------------------------------------------------------------------------------ the controller


class ExplorerController:
    """The explorer without widgets: settings, images, staleness, the worker thread, saving and the status.

    Every action reports in :attr:`status` and never raises for a user's mistake: a run refused (no content
    layer…), a failed run, an undecodable upload or a refused save set an ``'error'`` status, keep the
    exception in :attr:`error` and return ``None``.

    Parameters
    ----------
    content, style : str
        Initial sample names (see :func:`stylelib.samples.list_samples`).
    weights : VGG19Weights, str or None
        Loaded weights, ``"random"``, a path, or ``None`` for the default (``$STYLELIB_WEIGHTS``). Random
        weights are announced in the status (:data:`stylelib.vgg19.RANDOM_NOTE`) and the default save path.
    size, steps : int
        Initial longest side (pixels) and number of optimizer steps.
    preview_every : int
        Refresh the preview and the loss plot every this many steps (and at the last one).
    save_path : str, optional
        Initial :attr:`save_path` (default ``outputs/stylized.png``, or ``outputs/stylized-RANDOM-WEIGHTS.png``).
    stylize_fn : callable, optional
        Called to run, as ``stylize_fn(content, style, config, weights=..., callback=...)`` (default
        :func:`stylelib.transfer.stylize`). Tests may wrap it to look at what it receives.
    plot_size : (float, float)
        Width and height of the loss plot in inches (80 dpi).
    **settings
        Any other initial setting of :data:`SETTINGS` (as :meth:`set` takes them).

    Attributes
    ----------
    result : StyleResult or None
        The last finished (or stopped) run.
    error : BaseException or None
        Why the last action failed (``None`` after a success).
    status : Status
        The status line.
    preview_png, plot_png : bytes
        The preview (content image before a run, then the run's image) and the loss plot, as PNG.
    progress : (int, int)
        The step reached and the planned number of steps.
    save_path : str
        Where :meth:`save` writes by default; relative to the current working directory.
    overwrite : bool
        Whether :meth:`save` replaces an existing file by default.

    Raises
    ------
    stylelib.samples.UnknownSampleError
        An unknown ``content`` or ``style`` name.
    ValueError
        A bad initial setting.
    stylelib.vgg19.WeightsError
        Weights that cannot be loaded.
    """

    def __init__(self, content: str = "chelsea", style: str = "brick", *,
                 weights: VGG19Weights | str | None = None, size: int = 128, steps: int = 30,
                 preview_every: int = 5, save_path: str | None = None,
                 stylize_fn: Callable[..., StyleResult] | None = None,
                 plot_size: tuple[float, float] = (4.2, 2.4), **settings):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RandomWeightsWarning)  # the status says it, every time
            self.weights = load_weights(weights)
        self.random_weights = bool(self.weights.is_random)
        self.preview_every = max(1, int(preview_every))
        self.plot_size = tuple(plot_size)
        self._stylize = stylize_fn
        self.result: StyleResult | None = None
        self.error: BaseException | None = None
        self.save_path = save_path or ("outputs/stylized-RANDOM-WEIGHTS.png" if self.random_weights
                                       else "outputs/stylized.png")
        self.overwrite = False
        self._listeners: list[Callable[[str], object]] = []
        self._choices: list[str] = _samples.list_samples()
        self._uploads: dict[str, np.ndarray] = {}
        self._versions: dict[str, int] = {}  # an upload's version: a new file under an old name is new
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False
        self._curve: tuple[list[int], list[float]] = ([], [])
        self._run_key: tuple | None = None
        self._result_key: tuple | None = None  # _key() of the run that made self.result
        self._result_status = Status("")  # the status the last result was announced with
        for name in (content, style):
            if name not in self._choices:
                _samples.get_sample(name)  # raises with the list of names
        self._settings: dict = {}
        self._apply(dict(
            content=content, style=style, size=size, iterations=steps,
            content_weight=recipe.ART_CONTENT_WEIGHT, style_weight=recipe.ART_STYLE_WEIGHT,
            smooth=recipe.ART_TV_WEIGHT > 0, tv_weight=recipe.ART_TV_WEIGHT or DEFAULT_TV_WEIGHT,
            init=recipe.DEFAULT_INIT, optimizer=recipe.DEFAULT_OPTIMIZER,
            style_weighting=_DEFAULT_STYLE_WEIGHTING, seed=0,
            style_layers=tuple(recipe.ART_STYLE_LAYERS), content_layers=tuple(recipe.ART_CONTENT_LAYERS),
            colour=recipe.DEFAULT_COLOUR, style_scale=recipe.DEFAULT_STYLE_SCALE, style2=NO_STYLE, blend=0.5,
            mask="none", coarse_to_fine=next(iter(COARSE_TO_FINE)),
        ))
        self._apply(settings)
        self.progress = (0, self._settings["iterations"])
        self.status = Status("ready — press Run" + self.note)
        self.preview_png = b""
        self._show_content()
        self.plot_png = loss_plot_png([], [], random_weights=self.random_weights, width=self.plot_size[0],
                                      height=self.plot_size[1])

    # ------------------------------------------------------------------ listeners and status
    def on_change(self, listener: Callable[[str], object]) -> Callable[[str], object]:
        """Call ``listener(event)`` whenever something changes.

        Parameters
        ----------
        listener : callable
            Receives one of :data:`EVENTS`; it may be called from the run's background thread.

        Returns
        -------
        callable
            ``listener`` (so this works as a decorator).
        """
        self._listeners.append(listener)
        return listener

    def _emit(self, event: str) -> None:
        for listener in list(self._listeners):
            listener(event)

    def _set_status(self, text: str, kind: str = "info") -> None:
        self.status = Status(text, recipe.check_choice("status kind", kind, STATUS_KINDS))
        self._emit("status")

    def _fail(self, exc: BaseException, text: str) -> None:
        self.error = exc
        self._set_status(text, "error")

    @property
    def note(self) -> str:
        """``" — RANDOM WEIGHTS (untrained VGG-19)"`` with random weights, else ``""`` (ends status texts)."""
        return f" — {RANDOM_NOTE}" if self.random_weights else ""

    # ------------------------------------------------------------------ settings
    @property
    def settings(self) -> dict:
        """A copy of the current settings, by the names of :data:`SETTINGS`."""
        return dict(self._settings)

    @property
    def choices(self) -> tuple[str, ...]:
        """The image names to choose from: the samples, then the uploads (``"upload: NAME"``)."""
        return tuple(self._choices)

    def set(self, **settings) -> None:
        """Change settings (what moving a control does).

        Parameters
        ----------
        **settings
            Any of :data:`SETTINGS`: ``content``, ``style`` (one of :attr:`choices`), ``size`` (px, >= 16),
            ``iterations`` (>= 1), ``content_weight``, ``style_weight``, ``tv_weight`` (>= 0), ``smooth``
            (use ``tv_weight``; else the TV weight is 0), ``init`` (a key of
            :data:`stylelib.recipe.INITS`), ``optimizer`` (:data:`stylelib.recipe.OPTIMIZERS`),
            ``style_weighting`` (:data:`stylelib.recipe.STYLE_WEIGHTINGS`), ``seed`` (>= 0),
            ``style_layers``, ``content_layers`` (sequences of names from
            :data:`stylelib.vgg19.CONV_LAYERS`; may be empty, which :meth:`run` refuses). Controls (issue 12,
            :mod:`stylelib.controls`): ``colour`` (a key of :data:`stylelib.recipe.COLOUR_CONTROLS`),
            ``style_scale`` (> 0), ``style2`` (a second style image, one of :attr:`choices`, or :data:`NO_STYLE`),
            ``blend`` (the second style's weight t in [0, 1]; the first gets 1 − t), ``mask`` (a key of
            :data:`stylelib.controls.MASK_PRESETS`: where the style goes; the rest keeps the content),
            ``coarse_to_fine`` (a key of :data:`COARSE_TO_FINE`).

        Raises
        ------
        TypeError
            An unknown setting name.
        ValueError
            A value of the wrong kind (an unknown choice, a negative weight…).
        """
        changed = self._apply(settings)
        if changed:
            self._emit("settings")
            self._after_change("content" in changed)

    def _apply(self, settings: Mapping) -> set[str]:
        """Check and store ``settings``; the names whose value changed."""
        clean = {}
        for name, value in settings.items():
            if name not in SETTINGS:
                raise TypeError(f"unknown setting {name!r}; the settings are {', '.join(SETTINGS)}")
            if name in ("content", "style"):
                value = recipe.check_choice(name, value, self._choices)
            elif name == "style2":
                value = recipe.check_choice(name, value, (NO_STYLE, *self._choices))
            elif name == "colour":
                value = recipe.check_choice(name, value, recipe.COLOUR_CONTROLS)
            elif name == "style_scale":
                value = recipe.check_style_scale(value)
            elif name == "blend":
                value = recipe.check_ratio(name, value)
            elif name == "mask":
                value = recipe.check_choice(name, value, _controls.MASK_PRESETS)
            elif name == "coarse_to_fine":
                value = recipe.check_choice(name, value, COARSE_TO_FINE)
            elif name in ("size", "iterations", "seed"):
                value = recipe.check_positive_int(name, value, {"size": 16, "iterations": 1, "seed": 0}[name])
            elif name in ("content_weight", "style_weight", "tv_weight"):
                value = recipe.check_weight(name, value)
            elif name == "smooth":
                value = bool(value)
            elif name == "init":
                value = recipe.check_choice(name, value, recipe.INITS)
            elif name == "optimizer":
                value = recipe.check_choice(name, value, recipe.OPTIMIZERS)
            elif name == "style_weighting":
                value = recipe.check_choice(name, value, recipe.STYLE_WEIGHTINGS)
            else:  # layers
                value = (value,) if isinstance(value, str) else tuple(value)
                for layer in value:
                    recipe.check_choice(f"{name} entry", layer, CONV_LAYERS)
            clean[name] = value
        changed = {k for k, v in clean.items() if self._settings.get(k) != v}
        self._settings.update(clean)
        return changed

    def source(self, which: str = "content") -> np.ndarray | str:
        """The chosen content or style image as :func:`stylelib.samples.load_input` takes it.

        Parameters
        ----------
        which : {'content', 'style', 'style2'}
            ``'style2'``: the second style (:data:`NO_STYLE` when there is none).

        Returns
        -------
        str or ndarray
            A sample name, or an uploaded image ``(H, W, 3)`` float32 0–255.
        """
        choice = self._settings["style2" if which == "style2" else _check_which(which)]
        return self._uploads.get(choice, choice)

    def content_image(self, size: int | None = None) -> np.ndarray:
        """The chosen content image, ``(H, W, 3)`` float32 0–255, longest side ``size`` px (``None``: as is)."""
        return _samples.load_input(self.source("content"), size, what="content image")

    def style_image(self, size: int | None = None) -> np.ndarray:
        """The chosen style image, ``(H, W, 3)`` float32 0–255, longest side ``size`` px (``None``: as is)."""
        return _samples.load_input(self.source("style"), size, what="style image")

    def config(self) -> RunConfig:
        """The :class:`~stylelib.run.RunConfig` the next run uses.

        Returns
        -------
        RunConfig
            The settings, with the TV weight 0 unless *smooth* is on, the style layers weighted by
            :func:`stylelib.recipe.style_layer_weights` and each content layer weighted 1.0.

        Raises
        ------
        ValueError
            No content layer, or no style layer while the style weight is above 0; a mask together with a
            second style.
        """
        s = self._settings
        if s["mask"] != "none" and s["style2"] != NO_STYLE:
            raise ValueError("a mask and a second style together are not offered here: set 'second style' or "
                             "'mask' to none")
        content_layers = [layer for layer in CONV_LAYERS if layer in s["content_layers"]]
        style_layers = [layer for layer in CONV_LAYERS if layer in s["style_layers"]]
        if not content_layers:
            raise ValueError("choose at least one content layer (ctrl- or ⌘-click in the list)")
        if not style_layers and s["style_weight"] > 0:
            raise ValueError("choose at least one style layer, or set the style weight to 0")
        # no style layer (style weight 0): one layer at weight 0 keeps the loss defined and adds nothing
        style = recipe.style_layer_weights(style_layers, s["style_weighting"]) or {CONV_LAYERS[0]: 0.0}
        return RunConfig(
            size=s["size"], iterations=s["iterations"], optimizer=s["optimizer"],
            content_weight=s["content_weight"], style_weight=s["style_weight"],
            tv_weight=s["tv_weight"] if s["smooth"] else 0.0,
            content_layers={layer: 1.0 for layer in content_layers}, style_layers=style,
            init=s["init"], seed=s["seed"],
            colour=s["colour"], style_scale=s["style_scale"],
            style_blend=None if s["style2"] == NO_STYLE else (1.0 - s["blend"], s["blend"]),
            coarse_to_fine=COARSE_TO_FINE[s["coarse_to_fine"]],
        )

    def inputs(self, size: int | None = None) -> dict:
        """The image keywords the next run passes to :func:`stylelib.transfer.stylize` besides the content and
        the style: ``extra_styles`` (the second style) and ``mask`` (the preset mask drawn at the content's size,
        ``size`` px; default: the size setting). ``{}`` when there are neither."""
        s = self._settings
        out = {}
        if s["style2"] != NO_STYLE:
            out["extra_styles"] = [self.source("style2")]
        if s["mask"] != "none":
            h, w = self.content_image(size or s["size"]).shape[:2]
            out["mask"] = _controls.preset_mask(s["mask"], h, w)
        return out

    # ------------------------------------------------------------------ images
    def add_image(self, image: np.ndarray, name: str, which: str = "content") -> str:
        """Offer an RGB array as an image choice and select it.

        Parameters
        ----------
        image : ndarray
            ``(H, W, 3)`` RGB, 0–255.
        name : str
            Shown as ``"upload: NAME"``; the same name again replaces the image (and counts as a change).
        which : {'content', 'style'}
            Which choice selects it (the other keeps its choice).

        Returns
        -------
        str
            The new choice, ``"upload: NAME"``.

        Raises
        ------
        ValueError
            ``which`` is neither ``'content'`` nor ``'style'``.
        """
        _check_which(which)
        label = UPLOAD_PREFIX + name
        self._uploads[label] = np.asarray(image, np.float32)
        self._versions[label] = self._versions.get(label, 0) + 1
        if label not in self._choices:
            self._choices.append(label)
            self._emit("choices")
        self._apply({which: label})
        self._emit("settings")
        self._after_change(which == "content")
        return label

    def add_upload(self, data: bytes, name: str = "upload", which: str = "content") -> str | None:
        """Decode an uploaded file (:func:`decode_upload`) and select it (what the upload buttons do).

        Parameters
        ----------
        data : bytes-like
            The file's bytes.
        name : str
            The file name (the choice is called ``"upload: NAME"``).
        which : {'content', 'style'}

        Returns
        -------
        str or None
            The new choice, or ``None`` when the file is empty or not an image (the status says why, and
            :attr:`error` holds the :class:`~stylelib.images.ImageError`).

        Raises
        ------
        ValueError
            ``which`` is neither ``'content'`` nor ``'style'``.
        """
        _check_which(which)
        try:
            img = decode_upload(data, name)
        except (_images.ImageError, ValueError, OSError) as exc:
            self._fail(exc, f"could not use the uploaded {which} image: {exc}")
            return None
        self.error = None
        label = self.add_image(img, name, which)
        text = f"{which} image: {name} ({img.shape[1]}×{img.shape[0]} px)"
        if self.stale and not self._running:
            self._set_status(f"{text} — {self._stale_text()}", "warn")
        else:
            self._set_status(text, "ok")
        return label

    # ------------------------------------------------------------------ staleness
    def _key(self) -> tuple:
        """Everything a run is made from, comparable with ``==`` (an upload counts by its version)."""
        s = self._settings

        def image(which):
            return s[which], self._versions.get(s[which], 0)

        return (image("content"), image("style"), s["size"], s["iterations"], s["content_weight"],
                s["style_weight"], s["tv_weight"] if s["smooth"] else 0.0, s["init"], s["optimizer"],
                s["style_weighting"], s["seed"], tuple(sorted(s["style_layers"])),
                tuple(sorted(s["content_layers"])), s["colour"], s["style_scale"], image("style2"),
                s["blend"] if s["style2"] != NO_STYLE else None, s["mask"],
                s["coarse_to_fine"])

    @property
    def stale(self) -> bool:
        """True when there is a result but the images or settings changed since its run started."""
        return self.result is not None and self._key() != self._result_key

    def _stale_text(self) -> str:
        return (f"settings changed since this result (step {self.result.best_step}) — press Run for a new "
                "one; Save still saves the old result")

    def _show_content(self) -> None:
        try:
            self.preview_png = png_bytes(self.content_image(self._settings["size"]))
        except (_images.ImageError, ValueError, OSError) as exc:
            self._fail(exc, f"could not show the content image: {exc}")
            return
        self._emit("preview")

    def _after_change(self, content_changed: bool) -> None:
        if self._running:
            return  # the run uses the settings it started with; its end says if they changed meanwhile
        if self.result is None:
            if content_changed:  # no result yet: the preview shows the content image
                self._show_content()
        elif self.stale:
            self._set_status(self._stale_text() + self.note, "warn")
        elif self._result_status.text:
            self._set_status(self._result_status.text, self._result_status.kind)  # current again

    # ------------------------------------------------------------------ running
    @property
    def running(self) -> bool:
        """True while a run is in progress."""
        return self._running

    def run(self, blocking: bool = False) -> StyleResult | None:
        """Start a run with the current settings (what **Run** does).

        Parameters
        ----------
        blocking : bool
            ``False``: start a background thread and return at once (see :meth:`wait`). ``True``: run in the
            calling thread.

        Returns
        -------
        StyleResult or None
            With ``blocking=True``, the run's result; ``None`` when it could not start (already running, or
            bad settings) or failed — the status says why — and always with ``blocking=False``.
        """
        if self._running:
            self._set_status("already running — press Stop first", "warn")
            return None
        try:
            config = self.config()
            content, style = self.source("content"), self.source("style")
            inputs = self.inputs(config.size)
        except (ValueError, _images.ImageError) as exc:
            self._fail(exc, f"cannot run: {exc}")
            return None
        self._run_key = self._key()
        self._stop.clear()
        self._running = True
        self.error = None
        self._curve = ([], [])
        self.progress = (0, config.iterations)
        self._emit("running")
        self._emit("progress")
        self._set_status(f"running {config.iterations} {recipe.OPTIMIZERS[config.optimizer]} steps at "
                         f"{config.size} px" + self.note)
        if blocking:
            self._work(content, style, config, inputs)
            return self.result if self.error is None else None
        self._thread = threading.Thread(target=self._work, args=(content, style, config, inputs),
                                        name="StyleExplorer-run", daemon=True)
        self._thread.start()
        return None

    def wait(self, timeout: float | None = None) -> StyleResult | None:
        """Wait for a background run to end.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most (``None``: until it ends).

        Returns
        -------
        StyleResult or None
            :attr:`result` (the previous one, if the run is still going after ``timeout``).
        """
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.result

    def stop(self) -> None:
        """Ask the run to stop after the current step (what **Stop** does); it keeps the best image."""
        if self._running:
            self._stop.set()
            self._set_status("stopping after this step…", "warn")

    def _plot(self) -> None:
        self.plot_png = loss_plot_png(*self._curve, random_weights=self.random_weights, width=self.plot_size[0],
                                      height=self.plot_size[1])
        self._emit("plot")

    def _callback(self, info: StepInfo) -> bool:
        self.progress = (info.step, info.iterations)
        self._emit("progress")
        self._curve[0].append(info.step)
        self._curve[1].append(info.record.total)
        if info.step > 0 and (info.step % self.preview_every == 0 or info.step == info.iterations):
            self.preview_png = png_bytes(info.image())
            self._emit("preview")
            self._plot()
        return not self._stop.is_set()

    def _work(self, content, style, config: RunConfig, inputs: Mapping | None = None) -> None:
        stylize = self._stylize
        if stylize is None:
            from .transfer import stylize  # TensorFlow is loaded on the first run, not on import
        try:
            result = stylize(content, style, config, weights=self.weights, callback=self._callback, **(inputs or {}))
        except Exception as exc:  # shown in the status: a thread's exception would otherwise vanish
            self._fail(exc, f"the run failed: {type(exc).__name__}: {exc}")
        else:
            self.result = result
            self._result_key = self._run_key
            self._curve = (list(result.series("step").astype(int)), list(result.series("total")))
            self.preview_png = png_bytes(result.best_image)  # what Save saves
            self._emit("preview")
            self._plot()
            n = result.history[-1].step if result.history else 0  # optimizer steps (step 0: the start image)
            if result.interrupted:
                how = f"stopped after {n} steps"
            elif result.stop_reason != "completed":  # e.g. L-BFGS converged early: say why it ended there
                how = f"{n} of {config.iterations} steps ({result.stop_reason})"
            else:
                how = f"done: {n} steps"
            best = (f"; kept the best image (step {result.best_step}, loss {result.best_loss:.4g})"
                    if math.isfinite(result.best_loss) else "")
            self._result_status = Status(how + best + self.note, "warn" if result.interrupted else "ok")
            self._set_status(self._result_status.text, self._result_status.kind)
        finally:
            self._running = False
            if self.error is None and self.stale:  # settings changed while it ran
                self._set_status(f"{self.status.text} — but {self._stale_text()}", "warn")
            self._emit("running")

    # ------------------------------------------------------------------ saving
    def resolve_path(self, path: str | os.PathLike | None = None) -> Path:
        """The absolute path :meth:`save` writes for ``path`` (default :attr:`save_path`).

        A relative path is relative to the current working directory — for a notebook, the notebook's
        folder (``outputs/x.png`` from ``notebooks/06….ipynb`` is ``notebooks/outputs/x.png``).
        """
        text = str(self.save_path if path is None else path).strip()
        return Path(os.path.abspath(Path(text).expanduser()))

    def save(self, path: str | os.PathLike | None = None, overwrite: bool | None = None) -> Path | None:
        """Save the best image of the last run (what **Save** does).

        Parameters
        ----------
        path : str or path-like, optional
            Where to write (default :attr:`save_path`); the format follows the suffix. Relative paths are
            relative to the current working directory; missing folders are created.
        overwrite : bool, optional
            Replace an existing file (default :attr:`overwrite`). Without it an existing file is left
            untouched and the status suggests a free name.

        Returns
        -------
        pathlib.Path or None
            The absolute path written (the status names it too), or ``None`` when nothing was saved: no
            result yet, no file name, the file exists, an unknown suffix, or a write error. The status says
            which, and :attr:`error` holds the exception.
        """
        if self.result is None:
            self._fail(RuntimeError("no result"), "nothing to save yet — press Run first")
            return None
        if not str(self.save_path if path is None else path).strip():
            self._fail(ValueError("no file name"), "give a file name to save to, e.g. outputs/stylized.png")
            return None
        target = self.resolve_path(path)
        overwrite = self.overwrite if overwrite is None else bool(overwrite)
        try:
            written = _images.save_image(self.result.best_image, target, overwrite=overwrite)
        except FileExistsError as exc:  # images' own message gives API advice (overwrite=True, --overwrite)
            self._fail(exc, self._exists_text(target))
            return None
        except (_images.ImageError, ValueError, OSError) as exc:
            self._fail(exc, f"not saved: {exc}")
            return None
        self.error = None
        step = self.result.best_step
        if self.stale:
            self._set_status(f"saved the previous result (best image, step {step}; made before the settings "
                             f"changed) to {written} — press Run for a new one" + self.note, "warn")
        else:
            self._set_status(f"saved the best image (step {step}) to {written}" + self.note, "ok")
        return written

    @staticmethod
    def _exists_text(path: Path) -> str:
        try:
            free = f" (e.g. {_images.next_free_path(path).name})"
        except Exception:  # only a suggestion
            free = ""
        return (f"not saved: {path} already exists and was left untouched — tick 'overwrite' to replace it, "
                f"or change the file name{free}")

    def __repr__(self) -> str:
        s = self._settings
        return (f"ExplorerController(content={s['content']!r}, style={s['style']!r}, size={s['size']}, "
                f"steps={s['iterations']}, random_weights={self.random_weights})")


# ------------------------------------------------------------------------------------------ the view

_COLORS = {"info": "#333", "ok": "#070", "warn": "#b60", "error": "#c00"}
_FRESH = "1px solid #ccc"  # the preview's border: the result matches the settings…
_STALE = "2px dashed #b60"  # …or they changed since
_LABEL_WIDTH = "110px"  # one label column for the left column's controls

# Fixed sizes (px) of the three columns; tests/test_widgets.py adds them up.
# Measured in JupyterLab 4 (headless Chromium, 1400×1000 window, file browser open): the output area is 968 px
# wide, so the columns and their gaps add up to 922 px and stay side by side.
LEFT_WIDTH, MIDDLE_WIDTH, RIGHT_WIDTH, GAP = 336, 220, 330, 12
PREVIEW_HEIGHT, PLOT_HEIGHT = 170, 140
_PLOT_INCHES = ((RIGHT_WIDTH - 4) / 80, PLOT_HEIGHT / 80)  # the plot PNG is drawn at 80 dpi, shown 1:1


class StyleExplorer:
    """The explorer panel: ipywidgets controls in front of an :class:`ExplorerController`.

    Three columns, 922 px wide: images and numbers | layers | Run, Stop and the progress bar in one row, the
    status line right under them, then Save, then the preview and the loss plot — so every action's feedback is
    next to its button, and Run, the status and Save stay together even when a narrow output area wraps the
    columns (the third then sits under the first two).

    Parameters
    ----------
    content, style : str
        Initial sample names.
    weights : VGG19Weights, str or None
        As for :class:`ExplorerController`.
    size, steps : int
        Initial longest side (pixels, 32–512) and number of steps (1–500).
    preview_every : int
        Refresh the preview and the loss plot every this many steps.
    save_path : str, optional
        Initial save path.
    stylize_fn : callable, optional
        See :class:`ExplorerController`.
    controller : ExplorerController, optional
        Show an existing controller instead (the other arguments are then ignored).

    Attributes
    ----------
    controller : ExplorerController
        Holds the settings, the result and the status; the widgets only forward and show.
    panel : ipywidgets.VBox
        The whole panel (displaying the explorer displays this).

    Raises
    ------
    ImportError
        ipywidgets is not installed.
    """

    def __init__(self, content: str = "chelsea", style: str = "brick", *,
                 weights: VGG19Weights | str | None = None, size: int = 128, steps: int = 30,
                 preview_every: int = 5, save_path: str | None = None,
                 stylize_fn: Callable[..., StyleResult] | None = None,
                 controller: ExplorerController | None = None):
        import ipywidgets as W

        self.controller = c = controller or ExplorerController(
            content, style, weights=weights, size=size, steps=steps, preview_every=preview_every,
            save_path=save_path, stylize_fn=stylize_fn, plot_size=_PLOT_INCHES)
        s = c.settings
        self._syncing = False
        label = {"description_width": _LABEL_WIDTH}
        m = 4  # every widget has a 2 px margin on each side: a full-width control is its column's width - 4
        row = W.Layout(width=f"{LEFT_WIDTH - m}px")

        def slider(values, name, description):
            return W.SelectionSlider(options=[(_number_label(v), v) for v in values], value=s[name],
                                     description=description, style=label, layout=row)

        # --- left column: images and numbers ----------------------------------------------------
        upload_width = 120  # icon + "upload (0)"
        select = W.Layout(width=f"{LEFT_WIDTH - upload_width - 2 * m}px")
        self.content_select = W.Dropdown(options=c.choices, value=s["content"], description="content image",
                                         style=label, layout=select)
        self.style_select = W.Dropdown(options=c.choices, value=s["style"], description="style image",
                                       style=label, layout=select)
        self.content_upload = W.FileUpload(accept="image/*", multiple=False, description="upload",
                                           tooltip="upload a content image", layout=W.Layout(width=f"{upload_width}px"))
        self.style_upload = W.FileUpload(accept="image/*", multiple=False, description="upload",
                                         tooltip="upload a style image", layout=W.Layout(width=f"{upload_width}px"))
        self.size = W.IntSlider(value=s["size"], min=32, max=512, step=16, description="size (px)", style=label,
                                layout=row)
        self.steps = W.IntSlider(value=s["iterations"], min=1, max=500, description="steps", style=label,
                                 layout=row)
        self.content_weight = slider(CONTENT_WEIGHTS, "content_weight", "content weight")
        self.style_weight = slider(STYLE_WEIGHTS, "style_weight", "style weight")
        self.tv_on = W.Checkbox(value=s["smooth"], description="smooth (total variation)", indent=True,
                                style=label, layout=row)
        self.tv_weight = slider(TV_WEIGHTS, "tv_weight", "TV weight")
        self.init = W.Dropdown(options=list(recipe.INITS), value=s["init"], description="start from",
                               tooltip="; ".join(f"{k}: {v}" for k, v in recipe.INITS.items()), style=label,
                               layout=W.Layout(width="240px"))
        self.optimizer = W.ToggleButtons(options=[(text, name) for name, text in recipe.OPTIMIZERS.items()],
                                         value=s["optimizer"], description="optimizer",
                                         style={**label, "button_width": "80px"}, layout=row)
        # ipywidgets 8 puts a ToggleButtons' label above its buttons; this class puts it in the label column
        self.optimizer.add_class("widget-inline-hbox")
        self.seed = W.BoundedIntText(value=s["seed"], min=0, max=2**31 - 1, description="seed", style=label,
                                     layout=W.Layout(width="240px"))
        # controls (issue 12): colour, style scale, a second style and its blend weight, a mask
        self.colour = W.Dropdown(options=[(COLOUR_LABELS[k], k) for k in recipe.COLOUR_CONTROLS], value=s["colour"],
                                 description="colours", style=label, layout=row,
                                 tooltip="; ".join(f"{k}: {v}" for k, v in recipe.COLOUR_CONTROLS.items()))
        self.style_scale = slider(STYLE_SCALES, "style_scale", "style scale")
        self.style2 = W.Dropdown(options=(NO_STYLE, *c.choices), value=s["style2"], description="second style",
                                 style=label, layout=row)
        self.blend = slider(BLENDS, "blend", "blend (2nd)")
        self.mask = W.Dropdown(options=list(_controls.MASK_PRESETS), value=s["mask"], description="style where",
                               tooltip="; ".join(f"{k}: {v}" for k, v in _controls.MASK_PRESETS.items()),
                               style=label, layout=row)
        self.coarse_to_fine = W.Dropdown(options=list(COARSE_TO_FINE), value=s["coarse_to_fine"],
                                         description="coarse-to-fine", style=label, layout=row,
                                         tooltip="optimize at half the size first, then finish at full size")

        # --- middle column: layers --------------------------------------------------------------
        layers = W.Layout(width=f"{MIDDLE_WIDTH // 2 - m}px")
        # every layer is a visible row (16 rows, ~290 px), so the chosen ones never hide below a fold
        self.style_layers = W.SelectMultiple(options=CONV_LAYERS, value=s["style_layers"], rows=len(CONV_LAYERS),
                                             layout=layers)
        self.content_layers = W.SelectMultiple(options=CONV_LAYERS, value=s["content_layers"],
                                               rows=len(CONV_LAYERS), layout=layers)
        self.style_layers_label = W.HTML(layout=layers)
        self.content_layers_label = W.HTML(layout=layers)
        self.style_weighting = W.Dropdown(options=[(text, name) for name, text in recipe.STYLE_WEIGHTINGS.items()],
                                          value=s["style_weighting"], layout=W.Layout(width=f"{MIDDLE_WIDTH - m}px"))

        # --- right column: actions, feedback, outputs -------------------------------------------
        button = 72
        self.run_button = W.Button(description="Run", button_style="success", icon="play",
                                   layout=W.Layout(width=f"{button}px"))
        self.stop_button = W.Button(description="Stop", button_style="danger", icon="stop", disabled=True,
                                    layout=W.Layout(width=f"{button}px"))
        self.progress = W.IntProgress(value=0, min=0, max=s["iterations"], description="step 0",
                                      style={"description_width": "64px"},
                                      layout=W.Layout(width=f"{RIGHT_WIDTH - 2 * button - 3 * m}px"))
        # three lines of 28 px (Lab's widget line height): a finished run's message does not push Save down
        self.status = W.HTML(layout=W.Layout(width=f"{RIGHT_WIDTH - m}px", min_height="84px"))
        self.preview = W.Image(format="png", layout=W.Layout(width=f"{RIGHT_WIDTH - m}px",
                                                              height=f"{PREVIEW_HEIGHT}px", object_fit="contain",
                                                              border=_FRESH))
        self.loss_plot = W.Image(format="png", layout=W.Layout(width=f"{RIGHT_WIDTH - m}px",
                                                                height=f"{PLOT_HEIGHT}px"))
        self.save_path = W.Text(value=c.save_path, description="save to", style={"description_width": "55px"},
                                layout=W.Layout(width=f"{RIGHT_WIDTH - 90 - 2 * m}px"))
        self.save_button = W.Button(description="Save", icon="save", disabled=True, layout=W.Layout(width="90px"))
        self.overwrite = W.Checkbox(value=c.overwrite, description="overwrite", indent=False,
                                    layout=W.Layout(width="100px"))
        self.save_target = W.HTML(layout=W.Layout(width=f"{RIGHT_WIDTH - 100 - 2 * m}px"))
        self.banner = W.HTML(
            f"<b style='color:#c00'>{html.escape(RANDOM_NOTE)}: the pictures are texture noise, not "
            "paintings; the losses, steps, Stop and Save are real.</b>"
            if c.random_weights else f"weights: {html.escape(str(c.weights.source))}")

        # --- wiring: widgets -> controller ------------------------------------------------------
        self._fields = {self.content_select: "content", self.style_select: "style", self.size: "size",
                        self.steps: "iterations", self.content_weight: "content_weight",
                        self.style_weight: "style_weight", self.tv_on: "smooth", self.tv_weight: "tv_weight",
                        self.init: "init", self.optimizer: "optimizer", self.style_weighting: "style_weighting",
                        self.seed: "seed", self.style_layers: "style_layers", self.content_layers: "content_layers",
                        self.colour: "colour", self.style_scale: "style_scale", self.style2: "style2",
                        self.blend: "blend", self.mask: "mask", self.coarse_to_fine: "coarse_to_fine"}
        for widget, name in self._fields.items():
            widget.observe(lambda change, name=name: self._forward(name, change["new"]), names="value")
        self.content_upload.observe(lambda change: self._upload(change["new"], "content"), names="value")
        self.style_upload.observe(lambda change: self._upload(change["new"], "style"), names="value")
        self.run_button.on_click(lambda _button: self.run())
        self.stop_button.on_click(lambda _button: self.stop())
        self.save_button.on_click(lambda _button: self.save())
        self.save_path.observe(lambda change: self._save_settings(), names="value")
        self.overwrite.observe(lambda change: self._save_settings(), names="value")

        # --- layout -----------------------------------------------------------------------------
        def column(children, width):
            return W.VBox(children, layout=W.Layout(width=f"{width}px", margin=f"0 {GAP}px 0 0"))

        hint = W.HTML("<span style='color:#666; font-size:11px'>ctrl- or ⌘-click: several layers</span>")
        self.left = column([W.HBox([self.content_select, self.content_upload]),
                            W.HBox([self.style_select, self.style_upload]),
                            self.size, self.steps, self.content_weight, self.style_weight, self.tv_on,
                            self.tv_weight, self.init, self.optimizer, self.seed, self.colour, self.style_scale,
                            self.style2, self.blend, self.mask, self.coarse_to_fine], LEFT_WIDTH)
        self.middle = column([W.HBox([self.style_layers_label, self.content_layers_label]),
                              W.HBox([self.style_layers, self.content_layers]), hint,
                              W.HTML("style layer weights"), self.style_weighting], MIDDLE_WIDTH)
        self.right = column([W.HBox([self.run_button, self.stop_button, self.progress]), self.status,
                             W.HBox([self.save_path, self.save_button]),
                             W.HBox([self.overwrite, self.save_target]),
                             self.preview, self.loss_plot], RIGHT_WIDTH)
        self.panel = W.VBox([
            self.banner,
            W.Box([self.left, self.middle, self.right],
                  layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
        ])

        # --- wiring: controller -> widgets ------------------------------------------------------
        c.on_change(self._show)
        for event in ("settings", "status", "preview", "plot", "progress", "running"):
            self._show(event)
        self._save_settings()

    # ------------------------------------------------------------------ forwarding
    def _forward(self, name: str, value) -> None:
        if not self._syncing:
            self.controller.set(**{name: value})

    def _save_settings(self) -> None:
        c = self.controller
        c.save_path, c.overwrite = self.save_path.value, bool(self.overwrite.value)
        where = html.escape(str(c.resolve_path())) if c.save_path.strip() else "(no file name)"
        self.save_target.value = (f"<span style='color:#666; font-size:11px; line-height:13px; "
                                  f"overflow-wrap:anywhere'>writes {where}</span>")

    def _upload(self, value, which: str) -> None:
        entries = _upload_entries(value)
        if entries:
            entry = entries[-1]
            self.controller.add_upload(entry.get("content", b""), str(entry.get("name") or "upload"), which)

    def _show(self, event: str) -> None:
        """Bring the widgets up to date with the controller after ``event``."""
        from traitlets import TraitError

        c = self.controller
        if event in ("settings", "choices"):
            self._syncing = True
            try:
                for select in (self.content_select, self.style_select):
                    if tuple(select.options) != c.choices:
                        select.options = c.choices
                if tuple(self.style2.options) != (NO_STYLE, *c.choices):
                    self.style2.options = (NO_STYLE, *c.choices)
                settings = c.settings
                for widget, name in self._fields.items():
                    if widget.value != settings[name]:
                        try:
                            widget.value = settings[name]
                        except TraitError:  # a value the slider does not offer (set from code): leave it
                            pass
            finally:
                self._syncing = False
            self.tv_weight.disabled = not c.settings["smooth"]
            self.blend.disabled = c.settings["style2"] == NO_STYLE
            for widget, what in ((self.style_layers_label, "style"), (self.content_layers_label, "content")):
                widget.value = f"<b>{what}</b> ({len(c.settings[what + '_layers'])})"
        elif event == "status":
            color = _COLORS[c.status.kind]
            self.status.value = (f"<span style='color:{color}; overflow-wrap:anywhere'>"
                                 f"{html.escape(c.status.text)}</span>")
        elif event == "preview":
            self.preview.value = c.preview_png
        elif event == "plot":
            self.loss_plot.value = c.plot_png
        elif event == "progress":
            step, total = c.progress
            self.progress.max, self.progress.value = total, step
            self.progress.description = f"step {step}"
        elif event == "running":
            self.run_button.disabled = c.running
            self.stop_button.disabled = not c.running
            self.save_button.disabled = c.running or c.result is None
        self.preview.layout.border = _STALE if c.stale else _FRESH

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        bundle = self.panel._repr_mimebundle_(**kwargs)
        # a short, stable text form (nbval compares text/plain; the widget view itself is not compared)
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        s = self.controller.settings
        return (f"StyleExplorer(content={s['content']!r}, style={s['style']!r}, size={s['size']}, "
                f"steps={s['iterations']}, random_weights={self.controller.random_weights})")

    # ------------------------------------------------------------------ the controller's API, delegated
    def run(self, blocking: bool = False) -> StyleResult | None:
        """Start a run (what **Run** does); see :meth:`ExplorerController.run`."""
        return self.controller.run(blocking)

    def wait(self, timeout: float | None = None) -> StyleResult | None:
        """Wait for a background run to end; see :meth:`ExplorerController.wait`."""
        return self.controller.wait(timeout)

    def stop(self) -> None:
        """Stop the run after the current step (what **Stop** does)."""
        self.controller.stop()

    def save(self, path: str | os.PathLike | None = None, overwrite: bool | None = None) -> Path | None:
        """Save the best image (what **Save** does; default: the path field and the *overwrite* box).

        See :meth:`ExplorerController.save`; returns the absolute path written, or ``None`` (the status
        line says why).
        """
        return self.controller.save(path, overwrite)

    def add_upload(self, data: bytes, name: str = "upload", which: str = "content") -> str | None:
        """Use an image file's bytes as the content or style image; see :meth:`ExplorerController.add_upload`."""
        return self.controller.add_upload(data, name, which)

    def add_image(self, image: np.ndarray, name: str, which: str = "content") -> str:
        """Offer an RGB array ``(H, W, 3)`` as an image choice; see :meth:`ExplorerController.add_image`."""
        return self.controller.add_image(image, name, which)

    def content_image(self, size: int | None = None) -> np.ndarray:
        """The chosen content image, ``(H, W, 3)`` float32 0–255, longest side ``size``."""
        return self.controller.content_image(size)

    def style_image(self, size: int | None = None) -> np.ndarray:
        """The chosen style image, ``(H, W, 3)`` float32 0–255, longest side ``size``."""
        return self.controller.style_image(size)

    def config(self) -> RunConfig:
        """The :class:`~stylelib.run.RunConfig` the next run uses (``ValueError`` for bad layer choices)."""
        return self.controller.config()

    @property
    def result(self) -> StyleResult | None:
        """The last finished (or stopped) run."""
        return self.controller.result

    @property
    def error(self) -> BaseException | None:
        """Why the last action failed, or ``None``."""
        return self.controller.error

    @property
    def running(self) -> bool:
        """True while a run is in progress."""
        return self.controller.running

    @property
    def stale(self) -> bool:
        """True when the images or settings changed since the run that made :attr:`result`."""
        return self.controller.stale

    @property
    def random_weights(self) -> bool:
        """True with untrained VGG-19 weights."""
        return self.controller.random_weights

    @property
    def weights(self) -> VGG19Weights:
        """The VGG-19 weights the runs use."""
        return self.controller.weights

    @property
    def status_text(self) -> str:
        """The status line's text (``controller.status.text``)."""
        return self.controller.status.text

    @property
    def status_kind(self) -> str:
        """The status line's kind, one of :data:`STATUS_KINDS`."""
        return self.controller.status.kind
