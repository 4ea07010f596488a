"""The StyleExplorer panel, driven without a browser: widget values are set and handlers called directly.

Tiny runs (32 px, 3 steps) with random weights keep the whole file to a few seconds.
"""

from __future__ import annotations

import datetime
import io
import warnings

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from PIL import Image

from stylelib import transfer
from stylelib.vgg19 import RandomWeightsWarning, load_weights
from stylelib.widgets import PNG_SIGNATURE, StyleExplorer, loss_plot_png, png_bytes


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
