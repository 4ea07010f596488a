"""stylelib.samples: named offline sample images from scikit-image's bundled data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stylelib import samples
from stylelib.images import load_image
from stylelib.samples import SAMPLES, Sample, UnknownSampleError, get_sample, list_samples, load_sample

DOCS = Path(__file__).resolve().parents[1] / "docs" / "SAMPLES.md"


@pytest.fixture(scope="module")
def loaded() -> dict[str, np.ndarray]:
    return {name: load_sample(name) for name in SAMPLES}


def test_enough_samples_of_each_kind():
    assert len(list_samples("content")) >= 3
    assert len(list_samples("style")) >= 3
    assert list_samples() == list_samples("content") + list_samples("style")
    assert {"astronaut", "coffee", "chelsea", "brick", "grass", "gravel"} <= set(SAMPLES)
    for name, sample in SAMPLES.items():
        assert isinstance(sample, Sample) and sample.name == name
        assert sample.kind in ("content", "style")
        assert sample.description and sample.source and sample.licence


def test_list_samples_rejects_bad_kind():
    with pytest.raises(ValueError, match="kind"):
        list_samples("painting")


def test_every_sample_is_bundled_with_scikit_image():
    """The files live inside the installed package: no pooch download is ever needed."""
    import skimage.data

    data_dir = Path(skimage.data.__file__).parent
    for sample in SAMPLES.values():
        if sample.generated:
            with pytest.raises(ValueError, match="has no file"):
                _ = sample.path
            continue
        assert sample.path.parent == data_dir
        assert sample.path.is_file(), f"{sample.name}: {sample.path} is not bundled with scikit-image"


def test_every_sample_loads_as_rgb_float(loaded):
    for name, image in loaded.items():
        sample = SAMPLES[name]
        assert image.dtype == np.float32, name
        assert image.shape == (*sample.size, 3), name
        assert image.min() >= 0 and image.max() <= 255, name
        assert image.max() > 100, name  # 0–255 scale, not 0–1


def test_grayscale_textures_become_rgb(loaded):
    for name in ("brick", "grass", "gravel"):
        image = loaded[name]
        np.testing.assert_array_equal(image[..., 0], image[..., 1])
        np.testing.assert_array_equal(image[..., 1], image[..., 2])


def test_colour_samples_are_colourful(loaded):
    colourful = [n for n in SAMPLES if n not in ("brick", "grass", "gravel")]
    assert any(SAMPLES[n].kind == "style" for n in colourful), "want at least one colourful style"
    for name in colourful:
        image = loaded[name]
        assert np.abs(image[..., 0] - image[..., 2]).mean() > 5, name


def test_sample_file_matches_load_sample(loaded):
    """The bundled file read with load_image gives the same pixels as load_sample."""
    for name in ("chelsea", "brick"):
        np.testing.assert_array_equal(load_image(SAMPLES[name].path), loaded[name])


@pytest.mark.parametrize("name, max_size", [("chelsea", 256), ("hubble", 300), ("brick", 64)])
def test_max_size_is_respected(name, max_size):
    image = load_sample(name, max_size=max_size)
    h, w = SAMPLES[name].size
    assert max(image.shape[:2]) == max_size
    assert image.shape[2] == 3 and image.dtype == np.float32
    assert abs(image.shape[0] / image.shape[1] - h / w) < 0.01
    assert image.min() >= 0 and image.max() <= 255


def test_max_size_larger_than_the_sample_enlarges_it():
    image = load_sample("chelsea", max_size=902)
    assert image.shape == (600, 902, 3)
    assert image.min() >= 0 and image.max() <= 255
    with pytest.raises(ValueError, match="max_size"):
        load_sample("chelsea", max_size=0)


def test_load_sample_accepts_a_sample_object():
    assert load_sample(SAMPLES["coffee"], max_size=60).shape == (40, 60, 3)


def test_unknown_sample_lists_the_known_names():
    with pytest.raises(UnknownSampleError) as excinfo:
        load_sample("chelsee")
    err = excinfo.value
    assert isinstance(err, KeyError) and isinstance(err, ValueError)
    message = str(err)
    assert message.startswith("unknown sample 'chelsee'")
    assert "Did you mean 'chelsea'" in message
    for name in SAMPLES:
        assert name in message
    with pytest.raises(KeyError):
        get_sample("nothing-like-it")


def test_docs_list_every_sample_with_its_licence():
    text = DOCS.read_text(encoding="utf-8")
    for sample in SAMPLES.values():
        assert f"`{sample.name}`" in text, sample.name
        assert sample.licence in text, sample.name
    assert samples.__doc__ and "offline" in samples.__doc__


def test_stained_glass_is_painted_the_same_every_time_and_is_colourful():
    a, b = samples.stained_glass(), samples.stained_glass()
    np.testing.assert_array_equal(a, b)
    a[:] = 0  # a fresh copy: changing it leaves the next call alone
    np.testing.assert_array_equal(samples.stained_glass(), b)
    assert b.shape == (512, 512, 3) and b.dtype == np.uint8
    assert not np.array_equal(samples.stained_glass(seed=1), b)
    image = load_sample("stained_glass").astype(np.float64)
    # many hues, not a grey texture: the mean saturation is high and every hue sextant is present
    from skimage.color import rgb2hsv

    hsv = rgb2hsv(image / 255)
    assert hsv[..., 1].mean() > 0.5
    counts = np.histogram(hsv[..., 0], bins=6, range=(0, 1))[0]
    assert (counts > 0.05 * counts.sum()).all(), counts
    # the lead lines: a good share of dark pixels
    assert 0.03 < (image.max(axis=-1) < 40).mean() < 0.3
