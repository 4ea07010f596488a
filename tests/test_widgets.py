"""The explorer through its public API: :class:`ExplorerController` without widgets, then the
:class:`StyleExplorer` view (ipywidgets) in front of it.

Tiny runs (32 px, 2–3 steps, shallow layers) with random weights keep the whole file well under a minute.
"""

from __future__ import annotations

import datetime
import html
import io
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image
from traitlets import TraitError

from stylelib import recipe, transfer
from stylelib.run import RunConfig
from stylelib.vgg19 import CONV_LAYERS, RANDOM_NOTE
from stylelib.widgets import (CONTENT_WEIGHTS, DEFAULT_TV_WEIGHT, EVENTS, PNG_SIGNATURE, SETTINGS, STATUS_KINDS,
                              STYLE_WEIGHTS, TV_WEIGHTS, ExplorerController, Status, decode_upload, loss_plot_png,
                              png_bytes)

SHALLOW = dict(style_layers=("conv1_1", "conv2_1"), content_layers=("conv2_2",))  # a shallow net runs quickly


def tiny(weights, **kwargs) -> ExplorerController:
    kwargs = {**SHALLOW, **kwargs}
    return ExplorerController("chelsea", "brick", weights=weights, size=32, steps=3, preview_every=1, **kwargs)


def png(width: int = 20, height: int = 12, color=(200, 30, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def decoded(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(data))))


# ================================================================ the controller, without ipywidgets


