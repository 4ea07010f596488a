"""stylelib.recipe (validators), stylelib.run (RunConfig, start image, bounds), the layer-name rules in vgg19, and
that both engines accept and refuse the same things with the same words."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from stylelib import images, recipe, vgg19
from stylelib.run import RunConfig, layer_weights, make_init, pixel_bounds

# ------------------------------------------------------------------------------------------ recipe


def test_check_choice_accepts_members_and_names_the_valid_ones():
    assert recipe.check_choice("optimizer", "adam", recipe.OPTIMIZERS) == "adam"
    with pytest.raises(ValueError, match=r"^optimizer must be one of 'lbfgs', 'adam'; got 'sgd'$"):
        recipe.check_choice("optimizer", "sgd", recipe.OPTIMIZERS)
    with pytest.raises(ValueError, match="got None"):
        recipe.check_choice("init", None, recipe.INITS)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "5", True, None])
def test_check_weight_refuses(bad):
    with pytest.raises(ValueError, match="style_weight must be a finite number >= 0"):
        recipe.check_weight("style_weight", bad)


def test_check_weight_and_ratio_accept():
    assert recipe.check_weight("w", 0) == 0.0 and type(recipe.check_weight("w", 3)) is float
    assert recipe.check_ratio("r", 1) == 1.0
    with pytest.raises(ValueError, match="between 0 and 1"):
        recipe.check_ratio("r", 1.5)


def test_style_layer_weights():
    assert recipe.style_layer_weights(["conv5_1", "conv4_3"]) == {"conv5_1": 4.0, "conv4_3": 1.0}
    assert recipe.style_layer_weights(["conv5_1"], "equal") == {"conv5_1": 1.0}
    with pytest.raises(ValueError, match="style weighting"):
        recipe.style_layer_weights(["conv5_1"], "deep")


# ------------------------------------------------------------------------------------------ RunConfig


def test_runconfig_normalizes_layers_and_numbers():
    cfg = RunConfig(content_layers="conv3_2", style_layers=["conv1_1", "avgpool2"], content_weight=1, seed=3)
    assert cfg.content_layers == {"conv3_2": 1.0}
    assert cfg.style_layers == {"conv1_1": 1.0, "avgpool2": 1.0}
    assert cfg.content_weight == 1.0 and type(cfg.content_weight) is float
    assert cfg.replace(iterations=7).iterations == 7 and cfg.iterations == recipe.DEFAULT_ITERATIONS
    assert set(cfg.as_dict()) == {f for f in RunConfig.__dataclass_fields__}


@pytest.mark.parametrize("settings, message", [
    ({"optimizer": "sgd"}, "optimizer must be one of"),
    ({"init": "zeros"}, "init must be one of"),
    ({"pooling": "avgx"}, "pooling must be one of 'avg', 'max'; got 'avgx'"),
    ({"content_normalization": "half"}, "content_normalization must be one of"),
    ({"style_weight": -1}, "style_weight must be a finite number >= 0"),
    ({"iterations": 0}, "iterations must be an integer >= 1"),
    ({"size": 8}, r"size \(longest side in pixels\) must be an integer >= 16"),
    ({"noise_ratio": 2}, "noise_ratio must lie between 0 and 1"),
    ({"content_layers": []}, "content layers: give at least one layer"),
    ({"style_layers": {"conv1_1": -2}}, "the weight of style layer 'conv1_1'"),
    ({"style_layers": ["relu4_2"]}, r"unknown VGG-19 layer 'relu4_2' \(did you mean 'conv4_2'\?\)"),
])
def test_runconfig_refuses_bad_values_in_one_line(settings, message):
    with pytest.raises(ValueError, match=message) as info:
        RunConfig(**settings)
    assert "\n" not in str(info.value)


def test_runconfig_make_names_an_unknown_setting():
    with pytest.raises(TypeError, match=r"unknown setting 'stlye_weight' \(did you mean 'style_weight'\?\)"):
        RunConfig.make(None, stlye_weight=1.0)
    base = RunConfig(size=64)
    assert RunConfig.make(base, iterations=3) == RunConfig(size=64, iterations=3)


def test_art_config_is_art_py():
    art = RunConfig.art()
    assert (art.optimizer, art.init, art.learning_rate, art.noise_ratio) == (
        "adam", recipe.ART_INIT, recipe.ART_LEARNING_RATE, recipe.ART_NOISE_RATIO)
    assert RunConfig.art(init="content").init == "content"


def test_layer_weights_keeps_names_as_given():
    assert layer_weights(None, {"conv4_2": 1.0}, "content") == {"conv4_2": 1.0}
    assert layer_weights({"maxpool1": 2}, {}, "style") == {"maxpool1": 2.0}


# ------------------------------------------------------------------------------------------ start image, bounds


def test_pixel_bounds_are_the_0_255_range_after_preprocessing(random_weights):
    lo, hi = pixel_bounds(random_weights)
    black = images.preprocess(np.zeros((2, 2, 3), np.float32), random_weights)[0, 0, 0]
    white = images.preprocess(np.full((2, 2, 3), 255, np.float32), random_weights)[0, 0, 0]
    np.testing.assert_allclose(lo, black, atol=1e-4)
    np.testing.assert_allclose(hi, white, atol=1e-4)


def test_every_init_is_built(content_pre, random_weights):
    lo, hi = pixel_bounds(random_weights)
    for init in recipe.INITS:
        x = make_init(init, content_pre, seed=0, weights=random_weights)
        assert x.shape == content_pre.shape and x.dtype == np.float32
        assert (x >= lo).all() and (x <= hi).all()


# ------------------------------------------------------------------------------------------ layer names


def test_canonical_layer_and_layer_key():
    assert vgg19.canonical_layer("maxpool5") == "pool5"
    assert vgg19.layer_key("pool5", "max") == "maxpool5"
    assert vgg19.layer_keys("avg")[2] == "avgpool1" and len(vgg19.layer_keys()) == 21
    with pytest.raises(ValueError, match="asks for max pooling but this network uses pooling='avg'"):
        vgg19.layer_key("maxpool1", "avg")
    with pytest.raises(ValueError, match="pooling must be one of"):
        vgg19.layer_key("conv1_1", "mean")
    assert vgg19.layers_up_to("avgpool1")[-1].name == "pool1"


def test_every_builder_validates_pooling(random_weights):
    from stylelib.extractor import FeatureExtractor, keras_vgg19
    from stylelib.graph import build_graph

    for build in (lambda: keras_vgg19(random_weights, pooling="avgx"),
                  lambda: FeatureExtractor(random_weights, ["conv1_1"], pooling="avgx"),
                  lambda: build_graph(random_weights, 8, 8, pooling="avgx")):
        with pytest.raises(ValueError, match="^pooling must be one of 'avg', 'max'; got 'avgx'$"):
            build()


def test_both_engines_refuse_an_unknown_layer_with_the_same_words(random_weights):
    from stylelib.session import run_art
    from stylelib.transfer import stylize

    messages = []
    for engine in (stylize, run_art):
        with pytest.raises(ValueError) as info:
            engine("sample:chelsea", "sample:brick", size=32, iterations=1, weights=random_weights,
                   content_layers="relu4_2")
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "relu4_2" in messages[0] and "conv4_2" in messages[0] and "\n" not in messages[0]


def test_run_art_refuses_what_it_cannot_do(random_weights):
    from stylelib.session import run_art

    with pytest.raises(ValueError, match="use stylelib.transfer.stylize for L-BFGS"):
        run_art("sample:chelsea", "sample:brick", size=32, iterations=1, weights=random_weights, optimizer="lbfgs")
    with pytest.raises(ValueError, match="leave style_size=None"):
        run_art("sample:chelsea", "sample:brick", size=32, iterations=1, weights=random_weights, style_size=64)


def test_both_engines_store_the_same_kind_of_config(random_weights):
    from stylelib.session import run_art
    from stylelib.transfer import stylize

    from stylelib.samples import load_input

    content = load_input("sample:chelsea", 32)
    style = images.resize_to(load_input("sample:brick"), *content.shape[:2])  # the TF1 graph's one shape
    tf2 = stylize(content, style, size=None, iterations=2, weights=random_weights, optimizer="adam", init="blend")
    tf1 = run_art(content, style, size=None, iterations=2, weights=random_weights)
    assert isinstance(tf1.config, RunConfig) and isinstance(tf2.config, RunConfig)
    assert tf1.config == tf2.config  # the same run, described the same way
    assert (tf1.engine, tf2.engine) == ("run_art (TF1 Session)", "stylize (TF2)")
    assert tf1.shape == tf2.shape == (21, 32, 3)
    np.testing.assert_allclose(tf1.history[0].total, tf2.history[0].total, rtol=1e-5)


def test_transfer_as_image_is_a_deprecated_alias():
    from stylelib.samples import load_input
    from stylelib.transfer import as_image

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        img = as_image("sample:brick", 20)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    np.testing.assert_array_equal(img, load_input("sample:brick", 20))
