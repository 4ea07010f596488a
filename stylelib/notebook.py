"""Setup for the teaching notebooks: quick mode, weights, seed, and a loud banner for random weights.

Import this module *before* TensorFlow in a notebook's setup cell: it quiets TensorFlow's C++ log
lines (``TF_CPP_MIN_LOG_LEVEL``) and lets TensorFlow give freed memory back (``TF_ONEDNN_USE_SYSTEM_ALLOCATOR``,
see :func:`release_memory`) if you have not chosen these settings yourself.

Environment variables:
``STYLELIB_QUICK=1``    quick mode: tiny images, few steps (what ``make test`` uses).
``STYLELIB_WEIGHTS``    ``random``, ``keras`` or a path to the .h5/.mat file (default: ``keras``).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# A notebook kernel lives for hours and runs one big computation after another. TensorFlow's oneDNN build (the
# default on x86 Linux) allocates tensors of 256 KiB and more from its own best-fit pool ("mklcpu", a BFC allocator)
# that keeps every byte it ever held: after a 600×800 forward pass the kernel stays 0.3–0.7 GB larger for good.
# With this switch (read once, when TensorFlow first allocates) the same oneDNN kernels get their memory from
# malloc, which can give it back (release_memory). The cost, measured as CPU time: none for a 256 px Adam step;
# about 0.5 s of page faults per 600×800 forward pass (tensors over 32 MB are fresh mmaps), some 10 %.
os.environ.setdefault("TF_ONEDNN_USE_SYSTEM_ALLOCATOR", "1")

from ._env import env_flag
from ._quiet import tf_startup_quiet
from .vgg19 import random_banner

# TensorFlow >= 2.21 prints start-up lines (oneDNN, "no CUDA drivers", cuInit) from C++ before its logging is
# set up; import it and touch the devices here, with those lines held back, so no notebook opens with a
# block of red text that is not about the lesson. (STYLELIB_DEBUG=1 shows them.)
with tf_startup_quiet():
    import tensorflow as _tf

    _tf.config.list_physical_devices()

import ctypes
import gc
import random as _random
import time
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["QUICK", "Setup", "setup", "quick", "pick", "type_name", "median_seconds", "show", "release_memory",
           "watch_memory", "resident_bytes", "LINKS"]


def quick() -> bool:
    """True when ``STYLELIB_QUICK`` is set to something other than ``0``/``false``/``no``/empty."""
    return env_flag("STYLELIB_QUICK")


QUICK = quick()


def pick(quick_value, full_value):
    """``quick_value`` in quick mode, ``full_value`` otherwise — for sizes and step counts."""
    return quick_value if quick() else full_value


BANNER = random_banner("notebook")
"""The box the setup cell prints when the weights are random (its words: :func:`stylelib.vgg19.random_banner`)."""


@dataclass
class Setup:
    quick: bool
    weights: object  # VGG19Weights
    seed: int

    @property
    def random_weights(self) -> bool:
        return bool(self.weights.is_random)


def setup(seed: int = 0, weights=None, *, verbose: bool = True, release: bool | None = None) -> Setup:
    """Seed Python, NumPy and TensorFlow; load the weights (``STYLELIB_WEIGHTS`` by default); print the
    mode and the weights' source, and the banner if they are random. Safe to call again.

    With ``release`` (by default in full mode; quick mode's images are small and its time budget is tight), in a
    Jupyter/IPython kernel: after every cell that grew the kernel, or freed memory, by
    :data:`RELEASE_AFTER_GROWTH` bytes or more since the last release, :func:`release_memory` runs (see
    :func:`watch_memory`), so that a kernel that has run a notebook holds what the notebook's variables hold, not
    the peak of its largest cell."""
    import tensorflow as tf

    from .vgg19 import RandomWeightsWarning, WeightsError, default_source, load_weights, weights_status

    _random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RandomWeightsWarning)  # the banner below says it louder
        try:
            w = load_weights(weights, seed=seed)
        except WeightsError as e:
            source = default_source() if weights is None else str(weights)
            raise WeightsError(
                f"{e}\n  Here: {source} is {weights_status(source)[1]} (`stylelib weights` tells more).\n"
                f"  In this notebook: change the setup line to `cfg = notebook.setup(seed={seed}, "
                "weights='random')`, or quit JupyterLab and start it with `STYLELIB_WEIGHTS=random make lab`."
            ) from None
    if release if release is not None else not quick():
        watch_memory()
    if verbose:
        print(f"mode: {'QUICK (STYLELIB_QUICK=1: small images, few steps)' if quick() else 'full'}")
        print(f"weights: {w.source}  (input {w.channel_order}, mean {tuple(round(m, 3) for m in w.mean)})")
        if w.is_random:
            print(BANNER)
    return Setup(quick(), w, seed)


# ---------------------------------------------------------------------------------------- helpers the notebooks share

LINKS: dict[str, str] = {
    # the blog post this project grew from (its text is in the design notes' reference folder)
    "blog": "https://amit-agrawal.com/DNN-1-20171125.html",
    # log0's TensorFlow implementation; the blog quotes its art.py
    "art.py": "https://github.com/log0/neural-style-painting/blob/master/art.py",
    "gatys2015": "https://arxiv.org/abs/1508.06576",  # A Neural Algorithm of Artistic Style
    # Image Style Transfer Using Convolutional Neural Networks (CVPR 2016): the equations cited by number
    "gatys2016": "https://openaccess.thecvf.com/content_cvpr_2016/html/Gatys_Image_Style_Transfer_CVPR_2016_paper.html",
    "gatys2017": "https://arxiv.org/abs/1611.07865",  # Controlling Perceptual Factors in Neural Style Transfer
    "vgg": "https://arxiv.org/abs/1409.1556",  # Simonyan & Zisserman, Very Deep Convolutional Networks
    "tf_graphs": "https://www.tensorflow.org/guide/intro_to_graphs",
    "tf_function": "https://www.tensorflow.org/guide/function",
    "tf_autodiff": "https://www.tensorflow.org/guide/autodiff",
    "tf_migrate": "https://www.tensorflow.org/guide/migrate",
    "tf_style_tutorial": "https://www.tensorflow.org/tutorials/generative/style_transfer",
    "keras_vgg19": "https://keras.io/api/applications/vgg/",
}
"""Where the notebooks' sources live: print ``LINKS[name]`` rather than retyping an address."""


def type_name(obj) -> str:
    """The full name of an object's class, ``module.Class``, as the blog post prints types.

    >>> import numpy as np
    >>> type_name(np.zeros(2))
    'numpy.ndarray'
    """
    return type(obj).__module__ + "." + type(obj).__name__


def _wait(out) -> None:
    # an eager result may still be computing (on a GPU): .numpy() waits until its value exists
    if hasattr(out, "numpy"):
        out.numpy()
    elif isinstance(out, (tuple, list)):
        for item in out:
            _wait(item)
    elif isinstance(out, dict):
        for item in out.values():
            _wait(item)


def median_seconds(fns, repeats: int = 5, warmup: int = 1) -> dict:
    """Median wall time of each function, measured side by side.

    Parameters
    ----------
    fns : dict[str, callable] or callable
        Functions of no argument, by label (a single function is labelled ``"fn"``). Results that are eager
        tensors (or tuples / lists / dicts of them) are waited for with ``.numpy()``.
    repeats : int
        Timed rounds. In each round every function runs once, so a change in the machine's load hits all of
        them alike: compare the medians as ratios, not as absolute times.
    warmup : int
        Untimed calls of each function first (tracing, memory allocation).

    Returns
    -------
    dict[str, float]
        Median seconds per label.

    >>> t = median_seconds({"sum": lambda: sum(range(1000))}, repeats=3)
    >>> sorted(t) == ["sum"] and t["sum"] > 0
    True
    """
    if callable(fns):
        fns = {"fn": fns}
    times: dict[str, list[float]] = {label: [] for label in fns}
    for fn in fns.values():
        for _ in range(warmup):
            _wait(fn())
    for _ in range(repeats):
        for label, fn in fns.items():
            t0 = time.perf_counter()
            _wait(fn())
            times[label].append(time.perf_counter() - t0)
    return {label: float(np.median(v)) for label, v in times.items()}


def show(fig) -> None:
    """Show a matplotlib figure once and free it.

    A figure that carries the red "RANDOM WEIGHTS" label (:func:`stylelib.viz.mark_random`) gets room for it
    at the top; the figure is closed after showing, so re-running a cell does not pile up open figures."""
    import matplotlib.pyplot as plt

    if fig.texts:
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.3 / fig.get_figheight()))
    plt.show()
    plt.close(fig)


