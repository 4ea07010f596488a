"""The ``stylelib`` command line: real runs at 32 px with random weights, and every way it can be misused.

Most tests call :func:`stylelib.cli.main` in-process (fast; TensorFlow is imported once); one runs
``python -m stylelib`` in a subprocess to check the installed entry point, the exit code and what a user
sees on stderr. ``KERAS_HOME`` points at an empty directory so nothing depends on this machine's cache.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stylelib import cli, images, vgg19
from stylelib.samples import SAMPLES

sys.path.insert(0, str(Path(__file__).parent))
import weights_files as wf  # noqa: E402

RANDOM_BANNER = "RANDOM VGG-19 WEIGHTS"
FAST = ["--size", "32", "--iterations", "3", "--weights", "random"]
# shallow layers: the network is built only up to conv2_1, so the runs that test plumbing compile faster
SHALLOW = ["--content-layers", "conv1_2", "--style-layers", "conv1_1,conv2_1:2"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    keras_home = tmp_path / "keras_home"
    keras_home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.delenv("STYLELIB_WEIGHTS", raising=False)
    monkeypatch.delenv("STYLELIB_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    return keras_home


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, *needles: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected a one-line error, got:\n{err}"
    line = lines[0]
    assert line.startswith("stylelib: error: "), line
    assert "Traceback" not in err
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as im:
        assert im.format == "PNG"
        return im.size  # (width, height)


# --------------------------------------------------------------------------------------------------
# stylize: real runs
# --------------------------------------------------------------------------------------------------


def test_stylize_end_to_end_in_process(capsys, tmp_path):
    out = tmp_path / "made" / "here" / "cat.png"  # missing directories are created
    code, stdout, stderr = run(capsys, "stylize", "sample:chelsea", "brick", "-o", out, *FAST)
    assert code == 0, stderr
    # chelsea is 451 x 300: longest side 32 -> 32 x 21
    assert png_size(out) == (32, 21)
    pixels = np.asarray(Image.open(out).convert("RGB"), np.float32)
    content = images.load_image(SAMPLES["chelsea"].path, max_size=32)
    assert pixels.std() > 1.0  # a picture, not a flat colour
    assert np.abs(pixels - content).mean() > 0.5  # the optimizer changed the content image
    # the one-line summary: path, steps, losses, time per step
    summary = [l for l in stdout.splitlines() if l.startswith("stylelib: wrote")]
    assert len(summary) == 1 and str(out) in summary[0]
    assert "3/3 steps" in summary[0] and "s/step" in summary[0] and "loss final" in summary[0]
    # random weights: a banner at the start and one at the end next to the output path
    assert stderr.count(RANDOM_BANNER) == 2
    end_banner = stderr[stderr.rindex("!!  " + str(out)):]
    assert RANDOM_BANNER in end_banner
    assert "stylize (lbfgs" in stderr  # the progress bar
    assert "Traceback" not in stderr
    assert "created the directory made (and made/here)" in stderr.replace(str(tmp_path) + os.sep, "")
    # random weights are said in the file too, not only on the terminal
    with Image.open(out) as im:
        assert im.text["Description"] == cli.RANDOM_FILE_NOTE


def test_random_weights_are_said_in_a_jpeg_and_a_finished_run_is_not_resumed_unasked(capsys, tmp_path):
    out = tmp_path / "cat.jpg"
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", out, *FAST, *SHALLOW, "--quiet")
    assert code == 0, err
    with Image.open(out) as im:
        assert im.info["comment"].decode().startswith(f"Description: {cli.RANDOM_FILE_NOTE}\nstylelib-run: ")
    png = tmp_path / "cat.png"
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", png, *FAST, *SHALLOW, "--quiet")
    assert code == 0, err
    code, _, err = run(capsys, "stylize", "--resume", png, "-o", tmp_path / "more.png")
    assert code == 2 and not (tmp_path / "more.png").exists()
    assert_one_line_error(err, str(png), "finished run (step 3 of 3)", "--iterations N")


def test_a_huge_size_is_refused_before_anything_is_resized(capsys, tmp_path, monkeypatch):
    from stylelib import memory

    def no_resize(*args, **kwargs):
        raise AssertionError("resized before the memory check")

    monkeypatch.setattr(images, "resize_to", no_resize)
    monkeypatch.setattr(memory, "available_bytes", lambda: 8 * 2 ** 30)
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", tmp_path / "big.png", "--size", "100000",
                       "--weights", "random")
    assert code == 1 and not (tmp_path / "big.png").exists()
    line = assert_one_line_error(err, "a 100000 px run (66519×100000)", "GB", "use --size")
    assert "resized before" not in line
    # a large style size is checked the same way, at the size the style image would have
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", tmp_path / "big.png", "--size", "32",
                       "--style-size", "40000", "--weights", "random")
    assert code == 1
    assert_one_line_error(err, "--style-size")


def test_every_style_layer_at_weight_0_is_refused(capsys, tmp_path):
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", tmp_path / "o.png", *FAST,
                       "--style-layers", "conv1_1:0,conv2_1:0")
    assert code == 2 and not (tmp_path / "o.png").exists()
    assert_one_line_error(err, "every style layer has weight 0 (conv1_1, conv2_1)", "--style-weight 0")


def test_the_coarse_stages_are_announced(capsys, tmp_path):
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", tmp_path / "o.png", *FAST, *SHALLOW,
                       "--size", "64", "--coarse-to-fine", "0.5", "--coarse-iterations", "2")
    assert code == 0, err
    assert "coarse-to-fine: first 2 steps at 32x22 (--coarse-to-fine off to skip), then the 3 steps at 64x43" in err


def test_python_dash_m_subprocess(tmp_path):
    out = tmp_path / "sub.png"
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "keras_home"), TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("STYLELIB_WEIGHTS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "stylelib", "stylize", "sample:chelsea", "sample:brick", "-o", str(out),
         "--size", "32", "--iterations", "3", "--weights", "random"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert max(png_size(out)) == 32
    assert RANDOM_BANNER in proc.stderr and "Traceback" not in proc.stderr
    assert f"stylelib: wrote {out}" in proc.stdout
    # TensorFlow's start-up chatter (oneDNN, "Could not find cuda drivers") is held back
    assert "oneDNN" not in proc.stderr and "cuda drivers" not in proc.stderr


def test_overwrite_replaces_and_save_every_writes_steps(capsys, tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(b"an older picture")
    code, _, err = run(capsys, "stylize", "chelsea", "gravel", "-o", out, *FAST, *SHALLOW, "--iterations", "4",
                       "--save-every", "2", "--overwrite", "--quiet", "--optimizer", "adam")
    assert code == 0, err
    assert png_size(out) == (32, 21)
    steps = sorted(p.name for p in tmp_path.glob("out_step*.png"))
    assert steps == ["out_step0002.png", "out_step0004.png"]
    for name in steps:
        assert png_size(tmp_path / name) == (32, 21)
    # the step images are the optimization in progress: they differ from each other
    a = np.asarray(Image.open(tmp_path / steps[0]), np.float32)
    b = np.asarray(Image.open(tmp_path / steps[1]), np.float32)
    assert np.abs(a - b).mean() > 0.1
    assert "stylize (adam" not in err  # --quiet: no progress bar ...
    assert RANDOM_BANNER in err  # ... but the warning stays


def test_ctrl_c_saves_the_best_image_so_far(capsys, tmp_path, monkeypatch):
    """A KeyboardInterrupt in the middle of the run (here: while step 2's image is saved) keeps the work."""
    real_save = images.save_image

    def save(image, path, **kw):
        if "_step0002" in str(path):
            raise KeyboardInterrupt
        return real_save(image, path, **kw)

    monkeypatch.setattr(images, "save_image", save)
    out = tmp_path / "stopped.png"
    code, stdout, err = run(capsys, "stylize", "chelsea", "brick", "-o", out, *FAST, *SHALLOW,
                            "--iterations", "50", "--save-every", "1", "--quiet")
    assert code == 130
    assert png_size(out) == (32, 21)
    assert "interrupted (Ctrl-C) at step 2 of 50" in err and "saved the best image" in err
    assert "2/50 steps" in stdout
    assert (tmp_path / "stopped_step0001.png").exists() and not (tmp_path / "stopped_step0002.png").exists()


# --------------------------------------------------------------------------------------------------
# stylize: refusals (all before TensorFlow does any work)
# --------------------------------------------------------------------------------------------------


def test_missing_content_file(capsys, tmp_path):
    out = tmp_path / "out.png"
    code, _, err = run(capsys, "stylize", tmp_path / "no_such_photo.jpg", "brick", "-o", out, *FAST)
    assert code == 1
    assert_one_line_error(err, "no_such_photo.jpg", "no such file")
    assert not out.exists()


def test_missing_content_file_subprocess(tmp_path):
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "keras_home"))
    proc = subprocess.run(
        [sys.executable, "-m", "stylelib", "stylize", "missing.jpg", "brick", "-o", "out.png", *FAST],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert proc.returncode == 1
    assert_one_line_error(proc.stderr, "missing.jpg")
    assert not (tmp_path / "out.png").exists()


def test_unknown_sample_suggests_the_closest(capsys, tmp_path):
    code, _, err = run(capsys, "stylize", "sample:chelsae", "brick", "-o", tmp_path / "o.png", *FAST)
    assert code == 1
    assert_one_line_error(err, "chelsae", "did you mean sample 'chelsea'")


def test_unreadable_image(capsys, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_text("<html>not found</html>")
    code, _, err = run(capsys, "stylize", "chelsea", bad, "-o", tmp_path / "o.png", *FAST)
    assert code == 1
    assert_one_line_error(err, str(bad))


def test_existing_output_is_left_untouched(capsys, tmp_path):
    out = tmp_path / "keep.png"
    out.write_bytes(b"precious bytes")
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", out, *FAST)
    assert code == 1
    assert_one_line_error(err, str(out), "--overwrite", "keep-1.png")
    assert out.read_bytes() == b"precious bytes"
    assert RANDOM_BANNER not in err  # refused before the weights were even loaded


def test_existing_step_image_is_left_untouched(capsys, tmp_path):
    step = tmp_path / "out_step0002.png"
    step.write_bytes(b"older step")
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path / "out.png", *FAST,
                       "--save-every", "2", "--iterations", "4")
    assert code == 1
    assert_one_line_error(err, "out_step0002.png", "--overwrite")
    assert step.read_bytes() == b"older step" and not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("value", ["0", "-5", "abc", "8", "2.5"])
def test_bad_size(capsys, tmp_path, value):
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path / "o.png", "--size", value,
                       "--weights", "random")
    assert code == 2
    assert_one_line_error(err, "--size", value, "at least 16")


