"""The StyleExplorer panel, driven without a browser: widget values are set and handlers called directly.

Tiny runs (32 px, 3 steps) with random weights keep the whole file to a few seconds.
"""

from __future__ import annotations

import datetime
import inspect
import io
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from PIL import Image

from stylelib import transfer
from stylelib.session import ART_CONTENT_WEIGHT, ART_STYLE_WEIGHT
from stylelib.vgg19 import CONV_LAYERS, RandomWeightsWarning, load_weights
from stylelib.widgets import (CONTENT_WEIGHTS, LAYER_WEIGHTINGS, PNG_SIGNATURE, STYLE_WEIGHTS, TV_WEIGHTS,
                              StyleExplorer, loss_plot_png, png_bytes)


@pytest.fixture(scope="module")
def weights():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RandomWeightsWarning)
        return load_weights("random")


def tiny(weights, **kwargs) -> StyleExplorer:
    ex = StyleExplorer("chelsea", "brick", weights=weights, size=32, steps=3, preview_every=1, **kwargs)
    ex.style_layers.value = ("conv1_1", "conv2_1")  # a shallow net keeps the runs quick
    ex.content_layers.value = ("conv2_2",)
    return ex


def png(width: int = 20, height: int = 12, color=(200, 30, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def test_random_weights_are_announced(weights):
    ex = tiny(weights)
    assert ex.random_weights
    assert "RANDOM WEIGHTS" in ex.banner.value
    assert "RANDOM WEIGHTS" in ex.status.value
    assert "RANDOM-WEIGHTS" in ex.save_path.value
    assert "random_weights=True" in repr(ex)
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == repr(ex)
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_run_makes_a_preview_and_a_full_history(weights):
    ex = tiny(weights)
    result = ex.run(blocking=True)
    assert ex.error is None, ex.error
    assert result is ex.result
    assert len(result.history) == ex.steps.value == 3
    assert not result.interrupted
    assert bytes(ex.preview.value).startswith(PNG_SIGNATURE) and len(ex.preview.value) > len(PNG_SIGNATURE)
    assert bytes(ex.loss_plot.value).startswith(PNG_SIGNATURE)
    assert ex.progress.value == 3 and ex.progress.max == 3
    assert not ex.running and not ex.run_button.disabled and ex.stop_button.disabled
    assert not ex.save_button.disabled
    assert "done: 3 steps" in ex.status_text and "RANDOM WEIGHTS" in ex.status_text
    shown = np.asarray(Image.open(io.BytesIO(bytes(ex.preview.value))))
    assert shown.shape == result.best_image.shape  # the preview ends on the best image


def test_stop_during_a_run_keeps_the_best_image(weights):
    def stop_after_two(**kwargs):
        inner = kwargs["callback"]

        def callback(info):
            if info.step == 2:
                ex._on_stop_clicked(None)  # as if Stop was pressed while step 2 ran
            return inner(info)

        return transfer.stylize(**{**kwargs, "callback": callback})

    ex = tiny(weights, stylize_fn=stop_after_two)
    ex.steps.value = 10
    result = ex.run(blocking=True)
    assert result.interrupted
    assert len(result.history) == 2
    assert result.best_image.shape == (21, 32, 3) and result.best_image.dtype == np.uint8
    assert result.best_loss == min(r.total for r in result.history)
    assert "stopped after 2 steps" in ex.status_text and "kept the best image" in ex.status_text
    assert bytes(ex.preview.value).startswith(PNG_SIGNATURE)


def test_stop_button_in_a_background_run(weights):
    ex = tiny(weights)
    ex.steps.value = 200
    ex._on_run_clicked(None)  # returns at once: the run is in a thread
    assert ex.running and ex.run_button.disabled and not ex.stop_button.disabled
    assert ex.run(blocking=True) is None and "already running" in ex.status_text
    ex._on_stop_clicked(None)
    result = ex.wait(timeout=60)
    assert not ex.running
    assert result is not None and result.interrupted
    assert 1 <= len(result.history) < 200
    assert result.best_image is not None


def test_save_never_overwrites_silently(weights, tmp_path):
    ex = tiny(weights)
    ex._on_save_clicked(None)
    assert ex.status_kind == "error" and "nothing to save" in ex.status_text
    ex.run(blocking=True)
    target = tmp_path / "out" / "styled.png"
    ex.save_path.value = str(target)
    assert ex._on_save_clicked(None) == target
    assert ex.status_kind == "ok" and target.read_bytes().startswith(PNG_SIGNATURE)
    before = target.read_bytes()
    ex.run(blocking=True)
    ex.result.best_image[...] = 0  # a different picture: an overwrite would change the bytes
    assert ex._on_save_clicked(None) is None
    assert ex.status_kind == "error" and "already exists" in ex.status_text
    assert target.read_bytes() == before
    ex.overwrite.value = True
    assert ex._on_save_clicked(None) == target
    assert target.read_bytes() != before


def test_save_to_an_unknown_format_is_an_error_status(weights, tmp_path):
    ex = tiny(weights)
    ex.run(blocking=True)
    ex.save_path.value = str(tmp_path / "styled.xyz")
    assert ex._on_save_clicked(None) is None
    assert ex.status_kind == "error" and "suffix" in ex.status_text
    assert not (tmp_path / "styled.xyz").exists()


def test_upload_png_sets_the_content_image(weights):
    ex = tiny(weights)
    ex._on_upload({"new": ({"name": "red.png", "type": "image/png", "content": memoryview(png())},)}, "content")
    assert ex.status_kind == "ok", ex.status_text
    assert ex.content_select.value == "upload: red.png"
    assert ex.style_select.value == "brick"  # the other choice is untouched
    img = ex.content_image()
    assert img.shape == (12, 20, 3)
    assert np.allclose(img[0, 0], (200, 30, 40))
    assert ex.config()["content"] is ex._uploads["upload: red.png"]
    result = ex.run(blocking=True)
    assert result.config["shape"] == (19, 32, 3)  # the uploaded image, resized to 32 px


def test_upload_through_the_file_upload_widget(weights):
    ex = tiny(weights)
    ex.style_upload.value = ({"name": "blue.png", "type": "image/png", "size": 0,
                              "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                              "content": memoryview(png(color=(0, 0, 255)))},)
    assert ex.style_select.value == "upload: blue.png", ex.status_text
    assert np.allclose(ex.style_image()[0, 0], (0, 0, 255))


def test_bad_upload_shows_an_error(weights):
    ex = tiny(weights)
    ex._on_upload({"new": ({"name": "notes.png", "content": b"this is not an image"},)}, "content")
    assert ex.status_kind == "error"
    assert "notes.png" in ex.status_text and "could not use" in ex.status_text
    assert ex.content_select.value == "chelsea"
    ex._on_upload({"new": ({"name": "empty.png", "content": b""},)}, "style")
    assert ex.status_kind == "error" and "empty" in ex.status_text
    assert ex.style_select.value == "brick"


def test_widget_values_reach_stylize(weights):
    seen = []

    def spy(**kwargs):
        seen.append(kwargs)
        return transfer.stylize(**kwargs)

    ex = tiny(weights, stylize_fn=spy)
    ex.size.value = 48
    ex.steps.value = 2
    ex.content_weight.value = 0.5
    ex.style_weight.value = 1000.0
    ex.tv_on.value = True
    assert not ex.tv_weight.disabled
    ex.tv_weight.value = 0.01
    ex.optimizer.value = "adam"
    ex.init.value = "noise"
    ex.seed.value = 7
    ex.style_layers.value = ("conv1_1", "conv3_1")
    ex.content_layers.value = ("conv2_2",)
    ex.layer_weighting.value = "art"
    config = ex.config()
    assert config["style_layers"] == {"conv1_1": 0.5, "conv3_1": 1.5}
    ex.layer_weighting.value = "equal"
    result = ex.run(blocking=True)
    kw = seen[-1]
    assert callable(kw["callback"])
    assert (kw["size"], kw["iterations"], kw["optimizer"], kw["init"], kw["seed"]) == (48, 2, "adam", "noise", 7)
    assert kw["content_weight"] == pytest.approx(0.5)
    assert kw["style_weight"] == pytest.approx(1000.0)
    assert kw["tv_weight"] == pytest.approx(0.01)
    assert kw["style_layers"] == {"conv1_1": 1.0, "conv3_1": 1.0}
    assert kw["content_layers"] == {"conv2_2": 1.0}
    assert kw["weights"] is weights
    assert result.config["size"] == 48 and result.config["optimizer"] == "adam"
    assert len(result.history) == 2
    ex.tv_on.value = False
    assert ex.config()["tv_weight"] == 0.0 and ex.tv_weight.disabled


def test_bad_settings_are_reported_not_raised(weights):
    ex = tiny(weights)
    ex.content_layers.value = ()
    assert ex.run(blocking=True) is None
    assert ex.status_kind == "error" and "content layer" in ex.status_text
    assert not ex.running and not ex.run_button.disabled


def test_a_failing_run_is_reported(weights):
    def boom(**kwargs):
        raise RuntimeError("out of memory (simulated)")

    ex = tiny(weights, stylize_fn=boom)
    assert ex.run(blocking=True) is None
    assert ex.status_kind == "error" and "simulated" in ex.status_text
    assert isinstance(ex.error, RuntimeError)
    assert not ex.running and ex.stop_button.disabled


def test_png_helpers():
    data = png_bytes(np.full((5, 7, 3), 128.0))
    assert data.startswith(PNG_SIGNATURE)
    assert np.asarray(Image.open(io.BytesIO(data))).shape == (5, 7, 3)
    assert loss_plot_png([1, 2, 3], [10.0, 5.0, 2.0], random_weights=True).startswith(PNG_SIGNATURE)
    assert loss_plot_png([], []).startswith(PNG_SIGNATURE)


# ---------------------------------------------------------------- exact weights (a browser sends an index back)
def test_default_weights_are_art_py_exactly(weights):
    ex = tiny(weights)
    config = ex.config()
    assert config["content_weight"] == 5.0 == ART_CONTENT_WEIGHT
    assert config["style_weight"] == 100.0 == ART_STYLE_WEIGHT
    defaults = inspect.signature(transfer.stylize).parameters
    assert config["content_weight"] == defaults["content_weight"].default
    assert config["style_weight"] == defaults["style_weight"].default
    assert config["tv_weight"] == 0.0  # smoothing off by default
    ex.tv_on.value = True
    assert ex.config()["tv_weight"] == 0.001


@pytest.mark.parametrize("name, values", [("content_weight", CONTENT_WEIGHTS), ("style_weight", STYLE_WEIGHTS),
                                          ("tv_weight", TV_WEIGHTS)])
def test_every_weight_option_is_an_exact_round_number(weights, name, values):
    ex = tiny(weights)
    ex.tv_on.value = True
    widget = getattr(ex, name)
    options = list(widget.options)
    assert [v for _, v in options] == list(values)
    assert values == tuple(sorted(set(values))) and len(values) >= 10
    for index, (label, value) in enumerate(options):
        assert type(value) is float
        assert float(label) == value and "e" not in label  # the readout shows the exact number
        assert value == 0 or float(f"{value:.1g}") == value  # 1, 2 or 5 × a power of ten
        widget.index = index  # what the browser sends when the slider moves
        assert ex.config()[name] == value and type(ex.config()[name]) is float
        widget.value = value  # what a script does
        assert widget.index == index and ex.config()[name] == value
    with pytest.raises(Exception):  # a value between the options (10**0.7 = 5.0119…) is refused
        widget.value = 10 ** 0.7


def test_weight_ranges_cover_the_old_sliders():
    assert CONTENT_WEIGHTS[0] == 0.0 and 0.01 in CONTENT_WEIGHTS and CONTENT_WEIGHTS[-1] == 1000.0
    assert 5.0 in CONTENT_WEIGHTS and 0.5 in CONTENT_WEIGHTS
    assert STYLE_WEIGHTS[0] == 0.0 and 0.1 in STYLE_WEIGHTS and STYLE_WEIGHTS[-1] == 1e5 and 100.0 in STYLE_WEIGHTS
    assert TV_WEIGHTS[0] == 1e-5 and TV_WEIGHTS[-1] == 10.0 and 1e-3 in TV_WEIGHTS


# ---------------------------------------------------------------- layout for a 600–700 px output area
def _px(value) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)px", str(value or ""))
    return float(m.group(1)) if m else 0.0


def _min_width(widget) -> float:
    """The narrowest a widget can be: fixed px widths; rows that do not wrap add up, columns take the widest."""
    import ipywidgets as W

    layout = widget.layout
    own = max(_px(layout.width), _px(layout.min_width))
    if isinstance(widget, W.Box):
        kids = [_min_width(c) for c in widget.children]
        wraps = "wrap" in str(layout.flex_flow or "")
        column = isinstance(widget, W.VBox) or "column" in str(layout.flex_flow or "")
        inner = max(kids, default=0) if (column or wraps) else sum(kids) + 8 * len(kids)
        return max(own, inner)
    return own + 4  # margins


def test_panel_fits_a_600px_output_area(weights):
    import ipywidgets as W

    ex = tiny(weights)
    assert _min_width(ex.panel) <= 600
    columns = ex.panel.children[1]
    assert "wrap" in columns.layout.flex_flow  # side by side when there is room, stacked when not
    controls, outputs = columns.children
    assert ex.preview in outputs.children and ex.loss_plot in outputs.children
    # Save sits right after the path field, in its own row under both columns (not pushed past the plot)
    save_row = next(c for c in ex.panel.children if isinstance(c, W.HBox) and ex.save_path in c.children)
    assert save_row.children.index(ex.save_button) == save_row.children.index(ex.save_path) + 1
    assert ex.overwrite in save_row.children
    assert ex.save_path.layout.width == "auto" and "1 1" in ex.save_path.layout.flex  # takes the free width
    assert _px(ex.save_path.layout.min_width) >= 280


def test_labels_and_buttons_have_room(weights):
    ex = tiny(weights)
    # one label column: every described control uses the same fixed label width, wide enough for its text
    labelled = [ex.content_select, ex.style_select, ex.size, ex.steps, ex.content_weight, ex.style_weight,
                ex.tv_weight, ex.init, ex.optimizer, ex.layer_weighting, ex.seed, ex.style_layers, ex.save_path]
    width = _px(ex.size.style.description_width)
    assert width >= 110
    for widget in labelled:
        assert widget.style.description_width == ex.size.style.description_width, widget.description
        assert len(widget.description) * 7.5 <= width, widget.description  # ~7.5 px a character at 13 px
    assert ex.optimizer.description == "optimizer" and "widget-inline-hbox" in ex.optimizer._dom_classes
    assert ex.tv_on.indent and ex.tv_on.style.description_width == ex.size.style.description_width
    # the upload buttons show "upload content (0)": icon + 18 characters + padding
    for upload in (ex.content_upload, ex.style_upload):
        text = f"{upload.description} (0)"
        assert _px(upload.layout.width) >= 20 + 20 + 7.5 * len(text), upload.layout.width
    # the style-weighting dropdown shows its longest option in full (the arrow takes ~20 px)
    field = _px(ex.layer_weighting.layout.width) - width
    assert max(len(k) for k in LAYER_WEIGHTINGS) * 7.5 + 20 <= field
    assert "art.py: deeper layers count more" in LAYER_WEIGHTINGS
    # sliders leave room for their readout (~72 px) next to a usable track
    for slider in (ex.size, ex.steps, ex.content_weight, ex.style_weight, ex.tv_weight):
        assert _px(slider.layout.width) - width >= 72 + 150


def test_every_selected_layer_is_visible_without_scrolling(weights):
    ex = StyleExplorer("chelsea", "brick", weights=weights, size=32, steps=3)  # art.py's layers
    assert set(ex.style_layers.value) >= {"conv4_1", "conv5_1"} and "conv4_2" in ex.content_layers.value
    for select in (ex.style_layers, ex.content_layers):
        assert select.rows >= len(CONV_LAYERS) == len(select.options) == 16
        assert all(select.options.index(layer) < select.rows for layer in select.value)


# ---------------------------------------------------------------- an out-of-date result says so
def _changes(ex):
    """One change to each setting a result depends on (as (widget, new value))."""
    return [(ex.content_select, "coffee"), (ex.style_select, "grass"), (ex.size, 48), (ex.steps, 4),
            (ex.content_weight, 10.0), (ex.style_weight, 200.0), (ex.tv_on, True), (ex.init, "noise"),
            (ex.optimizer, "adam"), (ex.layer_weighting, "equal"), (ex.seed, 3),
            (ex.style_layers, ("conv1_1",)), (ex.content_layers, ("conv3_2",))]


def test_changing_a_setting_after_a_run_marks_the_result_out_of_date(weights, tmp_path):
    ex = tiny(weights)
    result = ex.run(blocking=True)
    shown = bytes(ex.preview.value)
    assert not ex.stale and "done: 3 steps" in ex.status_text
    ex.content_select.value = "coffee"
    assert ex.stale and ex.status_kind == "warn"
    assert f"settings changed since this result (step {result.best_step})" in ex.status_text
    assert "press Run" in ex.status_text and "Save still saves the old result" in ex.status_text
    assert "done" not in ex.status_text
    assert bytes(ex.preview.value) == shown  # still the result (what Save saves), now marked…
    assert "dashed" in ex.preview.layout.border  # …with a dashed border
    # Save says it saves the previous result, and does save exactly that one
    target = tmp_path / "old.png"
    ex.save_path.value = str(target)
    assert ex._on_save_clicked(None) == target
    assert "saved the previous result" in ex.status_text and f"step {result.best_step}" in ex.status_text
    assert np.array_equal(np.asarray(Image.open(target)), result.best_image)
    # back to the settings of the result: it is current again
    ex.content_select.value = "chelsea"
    assert not ex.stale and "done: 3 steps" in ex.status_text and "dashed" not in ex.preview.layout.border
    # a new run clears it
    ex.steps.value = 2
    assert ex.stale
    ex.run(blocking=True)
    assert not ex.stale and "done: 2 steps" in ex.status_text and "settings changed" not in ex.status_text


def test_every_setting_counts_and_the_save_path_does_not(weights):
    ex = tiny(weights)
    ex.run(blocking=True)
    ex.save_path.value = "elsewhere.png"
    ex.overwrite.value = True
    ex.tv_weight.value = 0.01  # smoothing is off: the run does not use it
    assert not ex.stale and "done" in ex.status_text
    for widget, value in _changes(ex):
        old = widget.value
        widget.value = value
        assert ex.stale and "settings changed" in ex.status_text, widget.description
        widget.value = old
        assert not ex.stale, widget.description


def test_uploading_after_a_run_marks_the_result_out_of_date(weights):
    ex = tiny(weights)
    ex.run(blocking=True)
    shown = bytes(ex.preview.value)
    ex._on_upload({"new": ({"name": "red.png", "content": memoryview(png())},)}, "style")
    assert ex.style_select.value == "upload: red.png" and ex.stale
    assert "style image: red.png" in ex.status_text and "settings changed" in ex.status_text
    assert bytes(ex.preview.value) == shown
    ex.run(blocking=True)
    assert not ex.stale
    # the same file name again is a new image all the same
    ex._on_upload({"new": ({"name": "red.png", "content": memoryview(png(color=(0, 90, 0)))},)}, "style")
    assert ex.stale and "settings changed" in ex.status_text


def test_a_change_during_a_run_is_reported_at_its_end(weights):
    def change_midway(**kwargs):
        inner = kwargs["callback"]

        def callback(info):
            if info.step == 1:
                ex.seed.value = 5  # as if the user moved a control while it ran
                assert "running" in ex.status_text  # the run's own status is left alone meanwhile
            return inner(info)

        return transfer.stylize(**{**kwargs, "callback": callback})

    ex = tiny(weights, stylize_fn=change_midway)
    result = ex.run(blocking=True)
    assert result.config["seed"] == 0
    assert ex.stale and ex.status_kind == "warn"
    assert "done: 3 steps" in ex.status_text and "settings changed since this result" in ex.status_text


def test_before_any_run_the_preview_follows_the_content_image(weights):
    ex = tiny(weights)
    before = bytes(ex.preview.value)
    ex.content_select.value = "coffee"
    assert not ex.stale and bytes(ex.preview.value) != before
    assert np.asarray(Image.open(io.BytesIO(bytes(ex.preview.value)))).shape == ex.content_image(32).shape
    assert "ready" in ex.status_text


# ---------------------------------------------------------------- save wording for the panel
def test_an_existing_file_gives_panel_advice(weights, tmp_path):
    ex = tiny(weights)
    ex.run(blocking=True)
    target = tmp_path / "styled.png"
    target.write_bytes(b"someone else's picture")
    ex.save_path.value = str(target)
    assert ex._on_save_clicked(None) is None
    assert ex.status_kind == "error"
    assert "already exists" in ex.status_text and str(target) in ex.status_text
    assert "tick 'overwrite'" in ex.status_text and "change the file name" in ex.status_text
    assert "overwrite=True" not in ex.status_text and "--overwrite" not in ex.status_text
    assert "styled-" in ex.status_text  # a free name is suggested
    assert target.read_bytes() == b"someone else's picture"
