"""stylelib.vgg19: the layer table, the three weight sources and every way loading can fail.

The weight files are written here, in the real layouts and shapes (see ``weights_files.py``), once per
module; the tests compare what the loaders return with exactly what was written.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from stylelib import vgg19
from stylelib.vgg19 import RandomWeightsWarning, VGG19Weights, WeightsError

sys.path.insert(0, str(Path(__file__).parent))
import weights_files as wf  # noqa: E402

# --------------------------------------------------------------------------- fixtures

EXPECTED_INDEX = {
    "conv1_1": 0, "conv1_2": 2, "pool1": 4,
    "conv2_1": 5, "conv2_2": 7, "pool2": 9,
    "conv3_1": 10, "conv3_2": 12, "conv3_3": 14, "conv3_4": 16, "pool3": 18,
    "conv4_1": 19, "conv4_2": 21, "conv4_3": 23, "conv4_4": 25, "pool4": 27,
    "conv5_1": 28, "conv5_2": 30, "conv5_3": 32, "conv5_4": 34, "pool5": 36,
}  # fmt: skip
EXPECTED_CHANNELS = {  # conv layer: (in, out)
    "conv1_1": (3, 64), "conv1_2": (64, 64),
    "conv2_1": (64, 128), "conv2_2": (128, 128),
    "conv3_1": (128, 256), "conv3_2": (256, 256), "conv3_3": (256, 256), "conv3_4": (256, 256),
    "conv4_1": (256, 512), "conv4_2": (512, 512), "conv4_3": (512, 512), "conv4_4": (512, 512),
    "conv5_1": (512, 512), "conv5_2": (512, 512), "conv5_3": (512, 512), "conv5_4": (512, 512),
}  # fmt: skip
# a mean that is not ImageNet's, so a test can tell "computed from the file" from "hard-coded"
ODD_MEAN_RGB = (120.5, 110.25, 100.125)


@pytest.fixture(scope="module")
def arrays():
    return wf.vgg_arrays(seed=0)


@pytest.fixture(scope="module")
def files(arrays, tmp_path_factory):
    """The four good files, written once: Keras flat/nested naming, MatConvNet old/new layout."""
    kernels, biases = arrays
    d = tmp_path_factory.mktemp("vgg_files")
    return {
        "flat": wf.write_keras_h5(d / "flat.h5", kernels, biases, naming="flat"),
        "nested": wf.write_keras_h5(d / "nested.h5", kernels, biases, naming="nested"),
        "old": wf.write_matconvnet(
            d / "old.mat", kernels, biases, layout="old",
            average=wf.average_image((224, 224, 3), ODD_MEAN_RGB),
        ),
        "new": wf.write_matconvnet(
            d / "new.mat", kernels, biases, layout="new",
            average=wf.average_image((1, 1, 3), ODD_MEAN_RGB),
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def random0():
    return vgg19.random_weights(0, warn=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """load_weights caches per path; tests must not see each other's entries (nor keep 80 MB each)."""
    vgg19._CACHE.clear()
    yield
    vgg19._CACHE.clear()


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """KERAS_HOME in a fresh (not yet existing) tmp directory."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


def assert_helpful(err: pytest.ExceptionInfo, *must_name: object) -> str:
    """The message names the file (and whatever else) and lists the three ways out."""
    msg = str(err.value)
    for thing in must_name:
        assert str(thing) in msg, f"{thing!r} not named in:\n{msg}"
    assert str(vgg19.keras_cache_path()) in msg, msg  # way out 1: where to put the Keras file
    assert "pass a path" in msg, msg  # way out 2
    assert "weights='random'" in msg and "STYLELIB_WEIGHTS" in msg, msg  # way out 3
    return msg


def assert_same_weights(w: VGG19Weights, kernels, biases) -> None:
    for name in vgg19.CONV_LAYERS:
        assert w.kernels[name].dtype == np.float32 and w.biases[name].dtype == np.float32
        np.testing.assert_array_equal(w.kernels[name], kernels[name], err_msg=name)
        np.testing.assert_array_equal(w.biases[name], biases[name], err_msg=name)


# --------------------------------------------------------------------------- layer table


def test_layer_order_and_matconvnet_indices():
    assert vgg19.LAYER_NAMES == tuple(EXPECTED_INDEX)
    assert vgg19.MATCONVNET_INDEX == EXPECTED_INDEX
    assert len(vgg19.CONV_LAYERS) == 16 and len(vgg19.POOL_LAYERS) == 5


def test_keras_names():
    assert vgg19.KERAS_NAMES["conv1_1"] == "block1_conv1"
    assert vgg19.KERAS_NAMES["conv3_4"] == "block3_conv4"
    assert vgg19.KERAS_NAMES["conv4_2"] == "block4_conv2"
    assert vgg19.KERAS_NAMES["conv5_4"] == "block5_conv4"
    assert vgg19.KERAS_NAMES["pool1"] == "block1_pool"
    assert vgg19.KERAS_NAMES["pool5"] == "block5_pool"
    assert len(set(vgg19.KERAS_NAMES.values())) == 21


def test_channel_counts():
    convs = {l.name: (l.in_channels, l.out_channels) for l in vgg19.LAYERS if l.kind == "conv"}
    assert convs == EXPECTED_CHANNELS
    pools = {l.name: l.out_channels for l in vgg19.LAYERS if l.kind == "pool"}
    assert pools == {"pool1": 64, "pool2": 128, "pool3": 256, "pool4": 512, "pool5": 512}


def test_layer_shapes():
    s224 = vgg19.layer_shapes(224, 224)
    assert s224["conv1_1"] == (224, 224, 64)
    assert s224["pool1"] == (112, 112, 64)
    assert s224["pool5"] == (7, 7, 512)
    s = vgg19.layer_shapes(600, 800)  # height 600, width 800: (H, W, C), not the blog's 400x300
    assert s["conv1_1"] == (600, 800, 64)
    assert s["pool1"] == (300, 400, 64)
    assert s["conv4_2"] == (75, 100, 512)
    assert s["pool4"] == (38, 50, 512)  # 75 is odd: SAME pooling rounds up
    assert s["pool5"] == (19, 25, 512)


def test_layers_up_to():
    assert [l.name for l in vgg19.layers_up_to("conv2_1")] == [
        "conv1_1", "conv1_2", "pool1", "conv2_1",
    ]  # fmt: skip
    assert len(vgg19.layers_up_to("pool5")) == 21
    with pytest.raises(ValueError, match="relu4_2"):
        vgg19.layers_up_to("relu4_2")


# --------------------------------------------------------------------------- random weights


def test_random_weights_are_seeded(random0):
    again = vgg19.random_weights(0, warn=False)
    other = vgg19.random_weights(1, warn=False)
    for name in vgg19.CONV_LAYERS:
        np.testing.assert_array_equal(random0.kernels[name], again.kernels[name])
        assert not np.array_equal(random0.kernels[name], other.kernels[name])


def test_random_weights_are_he_normal(random0):
    w = random0
    for name, (cin, cout) in EXPECTED_CHANNELS.items():
        k = w.kernels[name]
        assert k.shape == (3, 3, cin, cout) and k.dtype == np.float32
        want = np.sqrt(2.0 / (9 * cin))
        assert abs(k.std() / want - 1) < 0.05, (name, k.std(), want)
        assert abs(k.mean()) < 0.05 * want, name
        np.testing.assert_array_equal(w.biases[name], np.zeros(cout, np.float32))


def test_random_weights_convention(random0):
    w = random0
    assert w.is_random and w.channel_order == "RGB"
    assert w.mean == pytest.approx(vgg19.IMAGENET_MEAN_RGB)
    np.testing.assert_allclose(w.mean_rgb, [123.68, 116.779, 103.939], rtol=1e-6)
    assert "RANDOM" in repr(w)


def test_random_weights_warn_loudly():
    with pytest.warns(RandomWeightsWarning, match="RANDOM VGG-19 WEIGHTS"):
        vgg19.random_weights(0)
    with pytest.warns(RandomWeightsWarning):
        first = vgg19.load_weights("random")
    with pytest.warns(RandomWeightsWarning):  # every call warns, even when served from the cache
        assert vgg19.load_weights("random") is first
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vgg19.random_weights(0, warn=False)


def test_load_weights_random_seed(random0):
    with pytest.warns(RandomWeightsWarning):
        a = vgg19.load_weights("random", seed=0)
    for name in vgg19.CONV_LAYERS:
        np.testing.assert_array_equal(a.kernels[name], random0.kernels[name])


# --------------------------------------------------------------------------- Keras .h5


def test_written_kernels_are_not_symmetric(arrays):
    """The test data can tell rows from columns (else the orientation tests would prove nothing)."""
    kernels, _ = arrays
    for name, k in kernels.items():
        assert not np.allclose(k, k.transpose(1, 0, 2, 3)), name
        assert k[0, 2, 0, 0] == wf.ROW0_COL2_MARK and k[2, 0, 0, 0] == wf.ROW2_COL0_MARK


@pytest.mark.parametrize("naming", ["flat", "nested"])
def test_keras_h5_loads(files, arrays, naming):
    w = vgg19.load_keras_h5(files[naming])
    assert w.channel_order == "BGR" and not w.is_random
    assert w.mean == (103.939, 116.779, 123.68)
    np.testing.assert_allclose(w.mean_rgb, [123.68, 116.779, 103.939], rtol=1e-6)
    assert w.source == str(files[naming])
    assert_same_weights(w, *arrays)  # exactly as written: no transpose, no channel flip
    assert w.kernels["conv1_1"][0, 2, 0, 0] == wf.ROW0_COL2_MARK


def test_keras_h5_writer_matches_keras_own_reader(files, arrays):
    """Keras' legacy-HDF5 reader loads our files into its VGG19: the layout is the real one."""
    keras = pytest.importorskip("keras")
    kernels, biases = arrays
    for naming in ("flat", "nested"):
        model = keras.applications.VGG19(weights=None, include_top=False)
        model.load_weights(str(files[naming]))
        for name in ("conv1_1", "conv3_1", "conv5_4"):
            k, b = model.get_layer(vgg19.KERAS_NAMES[name]).get_weights()
            np.testing.assert_array_equal(k, kernels[name])
            np.testing.assert_array_equal(b, biases[name])