# ----------------------------------------------------------------------------------- memory a long-lived kernel keeps

RELEASE_AFTER_GROWTH = 64 * 2**20
"""Bytes by which the kernel's resident memory, or the free memory in glibc's heaps, may grow after a cell before
the cell hook of :func:`watch_memory` calls :func:`release_memory` (whose garbage collection takes 0.1–0.5 s with
TensorFlow loaded: it runs after the cells that computed or freed something big, not after every cell)."""


def resident_bytes() -> int | None:
    """The process's resident set size now, in bytes (``/proc/self/statm``; ``None`` where there is no ``/proc``).

    >>> rss = resident_bytes()
    >>> rss is None or rss > 10 * 2**20
    True
    """
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _libc(name: str):
    # a function of the C library, or None where it has none (malloc_trim and mallinfo2 are glibc's)
    try:
        return getattr(ctypes.CDLL(None), name)
    except (AttributeError, OSError):
        return None


def _malloc_trim():
    return _libc("malloc_trim")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                    "fsmblks", "uordblks", "fordblks", "keepcost")]


def heap_free_bytes() -> int | None:
    """Bytes that glibc's ``malloc`` holds as free blocks in its heaps (``mallinfo2().fordblks``, glibc ≥ 2.33;
    ``None`` elsewhere). Freed memory stays resident until :func:`release_memory` returns its pages; the number
    counts those blocks before and after (returning the pages does not unlink the blocks)."""
    fn = _libc("mallinfo2")
    if fn is None:
        return None
    fn.restype = _Mallinfo2
    return int(fn().fordblks)


