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


# ------------------------------------------------------------------------------------ memory a notebook kernel keeps


def test_release_memory_returns_freed_heap_pages():
    trim = notebook._malloc_trim()
    if trim is None or notebook.resident_bytes() is None:
        pytest.skip("needs glibc's malloc_trim and /proc")
    notebook.release_memory()
    # 4000 blocks of 64 KB (below glibc's mmap threshold: they live in the heap); keeping every 50th one
    # pins the heap's top, so freeing the others leaves about 250 MB of free pages that free() keeps resident
    blocks = [bytearray(64 * 1024) for _ in range(4000)]
    kept = blocks[::50]
    del blocks
    out = notebook.release_memory()
    assert out["trimmed"] is True
    assert out["before"] - out["after"] > 100 * 2**20, out
    assert len(kept) == 80


def test_release_memory_frees_a_graph_held_only_by_its_cycles():
    import gc
    import weakref

    import tensorflow as tf

    gc.disable()  # so that only release_memory can collect the cycle
    try:
        g = tf.Graph()
        with g.as_default():
            tf.constant(1.0) + 1.0
        ref = weakref.ref(g)
        del g
        assert ref() is not None  # a tf.Graph refers to its ops and they to it: the cycle keeps it
        notebook.release_memory()
        assert ref() is None
    finally:
        gc.enable()


def test_watch_memory_registers_one_hook_that_releases_after_growth(monkeypatch):
    class Events:
        def __init__(self):
            self.callbacks = {"post_run_cell": []}

        def register(self, name, cb):
            self.callbacks[name].append(cb)

        def unregister(self, name, cb):
            self.callbacks[name].remove(cb)

    class Shell:
        events = Events()

    shell = Shell()
    assert notebook.watch_memory(shell) and notebook.watch_memory(shell)  # setup() run twice: still one hook
    (hook,) = shell.events.callbacks["post_run_cell"]
    released = []  # the `collect` argument of each release
    monkeypatch.setattr(notebook, "release_memory", lambda collect=True: released.append(collect))
    rss, free = {"now": 500 * 2**20}, {"now": 10 * 2**20}
    monkeypatch.setattr(notebook, "resident_bytes", lambda: rss["now"])
    monkeypatch.setattr(notebook, "heap_free_bytes", lambda: free["now"])
    baselines = {"rss": 500 * 2**20, "free": 10 * 2**20, "count": 0, "seconds": 0.0}
    monkeypatch.setattr(notebook, "_last_release", baselines)
    hook(None)  # the cell changed nothing: only the free pages are returned (no garbage collection)
    rss["now"] += notebook.RELEASE_AFTER_GROWTH - 1
    hook(None)
    assert released == [False, False] and baselines["count"] == 0
    rss["now"] += 1  # grown by RELEASE_AFTER_GROWTH since the last release
    hook(None)
    assert released == [False, False, True] and baselines["rss"] == 500 * 2**20 + notebook.RELEASE_AFTER_GROWTH
    free["now"] += notebook.RELEASE_AFTER_GROWTH  # a cell freed that much (sess.close()) without growing
    hook(None)
    assert released == [False, False, True, True] and baselines["count"] == 2
    rss["now"] = 400 * 2**20  # smaller: the baseline follows it down, so growth counts from there
    hook(None)
    assert released[-1] is False and baselines["rss"] == 400 * 2**20 and baselines["count"] == 2


def test_heap_free_bytes_counts_freed_blocks():
    if notebook.heap_free_bytes() is None:
        pytest.skip("needs glibc >= 2.33")
    blocks = [bytearray(64 * 1024) for _ in range(1000)]
    kept = blocks[::50]
    before = notebook.heap_free_bytes()
    del blocks
    assert notebook.heap_free_bytes() - before > 40 * 2**20 and len(kept) == 20


def test_notebook_import_chooses_the_releasing_allocator():
    import os

    assert os.environ["TF_ONEDNN_USE_SYSTEM_ALLOCATOR"] == "1"  # set by stylelib.notebook unless already set
