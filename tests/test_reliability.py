"""Faults that must end in a clear one-line error, never in a silently wrong picture (issue: reliability)."""

from __future__ import annotations

import numpy as np
import pytest

from stylelib import cli, images
from stylelib.run import NonFiniteLossError


@pytest.mark.parametrize("engine, optimizer", [("stylize", "adam"), ("stylize", "lbfgs"), ("run_art", "adam")])
def test_a_loss_that_overflows_stops_the_run_with_its_step_and_term(random_weights, engine, optimizer):
    from stylelib.session import run_art
    from stylelib.transfer import stylize

    run = stylize if engine == "stylize" else run_art
    with pytest.raises(NonFiniteLossError) as info:
        run("sample:chelsea", "sample:brick", size=32, iterations=3, weights=random_weights, optimizer=optimizer,
            style_weight=1e38)
    message = str(info.value)
    assert message.startswith("the total loss became inf at step 0")  # the start image already overflows
    assert "lower the loss weights" in message and "\n" not in message
    partial = info.value.result
    assert partial is not None and partial.history == [] and partial.best_step == 0
    assert partial.image.dtype == np.uint8  # the start image: finite pixels, not NaN cast to black


def test_a_diverging_adam_keeps_the_last_finite_image(random_weights):
    from stylelib.transfer import stylize

    def blow_up_at_step_3(info):  # the loss is fine for two steps; then the optimizer sees NaN pixels
        return True

    with pytest.raises(NonFiniteLossError) as info:
        stylize("sample:chelsea", "sample:brick", size=32, iterations=6, weights=random_weights, optimizer="adam",
                style_weight=3e33, callback=blow_up_at_step_3)
    partial = info.value.result
    steps = [r.step for r in partial.history]
    assert steps == list(range(len(steps)))
    assert f"at step {len(steps)}" in str(info.value)
    assert np.isfinite(partial.best_loss) or not steps


def test_deprocess_refuses_nan_pixels(random_weights):
    x = np.zeros((1, 4, 4, 3), np.float32)
    x[0, 1, 1, 0] = np.nan
    with pytest.raises(ValueError, match="1 NaN/inf values"):
        images.deprocess(x, random_weights)


def test_cli_reports_an_overflowing_loss_in_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "x.png"
    code = cli.main(["stylize", "sample:chelsea", "sample:brick", "-o", str(out), "--style-weight", "1e38",
                     "--optimizer", "adam", "--weights", "random", "--size", "32", "--iterations", "3", "-q"])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    line = next(l for l in err.splitlines() if l.startswith("stylelib: error:"))
    assert "total loss became inf at step 0" in line and "nothing was written" in line


def test_lbfgs_gives_the_same_picture_whatever_the_scale_of_the_loss(random_weights):
    """Multiplying every loss weight by one factor must not change the run (scipy's tests are absolute)."""
    from stylelib.transfer import stylize

    runs = [stylize("sample:chelsea", "sample:brick", size=32, iterations=12, weights=random_weights,
                    content_weight=5.0 * f, style_weight=100.0 * f) for f in (1.0, 1e-6, 1e-12)]
    assert [len(r.history) for r in runs] == [13, 13, 13]  # steps 0..12
    assert all(r.stop_reason == "completed" for r in runs)
    for r, f in zip(runs[1:], (1e-6, 1e-12), strict=True):
        np.testing.assert_array_equal(r.best_image, runs[0].best_image)
        np.testing.assert_allclose(r.series("total") / f, runs[0].series("total"), rtol=1e-5)


def test_options_that_do_not_work_together_are_refused_before_the_run(capsys):
    from stylelib.run import RunConfig

    with pytest.raises(ValueError, match="mixed_precision does not work with optimizer='lbfgs'"):
        RunConfig(mixed_precision=True)
    assert RunConfig(mixed_precision=True, optimizer="adam").mixed_precision
    code = cli.main(["stylize", "sample:chelsea", "sample:brick", "-o", "x.png", "--mixed-precision"])
    assert code == 2 and "use optimizer='adam'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ resume


def test_a_stopped_run_resumes_from_its_step_image(tmp_path, capsys):
    from stylelib.run import load_checkpoint

    first = ["stylize", "sample:chelsea", "sample:brick", "-o", str(tmp_path / "a.png"), "--weights", "random",
             "--size", "32", "--iterations", "6", "--save-every", "2", "--optimizer", "adam", "--style-weight",
             "50", "-q"]
    assert cli.main(first) == 0
    ck = load_checkpoint(tmp_path / "a_step0004.png")
    assert (ck.step, ck.remaining, ck.content, ck.style, ck.weights) == (4, 2, "sample:chelsea", "sample:brick",
                                                                       "random")
    assert ck.config.optimizer == "adam" and ck.config.style_weight == 50.0 and ck.config.iterations == 6
    np.testing.assert_array_equal(ck.image, images.load_image(tmp_path / "a_step0004.png"))

    assert cli.main(["stylize", "--resume", str(tmp_path / "a_step0004.png"), "-o", str(tmp_path / "b.png"),
                     "--save-every", "1"]) == 0
    err = capsys.readouterr().err
    assert "resuming" in err and "(step 4): 2 more steps" in err
    # its pictures go on counting from the checkpoint, with the same settings
    later = load_checkpoint(tmp_path / "b_step0002.png")
    assert later.step == 6 and later.config.style_weight == 50.0 and later.config.iterations == 6