def test_keras_h5_under_model_weights(tmp_path, arrays):
    """A whole-model .h5 keeps the layer groups under ``model_weights``."""
    import h5py

    src = wf.write_keras_h5(tmp_path / "plain.h5", *arrays, naming="nested")
    dst = tmp_path / "model.h5"
    with h5py.File(src, "r") as fin, h5py.File(dst, "w") as fout:
        g = fout.create_group("model_weights")
        for key, value in fin.attrs.items():
            g.attrs[key] = value
        for key in fin:
            fin.copy(fin[key], g, name=key)
    assert_same_weights(vgg19.load_keras_h5(dst), *arrays)


# --------------------------------------------------------------------------- MatConvNet .mat


@pytest.mark.parametrize("layout", ["old", "new"])
def test_matconvnet_loads(files, arrays, layout):
    w = vgg19.load_matconvnet(files[layout])
    assert w.channel_order == "RGB" and not w.is_random
    assert w.mean == pytest.approx(ODD_MEAN_RGB, abs=1e-3)  # computed from the file's averageImage
    assert w.source == str(files[layout])
    assert_same_weights(w, *arrays)  # [row, col, in, out] exactly as written: no transpose
    assert w.kernels["conv1_1"][0, 2, 0, 0] == wf.ROW0_COL2_MARK
    assert w.kernels["conv1_1"][2, 0, 0, 0] == wf.ROW2_COL0_MARK