def release_memory(collect: bool = True) -> dict:
    """Give the memory that nothing uses any more back to the operating system; returns what it did.

    Two things keep a notebook kernel large after the arrays and graphs of a cell are gone:

    * **reference cycles**: a ``tf.Graph`` refers to its operations and they to it, so a graph (with the
      80 MB of weights a ``build_graph`` puts into it as constants) is freed only when Python's cycle collector
      runs, which may be much later. ``gc.collect()`` runs it now.
    * **the C allocator's free lists**: glibc's ``malloc`` keeps freed blocks in its heaps (one per thread that
      allocated: TensorFlow's thread pools make several) to reuse them, and returns to the system only the blocks
      larger than its mmap threshold (up to 32 MB) and the free top of the main heap. A forward pass at 600×800
      frees hundreds of MB of activations that stay resident that way. glibc's ``malloc_trim(0)``, called through
      ``ctypes`` (there is no Python API for it), returns the free pages of every heap.

    Parameters
    ----------
    collect : bool
        Run the cycle collector first (``False``: only return the free pages, which takes milliseconds).

    Returns
    -------
    dict
        ``{"before": bytes, "after": bytes, "trimmed": bool}``: the resident set size before and after (``None``
        where it cannot be read), and whether ``malloc_trim`` ran (glibc only; elsewhere only the collector runs).

    Examples
    --------
    >>> out = release_memory()
    >>> sorted(out)
    ['after', 'before', 'trimmed']
    """
    before = resident_bytes()
    if collect:
        gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    return {"before": before, "after": resident_bytes(), "trimmed": trim is not None}


_last_release = {"rss": 0, "free": 0, "count": 0, "seconds": 0.0}  # baselines; how often and how long it released


def _release_after_cell(*_):
    # IPython's post_run_cell event: two cheap reads, and a full release (garbage collection, then the trim) only
    # when the kernel grew or freed a lot since the last one; the baselines follow the numbers down so that a later
    # growth is measured from there. After any other cell only the trim (release_memory(collect=False): 0.1 ms when
    # there is little to return, measured): freed blocks whose count hardly changes — a cell that reuses and frees
    # blocks of the heap again — still hold resident pages (35–44 MB at the end of notebook 04, measured).
    rss, free = resident_bytes(), heap_free_bytes()
    grew = rss is not None and rss - _last_release["rss"] >= RELEASE_AFTER_GROWTH
    freed = free is not None and free - _last_release["free"] >= RELEASE_AFTER_GROWTH
    t0 = time.perf_counter()
    release_memory(collect=grew or freed)
    if grew or freed:
        _last_release["count"] += 1
        rss, free = resident_bytes(), heap_free_bytes()
    _last_release["seconds"] += time.perf_counter() - t0
    for key, now in (("rss", rss), ("free", free)):
        if now is not None and (grew or freed or now < _last_release[key]):
            _last_release[key] = now


def watch_memory(shell=None) -> bool:
    """Run :func:`release_memory` after each cell that grew the kernel, or freed memory (a closed ``Session``),
    by :data:`RELEASE_AFTER_GROWTH` or more; after every other cell, return the free pages of the C heaps only
    (``release_memory(collect=False)``, no garbage collection: a fraction of a millisecond).

    Registers a ``post_run_cell`` callback with the IPython shell (the running one by default) once, however
    often it is called. Returns whether a shell was found (``False`` in a plain Python process: nothing to do).

    Examples
    --------
    >>> watch_memory()     # not in IPython here
    False
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
        if shell is None:
            return False
    callbacks = shell.events.callbacks["post_run_cell"]
    for cb in list(callbacks):  # an earlier registration, maybe from a reloaded copy of this module
        if getattr(cb, "__qualname__", "") == _release_after_cell.__qualname__ and cb.__module__ == __name__:
            shell.events.unregister("post_run_cell", cb)
    shell.events.register("post_run_cell", _release_after_cell)
    for key, now in (("rss", resident_bytes()), ("free", heap_free_bytes())):  # growth counts from here
        _last_release[key] = now or 0
    return True