@pytest.mark.parametrize("value", ["0", "-1", "ten"])
def test_bad_iterations(capsys, tmp_path, value):
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path / "o.png", "--iterations", value)
    assert code == 2
    assert_one_line_error(err, "--iterations", value)


@pytest.mark.parametrize("option,value", [("--optimizer", "sgd"), ("--init", "zeros"), ("--pooling", "min"),
                                          ("--device", "tpu"), ("--content-weight", "-1")])
def test_bad_choices(capsys, tmp_path, option, value):
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path / "o.png", option, value)
    assert code == 2
    assert_one_line_error(err, option, value)


def test_unknown_layer(capsys, tmp_path):
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path / "o.png", *FAST,
                       "--style-layers", "conv1_1,conv4_2,conv9_9")
    assert code == 2
    assert_one_line_error(err, "--style-layers", "'conv9_9'", "conv5_4")
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path / "o.png", *FAST,
                       "--content-layers", "conv4_2:heavy")
    assert code == 2
    assert_one_line_error(err, "'heavy'", "NAME:WEIGHT")


def test_parse_layers():
    assert cli.parse_layers("conv1_1:0.5, conv2_1") == {"conv1_1": 0.5, "conv2_1": 1.0}
    assert cli.parse_layers("avgpool2,pool3:2") == {"avgpool2": 1.0, "pool3": 2.0}
    for bad in ("", "conv1_1,conv1_1", "block1_conv1", "conv1_1:-1"):
        with pytest.raises(argparse.ArgumentTypeError):
            cli.parse_layers(bad)