def test_matconvnet_files_have_the_real_structure(files, arrays):
    """What scipy reads back is nested record/object arrays, indexed the way the real file is."""
    import scipy.io

    kernels, _ = arrays
    old = scipy.io.loadmat(str(files["old"]))
    assert {"layers", "normalization", "classes"} <= set(old)
    assert old["layers"].shape == (1, 39) and old["layers"].dtype == object
    entry = old["layers"][0][21]  # conv4_2 sits at index 21 behind the ReLUs and pools
    assert entry.shape == (1, 1) and entry.dtype.names[0] == "weights"
    assert entry.dtype.names == ("weights", "pad", "type", "name", "stride")
    kernel, bias = entry[0][0][0][0]  # positional indexing, as hand-written readers of the real file do
    np.testing.assert_array_equal(kernel, kernels["conv4_2"])
    assert bias.shape == (1, 512)
    assert str(entry[0][0]["name"][0]) == "conv4_2"
    assert str(old["layers"][0][4][0][0]["name"][0]) == "pool1"
    assert old["normalization"][0][0]["averageImage"].shape == (224, 224, 3)

    new = scipy.io.loadmat(str(files["new"]))
    assert {"layers", "meta"} <= set(new) and "normalization" not in new
    entry = new["layers"][0][21]
    assert entry.dtype.names[:3] == ("name", "type", "weights")
    assert str(entry[0][0]["name"][0]) == "conv4_2"
    assert entry[0][0]["weights"][0][1].shape == (512, 1)
    meta = new["meta"][0][0]
    assert {"normalization", "classes"} <= set(meta.dtype.names)
    assert meta["normalization"][0][0]["averageImage"].shape == (1, 1, 3)


