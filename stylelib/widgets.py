"""An ipywidgets panel to try style transfer by hand: :class:`StyleExplorer`.

    from stylelib.widgets import StyleExplorer
    explorer = StyleExplorer(weights=cfg.weights)
    explorer            # shows the panel in a notebook

Pick the content and style images from the bundled samples or upload your own, set the size, the
weights (content / style / total variation), the number of steps, the layers and the optimizer, then
press **Run**. The optimization runs in a background thread, so the panel stays responsive: the
preview and the loss plot are refreshed every few steps, and **Stop** ends the run early while keeping
the lowest-loss image seen so far. **Save** writes that image to the path in the text field and never
replaces an existing file unless *overwrite* is ticked. When a setting or an image changes after a run, the
status line says the result shown is out of date (and Save says it saves that previous result).

The weights are :class:`ipywidgets.SelectionSlider` s over round values (:data:`CONTENT_WEIGHTS`,
:data:`STYLE_WEIGHTS`, :data:`TV_WEIGHTS`), so the number a browser sends back is exactly the number shown
(a ``FloatLogSlider`` snaps to its log grid: 5 would come back as 10**0.7 = 5.0119). The defaults are
art.py's: content 5, style 100.

Everything the buttons do is also a plain method, so the panel can be driven without a browser
(that is how ``tests/test_widgets.py`` works)::

    explorer.size.value = 32
    explorer.steps.value = 3
    result = explorer.run(blocking=True)      # same as pressing Run, but waits for the end
    explorer._on_save_clicked(None)           # same as pressing Save
"""

from __future__ import annotations

import html
import io
import math
import re
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from . import images as _images
from . import samples as _samples
from .transfer import ART_CONTENT_LAYERS, ART_STYLE_LAYERS, StepInfo, StyleResult, stylize
from .vgg19 import CONV_LAYERS, RandomWeightsWarning, VGG19Weights, load_weights