def test_the_controller_imports_neither_ipywidgets_nor_tensorflow():
    code = ("import sys; from stylelib.widgets import ExplorerController; "
            "c = ExplorerController(weights='random', size=32); c.set(size=48); c.config(); "
            "print(sorted(m for m in ('ipywidgets', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_default_settings_are_the_recipe(random_weights):
    c = ExplorerController(weights=random_weights, size=64, steps=7)
    config = c.config()
    assert isinstance(config, RunConfig)
    assert config == RunConfig(size=64, iterations=7)  # everything else: the recipe's defaults
    assert config.content_weight == recipe.ART_CONTENT_WEIGHT and config.style_weight == recipe.ART_STYLE_WEIGHT
    assert config.style_layers == dict(recipe.ART_STYLE_LAYERS)
    assert config.content_layers == dict(recipe.ART_CONTENT_LAYERS)
    assert (config.optimizer, config.init) == (recipe.DEFAULT_OPTIMIZER, recipe.DEFAULT_INIT)
    assert config.tv_weight == recipe.ART_TV_WEIGHT == 0.0 and not c.settings["smooth"]
    assert c.settings["tv_weight"] == DEFAULT_TV_WEIGHT == 0.001
    c.set(smooth=True)
    assert c.config().tv_weight == DEFAULT_TV_WEIGHT  # what ticking *smooth* gives
    c.set(smooth=False)
    assert (c.source("content"), c.source("style")) == ("chelsea", "brick")
    assert set(c.settings) == set(SETTINGS)


def test_settings_make_the_run_config(random_weights):
    c = tiny(random_weights)
    c.set(size=48, iterations=2, content_weight=0.5, style_weight=1000.0, smooth=True, tv_weight=0.01,
          optimizer="adam", init="noise", seed=7, style_layers=("conv3_1", "conv1_1"), content_layers=["conv2_2"])
    config = c.config()
    assert (config.size, config.iterations, config.optimizer, config.init, config.seed) == (48, 2, "adam", "noise", 7)
    assert (config.content_weight, config.style_weight, config.tv_weight) == (0.5, 1000.0, 0.01)
    assert config.style_layers == {"conv1_1": 0.5, "conv3_1": 1.5}  # art.py's weights, in network order
    assert config.content_layers == {"conv2_2": 1.0}
    c.set(style_weighting="equal")
    assert c.config().style_layers == {"conv1_1": 1.0, "conv3_1": 1.0}
    c.set(smooth=False)
    assert c.config().tv_weight == 0.0 and c.settings["tv_weight"] == 0.01
    c.set(style_layers=(), style_weight=0.0)  # no style at all is allowed: a zero-weight placeholder layer
    assert c.config().style_layers == {CONV_LAYERS[0]: 0.0}
    with pytest.raises(TypeError, match="unknown setting 'steps'"):
        c.set(steps=3)
    for bad in (dict(optimizer="sgd"), dict(init="zeros"), dict(content_weight=-1.0), dict(size=8),
                dict(style_layers=("conv9_9",)), dict(content="nonexistent"), dict(style_weighting="deep")):
        with pytest.raises(ValueError):
            c.set(**bad)
    assert c.config().seed == 7  # a refused value changes nothing


def test_refused_runs_set_an_error_status(random_weights):
    c = tiny(random_weights)
    c.set(content_layers=())
    assert c.run(blocking=True) is None
    assert c.status.kind == "error" and "content layer" in c.status.text and c.status.text.startswith("cannot run")
    assert isinstance(c.error, ValueError) and not c.running and c.result is None
    c.set(content_layers=("conv2_2",), style_layers=())
    assert c.run(blocking=True) is None
    assert c.status.kind == "error" and "style layer" in c.status.text


def test_a_run_makes_a_preview_a_plot_and_a_full_history(random_weights):
    c = tiny(random_weights)
    events = []
    c.on_change(events.append)
    result = c.run(blocking=True)
    assert c.error is None and result is c.result
    assert [r.step for r in result.history] == [0, 1, 2, 3] and not result.interrupted  # 0: the start image
    assert result.config == c.config()
    assert c.preview_png.startswith(PNG_SIGNATURE) and c.plot_png.startswith(PNG_SIGNATURE)
    assert decoded(c.preview_png).shape == result.best_image.shape == (21, 32, 3)  # ends on the best image
    assert c.progress == (3, 3) and not c.running
    assert c.status == Status(f"done: 3 steps; kept the best image (step {result.best_step}, "
                              f"loss {result.best_loss:.4g}) — {RANDOM_NOTE}", "ok")
    assert set(events) <= set(EVENTS) and {"running", "progress", "preview", "plot", "status"} <= set(events)
    assert events[0] == "running" and events[-1] == "running"  # starts and ends with the running state
    assert events.count("progress") == 5  # the start, then one per measured image (steps 0 to 3)


def test_the_run_receives_the_sources_and_the_config(random_weights):
    seen = []

    def spy(content, style, config, **kwargs):
        seen.append((content, style, config, kwargs))
        return transfer.stylize(content, style, config, **kwargs)

    c = tiny(random_weights, stylize_fn=spy, iterations=2, optimizer="adam")
    c.add_image(np.full((10, 16, 3), 90.0), "flat", "style")
    result = c.run(blocking=True)
    content, style, config, kwargs = seen[-1]
    assert content == "chelsea" and style is c.source("style") and style.shape == (10, 16, 3)
    assert config == c.config() and config.optimizer == "adam" and config.iterations == 2
    assert kwargs["weights"] is random_weights and callable(kwargs["callback"])
    assert result.config.size == 32 and result.shape == (21, 32, 3) and len(result.history) == 3


def test_stop_during_a_run_keeps_the_best_image(random_weights):
    def stop_after_two(content, style, config, **kwargs):
        inner = kwargs["callback"]

        def callback(info):
            if info.step == 2:
                c.stop()  # as if Stop was pressed while step 2 ran
            return inner(info)

        return transfer.stylize(content, style, config, **{**kwargs, "callback": callback})

    c = tiny(random_weights, stylize_fn=stop_after_two, iterations=10)
    result = c.run(blocking=True)
    assert result.interrupted and [r.step for r in result.history] == [0, 1, 2]
    assert result.best_image.shape == (21, 32, 3) and result.best_image.dtype == np.uint8
    assert result.best_loss == min(r.total for r in result.history)
    assert c.status.kind == "warn"
    assert "stopped after 2 steps" in c.status.text and "kept the best image" in c.status.text


def test_stop_a_background_run(random_weights):
    c = tiny(random_weights, iterations=200)
    assert c.run() is None  # returns at once: the run is in a thread
    assert c.running
    assert c.run(blocking=True) is None and c.status == Status("already running — press Stop first", "warn")
    deadline = time.monotonic() + 60
    while c.progress[0] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    c.stop()
    result = c.wait(timeout=60)
    assert not c.running
    assert result is not None and result.interrupted
    assert 1 <= len(result.history) < 200 and result.best_image is not None
    assert "stopped after" in c.status.text


def test_a_failing_run_is_reported(random_weights):
    def boom(*args, **kwargs):
        raise RuntimeError("out of memory (simulated)")

    c = tiny(random_weights, stylize_fn=boom)
    assert c.run(blocking=True) is None
    assert c.status == Status("the run failed: RuntimeError: out of memory (simulated)", "error")
    assert isinstance(c.error, RuntimeError) and not c.running and c.result is None


# ---------------------------------------------------------------- uploads


def test_add_upload_png_selects_it(random_weights):
    c = tiny(random_weights)
    label = c.add_upload(png(), "red.png", "content")
    assert label == "upload: red.png" and label in c.choices
    assert c.status == Status("content image: red.png (20×12 px)", "ok") and c.error is None
    assert c.settings["content"] == label and c.settings["style"] == "brick"  # the other choice is untouched
    img = c.content_image()
    assert img.shape == (12, 20, 3) and img.dtype == np.float32 and np.allclose(img[0, 0], (200, 30, 40))
    assert decoded(c.preview_png).shape == (19, 32, 3)  # no result yet: the preview shows the upload at 32 px
    result = c.run(blocking=True)
    assert result.shape == (19, 32, 3)  # the uploaded image, resized to 32 px


def test_bad_uploads_set_an_error_status(random_weights):
    c = tiny(random_weights)
    assert c.add_upload(b"this is not an image", "notes.png", "content") is None
    assert c.status.kind == "error"
    assert "notes.png" in c.status.text and "could not use the uploaded content image" in c.status.text
    assert c.settings["content"] == "chelsea" and "upload: notes.png" not in c.choices
    assert c.add_upload(b"", "empty.png", "style") is None
    assert c.status.kind == "error" and "empty" in c.status.text and c.settings["style"] == "brick"
    with pytest.raises(ValueError, match="which"):
        c.add_upload(png(), "red.png", "background")


def test_decode_upload_shrinks_big_images():
    img = decode_upload(png(2048, 512), "wide.png")
    assert img.shape == (256, 1024, 3) and img.dtype == np.float32


# ---------------------------------------------------------------- an out-of-date result says so

CHANGES = dict(content="coffee", style="grass", size=48, iterations=4, content_weight=10.0, style_weight=200.0,
               smooth=True, init="noise", optimizer="adam", style_weighting="equal", seed=3,
               style_layers=("conv1_1",), content_layers=("conv3_2",), colour="luminance", style_scale=0.5,
               style2="coffee", mask="left half", coarse_to_fine="off")


def test_every_setting_counts_for_staleness():
    # the TV weight counts only when smoothing is on, the blend only with a second style (test_controls.py)
    assert set(CHANGES) | {"tv_weight", "blend"} == set(SETTINGS)


def test_changing_a_setting_after_a_run_marks_the_result_stale(random_weights, tmp_path):
    c = tiny(random_weights)
    result = c.run(blocking=True)
    shown = c.preview_png
    done = c.status
    assert not c.stale and done.kind == "ok"
    c.save_path, c.overwrite = "elsewhere.png", True  # not settings of the run
    c.set(tv_weight=0.01)  # smoothing is off: the run does not use it
    assert not c.stale and c.status == done
    for name, value in CHANGES.items():
        old = c.settings[name]
        c.set(**{name: value})
        assert c.stale, name
        assert c.status == Status(f"settings changed since this result (step {result.best_step}) — press Run for "
                                  f"a new one; Save still saves the old result — {RANDOM_NOTE}", "warn"), name
        assert c.preview_png == shown  # still the result (what Save saves)
        c.set(**{name: old})
        assert not c.stale and c.status == done, name  # back to the result's settings: current again
    # Save says it saves the previous result, and saves exactly that one
    c.set(content="coffee")
    target = tmp_path / "old.png"
    assert c.save(target) == target
    assert c.status.kind == "warn" and "saved the previous result" in c.status.text
    assert f"step {result.best_step}" in c.status.text and str(target) in c.status.text
    assert np.array_equal(np.asarray(Image.open(target)), result.best_image)
    # a new run clears it
    c.set(iterations=2, content="chelsea")
    c.run(blocking=True)
    assert not c.stale and c.status.text.startswith("done: 2 steps") and "settings changed" not in c.status.text


def test_uploading_after_a_run_marks_the_result_stale(random_weights):
    c = tiny(random_weights)
    c.run(blocking=True)
    shown = c.preview_png
    c.add_upload(png(), "red.png", "style")
    assert c.settings["style"] == "upload: red.png" and c.stale and c.status.kind == "warn"
    assert c.status.text.startswith("style image: red.png (20×12 px) — settings changed since this result")
    assert c.preview_png == shown
    c.run(blocking=True)
    assert not c.stale
    c.add_upload(png(color=(0, 90, 0)), "red.png", "style")  # the same file name: a new image all the same
    assert c.stale and "settings changed" in c.status.text
    assert np.allclose(c.style_image()[0, 0], (0, 90, 0))


def test_a_change_during_a_run_is_reported_at_its_end(random_weights):
    def change_midway(content, style, config, **kwargs):
        inner = kwargs["callback"]

        def callback(info):
            if info.step == 1:
                c.set(seed=5)  # as if the user moved a control while it ran
                assert c.status.text.startswith("running 3 L-BFGS steps at 32 px")  # left alone meanwhile
            return inner(info)

        return transfer.stylize(content, style, config, **{**kwargs, "callback": callback})

    c = tiny(random_weights, stylize_fn=change_midway)
    result = c.run(blocking=True)
    assert result.config.seed == 0 and c.settings["seed"] == 5
    assert c.stale and c.status.kind == "warn"
    assert c.status.text.startswith("done: 3 steps") and "— but settings changed since this result" in c.status.text


def test_before_any_run_the_preview_follows_the_content_image(random_weights):
    c = tiny(random_weights)
    before = c.preview_png
    assert decoded(before).shape == c.content_image(32).shape == (21, 32, 3)
    c.set(content="coffee")
    assert not c.stale and c.preview_png != before
    assert decoded(c.preview_png).shape == c.content_image(32).shape == (21, 32, 3)
    assert c.status == Status(f"ready — press Run — {RANDOM_NOTE}", "info")


# ---------------------------------------------------------------- saving


def test_save_refuses_to_overwrite_then_overwrites_when_told(random_weights, tmp_path):
    c = tiny(random_weights)
    assert c.save() is None
    assert c.status == Status("nothing to save yet — press Run first", "error")
    c.run(blocking=True)
    target = tmp_path / "out" / "styled.png"
    assert c.save(target) == target  # missing folders are created
    assert c.status == Status(f"saved the best image (step {c.result.best_step}) to {target} — {RANDOM_NOTE}", "ok")
    before = target.read_bytes()
    assert before.startswith(PNG_SIGNATURE)
    c.result.best_image[...] = 0  # a different picture: an overwrite would change the bytes
    assert c.save(target) is None
    assert isinstance(c.error, FileExistsError) and target.read_bytes() == before
    assert c.status == Status(f"not saved: {target} already exists and was left untouched — tick 'overwrite' to "
                              "replace it, or change the file name (e.g. styled-1.png)", "error")
    assert c.save(target, overwrite=True) == target and c.status.kind == "ok"
    assert target.read_bytes() != before and decoded(target.read_bytes()).max() == 0
    c.save_path, c.overwrite = str(target), True  # the defaults of save()
    assert c.save() == target


def test_save_writes_where_it_says(random_weights, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # like a notebook: the kernel's cwd is the notebook's folder
    c = tiny(random_weights)
    c.run(blocking=True)
    assert c.save_path == "outputs/stylized-RANDOM-WEIGHTS.png"
    expected = tmp_path / "outputs" / "stylized-RANDOM-WEIGHTS.png"
    assert c.resolve_path() == expected and expected.is_absolute()
    written = c.save()
    assert written == expected and expected.exists()
    assert f"to {expected} — " in c.status.text  # the absolute path, not the relative one typed


def test_save_errors_are_statuses(random_weights, tmp_path):
    c = tiny(random_weights)
    c.run(blocking=True)
    assert c.save(tmp_path / "styled.xyz") is None
    assert c.status.kind == "error" and c.status.text.startswith("not saved:") and "suffix" in c.status.text
    assert not (tmp_path / "styled.xyz").exists()
    assert c.save("  ") is None
    assert c.status == Status("give a file name to save to, e.g. outputs/stylized.png", "error")


# ---------------------------------------------------------------- helpers


def test_png_helpers():
    data = png_bytes(np.full((5, 7, 3), 128.0))
    assert data.startswith(PNG_SIGNATURE) and decoded(data).shape == (5, 7, 3)
    plot = loss_plot_png([1, 2, 3], [10.0, 5.0, 2.0], random_weights=True, width=3.0, height=2.0)
    assert plot.startswith(PNG_SIGNATURE) and decoded(plot).shape[:2] == (160, 240)  # 80 dpi
    assert loss_plot_png([], []).startswith(PNG_SIGNATURE)
    assert STATUS_KINDS == ("info", "ok", "warn", "error")


# ================================================================ the view (ipywidgets)


@pytest.fixture
def W():
    return pytest.importorskip("ipywidgets")


def view(W, weights, **kwargs):
    from stylelib.widgets import StyleExplorer

    ex = StyleExplorer("chelsea", "brick", weights=weights, size=32, steps=3, preview_every=1, **kwargs)
    ex.style_layers.value, ex.content_layers.value = SHALLOW["style_layers"], SHALLOW["content_layers"]
    return ex


def test_repr_and_random_weights_banner(W, random_weights):
    from stylelib.widgets import StyleExplorer

    ex = StyleExplorer("chelsea", "brick", weights=random_weights, size=64, steps=10)
    assert repr(ex) == "StyleExplorer(content='chelsea', style='brick', size=64, steps=10, random_weights=True)"
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == repr(ex)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert RANDOM_NOTE in ex.banner.value and RANDOM_NOTE in ex.status.value
    assert ex.save_path.value == "outputs/stylized-RANDOM-WEIGHTS.png"


def test_the_widgets_forward_to_the_controller(W, random_weights):
    ex = view(W, random_weights)
    c = ex.controller
    assert ex.tv_weight.disabled
    values = [(ex.content_select, "coffee"), (ex.style_select, "grass"), (ex.size, 48), (ex.steps, 2),
              (ex.content_weight, 0.5), (ex.style_weight, 1000.0), (ex.tv_on, True), (ex.tv_weight, 0.01),
              (ex.init, "noise"), (ex.optimizer, "adam"), (ex.style_weighting, "equal"), (ex.seed, 7),
              (ex.style_layers, ("conv1_1", "conv3_1")), (ex.content_layers, ("conv3_2",)),
              (ex.colour, "luminance"), (ex.style_scale, 0.5), (ex.style2, "chelsea"), (ex.blend, 0.3),
              (ex.coarse_to_fine, "half size first")]
    assert ex.blend.disabled  # no second style yet
    for widget, value in values:
        widget.value = value
    assert not ex.tv_weight.disabled and not ex.blend.disabled
    assert c.settings == dict(content="coffee", style="grass", size=48, iterations=2, content_weight=0.5,
                              style_weight=1000.0, smooth=True, tv_weight=0.01, init="noise", optimizer="adam",
                              style_weighting="equal", seed=7, style_layers=("conv1_1", "conv3_1"),
                              content_layers=("conv3_2",), colour="luminance", style_scale=0.5, style2="chelsea",
                              blend=0.3, mask="none", coarse_to_fine="half size first")
    assert ex.config() == c.config() and ex.config().tv_weight == 0.01 and ex.config().coarse_to_fine == 0.5
    assert (ex.config().colour, ex.config().style_scale, ex.config().style_blend) == ("luminance", 0.5, (0.7, 0.3))
    ex.style2.value, ex.mask.value = "none", "centre"
    assert (c.settings["style2"], c.settings["mask"], ex.blend.disabled) == ("none", "centre", True)
    assert "(2)" in ex.style_layers_label.value and "(1)" in ex.content_layers_label.value
    ex.save_path.value = "x/y.png"
    ex.overwrite.value = True
    assert (c.save_path, c.overwrite) == ("x/y.png", True)
    assert str(c.resolve_path()) in ex.save_target.value
    # and back: a setting changed in code shows in the widget
    c.set(size=64, seed=11, smooth=False)
    assert (ex.size.value, ex.seed.value, ex.tv_on.value, ex.tv_weight.disabled) == (64, 11, False, True)
    assert repr(ex).endswith("size=64, steps=2, random_weights=True)")


def test_the_status_widget_shows_the_controllers_status(W, random_weights):
    ex = view(W, random_weights)
    ex.content_layers.value = ()
    ex.run_button.click()  # refused at once: no thread starts
    assert not ex.running and ex.status_kind == "error"
    assert ex.status.value.startswith("<span style='color:#c00")
    assert ex.status.value.endswith(
        ">cannot run: choose at least one content layer (ctrl- or ⌘-click in the list)</span>")
    ex.add_upload(b"junk", "a <b> & c.png")  # escaped, coloured by kind
    assert ex.status_kind == "error" and ex.status_text.startswith("could not use the uploaded content image")
    assert ex.status.value.startswith("<span style='color:#c00")
    assert html.escape(ex.status_text) in ex.status.value and "<b>" not in ex.status.value
    ex.add_upload(png(), "red.png")
    assert ex.status.value.startswith("<span style='color:#070") and "red.png (20×12 px)" in ex.status.value


def test_buttons_run_stop_and_save(W, random_weights, tmp_path):
    ex = view(W, random_weights)
    assert ex.save_button.disabled and ex.stop_button.disabled and not ex.run_button.disabled
    ex.save_button.click()
    assert ex.status_text == "nothing to save yet — press Run first"
    ex.steps.value = 200
    ex.run_button.click()  # a background run
    assert ex.running and ex.run_button.disabled and not ex.stop_button.disabled and ex.save_button.disabled
    ex.stop_button.click()
    result = ex.wait(timeout=60)
    assert result is not None and result.interrupted and not ex.running
    assert not ex.run_button.disabled and ex.stop_button.disabled and not ex.save_button.disabled
    assert ex.progress.value == result.history[-1].step and ex.progress.max == 200
    assert ex.progress.description == f"step {result.history[-1].step}"
    assert bytes(ex.preview.value) == ex.controller.preview_png and decoded(ex.preview.value).shape == (21, 32, 3)
    assert bytes(ex.loss_plot.value) == ex.controller.plot_png
    target = tmp_path / "styled.png"
    ex.save_path.value = str(target)
    ex.save_button.click()
    assert ex.status_kind == "ok" and target.exists() and str(target) in ex.status.value
    ex.save_button.click()  # again: refused, with the panel's advice
    assert ex.status_kind == "error" and "tick 'overwrite'" in ex.status_text
    assert "overwrite=True" not in ex.status_text and "--overwrite" not in ex.status_text
    ex.steps.value = 3
    assert ex.stale and "dashed" in ex.preview.layout.border
    assert ex.save(tmp_path / "b.png") == tmp_path / "b.png" and "saved the previous result" in ex.status_text


def test_upload_through_the_file_upload_widget(W, random_weights):
    ex = view(W, random_weights)
    ex.style_upload.value = ({"name": "blue.png", "type": "image/png", "size": 0,
                              "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                              "content": memoryview(png(color=(0, 0, 255)))},)
    assert ex.style_select.value == "upload: blue.png", ex.status_text
    assert "upload: blue.png" in ex.content_select.options and ex.content_select.value == "chelsea"
    assert np.allclose(ex.style_image()[0, 0], (0, 0, 255))
    ex.content_upload.value = ({"name": "notes.png", "type": "image/png", "size": 12,
                                "last_modified": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                                "content": memoryview(b"not an image")},)
    assert ex.status_kind == "error" and "notes.png" in ex.status.value and ex.content_select.value == "chelsea"
    assert ex.add_upload(png(), "red.png") == "upload: red.png" and ex.content_select.value == "upload: red.png"


# ---------------------------------------------------------------- exact weights (a browser sends an index back)


def test_default_sliders_are_the_recipe(W, random_weights):
    ex = view(W, random_weights)
    assert ex.content_weight.value == recipe.ART_CONTENT_WEIGHT
    assert ex.style_weight.value == recipe.ART_STYLE_WEIGHT
    assert ex.tv_weight.value == DEFAULT_TV_WEIGHT and not ex.tv_on.value
    assert ex.optimizer.value == recipe.DEFAULT_OPTIMIZER and ex.init.value == recipe.DEFAULT_INIT
    assert {value: label for label, value in ex.optimizer.options} == dict(recipe.OPTIMIZERS)
    assert list(ex.init.options) == list(recipe.INITS)
    assert {value: label for label, value in ex.style_weighting.options} == dict(recipe.STYLE_WEIGHTINGS)
    from stylelib.widgets import StyleExplorer

    full = StyleExplorer(weights=random_weights, size=32, steps=3)  # art.py's layers
    assert full.style_layers.value == tuple(recipe.ART_STYLE_LAYERS)
    assert full.content_layers.value == tuple(recipe.ART_CONTENT_LAYERS)


@pytest.mark.parametrize("name, values", [("content_weight", CONTENT_WEIGHTS), ("style_weight", STYLE_WEIGHTS),
                                          ("tv_weight", TV_WEIGHTS)])
def test_every_weight_option_round_trips_exactly(W, random_weights, name, values):
    ex = view(W, random_weights)
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
        assert getattr(ex.config(), name) == value and type(ex.controller.settings[name]) is float
        widget.value = value  # what a script does
        assert widget.index == index and getattr(ex.config(), name) == value
    with pytest.raises(TraitError):  # a value between the options (10**0.7 = 5.0119…) is refused
        widget.value = 10 ** 0.7


def test_weight_ranges():
    assert CONTENT_WEIGHTS[0] == 0.0 and CONTENT_WEIGHTS[-1] == 1000.0 and recipe.ART_CONTENT_WEIGHT in CONTENT_WEIGHTS
    assert STYLE_WEIGHTS[0] == 0.0 and STYLE_WEIGHTS[-1] == 1e5 and recipe.ART_STYLE_WEIGHT in STYLE_WEIGHTS
    assert TV_WEIGHTS[0] == 1e-5 and TV_WEIGHTS[-1] == 10.0 and DEFAULT_TV_WEIGHT in TV_WEIGHTS


# ---------------------------------------------------------------- layout: beside its own feedback, under 600 px


def _px(value) -> float:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)px", str(value or ""))
    return float(m.group(1)) if m else 0.0


ROW = 32  # a JupyterLab widget row: 28 px high plus 2 px margins above and below
OPTION = 18  # a line of a SelectMultiple at 13 px


def _height(W, widget) -> float:
    """An upper estimate of a widget's rendered height: fixed px heights, rows of 32 px, list lines of 18 px."""
    layout = widget.layout
    if isinstance(widget, W.Box):
        kids = [_height(W, c) for c in widget.children]
        column = isinstance(widget, W.VBox)
        return sum(kids) if column else max(kids, default=0)
    if _px(layout.height):
        return _px(layout.height) + 4
    if isinstance(widget, W.SelectMultiple):
        return widget.rows * OPTION + 10
    if isinstance(widget, W.HTML):
        return max(_px(layout.min_height), 20) + (20 if len(re.sub("<[^>]+>", "", widget.value)) > 45 else 0)
    return ROW


def test_the_status_sits_under_run_and_beside_save(W, random_weights):
    ex = view(W, random_weights)
    right = ex.right.children
    assert right[0].children == (ex.run_button, ex.stop_button, ex.progress)  # one row
    assert right[1] is ex.status  # straight under Run, Stop and the progress bar
    assert [ex.save_button in getattr(child, "children", ()) for child in right].index(True) == 2  # then Save
    assert ex.preview in right and ex.loss_plot in right


def test_the_panel_fits_a_1400x1000_window(W, random_weights):
    ex = view(W, random_weights)
    columns = ex.panel.children[1]
    assert columns.children == (ex.left, ex.middle, ex.right) and "wrap" in columns.layout.flex_flow
    width = sum(_px(col.layout.width) + _px(col.layout.margin.split()[1]) for col in columns.children)
    assert width <= 940  # measured: JupyterLab 4's output area at 1400×1000 with the file browser open is 968 px
    for col in columns.children:  # nothing is wider than its column
        for child in col.children:
            kids = child.children if isinstance(child, W.HBox) else (child,)
            assert sum(_px(k.layout.width) + 4 for k in kids) <= _px(col.layout.width), child  # 2 px margins
    height = _height(W, ex.banner) + max(_height(W, col) for col in columns.children)
    assert height < 600, height
    assert _height(W, ex.middle) < 600 and ex.style_layers.rows == len(CONV_LAYERS) == 16  # all layers visible


def test_labels_have_room(W, random_weights):
    ex = view(W, random_weights)
    labelled = [ex.content_select, ex.style_select, ex.size, ex.steps, ex.content_weight, ex.style_weight,
                ex.tv_weight, ex.init, ex.optimizer, ex.seed, ex.tv_on]
    width = _px(ex.size.style.description_width)
    for widget in labelled:
        assert widget.style.description_width == ex.size.style.description_width, widget.description
        assert len(widget.description) * 7.5 <= width or widget is ex.tv_on, widget.description
    assert "widget-inline-hbox" in ex.optimizer._dom_classes
    for slider in (ex.size, ex.steps, ex.content_weight, ex.style_weight, ex.tv_weight):
        assert _px(slider.layout.width) - width >= 72 + 150  # readout next to a usable track
    # the style-weighting dropdown shows its longest option in full (~7 px a character, the arrow ~20 px)
    assert max(len(v) for v in recipe.STYLE_WEIGHTINGS.values()) * 7 + 20 <= _px(ex.style_weighting.layout.width)
    for upload in (ex.content_upload, ex.style_upload):  # "upload (0)": icon + text + padding
        assert _px(upload.layout.width) >= 20 + 20 + 7.5 * len(f"{upload.description} (0)")