@pytest.mark.parametrize("shape", [(3,), (3, 1)])  # (224, 224, 3) and (1, 1, 3): the `files` fixture
def test_matconvnet_mean_from_any_average_shape(tmp_path, arrays, shape):
    avg = wf.average_image(shape if shape[-1] == 3 else (1, 3), ODD_MEAN_RGB).reshape(shape)
    path = wf.write_matconvnet(tmp_path / "vgg.mat", *arrays, layout="new", average=avg)
    assert vgg19.load_matconvnet(path).mean == pytest.approx(ODD_MEAN_RGB, abs=1e-3)


# --------------------------------------------------------------------------- load_weights


def test_load_weights_dispatches_by_suffix(files, arrays, tmp_path):
    h5 = vgg19.load_weights(files["flat"])
    mat = vgg19.load_weights(str(files["new"]))
    assert h5.channel_order == "BGR" and mat.channel_order == "RGB"
    hdf5 = tmp_path / "VGG.HDF5"  # suffix matching ignores case
    os.symlink(files["nested"], hdf5)
    assert vgg19.load_weights(hdf5).channel_order == "BGR"
    assert_same_weights(mat, *arrays)


def test_load_weights_caches_and_passes_through(files):
    a = vgg19.load_weights(files["old"])
    assert vgg19.load_weights(str(files["old"])) is a
    assert vgg19.load_weights(a) is a


def test_load_weights_expands_user(files, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    os.symlink(files["flat"], tmp_path / "vgg.h5")
    assert vgg19.load_weights("~/vgg.h5").channel_order == "BGR"


def test_default_source_from_environment(files, monkeypatch):
    monkeypatch.delenv("STYLELIB_WEIGHTS", raising=False)
    assert vgg19.default_source() == "keras"
    monkeypatch.setenv("STYLELIB_WEIGHTS", "   ")
    assert vgg19.default_source() == "keras"
    monkeypatch.setenv("STYLELIB_WEIGHTS", str(files["old"]))
    w = vgg19.load_weights()
    assert w.channel_order == "RGB" and w.source == str(files["old"])
    monkeypatch.setenv("STYLELIB_WEIGHTS", "random")
    with pytest.warns(RandomWeightsWarning):
        assert vgg19.load_weights().is_random
    monkeypatch.setenv("STYLELIB_WEIGHTS", str(files["flat"]))
    assert vgg19.load_weights(None).channel_order == "BGR"


# --------------------------------------------------------------------------- errors


def test_error_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "imagenet-vgg-verydeep-19.mat"
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "does not exist")


def test_error_directory(tmp_path):
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(tmp_path)
    assert_helpful(err, tmp_path, "directory")


@pytest.mark.parametrize("name", ["vgg19.pt", "vgg19.keras", "vgg19"])
def test_error_unknown_suffix(tmp_path, name):
    path = wf.write_garbage(tmp_path / name)
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "unknown weights format", ".h5", ".mat")


@pytest.mark.parametrize("suffix", [".h5", ".mat"])
@pytest.mark.parametrize("content", [b"", b"<html>403 Forbidden</html>", None])
def test_error_corrupt_file(tmp_path, suffix, content):
    path = tmp_path / f"weights{suffix}"
    if content is None:
        wf.write_garbage(path)
    else:
        path.write_bytes(content)
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path)


def test_error_mat_without_layers(tmp_path):
    import scipy.io

    path = tmp_path / "other.mat"
    scipy.io.savemat(str(path), {"net": np.zeros((2, 2)), "classes": np.zeros(3)})
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "'layers'", "not a MatConvNet VGG file")


def test_error_h5_without_layers(tmp_path):
    import h5py

    path = tmp_path / "empty.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.zeros(3))
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "block1_conv1", "missing")


def test_error_h5_layer_missing(tmp_path, arrays):
    path = wf.write_keras_h5(tmp_path / "vgg.h5", *arrays, skip=["conv4_2"])
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "block4_conv2", "conv4_2", "missing")


def test_error_mat_layer_list_too_short(tmp_path, arrays):
    path = wf.write_matconvnet(tmp_path / "vgg.mat", *arrays, truncate=20)  # ends at conv4_1 (index 19)
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "conv4_2", "index 21", "missing")