__all__ = ["StyleExplorer", "png_bytes", "loss_plot_png", "PNG_SIGNATURE", "LAYER_WEIGHTINGS",
           "CONTENT_WEIGHTS", "STYLE_WEIGHTS", "TV_WEIGHTS"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

LAYER_WEIGHTINGS: dict[str, str] = {
    "art.py: deeper layers count more": "art",
    "equal: every layer 1.0": "equal",
}
"""How the chosen style layers are weighted: art.py's 0.5/1/1.5/3/4 (other layers 1.0) or all 1.0."""


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
"""The content weights the panel offers: 0, 0.01, 0.02, 0.05, …, 500, 1000 (art.py: 5)."""
STYLE_WEIGHTS: tuple[float, ...] = _round_values(-1, 5, zero=True)
"""The style weights the panel offers: 0, 0.1, 0.2, 0.5, …, 50000, 100000 (art.py: 100)."""
TV_WEIGHTS: tuple[float, ...] = _round_values(-5, 1)
"""The total-variation weights the panel offers when *smooth* is ticked: 0.00001 … 10 (default 0.001)."""

_LABEL_WIDTH = "120px"  # one label column for every described control

_UPLOAD_PREFIX = "upload: "
_FRESH = "1px solid #ccc"  # the preview's border: the result matches the settings…
_STALE = "2px dashed #b60"  # …or they changed since
_MAX_UPLOAD_SIDE = 1024  # uploaded images are shrunk to this longest side on arrival


def png_bytes(image: np.ndarray) -> bytes:
    """An RGB image ``(H, W, 3)`` (uint8, or float in 0–255) encoded as PNG bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(_images.to_uint8(np.asarray(image)))).save(buf, format="PNG")
    return buf.getvalue()


def loss_plot_png(steps, totals, *, random_weights: bool = False, width: float = 4.2,
                  height: float = 2.4) -> bytes:
    """A small log-scale plot of the total loss against the step, as PNG bytes.

    Drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (not ``pyplot``), so it is safe
    to call from the optimization's background thread.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    steps = list(steps)
    totals = list(totals)
    if steps:
        ax.plot(steps, totals, color="tab:blue")
        if all(t > 0 for t in totals):
            ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("total loss")
    if random_weights:
        ax.set_title("RANDOM WEIGHTS", color="red", fontsize=9, weight="bold")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _safe_suffix(name: str) -> str:
    suffix = Path(name or "").suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".img"


def decode_upload(data: bytes, name: str = "upload") -> np.ndarray:
    """Uploaded file bytes -> RGB image ``(H, W, 3)`` float32 in 0–255 (longest side at most 1024 px).

    Decoded by :func:`stylelib.images.load_image` (EXIF orientation, transparency, 16-bit…), so an
    upload behaves exactly like a file on disk. Raises :class:`stylelib.images.ImageError` naming ``name``.
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


class StyleExplorer:
    """A panel of widgets around :func:`stylelib.transfer.stylize`.

    Parameters
    ----------
    content, style
        Initial sample names (see :func:`stylelib.samples.list_samples`).
    weights
        A loaded :class:`~stylelib.vgg19.VGG19Weights`, ``"random"``, a path, or ``None`` for the
        default (``STYLELIB_WEIGHTS``). Random weights are announced in red in the panel.
    size, steps
        Initial longest side (pixels) and number of optimizer steps.
    preview_every
        Refresh the preview image and the loss plot every this many steps (and at the last one).
    save_path
        Initial value of the save path field.
    stylize_fn
        The function called to run (default :func:`stylelib.transfer.stylize`), with the keyword
        arguments of :meth:`config` plus ``callback``. Tests may wrap it to look at what it receives.

    Attributes
    ----------
    result : StyleResult or None
        The last finished (or stopped) run.
    panel : ipywidgets.VBox
        The whole panel (displaying the explorer displays this).
    """

    def __init__(self, content: str = "chelsea", style: str = "brick", *,
                 weights: VGG19Weights | str | None = None, size: int = 128, steps: int = 30,
                 preview_every: int = 5, save_path: str | None = None,
                 stylize_fn: Callable[..., StyleResult] | None = None):
        import ipywidgets as W

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RandomWeightsWarning)  # the panel says it louder
            self.weights = load_weights(weights)
        self.random_weights = bool(self.weights.is_random)
        self.preview_every = max(1, int(preview_every))
        self._stylize = stylize_fn or stylize
        self.result: StyleResult | None = None
        self.error: BaseException | None = None
        self._uploads: dict[str, np.ndarray] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False
        self._curve: tuple[list[int], list[float]] = ([], [])

        names = _samples.list_samples()
        for which, name in (("content", content), ("style", style)):
            if name not in names:
                _samples.get_sample(name)  # raises with the list of names
        label = {"description_width": _LABEL_WIDTH}
        row = W.Layout(width="400px", max_width="100%")  # label column + control, readout included

        def weight_slider(values, value, description, **kw):
            return W.SelectionSlider(options=[(_number_label(v), v) for v in values], value=value,
                                     description=description, style=label, layout=row, **kw)

        # --- images -----------------------------------------------------------------------------
        image_select = W.Layout(width="330px", max_width="100%")
        upload = W.Layout(width="190px")  # room for the whole "upload content (0)"
        self.content_select = W.Dropdown(options=names, value=content, description="content image",
                                         style=label, layout=image_select)
        self.style_select = W.Dropdown(options=names, value=style, description="style image",
                                       style=label, layout=image_select)
        self.content_upload = W.FileUpload(accept="image/*", multiple=False, description="upload content",
                                           layout=upload)
        self.style_upload = W.FileUpload(accept="image/*", multiple=False, description="upload style",
                                         layout=upload)
        self.content_upload.observe(lambda change: self._on_upload(change, "content"), names="value")
        self.style_upload.observe(lambda change: self._on_upload(change, "style"), names="value")

        # --- numbers ----------------------------------------------------------------------------
        self.size = W.IntSlider(value=size, min=32, max=512, step=16, description="size (px)",
                                style=label, layout=row)
        self.steps = W.IntSlider(value=steps, min=1, max=500, description="steps", style=label, layout=row)
        self.content_weight = weight_slider(CONTENT_WEIGHTS, 5.0, "content weight")
        self.style_weight = weight_slider(STYLE_WEIGHTS, 100.0, "style weight")
        self.tv_on = W.Checkbox(value=False, description="smooth (total variation)", indent=True, style=label,
                                layout=row)
        self.tv_weight = weight_slider(TV_WEIGHTS, 1e-3, "TV weight", disabled=True)
        self.tv_on.observe(lambda change: setattr(self.tv_weight, "disabled", not change["new"]), names="value")
        self.seed = W.BoundedIntText(value=0, min=0, max=2**31 - 1, description="seed", style=label,
                                     layout=W.Layout(width="250px"))

        # --- choices ----------------------------------------------------------------------------
        # every layer is a visible row, so the chosen ones (conv4_1, conv5_1, conv4_2…) never hide below a fold
        self.style_layers = W.SelectMultiple(options=CONV_LAYERS, value=tuple(ART_STYLE_LAYERS),
                                             rows=len(CONV_LAYERS), description="style layers", style=label,
                                             layout=W.Layout(width="220px"))
        self.content_layers = W.SelectMultiple(options=CONV_LAYERS, value=tuple(ART_CONTENT_LAYERS),
                                               rows=len(CONV_LAYERS), description="content layers",
                                               style={"description_width": "initial"},
                                               layout=W.Layout(width="200px"))
        self.layer_weighting = W.Dropdown(options=LAYER_WEIGHTINGS, value="art", description="style weighting",
                                          style=label, layout=row)
        self.optimizer = W.ToggleButtons(options=[("L-BFGS", "lbfgs"), ("Adam", "adam")], value="lbfgs",
                                         description="optimizer",
                                         style={"description_width": _LABEL_WIDTH, "button_width": "80px"},
                                         layout=W.Layout(width="400px", max_width="100%"))
        # ipywidgets 8 lays ToggleButtons out as a block, its label above the buttons: the class the other
        # controls have puts the label in the same right-aligned column
        self.optimizer.add_class("widget-inline-hbox")
        self.init = W.Dropdown(options=["content", "noise", "blend"], value="content", description="start from",
                               style=label, layout=row)

        # --- actions and outputs ----------------------------------------------------------------
        self.run_button = W.Button(description="Run", button_style="success", icon="play",
                                   layout=W.Layout(width="100px"))
        self.stop_button = W.Button(description="Stop", button_style="danger", icon="stop", disabled=True,
                                    layout=W.Layout(width="100px"))
        self.run_button.on_click(self._on_run_clicked)
        self.stop_button.on_click(self._on_stop_clicked)
        self.progress = W.IntProgress(value=0, min=0, max=steps, description="step 0",
                                      style={"description_width": "70px"},
                                      layout=W.Layout(width="340px", max_width="100%"))
        self.preview = W.Image(format="png", layout=W.Layout(width="256px", max_width="100%", border=_FRESH))
        self.loss_plot = W.Image(format="png", value=loss_plot_png([], [], random_weights=self.random_weights),
                                 layout=W.Layout(width="340px", max_width="100%"))
        default_path = save_path or ("outputs/stylized-RANDOM-WEIGHTS.png" if self.random_weights
                                     else "outputs/stylized.png")
        self.save_path = W.Text(value=default_path, description="save to", style=label,
                                layout=W.Layout(flex="1 1 360px", width="auto", min_width="280px",
                                                max_width="640px"))
        self.save_button = W.Button(description="Save", icon="save", disabled=True, layout=W.Layout(width="90px"))
        self.overwrite = W.Checkbox(value=False, description="overwrite", indent=False,
                                    layout=W.Layout(width="110px"))
        self.save_button.on_click(self._on_save_clicked)
        self.status = W.HTML()
        self.banner = W.HTML(
            "<b style='color:#c00'>RANDOM WEIGHTS: this VGG-19 is untrained. The results are texture "
            "noise, not paintings; the mechanics (losses, steps, Stop, Save) are real.</b>"
            if self.random_weights else f"weights: {html.escape(str(self.weights.source))}"
        )
        self._set_status("ready — press Run" + self._random_note(), "info")

        # --- layout: two columns side by side when there is room (~900 px), stacked when not -----
        wrap = dict(flex_flow="row wrap", align_items="center")
        controls = W.VBox([
            W.HBox([self.content_select, self.content_upload], layout=W.Layout(**wrap)),
            W.HBox([self.style_select, self.style_upload], layout=W.Layout(**wrap)),
            self.size, self.steps, self.content_weight, self.style_weight,
            self.tv_on, self.tv_weight,
            self.init, self.optimizer, self.layer_weighting, self.seed,
            W.HBox([self.style_layers, self.content_layers], layout=W.Layout(**wrap)),
            W.HTML("<span style='color:#666'>ctrl- or ⌘-click to choose several layers</span>",
                   layout=W.Layout(margin=f"0 0 0 {_LABEL_WIDTH}")),
        ], layout=W.Layout(flex="1 1 520px", max_width="560px", margin="0 12px 8px 0"))
        outputs = W.VBox([
            W.HBox([self.run_button, self.stop_button]), self.progress,
            self.preview, self.loss_plot,
        ], layout=W.Layout(flex="1 1 340px", min_width="260px"))
        self.panel = W.VBox([
            self.banner,
            W.Box([controls, outputs], layout=W.Layout(flex_flow="row wrap", align_items="flex-start")),
            W.HBox([self.save_path, self.save_button, self.overwrite], layout=W.Layout(**wrap)),
            self.status,
        ], layout=W.Layout(max_width="960px"))
        self.preview.value = png_bytes(self.content_image(self.size.value))

        # --- a result goes out of date when anything it was made from changes --------------------
        self._upload_versions: dict[str, int] = {}
        self._result_key: tuple | None = None  # _settings_key() of the run that made self.result
        self._run_key: tuple | None = None
        self._result_status: tuple[str, str] = ("", "info")  # the status the last result was announced with
        for widget in self._setting_widgets():
            widget.observe(self._on_setting_changed, names="value")

    # ------------------------------------------------------------------ display
    def _repr_mimebundle_(self, **kwargs):
        bundle = self.panel._repr_mimebundle_(**kwargs)
        # a short, stable text form (nbval compares text/plain; the widget view itself is not compared)
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return (f"StyleExplorer(content={self.content_select.value!r}, style={self.style_select.value!r}, "
                f"size={self.size.value}, steps={self.steps.value}, random_weights={self.random_weights})")

    # ------------------------------------------------------------------ state
    @property
    def running(self) -> bool:
        """True while a run is in progress."""
        return self._running

    def _random_note(self) -> str:
        return " — RANDOM WEIGHTS (untrained VGG-19)" if self.random_weights else ""

    def _set_status(self, text: str, kind: str = "info") -> None:
        color = {"info": "#333", "ok": "#070", "error": "#c00", "warn": "#b60"}[kind]
        self.status_kind = kind
        self.status_text = text
        self.status.value = f"<span style='color:{color}'>{html.escape(text)}</span>"

    def _setting_widgets(self) -> list:
        """The widgets a result depends on (not the save path, overwrite or the buttons)."""
        return [self.content_select, self.style_select, self.size, self.steps, self.content_weight,
                self.style_weight, self.tv_on, self.tv_weight, self.init, self.optimizer, self.layer_weighting,
                self.seed, self.style_layers, self.content_layers]

    def _settings_key(self) -> tuple:
        """Everything a run is made from, comparable with ``==`` (an upload counts by its version)."""
        def image(select):
            return select.value, self._upload_versions.get(select.value, 0)

        return (image(self.content_select), image(self.style_select), int(self.size.value),
                int(self.steps.value), float(self.content_weight.value), float(self.style_weight.value),
                float(self.tv_weight.value) if self.tv_on.value else 0.0, self.init.value, self.optimizer.value,
                self.layer_weighting.value, int(self.seed.value), tuple(sorted(self.style_layers.value)),
                tuple(sorted(self.content_layers.value)))

    @property
    def stale(self) -> bool:
        """True when there is a result but the images or settings changed since its run started."""
        return self.result is not None and self._settings_key() != self._result_key

    def _stale_text(self) -> str:
        return (f"settings changed since this result (step {self.result.best_step}) — press Run for a new "
                "one; Save still saves the old result")

    def _show_result_state(self) -> None:
        """After a change: say whether the result shown still matches the settings."""
        stale = self.stale
        self.preview.layout.border = _STALE if stale else _FRESH
        if stale:
            self._set_status(self._stale_text() + self._random_note(), "warn")
        elif self.result is not None and self._result_status[0]:
            self._set_status(*self._result_status)  # changed back: the result is current again

    def _on_setting_changed(self, change=None) -> None:
        if self._running:
            return  # the run uses the settings it started with; its end says if they changed meanwhile
        if self.result is not None:
            self._show_result_state()
        elif change is not None and change.get("owner") is self.content_select:
            try:  # no result yet: the preview shows the content image
                self.preview.value = png_bytes(self.content_image(self.size.value))
            except (_images.ImageError, ValueError, OSError) as exc:
                self._set_status(f"could not show the content image: {exc}", "error")

    def _image_for(self, which: str) -> np.ndarray | str:
        select = self.content_select if which == "content" else self.style_select
        choice = select.value
        if choice in self._uploads:
            return self._uploads[choice]
        return choice

    def content_image(self, size: int | None = None) -> np.ndarray:
        """The chosen content image as an array ``(H, W, 3)`` float 0–255 (longest side ``size``)."""
        from .transfer import as_image

        return as_image(self._image_for("content"), size)

    def style_image(self, size: int | None = None) -> np.ndarray:
        """The chosen style image as an array ``(H, W, 3)`` float 0–255 (longest side ``size``)."""
        from .transfer import as_image

        return as_image(self._image_for("style"), size)

    def config(self) -> dict:
        """The keyword arguments the next run passes to ``stylize`` (everything but ``callback``)."""
        style_layers = list(self.style_layers.value)
        content_layers = list(self.content_layers.value)
        if not style_layers and self.style_weight.value > 0:
            raise ValueError("choose at least one style layer (or nothing to imitate)")
        if not content_layers:
            raise ValueError("choose at least one content layer")
        if self.layer_weighting.value == "art":
            style = {l: ART_STYLE_LAYERS.get(l, 1.0) for l in style_layers}
        else:
            style = {l: 1.0 for l in style_layers}
        return dict(
            content=self._image_for("content"), style=self._image_for("style"),
            size=int(self.size.value), iterations=int(self.steps.value), optimizer=self.optimizer.value,
            content_weight=float(self.content_weight.value), style_weight=float(self.style_weight.value),
            tv_weight=float(self.tv_weight.value) if self.tv_on.value else 0.0,
            content_layers={l: 1.0 for l in content_layers}, style_layers=style or {"conv1_1": 1.0},
            init=self.init.value, seed=int(self.seed.value), weights=self.weights,
        )

    # ------------------------------------------------------------------ running
    def run(self, blocking: bool = False) -> StyleResult | None:
        """Start a run with the current settings (what **Run** does).

        ``blocking=False`` starts a background thread and returns at once (see :meth:`wait`);
        ``blocking=True`` runs in the calling thread and returns the :class:`StyleResult` (or ``None`` if
        the run could not start or failed — the status label says why).
        """
        if self._running:
            self._set_status("already running — press Stop first", "warn")
            return None
        try:
            kwargs = self.config()
        except ValueError as exc:
            self._set_status(f"cannot run: {exc}", "error")
            return None
        self._run_key = self._settings_key()
        self._stop.clear()
        self._running = True
        self.error = None
        self._curve = ([], [])
        self.run_button.disabled = True
        self.stop_button.disabled = False
        self.save_button.disabled = True
        self.progress.max = kwargs["iterations"]
        self.progress.value = 0
        self.progress.description = "step 0"
        self._set_status(f"running {kwargs['iterations']} {kwargs['optimizer']} steps at {kwargs['size']} px"
                         + self._random_note(), "info")
        if blocking:
            self._work(kwargs)
            return self.result
        self._thread = threading.Thread(target=self._work, args=(kwargs,), name="StyleExplorer-run", daemon=True)
        self._thread.start()
        return None

    def wait(self, timeout: float | None = None) -> StyleResult | None:
        """Wait for a background run to end; returns :attr:`result`."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.result

    def stop(self) -> None:
        """Ask the run to stop after the current step (what **Stop** does)."""
        if self._running:
            self._stop.set()
            self._set_status("stopping after this step…", "warn")

    def _callback(self, info: StepInfo) -> bool:
        self.progress.value = info.step
        self.progress.description = f"step {info.step}"
        steps, totals = self._curve
        steps.append(info.step)
        totals.append(info.record.total)
        if info.step % self.preview_every == 0 or info.step == info.iterations:
            self._refresh(info.image())
        return not self._stop.is_set()

    def _refresh(self, image: np.ndarray) -> None:
        self.preview.value = png_bytes(image)
        self.loss_plot.value = loss_plot_png(*self._curve, random_weights=self.random_weights)

    def _work(self, kwargs: dict) -> None:
        try:
            result = self._stylize(**kwargs, callback=self._callback)
        except Exception as exc:  # shown in the panel: a thread's exception would otherwise vanish
            self.error = exc
            self._set_status(f"the run failed: {type(exc).__name__}: {exc}", "error")
        else:
            self.result = result
            self._result_key = self._run_key
            self._curve = (list(result.series("step").astype(int)), list(result.series("total")))
            self._refresh(result.best_image)
            n = len(result.history)
            how = f"stopped after {n} steps" if result.interrupted else f"done: {n} steps"
            best = (f"; kept the best image (step {result.best_step}, loss {result.best_loss:.4g})"
                    if math.isfinite(result.best_loss) else "")
            self._result_status = (how + best + self._random_note(), "warn" if result.interrupted else "ok")
            self._set_status(*self._result_status)
        finally:
            self._running = False
            if self.error is None and self.stale:  # settings changed while it ran
                self.preview.layout.border = _STALE
                self._set_status(f"{self.status_text} — but {self._stale_text()}", "warn")
            elif self.error is None:
                self.preview.layout.border = _FRESH
            self.run_button.disabled = False
            self.stop_button.disabled = True
            self.save_button.disabled = self.result is None

    # ------------------------------------------------------------------ handlers
    def _on_run_clicked(self, _button=None) -> None:
        self.run(blocking=False)

    def _on_stop_clicked(self, _button=None) -> None:
        self.stop()

    def _on_save_clicked(self, _button=None) -> Path | None:
        """Save the best image of the last run to the path field; errors go to the status label."""
        if self.result is None:
            self._set_status("nothing to save yet — press Run first", "error")
            return None
        path = self.save_path.value.strip()
        if not path:
            self._set_status("give a file name to save to, e.g. outputs/stylized.png", "error")
            return None
        try:
            written = _images.save_image(self.result.best_image, path, overwrite=bool(self.overwrite.value))
        except FileExistsError:  # images' own message gives API advice (overwrite=True, --overwrite)
            self._set_status(self._exists_text(Path(path).expanduser()), "error")
            return None
        except (_images.ImageError, ValueError, OSError) as exc:
            self._set_status(f"not saved: {exc}", "error")
            return None
        if self.stale:
            self._set_status(f"saved the previous result (best image, step {self.result.best_step}; made before "
                             f"the settings changed) to {written} — press Run for a new one"
                             + self._random_note(), "warn")
        else:
            self._set_status(f"saved the best image (step {self.result.best_step}) to {written}"
                             + self._random_note(), "ok")
        return written

    @staticmethod
    def _exists_text(path: Path) -> str:
        try:
            free = f" (e.g. {_images.next_free_path(path).name})"
        except Exception:  # only a suggestion
            free = ""
        return (f"not saved: {path} already exists and was left untouched — tick 'overwrite' to replace it, "
                f"or change the file name{free}")

    def _on_upload(self, change, which: str = "content") -> None:
        """A file arrived in one of the upload buttons: decode it and select it (errors -> status)."""
        entries = _upload_entries(change["new"] if isinstance(change, Mapping) and "new" in change else change)
        if not entries:
            return
        entry = entries[-1]
        name = str(entry.get("name") or "upload")
        try:
            img = decode_upload(entry.get("content", b""), name)
        except (_images.ImageError, ValueError, OSError) as exc:
            self._set_status(f"could not use the uploaded {which} image: {exc}", "error")
            return
        self.add_image(img, name, which)
        text = f"{which} image: {name} ({img.shape[1]}×{img.shape[0]} px)"
        if self.stale and not self._running:
            self._set_status(f"{text} — {self._stale_text()}", "warn")
        else:
            self._set_status(text, "ok")

    def add_image(self, image: np.ndarray, name: str, which: str = "content") -> str:
        """Offer an RGB array as an image choice and select it for ``which`` ('content' or 'style')."""
        if which not in ("content", "style"):
            raise ValueError(f"which must be 'content' or 'style', got {which!r}")
        label = _UPLOAD_PREFIX + name
        self._uploads[label] = np.asarray(image, np.float32)
        self._upload_versions[label] = self._upload_versions.get(label, 0) + 1  # a new file under an old name
        for select in (self.content_select, self.style_select):
            if label not in select.options:
                keep = select.value  # replacing the options would otherwise reset the choice
                select.options = (*select.options, label)
                select.value = keep
        (self.content_select if which == "content" else self.style_select).value = label
        if which == "content" and not self._running and self.result is None:
            self.preview.value = png_bytes(self.content_image(self.size.value))
        self._on_setting_changed()  # the same name again changes no value, but the image is new
        return label
