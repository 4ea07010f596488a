"""stylelib.notebook: quick mode, the random-weights banner, and a helpful error when weights are missing."""

from __future__ import annotations

import pytest

from stylelib import notebook, vgg19


def test_quick_and_pick(monkeypatch):
    monkeypatch.setenv("STYLELIB_QUICK", "1")
    assert notebook.quick() and notebook.pick("small", "big") == "small"
    for off in ("", "0", "false", "no"):
        monkeypatch.setenv("STYLELIB_QUICK", off)
        assert not notebook.quick() and notebook.pick("small", "big") == "big"


def test_setup_random_prints_banner(capsys):
    cfg = notebook.setup(seed=0, weights="random")
    out = capsys.readouterr().out
    assert cfg.random_weights and cfg.weights.is_random
    assert "RANDOM WEIGHTS" in out and "random(seed=0)" in out


def test_setup_without_weights_says_what_to_do_in_the_notebook(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("STYLELIB_WEIGHTS", raising=False)

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    monkeypatch.setattr("keras.utils.get_file", offline)
    with pytest.raises(vgg19.WeightsError) as info:
        notebook.setup(seed=3)
    message = str(info.value)
    assert str(vgg19.keras_cache_path()) in message
    assert "notebook.setup(seed=3, weights='random')" in message
    assert "STYLELIB_WEIGHTS=random make lab" in message
    assert f"Here: keras is missing: {vgg19.keras_cache_path()} does not exist" in message  # vgg19's report