def test_error_mat_layer_without_weights(tmp_path, arrays):
    path = wf.write_matconvnet(tmp_path / "vgg.mat", *arrays, layout="new", skip=["conv2_1"])
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "conv2_1", "0 weight arrays")


def test_error_mat_vgg16_layer_list(tmp_path, arrays):
    """VGG-16 has no conv3_4: entry 16 is then pool3, and the loader must notice, not mis-assign."""
    path = wf.write_matconvnet(tmp_path / "vgg16.mat", *arrays, drop=["conv3_4", "conv4_4", "conv5_4"])
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "'pool3'", "'conv3_4'", "VGG-19")


def test_error_mat_without_normalization(tmp_path, arrays):
    for layout in ("old", "new"):  # the mean is read before the layers: a short layer list will do
        path = wf.write_matconvnet(
            tmp_path / f"{layout}.mat", *arrays, layout=layout, with_normalization=False, truncate=3
        )
        with pytest.raises(WeightsError) as err:
            vgg19.load_weights(path)
        assert_helpful(err, path, "averageImage")


def test_error_mat_bad_average_image(tmp_path, arrays):
    path = wf.write_matconvnet(
        tmp_path / "vgg.mat", *arrays, layout="new", average=np.zeros((2, 2), np.float32), truncate=3
    )
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "averageImage", "(2, 2)")


def _conv3_1_with_64_inputs(arrays):
    kernels, biases = arrays
    bad = np.zeros((3, 3, 64, 256), np.float32)  # conv3_1 takes 128 channels, not 64
    return {"conv3_1": (bad, biases["conv3_1"])}


def test_error_h5_misshaped_layer(tmp_path, arrays):
    path = wf.write_keras_h5(tmp_path / "vgg.h5", *arrays, override=_conv3_1_with_64_inputs(arrays))
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "conv3_1", "(3, 3, 64, 256)", "(3, 3, 128, 256)")


def test_error_mat_misshaped_layer(tmp_path, arrays):
    path = wf.write_matconvnet(tmp_path / "vgg.mat", *arrays, override=_conv3_1_with_64_inputs(arrays))
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights(path)
    assert_helpful(err, path, "conv3_1", "(3, 3, 64, 256)", "(3, 3, 128, 256)")


def test_error_weights_container_validates():
    with pytest.raises(ValueError, match="channel_order"):
        VGG19Weights({}, {}, "BRG", (0.0, 0.0, 0.0), source="x")
    with pytest.raises(WeightsError, match="conv1_1"):
        VGG19Weights({}, {}, "RGB", (0.0, 0.0, 0.0), source="x")


# --------------------------------------------------------------------------- the Keras cache / download


