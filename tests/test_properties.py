"""Property tests (hypothesis): generated arrays of every dtype, range, shape and size through the image rules.

The rules are those of :func:`stylelib.images.array_to_image` (read its docstring): ``bool`` -> 0/255; ``uint8``
kept; ``uint16`` scaled; other integers must hold 0–255; floats all in [0, 1] are 0–1; floats within
[−0.05, 1.05] but outside [0, 1] are 0–1, clipped, with a warning; other floats within [−1, 256] are 0–255,
clipped; NaN/inf or anything else is a one-line ``ValueError``; shapes (H, W), (H, W, 1), (H, W, 3) and
(H, W, 4) (RGBA on white). The round trips: array -> image -> uint8; image -> preprocess -> deprocess for RGB
and BGR weights; save_image -> load_image (PNG); resize_longest.

Sizes stay small and ``max_examples`` modest so the file runs in seconds; ``deadline=None`` because the first
examples pay for imports.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")  # a dev dependency (pip install hypothesis)
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from stylelib.images import (array_to_image, deprocess, load_image, longest_side_shape, preprocess,  # noqa: E402
                             resize_longest, save_image, to_uint8)
from stylelib.vgg19 import KERAS_MEAN_BGR, VGG19Weights, random_weights  # noqa: E402

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

RGB_WEIGHTS = random_weights(0, warn=False)
BGR_WEIGHTS = VGG19Weights(RGB_WEIGHTS.kernels, RGB_WEIGHTS.biases, "BGR", KERAS_MEAN_BGR,
                           source="random, BGR convention (test)", is_random=True)

sides = st.integers(1, 9)
channel_counts = st.sampled_from([None, 1, 3, 4])  # None: (H, W)


@st.composite
def image_shapes(draw, channels=channel_counts):
    h, w, c = draw(sides), draw(sides), draw(channels)
    return (h, w) if c is None else (h, w, c)


def uint8_arrays(shape=None):
    return hnp.arrays(np.uint8, shape if shape is not None else image_shapes())


def rgb_uint8():
    return hnp.arrays(np.uint8, st.tuples(sides, sides, st.just(3)))


@st.composite
def accepted_arrays(draw):
    """Any array the rules accept, of any dtype they know, with its kind of values."""
    shape = draw(image_shapes())
    kind = draw(st.sampled_from(["bool", "uint8", "uint16", "int", "float01", "float255", "overshoot"]))
    if kind == "bool":
        return draw(hnp.arrays(bool, shape))
    if kind == "uint8":
        return draw(hnp.arrays(np.uint8, shape))
    if kind == "uint16":
        return draw(hnp.arrays(np.uint16, shape))
    if kind == "int":
        dtype = draw(st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint32, np.uint64]))
        top = 127 if dtype == np.int8 else 255
        return draw(hnp.arrays(dtype, shape, elements=st.integers(0, top)))
    dtype = draw(st.sampled_from([np.float16, np.float32, np.float64]))
    # the overshoot band stops short of ±0.05 by a float16 step (the exact boundary has its own test below)
    lo, hi = {"float01": (0.0, 1.0), "float255": (-1.0, 256.0), "overshoot": (-0.049, 1.049)}[kind]
    elements = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return draw(hnp.arrays(np.float64, shape, elements=elements)).astype(dtype)


# --------------------------------------------------------------------------------------------------
# array_to_image: what comes out
# --------------------------------------------------------------------------------------------------


@SETTINGS
@given(accepted_arrays())
def test_every_accepted_array_becomes_an_rgb_float32_image_in_0_255(a):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the overshoot warning has its own test
        out = array_to_image(a)
    assert out.shape == (a.shape[0], a.shape[1], 3)
    assert out.dtype == np.float32
    assert np.all(np.isfinite(out)) and out.min() >= 0.0 and out.max() <= 255.0


@SETTINGS
@given(uint8_arrays(image_shapes(st.sampled_from([None, 1, 3]))))
def test_uint8_arrays_round_trip_exactly(a):
    out = to_uint8(array_to_image(a))
    expected = np.repeat(a.reshape(a.shape[0], a.shape[1], 1), 3, axis=-1) if a.ndim == 2 or a.shape[-1] == 1 else a
    np.testing.assert_array_equal(out, expected)


@SETTINGS
@given(hnp.arrays(bool, image_shapes(st.sampled_from([None, 1, 3]))))
def test_bool_arrays_are_black_and_white(a):
    out = array_to_image(a)
    assert set(np.unique(out)) <= {0.0, 255.0}
    np.testing.assert_array_equal(out[..., 0] == 255.0, a if a.ndim == 2 else a[..., 0])


@SETTINGS
@given(hnp.arrays(np.uint16, image_shapes(st.sampled_from([None, 3]))))
def test_uint16_arrays_are_scaled_from_0_65535(a):
    out = array_to_image(a)
    expected = a.astype(np.float64) * 255.0 / 65535.0
    expected = np.repeat(expected[..., None], 3, axis=-1) if a.ndim == 2 else expected
    np.testing.assert_allclose(out, expected, atol=1e-3)


@SETTINGS
@given(uint8_arrays(image_shapes(st.just(3))), st.sampled_from([np.float16, np.float32, np.float64]))
def test_the_0_1_and_0_255_versions_of_a_picture_agree(u, dtype):
    # a 0–255 float picture whose values all lie in [0, 1] *is* 0–1 by the rules (the one ambiguity), so the
    # picture needs some value above 1 for its 0–255 version to be read as 0–255
    assume(u.max() > 1)
    as_01 = array_to_image((u.astype(np.float64) / 255.0).astype(dtype))
    as_255 = array_to_image(u.astype(dtype))
    np.testing.assert_allclose(as_01, as_255, atol=0.5)
    np.testing.assert_array_equal(to_uint8(as_255), u)


@SETTINGS
@given(hnp.arrays(np.float64, image_shapes(st.sampled_from([None, 3])),
                  elements=st.floats(-0.0499, 1.0499, allow_nan=False)))
def test_overshooting_0_1_floats_are_clipped_with_a_warning(a):
    a32 = a.astype(np.float32)  # the rules look at float32 values (-1e-308 is 0 there)
    assume(a32.min() < 0.0 or a32.max() > 1.0)
    with pytest.warns(UserWarning, match=r"read as 0–1 and clipped") as record:
        out = array_to_image(a)
    assert all("\n" not in str(w.message) for w in record)
    expected = np.clip(a, 0.0, 1.0).astype(np.float32) * np.float32(255.0)
    expected = np.repeat(expected[..., None], 3, axis=-1) if a.ndim == 2 else expected
    np.testing.assert_allclose(out, expected, atol=1e-3)


@SETTINGS
@given(hnp.arrays(np.float32, image_shapes(st.sampled_from([None, 3])),
                  elements=st.floats(-1.0, 256.0, allow_nan=False, width=32)))
def test_0_255_floats_are_kept_and_their_overshoot_clipped(a):
    assume(a.min() < -0.05 or a.max() > 1.05)  # outside the 0–1 band: read as 0–255
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning for a 0–255 array
        out = array_to_image(a)
    expected = np.clip(a, 0.0, 255.0)
    expected = np.repeat(expected[..., None], 3, axis=-1) if a.ndim == 2 else expected
    np.testing.assert_array_equal(out, expected)


@SETTINGS
@given(rgb_uint8(), st.integers(0, 255))
def test_rgba_is_composited_on_white(rgb, alpha_value):
    h, w, _ = rgb.shape
    rgba = np.dstack([rgb, np.full((h, w), alpha_value, np.uint8)])
    out = array_to_image(rgba)
    a = alpha_value / 255.0
    np.testing.assert_allclose(out, rgb * a + 255.0 * (1.0 - a), atol=1e-3)
    if alpha_value == 255:
        np.testing.assert_array_equal(out, rgb.astype(np.float32))
    if alpha_value == 0:
        assert np.all(out == 255.0)


# --------------------------------------------------------------------------------------------------
# array_to_image: what is refused, in one line
# --------------------------------------------------------------------------------------------------


@st.composite
def refused_arrays(draw):
    """Arrays the rules refuse, and words their message must contain."""
    kind = draw(st.sampled_from(["shape", "nonfinite", "float_range", "int_range", "dtype"]))
    if kind == "shape":
        shape = draw(st.one_of(
            st.tuples(sides),  # 1-D
            st.tuples(sides, sides, st.sampled_from([2, 5, 6])),  # a channel count that is no picture
            st.tuples(sides, sides, st.sampled_from([1, 3]), sides),  # 4-D (a batch)
        ))
        return np.zeros(shape, np.uint8), "expects (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)"
    shape = draw(image_shapes())
    if kind == "nonfinite":
        a = draw(hnp.arrays(np.float32, shape, elements=st.floats(0, 1, width=32)))
        bad = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        a.flat[draw(st.integers(0, a.size - 1))] = bad
        return a, "NaN or infinite"
    if kind == "float_range":
        a = draw(hnp.arrays(np.float64, shape, elements=st.floats(0, 255)))
        out = draw(st.one_of(st.floats(256.0001, 1e6), st.floats(-1e6, -1.0001)))
        a.flat[draw(st.integers(0, a.size - 1))] = out
        return a, "must hold 0–1 or 0–255 values"
    if kind == "int_range":
        dtype = draw(st.sampled_from([np.int16, np.int32, np.int64]))
        a = draw(hnp.arrays(dtype, shape, elements=st.integers(0, 255)))
        out = draw(st.one_of(st.integers(256, 30000), st.integers(-30000, -1)))
        a.flat[draw(st.integers(0, a.size - 1))] = out
        return a, "must hold 0–255"
    return np.zeros(shape, draw(st.sampled_from([np.complex64, object, "U1"]))), "bool, integer or float"


@SETTINGS
@given(refused_arrays())
def test_every_refused_array_gives_a_one_line_value_error(case):
    a, words = case
    with pytest.raises(ValueError) as info:
        array_to_image(a)
    message = str(info.value)
    assert words in message and "\n" not in message and len(message) < 200


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@settings(max_examples=20, deadline=None)
@given(st.floats(3.5e38, 1e300), st.sampled_from([1.0, -1.0]))
def test_a_finite_float64_beyond_float32_is_refused_for_its_range_not_as_nan(value, sign):
    a = np.array([[0.5, sign * value]], np.float64)
    with pytest.raises(ValueError) as info:
        array_to_image(a)
    assert "NaN" not in str(info.value)


def test_the_edge_of_the_overshoot_band_is_inside_it():
    with pytest.warns(UserWarning, match="read as 0–1"):
        out = array_to_image(np.array([[-0.05, 0.5]], np.float64))
    np.testing.assert_allclose(out[0, :, 0], [0.0, 127.5])


@settings(max_examples=10, deadline=None)
@given(st.tuples(st.integers(0, 3), st.integers(0, 3), st.sampled_from([(), (1,), (3,), (4,)])))
def test_an_array_without_pixels_is_refused_in_one_line(dims):
    h, w, rest = dims
    assume(h == 0 or w == 0)
    with pytest.raises(ValueError) as info:
        array_to_image(np.zeros((h, w, *rest), np.uint8))
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------------------------------
# preprocess -> deprocess, save -> load, resize
# --------------------------------------------------------------------------------------------------


@SETTINGS
@given(rgb_uint8(), st.sampled_from(["RGB", "BGR"]))
def test_preprocess_then_deprocess_gives_the_picture_back(u, order):
    weights = RGB_WEIGHTS if order == "RGB" else BGR_WEIGHTS
    x = preprocess(array_to_image(u), weights)
    assert x.shape == (1, *u.shape) and x.dtype == np.float32
    first = u[..., 0] if order == "RGB" else u[..., 2]  # the channel the network sees first
    np.testing.assert_allclose(x[0, ..., 0], first - np.float32(weights.mean[0]), atol=1e-4)
    out = deprocess(x, weights)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, u)


@SETTINGS
@given(hnp.arrays(np.float32, st.tuples(sides, sides, st.just(3)), elements=st.floats(0, 255, width=32)),
       st.sampled_from(["RGB", "BGR"]))
def test_deprocess_of_a_float_image_is_its_rounding(img, order):
    weights = RGB_WEIGHTS if order == "RGB" else BGR_WEIGHTS
    out = deprocess(preprocess(img, weights), weights)
    # the mean is subtracted and added again in float32: a value at .5 may round either way
    assert np.abs(out.astype(np.int16) - np.rint(img).astype(np.int16)).max() <= 1
    exact = np.abs(img - np.floor(img) - 0.5) > 1e-3
    np.testing.assert_array_equal(out[exact], to_uint8(img)[exact])


@settings(max_examples=30, deadline=None)
@given(uint8_arrays(image_shapes(st.sampled_from([None, 3, 4]))))
def test_a_png_saved_and_loaded_gives_what_the_array_gives(u):
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "Bilder ü 日本"  # a non-ASCII directory, as on many learners' machines
        d.mkdir()
        path = d / "picture.png"
        from PIL import Image

        Image.fromarray(u).save(path)  # gray, RGB or RGBA file, as other programs write them
        loaded = load_image(path)
        np.testing.assert_allclose(loaded, array_to_image(u), atol=1e-3)
        if u.ndim == 3 and u.shape[-1] == 3:
            again = d / "wieder é.png"
            save_image(loaded, again)
            np.testing.assert_array_equal(load_image(again), u.astype(np.float32))
            np.testing.assert_array_equal(deprocess(preprocess(load_image(again), BGR_WEIGHTS), BGR_WEIGHTS), u)


@settings(max_examples=20, deadline=None)
@given(hnp.arrays(np.uint16, st.tuples(sides, sides)))
def test_a_16_bit_png_and_its_array_agree(a):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "deep.png"
        from PIL import Image

        Image.fromarray(a).save(path)
        np.testing.assert_allclose(load_image(path), array_to_image(a), atol=1e-3)


@SETTINGS
@given(hnp.arrays(np.float32, st.tuples(st.integers(1, 24), st.integers(1, 24), st.sampled_from([1, 3])),
                  elements=st.floats(0, 255, width=32)),
       st.integers(1, 40))
def test_resize_longest_gives_the_longest_side_and_stays_in_range(img, size):
    out = resize_longest(img, size)
    h, w = img.shape[:2]
    assert max(out.shape[:2]) == size
    assert out.shape == (*longest_side_shape(h, w, size), img.shape[-1])
    assert min(out.shape[:2]) >= 1
    assert out.dtype == np.float32
    assert out.min() >= img.min() - 1e-3 and out.max() <= img.max() + 1e-3
    assert 0.0 <= out.min() and out.max() <= 255.0


@SETTINGS
@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(1, 4000))
def test_longest_side_shape_keeps_the_aspect(h, w, size):
    nh, nw = longest_side_shape(h, w, size)
    assert max(nh, nw) == size and min(nh, nw) >= 1
    new_short = nw if h >= w else nh
    exact = min(h, w) * size / max(h, w)
    assert abs(new_short - exact) <= 0.5 + 1e-9 or (new_short == 1 and exact < 1)


@SETTINGS
@given(st.one_of(st.integers(-5, 0), st.floats(allow_nan=True), st.booleans(), st.text(max_size=3)))
def test_resize_longest_refuses_a_size_that_is_not_a_positive_integer_in_one_line(size):
    with pytest.raises(ValueError) as info:
        resize_longest(np.zeros((4, 4, 3), np.float32), size)
    assert "size must be a positive integer" in str(info.value) and "\n" not in str(info.value)

