"""Checks on the real ImageNet VGG-19 files, run only where they are present.

Where the files are looked for
------------------------------
* Keras: ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`` at :func:`stylelib.vgg19.keras_cache_path`
  (``$KERAS_HOME/models/`` or ``~/.keras/models/``) — where ``stylelib weights`` or Keras itself put it.
* MatConvNet: ``$STYLELIB_MAT`` if set, else ``~/.stylelib/imagenet-vgg-verydeep-19.mat``
  (from https://www.vlfeat.org/matconvnet/pretrained/, either published version).

Each test skips, naming the missing path, when its file is absent; ``pytest -m real_weights -rs`` lists
the reasons. The comparison test is the evidence for the ``.mat`` kernel orientation described in
:mod:`stylelib.vgg19`: both files come from the same Caffe model, Keras' with BGR input channels and
MatConvNet's with RGB ones, so ``mat[conv1_1] == keras[conv1_1][:, :, ::-1, :]`` and every deeper
layer is identical — if our loader orients the ``.mat`` kernels correctly.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from stylelib import vgg19

pytestmark = pytest.mark.real_weights

MAT_NAME = "imagenet-vgg-verydeep-19.mat"


def mat_path() -> Path:
    env = os.environ.get("STYLELIB_MAT", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".stylelib" / MAT_NAME


@pytest.fixture(scope="module")
def keras_file() -> Path:
    path = vgg19.keras_cache_path()
    if not path.is_file():
        pytest.skip(
            f"Keras VGG-19 weights not at {path} (download {vgg19.KERAS_WEIGHTS_URL} there, "
            "or run `stylelib weights`)"
        )
    return path


@pytest.fixture(scope="module")
def mat_file() -> Path:
    path = mat_path()
    if not path.is_file():
        pytest.skip(f"MatConvNet {MAT_NAME} not at {path} (put it there or set STYLELIB_MAT=/path/to/it)")
    return path


@pytest.fixture(scope="module")
def keras_weights(keras_file) -> vgg19.VGG19Weights:
    return vgg19.load_keras_h5(keras_file)


@pytest.fixture(scope="module")
def mat_weights(mat_file) -> vgg19.VGG19Weights:
    return vgg19.load_matconvnet(mat_file)


def test_keras_file_has_published_md5(keras_file):
    digest = vgg19._md5(keras_file)
    assert digest == vgg19.KERAS_WEIGHTS_MD5, (
        f"{keras_file} has MD5 {digest}, Keras publishes {vgg19.KERAS_WEIGHTS_MD5}: corrupt or partial "
        "download — delete it and fetch it again"
    )


def test_keras_file_loads_as_trained_bgr(keras_weights):
    w = keras_weights
    assert w.channel_order == "BGR" and w.mean == vgg19.KERAS_MEAN_BGR and not w.is_random
    # trained weights: non-zero biases, kernels far from He-normal noise in conv1_1
    assert np.abs(w.biases["conv1_1"]).max() > 0.1
    assert np.isfinite(w.kernels["conv5_4"]).all()


def test_mat_file_mean_is_imagenet_rgb(mat_weights):
    assert mat_weights.channel_order == "RGB" and not mat_weights.is_random
    assert mat_weights.mean == pytest.approx(vgg19.IMAGENET_MEAN_RGB, abs=0.01)


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    scale = float(max(np.abs(a).max(), np.abs(b).max(), 1e-12))
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-4, atol=1e-5 * scale))


def test_mat_kernels_match_keras_kernels(mat_weights, keras_weights):
    """The orientation proof: .mat conv1_1 == Keras conv1_1 with BGR input channels flipped to RGB."""
    problems = []
    for name in vgg19.CONV_LAYERS:
        mat_k = mat_weights.kernels[name]
        keras_k = keras_weights.kernels[name]
        if name == "conv1_1":
            keras_k = keras_k[:, :, ::-1, :]  # Keras' input channels are B, G, R; MatConvNet's R, G, B
        if _close(mat_k, keras_k):
            continue
        hints = []
        if _close(mat_k.transpose(1, 0, 2, 3), keras_k):
            hints.append(
                "the TRANSPOSED .mat kernel matches: the .mat stores W x H x C x K after all — load it "
                "with np.transpose(w, (1, 0, 2, 3)) and fix the module docstring"
            )
        if name == "conv1_1" and _close(mat_k, keras_weights.kernels[name]):
            hints.append("the .mat conv1_1 matches Keras WITHOUT the channel flip: this .mat wants BGR input")
        diff = float(np.abs(mat_k - keras_k).max()) if mat_k.shape == keras_k.shape else float("nan")
        problems.append(f"{name}: max |mat - keras| = {diff:.3g}. " + " ".join(hints))
    assert not problems, "the .mat and Keras kernels disagree:\n" + "\n".join(problems)


def test_mat_biases_match_keras_biases(mat_weights, keras_weights):
    for name in vgg19.CONV_LAYERS:
        np.testing.assert_allclose(
            mat_weights.biases[name], keras_weights.biases[name], rtol=1e-4, atol=1e-6, err_msg=name
        )


def test_both_files_see_the_same_image_alike(mat_weights, keras_weights):
    """One conv1_1 output pixel, computed by hand from each file's own input convention, agrees."""
    rng = np.random.default_rng(0)
    patch_rgb = rng.uniform(0, 255, (3, 3, 3))  # a 3x3 RGB patch, 0-255
    mat_in = patch_rgb - np.asarray(mat_weights.mean)
    keras_in = patch_rgb[:, :, ::-1] - np.asarray(keras_weights.mean)  # BGR, BGR mean
    mat_out = np.einsum("ijc,ijck->k", mat_in, mat_weights.kernels["conv1_1"]) + mat_weights.biases["conv1_1"]
    keras_out = (
        np.einsum("ijc,ijck->k", keras_in, keras_weights.kernels["conv1_1"]) + keras_weights.biases["conv1_1"]
    )
    np.testing.assert_allclose(mat_out, keras_out, rtol=1e-3, atol=1e-2)