def test_weights_file_missing_or_corrupt(capsys, tmp_path):
    out = tmp_path / "o.png"
    missing = tmp_path / "vgg19.h5"
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", out, "--size", "32", "--weights", missing)
    assert code == 1
    assert err.startswith(f"stylelib: error: weights file {missing} does not exist")
    assert "Ways out:" in err and "--weights random" in err and "Traceback" not in err
    corrupt = wf.write_garbage(tmp_path / "corrupt.mat")
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", out, "--size", "32", "--weights", corrupt)
    assert code == 1
    assert err.startswith(f"stylelib: error: {corrupt}: not a readable MATLAB .mat file")
    assert "Traceback" not in err and not out.exists()


def test_unsupported_output_suffix(capsys, tmp_path):
    out = tmp_path / "new_dir" / "out.gif"
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", out, *FAST)
    assert code == 2
    assert_one_line_error(err, "'.gif'", ".png")
    assert not out.parent.exists()


def test_output_directory_cannot_be_created(capsys, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", blocker / "sub" / "o.png", *FAST)
    assert code == 1
    assert_one_line_error(err, "cannot create the directory", str(blocker), "is a file")
    code, _, err = run(capsys, "stylize", "chelsea", "brick", "-o", tmp_path, *FAST)
    assert code == 1
    assert_one_line_error(err, "is a directory", "stylized.png")


def test_unexpected_errors_are_one_line_unless_debugging(capsys, monkeypatch):
    def boom(args):
        raise RuntimeError("something broke\nsecond line")

    monkeypatch.setattr(cli, "cmd_samples", boom)
    code, _, err = run(capsys, "samples")
    assert code == 1
    assert_one_line_error(err, "RuntimeError: something broke", "STYLELIB_DEBUG=1")
    monkeypatch.setenv("STYLELIB_DEBUG", "1")
    with pytest.raises(RuntimeError, match="something broke"):
        cli.main(["samples"])


def test_help_and_usage(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "stylize" in out and "weights" in out and "samples" in out
    code, out, _ = run(capsys, "stylize", "--help")
    assert code == 0
    for option in ("--size", "--iterations", "--optimizer", "--save-every", "--overwrite", "--weights",
                   "--style-layers", "--device", "--mixed-precision", "--quiet"):
        assert option in out
    code, _, err = run(capsys)
    assert code == 2
    code, _, err = run(capsys, "paint")
    assert code == 2
    assert_one_line_error(err, "'paint'")


# --------------------------------------------------------------------------------------------------
# weights
# --------------------------------------------------------------------------------------------------


def test_weights_report(capsys, clean_env):
    code, out, _ = run(capsys, "weights")
    assert code == 0
    cache = vgg19.keras_cache_path()
    assert cache.parent.parent == clean_env  # KERAS_HOME is honoured
    assert str(cache) in out and "does not exist" in out
    assert vgg19.KERAS_WEIGHTS_URL in out and vgg19.KERAS_WEIGHTS_MD5 in out
    assert vgg19.MATCONVNET_URL in out and "STYLELIB_WEIGHTS" in out and "--weights random" in out


def test_weights_check_fails_without_trained_weights(capsys, monkeypatch, clean_env):
    code, _, err = run(capsys, "weights", "--check")
    assert code == 1
    assert_one_line_error(err, "'keras'", "missing", str(vgg19.keras_cache_path()))
    assert not vgg19.keras_cache_path().exists()  # --check never downloads
    # random weights always load, but they are not what --check asks about
    code, _, err = run(capsys, "weights", "--check", "--source", "random")
    assert code == 1
    assert_one_line_error(err, "'random'", "untrained")
    monkeypatch.setenv("STYLELIB_WEIGHTS", "random")
    code, _, err = run(capsys, "weights", "--check")
    assert code == 1
    assert_one_line_error(err, "'random'")
    # a corrupt file in the cache: the MD5 check says so
    monkeypatch.delenv("STYLELIB_WEIGHTS")
    cache = vgg19.keras_cache_path()
    cache.parent.mkdir(parents=True)
    wf.write_garbage(cache)
    code, _, err = run(capsys, "weights", "--check")
    assert code == 1
    assert_one_line_error(err, "MD5", "does not match")


def test_weights_check_passes_with_a_loadable_file(capsys, tmp_path):
    kernels, biases = wf.vgg_arrays()
    path = wf.write_keras_h5(tmp_path / "vgg19.h5", kernels, biases)
    code, out, err = run(capsys, "weights", "--check", "--source", path)
    assert code == 0, err
    assert out.startswith(f"stylelib: OK: {path} loads") and "BGR" in out
    code, out, _ = run(capsys, "weights", "--source", path)
    assert code == 0 and f"Source used: {path} (--source)" in out and "OK:" in out


def test_weights_download_only_for_keras(capsys):
    code, _, err = run(capsys, "weights", "--download", "--source", "random")
    assert code == 2
    assert_one_line_error(err, "--download", "'random'")
    code, _, err = run(capsys, "weights", "--download", "--check")
    assert code == 2


# --------------------------------------------------------------------------------------------------
# samples
# --------------------------------------------------------------------------------------------------


def test_samples_lists_every_sample(capsys):
    code, out, _ = run(capsys, "samples")
    assert code == 0
    for name, sample in SAMPLES.items():
        assert f"  {name} " in out
        assert sample.licence in out
    assert out.index("Content photos") < out.index("chelsea") < out.index("Style textures") < out.index("brick")
    code, out, _ = run(capsys, "samples", "--kind", "style")
    assert code == 0 and "brick" in out and "chelsea" not in out.split("e.g.")[0]


def test_memory_options_reach_the_config():
    """issue 11: --recompute (auto, on, off or a number of blocks) and --lbfgs-history; bad values are refused."""
    parser = cli.build_parser()

    def config(*extra):
        return cli.run_config(parser.parse_args(["stylize", "c.jpg", "s.jpg", "-o", "o.png", *extra]))

    assert config().recompute == "auto" and config().lbfgs_history == 10
    assert config("--recompute", "on").recompute == 2 and config("--recompute", "off").recompute == 0
    assert config("--recompute", "2").recompute == 2 and config("--lbfgs-history", "5").lbfgs_history == 5
    assert config().tile_rows == "auto" and config("--tile-rows", "off").tile_rows == 0
    assert config("--tile-rows", "64").tile_rows == 64
    for bad, words in ((["--recompute", "7"], "--recompute: '7': give auto, on, off or a number of VGG blocks"),
                       (["--recompute", "maybe"], "--recompute: 'maybe'"),
                       (["--lbfgs-history", "0"], "--lbfgs-history")):
        with pytest.raises(cli.CLIError, match=words):
            parser.parse_args(["stylize", "c.jpg", "s.jpg", "-o", "o.png", *bad])