def test_keras_cache_path(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert vgg19.keras_cache_path() == tmp_path / "kh" / "models" / vgg19.KERAS_WEIGHTS_FILE
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert vgg19.keras_cache_path() == tmp_path / "me" / ".keras" / "models" / vgg19.KERAS_WEIGHTS_FILE


def test_keras_url_and_md5_match_installed_keras():
    """Our URL and MD5 are the ones keras.applications.vgg19 itself downloads and checks."""
    pytest.importorskip("keras")
    try:
        from keras.src.applications import vgg19 as keras_vgg19
    except ImportError:  # pragma: no cover - another keras layout
        pytest.skip("keras.src.applications.vgg19 not found in this keras")
    source = inspect.getsource(keras_vgg19)
    assert vgg19.KERAS_WEIGHTS_MD5 == "253f8cb515780f3b799900260a226db6"
    assert f'file_hash="{vgg19.KERAS_WEIGHTS_MD5}"' in source
    assert keras_vgg19.WEIGHTS_PATH_NO_TOP == vgg19.KERAS_WEIGHTS_URL


class _FakeGetFile:
    """Stands in for keras.utils.get_file: records the call, then fails (offline) or 'downloads'."""

    def __init__(self, content: Path | None = None):
        self.content = content
        self.calls: list[tuple[tuple, dict]] = []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        if self.content is None:
            raise Exception(
                f"URL fetch failure on {args[1]}: None -- [Errno -3] Temporary failure in name resolution"
            )
        target = Path(kwargs["cache_dir"]) / kwargs["cache_subdir"] / args[0]
        shutil.copyfile(self.content, target)
        return str(target)


def test_keras_offline_names_cache_path(keras_home, monkeypatch):
    fake = _FakeGetFile()
    monkeypatch.setattr("keras.utils.get_file", fake)
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights("keras")
    cache = keras_home / "models" / vgg19.KERAS_WEIGHTS_FILE
    msg = assert_helpful(err, cache, vgg19.KERAS_WEIGHTS_URL, "could not download")
    assert "Temporary failure in name resolution" in msg
    assert len(fake.calls) == 1
    # the cache dir exists, so keras' get_file cannot fall back to /tmp/.keras
    assert (keras_home / "models").is_dir()


def test_keras_download_arguments_fit_installed_get_file(keras_home, monkeypatch):
    import keras

    real_signature = inspect.signature(keras.utils.get_file)
    fake = _FakeGetFile()
    monkeypatch.setattr("keras.utils.get_file", fake)
    with pytest.raises(WeightsError):
        vgg19.load_weights("keras")
    (args, kwargs), = fake.calls
    bound = real_signature.bind(*args, **kwargs)  # raises TypeError if keras renamed an argument
    assert bound.arguments["fname"] == vgg19.KERAS_WEIGHTS_FILE
    assert bound.arguments["origin"] == vgg19.KERAS_WEIGHTS_URL
    assert bound.arguments["cache_subdir"] == "models"
    assert Path(bound.arguments["cache_dir"]) == keras_home
    assert bound.arguments["file_hash"] == "253f8cb515780f3b799900260a226db6"
    assert bound.arguments["hash_algorithm"] == "md5"


def test_keras_download_then_load(keras_home, monkeypatch, files, arrays):
    fake = _FakeGetFile(content=files["flat"])
    monkeypatch.setattr("keras.utils.get_file", fake)
    w = vgg19.load_weights("keras")
    assert w.channel_order == "BGR" and w.mean == vgg19.KERAS_MEAN_BGR
    assert w.source == str(keras_home / "models" / vgg19.KERAS_WEIGHTS_FILE)
    assert_same_weights(w, *arrays)
    assert vgg19.keras_cache_path().is_file()


def test_keras_cached_file_is_checked_and_used(keras_home, monkeypatch, files, arrays):
    cache = keras_home / "models" / vgg19.KERAS_WEIGHTS_FILE
    cache.parent.mkdir(parents=True)
    shutil.copyfile(files["nested"], cache)
    # our written file is not Keras' real one: make its MD5 the "published" one for this test
    monkeypatch.setattr(vgg19, "KERAS_WEIGHTS_MD5", hashlib.md5(cache.read_bytes()).hexdigest())
    monkeypatch.setattr("keras.utils.get_file", _FakeGetFile())  # must not be called
    w = vgg19.load_weights("keras")
    assert_same_weights(w, *arrays)
    assert w.source == str(cache)


def test_keras_cached_file_with_wrong_md5(keras_home, monkeypatch):
    cache = keras_home / "models" / vgg19.KERAS_WEIGHTS_FILE
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"partial download" * 100)
    fake = _FakeGetFile()
    monkeypatch.setattr("keras.utils.get_file", fake)
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights("keras")
    assert_helpful(err, cache, "MD5", vgg19.KERAS_WEIGHTS_MD5, hashlib.md5(cache.read_bytes()).hexdigest())
    assert fake.calls == []  # an existing file is never overwritten silently
    assert cache.read_bytes() == b"partial download" * 100


def test_keras_cache_path_is_a_directory(keras_home):
    (keras_home / "models" / vgg19.KERAS_WEIGHTS_FILE).mkdir(parents=True)
    with pytest.raises(WeightsError) as err:
        vgg19.load_weights("keras")
    assert_helpful(err, keras_home / "models" / vgg19.KERAS_WEIGHTS_FILE, "directory")


# --------------------------------------------------------------------------- describe_source


def test_describe_source(keras_home, monkeypatch, files, tmp_path):
    assert "random" in vgg19.describe_source("random") and "untrained" in vgg19.describe_source("random")
    text = vgg19.describe_source("keras")
    assert str(vgg19.keras_cache_path()) in text and "will download" in text
    cache = vgg19.keras_cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"x")
    assert vgg19.describe_source("keras") == f"keras ImageNet weights at {cache}"
    assert vgg19.describe_source(files["old"]) == f"file {files['old']}"
    assert vgg19.describe_source(tmp_path / "gone.mat") == f"file {tmp_path / 'gone.mat'} (missing)"
    monkeypatch.setenv("STYLELIB_WEIGHTS", "random")
    assert vgg19.describe_source() == vgg19.describe_source("random")
    monkeypatch.delenv("STYLELIB_WEIGHTS")
    assert vgg19.describe_source(None) == vgg19.describe_source("keras")