def test_resume_api_starts_from_the_checkpoint_picture(tmp_path, random_weights):
    from stylelib.run import RunConfig, checkpoint_text, load_checkpoint
    from stylelib.samples import load_input
    from stylelib.transfer import stylize

    picture = load_input("sample:gravel", 32)[:21]
    cfg = RunConfig(size=32, iterations=5, optimizer="adam")
    images.save_image(picture, tmp_path / "ck.png", text=checkpoint_text(cfg, step=3, content="sample:chelsea",
                                                                         style="sample:brick", weights="random"))
    ck = load_checkpoint(tmp_path / "ck.png")
    r = stylize(ck.content, ck.style, ck.config, weights=random_weights, start=ck.image, iterations=ck.remaining,
                learning_rate=1e-9)  # a tiny step: the run stays at its start
    assert [h.step for h in r.history] == [0, 1, 2]
    np.testing.assert_allclose(r.image.astype(float), images.to_uint8(ck.image).astype(float), atol=1)


def test_a_picture_without_settings_cannot_be_resumed(tmp_path, capsys):
    images.save_image(np.zeros((8, 8, 3), np.uint8), tmp_path / "plain.png")
    assert cli.main(["stylize", "--resume", str(tmp_path / "plain.png"), "-o", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("stylelib: error:") and "holds no stylelib run settings" in err[-1]
    assert cli.main(["stylize", "-o", str(tmp_path / "x.png")]) == 2
    assert "give CONTENT and STYLE (or --resume CHECKPOINT)" in capsys.readouterr().err


def test_a_run_whose_start_is_already_optimal_is_a_result_not_an_interrupt(tmp_path, capsys):
    """Style = content and no content weight: the start is optimal and L-BFGS returns before its first step."""
    images.save_image(np.random.default_rng(1).integers(0, 256, (20, 32, 3), dtype=np.uint8), tmp_path / "a.png")
    out = tmp_path / "same" / "same.png"
    code = cli.main(["stylize", str(tmp_path / "a.png"), str(tmp_path / "a.png"), "-o", str(out),
                     "--content-weight", "0", "--weights", "random", "--size", "32", "--iterations", "3", "-q"])
    captured = capsys.readouterr()
    assert code == 0 and out.exists()
    assert "interrupted" not in captured.err and "stopped after 0 of 3 iterations" in captured.err
    assert "the best of 0/3 steps: step 0" in captured.out


# ------------------------------------------------------------------------------------------ memory


def test_a_run_too_big_for_the_memory_is_refused_by_the_cli_and_both_engines(monkeypatch, tmp_path, capsys,
                                                                              random_weights):
    from stylelib import memory
    from stylelib.session import run_art
    from stylelib.transfer import stylize

    monkeypatch.setattr(memory, "available_bytes", lambda limit=None: 3_000_000_000)  # as if 3 GB were free
    code = cli.main(["stylize", "sample:chelsea", "sample:brick", "-o", str(tmp_path / "x.png"), "--size", "2048",
                     "--weights", "random", "--optimizer", "adam", "-q"])
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert code == 1 and not (tmp_path / "x.png").exists()
    assert line.startswith("stylelib: error: a 2048 px run") and "use --size" in line and "or less" in line
    for engine in (stylize, run_art):
        with pytest.raises(memory.MemoryEstimateError, match=r"^a 2048 px run .* use --size \d+ or less"):
            engine("sample:chelsea", "sample:brick", size=2048, iterations=1, weights=random_weights,
                   optimizer="adam")


def test_lbfgs_is_not_stopped_by_a_small_loss_scale(random_weights):
    """A style reconstruction (content weight 0, style weight 1) must make progress, not stop after one step."""
    from stylelib.transfer import stylize

    r = stylize("sample:brick", "sample:brick", size=32, iterations=10, weights=random_weights, init="noise",
                content_weight=0.0, style_weight=1.0, style_layers=["conv1_1"], content_layers=["conv1_2"])
    style = r.series("style")
    assert r.stop_reason == "completed" and r.history[-1].step == 10
    assert style[-1] < style[0] / 100, style
