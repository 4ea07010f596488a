"""stylelib.images: reading every kind of file, resizing, network pre/deprocessing, safe saving."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features

from stylelib import images
from stylelib.images import (
    ImageError,
    deprocess,
    load_image,
    next_free_path,
    preprocess,
    resize_longest,
    resize_to,
    save_image,
    to_uint8,
)
from stylelib.vgg19 import VGG19Weights, random_weights

WHITE = [255.0, 255.0, 255.0]


def _check_image(a: np.ndarray, shape: tuple[int, int]) -> None:
    assert a.dtype == np.float32
    assert a.shape == (*shape, 3)
    assert np.all(a >= 0) and np.all(a <= 255)


# --------------------------------------------------------------------------------------------------
# load_image: modes
# --------------------------------------------------------------------------------------------------


def test_rgb_png_is_read_exactly(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "rgb.png")
    a = load_image(tmp_path / "rgb.png")
    _check_image(a, (5, 7))
    np.testing.assert_array_equal(a, pixels.astype(np.float32))


def test_load_image_accepts_str_path(tmp_path):
    Image.new("RGB", (3, 2), (1, 2, 3)).save(tmp_path / "s.png")
    a = load_image(str(tmp_path / "s.png"))
    np.testing.assert_array_equal(a[1, 2], [1, 2, 3])


def test_rgba_transparent_pixel_becomes_white(tmp_path):
    img = Image.new("RGBA", (2, 2), (0, 0, 255, 255))  # opaque blue
    img.putpixel((0, 0), (255, 0, 0, 0))  # fully transparent red
    img.putpixel((1, 1), (0, 0, 0, 51))  # 20 % opaque black
    img.save(tmp_path / "rgba.png")
    a = load_image(tmp_path / "rgba.png")
    _check_image(a, (2, 2))
    np.testing.assert_array_equal(a[0, 0], WHITE)
    np.testing.assert_array_equal(a[0, 1], [0, 0, 255])
    np.testing.assert_allclose(a[1, 1], [204, 204, 204], atol=1e-3)  # 255 * (1 - 0.2)


def test_la_is_gray_on_white(tmp_path):
    img = Image.new("LA", (2, 1), (50, 255))
    img.putpixel((1, 0), (0, 0))
    img.save(tmp_path / "la.png")
    a = load_image(tmp_path / "la.png")
    _check_image(a, (1, 2))
    np.testing.assert_array_equal(a[0, 0], [50, 50, 50])
    np.testing.assert_array_equal(a[0, 1], WHITE)


@pytest.mark.parametrize("suffix", [".png", ".gif"])
def test_palette_with_transparency_becomes_white(tmp_path, suffix):
    img = Image.new("P", (3, 1), 0)
    img.putpalette([0, 200, 0, 255, 0, 0, 10, 20, 30] + [0] * (256 * 3 - 9))
    img.putpixel((1, 0), 1)
    img.putpixel((2, 0), 2)
    path = tmp_path / f"p{suffix}"
    img.save(path, transparency=1)  # palette index 1 (red) is the transparent colour
    with Image.open(path) as check:
        assert check.mode == "P"
    a = load_image(path)
    _check_image(a, (1, 3))
    np.testing.assert_array_equal(a[0, 0], [0, 200, 0])
    np.testing.assert_array_equal(a[0, 1], WHITE)
    np.testing.assert_array_equal(a[0, 2], [10, 20, 30])


def test_palette_without_transparency(tmp_path):
    img = Image.new("P", (2, 1), 0)
    img.putpalette([9, 8, 7, 200, 100, 50] + [0] * (256 * 3 - 6))
    img.putpixel((1, 0), 1)
    img.save(tmp_path / "p.png")
    a = load_image(tmp_path / "p.png")
    np.testing.assert_array_equal(a[0], [[9, 8, 7], [200, 100, 50]])


def test_grayscale_l_and_1_bit(tmp_path):
    Image.new("L", (4, 3), 77).save(tmp_path / "l.png")
    a = load_image(tmp_path / "l.png")
    _check_image(a, (3, 4))
    assert np.all(a == 77)

    bw = Image.new("1", (2, 1), 0)
    bw.putpixel((1, 0), 1)
    bw.save(tmp_path / "bw.png")
    b = load_image(tmp_path / "bw.png")
    np.testing.assert_array_equal(b[0], [[0, 0, 0], WHITE])


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_gray_is_scaled_not_clipped(tmp_path, suffix):
    data = np.array([[0, 257, 32768, 65535]], dtype=np.uint16)
    img = Image.fromarray(data)
    assert img.mode.startswith("I;16")
    path = tmp_path / f"g16{suffix}"
    img.save(path)
    with Image.open(path) as check:  # the file really is 16-bit on disk
        assert check.mode in ("I;16", "I;16B", "I;16L", "I")
    a = load_image(path)
    _check_image(a, (1, 4))
    np.testing.assert_allclose(a[0, :, 0], [0.0, 1.0, 32768 * 255 / 65535, 255.0], atol=1e-3)
    assert np.all(a[..., 0] == a[..., 1]) and np.all(a[..., 1] == a[..., 2])


def test_32_bit_integer_mode_i(tmp_path):
    data = np.array([[0, 65535, 1000]], dtype=np.int32)
    img = Image.fromarray(data)
    assert img.mode == "I"
    img.save(tmp_path / "i32.tif")
    with Image.open(tmp_path / "i32.tif") as check:
        assert check.mode == "I"
    a = load_image(tmp_path / "i32.tif")
    np.testing.assert_allclose(a[0, :, 1], [0.0, 255.0, 1000 * 255 / 65535], atol=1e-3)


def test_cmyk(tmp_path):
    img = Image.new("CMYK", (3, 1), (0, 0, 0, 0))  # no ink: white
    img.putpixel((1, 0), (0, 0, 0, 255))  # full black ink
    img.putpixel((2, 0), (255, 0, 0, 0))  # full cyan ink
    img.save(tmp_path / "cmyk.tif")
    with Image.open(tmp_path / "cmyk.tif") as check:
        assert check.mode == "CMYK"
    a = load_image(tmp_path / "cmyk.tif")
    _check_image(a, (1, 3))
    np.testing.assert_array_equal(a[0], [WHITE, [0, 0, 0], [0, 255, 255]])


def test_float_mode_f_in_unit_range_is_scaled(tmp_path):
    Image.fromarray(np.array([[0.0, 0.5, 1.0]], np.float32)).save(tmp_path / "f.tif")
    a = load_image(tmp_path / "f.tif")
    np.testing.assert_allclose(a[0, :, 2], [0, 127.5, 255])


def _exif_orientation(value: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = value  # Orientation
    return exif


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_exif_orientation_6_is_applied(tmp_path, suffix):
    # Stored 32 wide x 16 high, with a red 8x8 block in the stored top-left corner. Orientation 6 means
    # "rotate 90 degrees clockwise to display": the picture is 16 wide x 32 high and the stored top-left
    # corner is shown at the top right.
    pixels = np.zeros((16, 32, 3), np.uint8)
    pixels[:8, :8] = (255, 0, 0)
    path = tmp_path / f"rotated{suffix}"
    Image.fromarray(pixels).save(path, exif=_exif_orientation(6))
    a = load_image(path)
    _check_image(a, (32, 16))
    np.testing.assert_allclose(a[2:6, 10:14].mean(axis=(0, 1)), [255, 0, 0], atol=12)
    assert a[2:6, 2:6].max() < 20  # top-left of the shown picture is black
    assert a[26:30, 10:14].max() < 20  # bottom-right too


def test_exif_orientation_on_16_bit(tmp_path):
    data = np.zeros((2, 4), np.uint16)
    data[0, 0] = 65535
    path = tmp_path / "rot16.png"
    Image.fromarray(data).save(path, exif=_exif_orientation(6))
    a = load_image(path)
    assert a.shape == (4, 2, 3)
    np.testing.assert_allclose(a[0, 1], WHITE)
    assert a.sum() == pytest.approx(3 * 255.0)


def _frames(mode_colours):
    return [Image.new("RGB", (6, 4), c) for c in mode_colours]


def test_animated_gif_gives_first_frame(tmp_path):
    frames = _frames([(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, loop=0)
    with Image.open(path) as check:
        assert check.n_frames == 3
    a = load_image(path)
    _check_image(a, (4, 6))
    assert np.all(a == [255, 0, 0])


@pytest.mark.skipif(not features.check("webp"), reason="Pillow built without WebP")
def test_animated_webp_gives_first_frame(tmp_path):
    frames = _frames([(0, 0, 255), (255, 255, 0)])
    path = tmp_path / "anim.webp"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50, lossless=True)
    with Image.open(path) as check:
        assert check.n_frames == 2
    a = load_image(path)
    assert np.all(a == [0, 0, 255])


def test_load_image_max_size_sets_the_longest_side(tmp_path):
    Image.new("RGB", (40, 20), (10, 20, 30)).save(tmp_path / "wide.png")
    small = load_image(tmp_path / "wide.png", max_size=10)
    _check_image(small, (5, 10))
    np.testing.assert_allclose(small, np.broadcast_to([10, 20, 30], small.shape), atol=1e-3)
    assert load_image(tmp_path / "wide.png", max_size=40).shape == (20, 40, 3)
    big = load_image(tmp_path / "wide.png", max_size=100)
    _check_image(big, (50, 100))
    np.testing.assert_allclose(big, np.broadcast_to([10, 20, 30], big.shape), atol=1e-3)
    Image.new("L", (20, 40), 9).save(tmp_path / "tall.png")
    assert load_image(tmp_path / "tall.png", max_size=10).shape == (10, 5, 3)
    with pytest.raises(ValueError, match="max_size"):
        load_image(tmp_path / "wide.png", max_size=0)


# --------------------------------------------------------------------------------------------------
# load_image: errors
# --------------------------------------------------------------------------------------------------


def _assert_clean_image_error(excinfo, path: Path) -> None:
    assert str(path) in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)
    err = excinfo.value
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__)  # no PIL traceback


def test_missing_file(tmp_path):
    path = tmp_path / "nope.png"
    with pytest.raises(ImageError, match="no such file") as excinfo:
        load_image(path)
    _assert_clean_image_error(excinfo, path)


def test_directory(tmp_path):
    with pytest.raises(ImageError, match="directory") as excinfo:
        load_image(tmp_path)
    assert str(tmp_path) in str(excinfo.value)


@pytest.mark.parametrize("content", [b"this is not an image at all\n" * 10, b""])
def test_garbage_bytes(tmp_path, content):
    path = tmp_path / "garbage.png"
    path.write_bytes(content)
    with pytest.raises(ImageError, match="not recognise") as excinfo:
        load_image(path)
    _assert_clean_image_error(excinfo, path)


def test_truncated_png(tmp_path):
    rng = np.random.default_rng(1)
    full = tmp_path / "full.png"
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(full)
    data = full.read_bytes()
    path = tmp_path / "truncated.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated") as excinfo:
        load_image(path)
    _assert_clean_image_error(excinfo, path)


def test_truncated_jpeg(tmp_path):
    rng = np.random.default_rng(2)
    full = tmp_path / "full.jpg"
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(full, quality=90)
    data = full.read_bytes()
    path = tmp_path / "truncated.jpg"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match="truncated") as excinfo:
        load_image(path)
    _assert_clean_image_error(excinfo, path)


# --------------------------------------------------------------------------------------------------
# resizing
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, size, expected",
    [
        ((30, 60), 20, (10, 20)),  # landscape
        ((60, 30), 20, (20, 10)),  # portrait
        ((50, 50), 7, (7, 7)),  # square
        ((300, 400), 256, (192, 256)),
        ((5, 10), 20, (10, 20)),  # enlarging is allowed here
        ((1, 1000), 10, (1, 10)),  # the short side never drops below 1 pixel
        ((1000, 2), 10, (10, 1)),
    ],
)
def test_resize_longest_shapes(shape, size, expected):
    image = np.full((*shape, 3), 100.0, np.float32)
    out = resize_longest(image, size)
    assert out.shape == (*expected, 3)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 100.0, atol=1e-3)


def test_resize_stays_in_range_and_is_antialiased():
    checker = (np.indices((64, 64)).sum(axis=0) % 2 * 255).astype(np.float32)
    image = np.repeat(checker[..., None], 3, axis=-1)
    out = resize_longest(image, 8)
    assert out.min() >= 0 and out.max() <= 255
    np.testing.assert_allclose(out, 127.5, atol=3)  # a 1-pixel checkerboard averages to mid-gray


def test_resize_accepts_uint8_and_keeps_colour():
    image = np.zeros((20, 10, 3), np.uint8)
    image[..., 1] = 200
    out = resize_longest(image, 4)
    assert out.shape == (4, 2, 3) and out.dtype == np.float32
    np.testing.assert_allclose(out[..., 1], 200, atol=1e-3)
    np.testing.assert_allclose(out[..., [0, 2]], 0, atol=1e-3)


@pytest.mark.parametrize("bad", [0, -3, 2.5, "256", True, None])
def test_resize_longest_rejects_bad_size(bad):
    with pytest.raises(ValueError, match=repr(bad).replace(".", r"\.")):
        resize_longest(np.zeros((4, 4, 3), np.float32), bad)


def test_resize_to():
    out = resize_to(np.full((10, 20, 3), 5.0, np.float32), 7, 3)
    assert out.shape == (7, 3, 3)
    np.testing.assert_allclose(out, 5.0, atol=1e-4)
    assert resize_to(np.zeros((4, 4)), 2, 2).shape == (2, 2)
    with pytest.raises(ValueError, match="width"):
        resize_to(np.zeros((4, 4, 3)), 2, 0)


# --------------------------------------------------------------------------------------------------
# preprocess / deprocess
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rgb_weights() -> VGG19Weights:
    return random_weights(0, warn=False)


@pytest.fixture(scope="module")
def bgr_weights(rgb_weights) -> VGG19Weights:
    return VGG19Weights(
        rgb_weights.kernels, rgb_weights.biases, "BGR", (103.939, 116.779, 123.68), source="test"
    )


def _test_image() -> np.ndarray:
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, (6, 5, 3)).astype(np.float32)


def test_preprocess_rgb(rgb_weights):
    image = _test_image()
    x = preprocess(image, rgb_weights)
    assert x.shape == (1, 6, 5, 3) and x.dtype == np.float32
    np.testing.assert_allclose(x[0], image - np.asarray(rgb_weights.mean, np.float32), atol=1e-4)
    back = deprocess(x, rgb_weights)
    assert back.dtype == np.uint8 and back.shape == (6, 5, 3)
    np.testing.assert_array_equal(back, image.astype(np.uint8))


def test_preprocess_bgr(bgr_weights):
    image = _test_image()
    x = preprocess(image, bgr_weights)
    assert x.shape == (1, 6, 5, 3)
    np.testing.assert_allclose(x[0, ..., 0], image[..., 2] - 103.939, atol=1e-4)  # blue first
    np.testing.assert_allclose(x[0, ..., 1], image[..., 1] - 116.779, atol=1e-4)
    np.testing.assert_allclose(x[0, ..., 2], image[..., 0] - 123.68, atol=1e-4)  # red last
    np.testing.assert_array_equal(deprocess(x, bgr_weights), image.astype(np.uint8))
    np.testing.assert_array_equal(deprocess(x[0], bgr_weights), image.astype(np.uint8))


def test_deprocess_rejects_batches(rgb_weights):
    with pytest.raises(ValueError, match="batch"):
        deprocess(np.zeros((2, 4, 4, 3)), rgb_weights)


# --------------------------------------------------------------------------------------------------
# to_uint8 / save_image / next_free_path
# --------------------------------------------------------------------------------------------------


def test_to_uint8_clips_and_rounds():
    a = np.array([-5.0, 0.4, 0.6, 254.6, 300.0], np.float32)
    np.testing.assert_array_equal(to_uint8(a), [0, 0, 1, 255, 255])
    assert to_uint8(a).dtype == np.uint8
    u = np.array([1, 2], np.uint8)
    assert to_uint8(u) is u
    with pytest.raises(ValueError, match="NaN"):
        to_uint8(np.array([np.nan, 1.0]))


def test_save_and_reload_png_creates_parents(tmp_path):
    image = _test_image() + 0.3
    path = tmp_path / "a" / "b" / "out.png"
    returned = save_image(image, path)
    assert returned == path and path.is_file()
    np.testing.assert_array_equal(load_image(path), to_uint8(image).astype(np.float32))
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.png"]  # no temp files left


def test_save_uint8_and_jpeg(tmp_path):
    image = np.full((8, 8, 3), (200, 100, 50), np.uint8)
    save_image(image, tmp_path / "x.jpg")
    np.testing.assert_allclose(load_image(tmp_path / "x.jpg"), image.astype(np.float32), atol=3)


def test_save_refuses_to_overwrite(tmp_path):
    path = tmp_path / "out.png"
    path.write_bytes(b"precious original bytes")
    with pytest.raises(FileExistsError) as excinfo:
        save_image(np.zeros((4, 4, 3)), path)
    message = str(excinfo.value)
    assert str(path) in message
    assert "overwrite=True" in message and "--overwrite" in message
    assert "out-1.png" in message  # a free name is suggested
    assert path.read_bytes() == b"precious original bytes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_save_overwrite_true_replaces(tmp_path):
    path = tmp_path / "out.png"
    save_image(np.zeros((4, 4, 3)), path)
    save_image(np.full((4, 4, 3), 255.0), path, overwrite=True)
    assert np.all(load_image(path) == 255)


def test_crash_during_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "out.png"
    path.write_bytes(b"old image")

    def exploding_save(self, fp, *args, **kwargs):
        fp.write(b"\x89PNG half an image")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", exploding_save)
    with pytest.raises(OSError, match="disk full"):
        save_image(np.zeros((4, 4, 3)), path, overwrite=True)
    assert path.read_bytes() == b"old image"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]
    with pytest.raises(OSError, match="disk full"):
        save_image(np.zeros((4, 4, 3)), tmp_path / "new.png")
    assert not (tmp_path / "new.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_save_file_gets_normal_permissions(tmp_path):
    path = save_image(np.zeros((2, 2, 3)), tmp_path / "perm.png")
    umask = os.umask(0)
    os.umask(umask)
    assert (path.stat().st_mode & 0o777) == (0o666 & ~umask)


def test_save_unknown_suffix_lists_supported(tmp_path):
    with pytest.raises(ImageError) as excinfo:
        save_image(np.zeros((2, 2, 3)), tmp_path / "out.xyz")
    message = str(excinfo.value)
    assert "out.xyz" in message and ".png" in message and ".jpg" in message
    with pytest.raises(ImageError, match="suffix"):
        save_image(np.zeros((2, 2, 3)), tmp_path / "no_suffix")
    assert list(tmp_path.iterdir()) == []


def test_save_rejects_bad_shapes_and_directories(tmp_path):
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        save_image(np.zeros((2, 2)), tmp_path / "gray.png")
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        save_image(np.zeros((1, 2, 2, 3)), tmp_path / "batch.png")
    (tmp_path / "d.png").mkdir()
    with pytest.raises(ImageError, match="directory"):
        save_image(np.zeros((2, 2, 3)), tmp_path / "d.png", overwrite=True)


def test_next_free_path(tmp_path):
    path = tmp_path / "out.png"
    assert next_free_path(path) == path
    path.write_bytes(b"x")
    assert next_free_path(path) == tmp_path / "out-1.png"
    (tmp_path / "out-1.png").write_bytes(b"x")
    assert next_free_path(path) == tmp_path / "out-2.png"
    assert next_free_path(str(path)) == tmp_path / "out-2.png"


def test_as_image_conversions():
    np.testing.assert_array_equal(images.array_to_image(np.array([[True, False]]))[0, 0], WHITE)
    np.testing.assert_allclose(images.array_to_image(np.array([[65535]], np.uint16)), 255.0)
    rgba = np.array([[[10, 20, 30, 0]]], np.uint8)
    np.testing.assert_array_equal(images.array_to_image(rgba)[0, 0], WHITE)
    assert images.array_to_image(np.zeros((3, 4), np.uint8)).shape == (3, 4, 3)
    with pytest.raises(ValueError, match="shape"):
        images.array_to_image(np.zeros((3, 4, 2)))


def test_broken_exif_costs_a_warning_not_the_image(tmp_path, monkeypatch):
    Image.new("RGB", (4, 2), (1, 2, 3)).save(tmp_path / "e.png")

    def broken(img, *args, **kwargs):
        raise SyntaxError("bad EXIF")

    monkeypatch.setattr(images.ImageOps, "exif_transpose", broken)
    with pytest.warns(UserWarning, match="EXIF orientation"):
        a = load_image(tmp_path / "e.png")
    assert a.shape == (2, 4, 3) and np.all(a == [1, 2, 3])


# ------------------------------------------------------------------------------------------ value ranges of arrays


def test_a_png_read_by_matplotlib_is_the_same_picture_as_the_file(tmp_path):
    """matplotlib reads a PNG as float32 in 0–1; it must not become an almost black 0–255 image."""
    import matplotlib.image as mpimg

    from stylelib.samples import load_input

    rgb = np.random.default_rng(0).integers(0, 256, (12, 20, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "p.png")
    from_matplotlib = mpimg.imread(tmp_path / "p.png")
    assert from_matplotlib.dtype == np.float32 and from_matplotlib.max() <= 1.0
    np.testing.assert_allclose(load_input(from_matplotlib), load_input(tmp_path / "p.png"), atol=1e-3)
    # with an alpha channel too: the rule covers every channel, so a half-transparent pixel is half white
    rgba = np.dstack([rgb, np.full((12, 20), 128, np.uint8)])
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    np.testing.assert_allclose(load_input(mpimg.imread(tmp_path / "a.png")), load_input(tmp_path / "a.png"),
                               atol=1e-3)


def test_float_ranges():
    np.testing.assert_allclose(images.array_to_image(np.full((2, 2), 0.2))[0, 0], [51.0] * 3, rtol=1e-6)
    np.testing.assert_allclose(images.array_to_image(np.full((2, 2), 0.2) * 255)[0, 0], [51.0] * 3, rtol=1e-6)
    scikit = np.linspace(0, 1, 12, dtype=np.float64).reshape(3, 4)  # img_as_float: float64 in 0–1
    assert images.array_to_image(scikit).max() == 255.0
    with pytest.warns(UserWarning, match=r"read as 0–1 and clipped"):
        overshoot = images.array_to_image(np.array([[-0.01, 0.5, 1.02]]))
    np.testing.assert_allclose(overshoot[0, :, 0], [0.0, 127.5, 255.0])
    np.testing.assert_array_equal(images.array_to_image(np.array([[-0.5, 255.5]]))[0, :, 0], [0.0, 255.0])


@pytest.mark.parametrize("bad, message", [
    (np.array([[0.5, np.nan]]), "1 NaN or infinite values"),
    (np.array([[np.inf, 0.0]]), "NaN or infinite"),
    (np.array([[-20.0, 300.0]]), r"0–1 or 0–255 values, this one holds -20..300"),
    (np.array([[0, 1000]], np.int32), r"integer image array must hold 0–255"),
    (np.array([["a", "b"]]), "bool, integer or float"),
])
def test_arrays_that_are_no_picture_are_refused_in_one_line(bad, message):
    with pytest.raises(ValueError, match=message) as info:
        images.array_to_image(bad)
    assert "\n" not in str(info.value)
