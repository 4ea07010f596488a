"""Shared fixtures for the library's unit tests: random VGG-19 weights and tiny test images.

Everything here is small on purpose (32 x 48 images): the whole unit suite must run in about a minute on
a 2-core CPU. The random weights are loaded once per test session, with their (deliberately loud)
warning silenced — the tests know the weights are random.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from stylelib import vgg19
from stylelib.images import preprocess

TINY_H, TINY_W = 32, 48


def _tiny_image(seed: int, h: int = TINY_H, w: int = TINY_W) -> np.ndarray:
    """A reproducible RGB image (h, w, 3) float32 in 0–255: smooth colour gradients plus some noise,
    so it has both large structures and texture. Read-only, so a test cannot change it for the others."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([
        255.0 * yy / max(h - 1, 1),
        255.0 * xx / max(w - 1, 1),
        127.5 + 100.0 * np.sin((xx + yy) / 5.0 + seed),
    ], axis=-1)
    img = np.clip(base + rng.normal(0.0, 25.0, base.shape), 0, 255).astype(np.float32)
    img.setflags(write=False)
    return img


@pytest.fixture(scope="session")
def random_weights() -> vgg19.VGG19Weights:
    """``stylelib.vgg19.load_weights('random')`` (seed 0), loaded once, warning suppressed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vgg19.RandomWeightsWarning)
        return vgg19.load_weights("random")


@pytest.fixture(scope="session")
def content_img() -> np.ndarray:
    """A 32 x 48 RGB 'content' image, float32 0–255, read-only."""
    return _tiny_image(1)


@pytest.fixture(scope="session")
def style_img() -> np.ndarray:
    """A different 32 x 48 RGB 'style' image, float32 0–255, read-only."""
    return _tiny_image(2)


@pytest.fixture(scope="session")
def content_pre(content_img, random_weights) -> np.ndarray:
    """The content image preprocessed for the random weights: (1, 32, 48, 3) float32."""
    x = preprocess(content_img, random_weights)
    x.setflags(write=False)
    return x


@pytest.fixture(scope="session")
def style_pre(style_img, random_weights) -> np.ndarray:
    """The style image preprocessed for the random weights: (1, 32, 48, 3) float32."""
    x = preprocess(style_img, random_weights)
    x.setflags(write=False)
    return x


@pytest.fixture(scope="session")
def art_session(content_img, style_img, random_weights):
    """One TF1 ArtSession on the tiny content/style pair (building it takes a few seconds), shared.
    Tests that step it must not assume where the image is; set it with ``set_image`` first."""
    from stylelib.session import ArtSession

    art = ArtSession(content_img, style_img, random_weights)
    # what the session looks like right after construction, before any test touches it
    _ART_INITIAL["image"] = art.image()
    _ART_INITIAL["losses"] = art.loss_values()
    yield art
    art.close()


_ART_INITIAL: dict = {}


@pytest.fixture(scope="session")
def art_initial(art_session) -> dict:
    """``{'image': ..., 'losses': ...}`` of :func:`art_session` as it was right after construction."""
    return dict(_ART_INITIAL)
