"""Setup for the teaching notebooks: quick mode, weights, seed, and a loud banner for random weights.

Import this module *before* TensorFlow in a notebook's setup cell: it quiets TensorFlow's C++ log
lines (``TF_CPP_MIN_LOG_LEVEL``) if you have not chosen a level yourself.

Environment variables:
``STYLELIB_QUICK=1``    quick mode: tiny images, few steps (what ``make test`` uses).
``STYLELIB_WEIGHTS``    ``random``, ``keras`` or a path to the .h5/.mat file (default: ``keras``).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ._env import env_flag
from ._quiet import tf_startup_quiet
from .vgg19 import random_banner

# TensorFlow >= 2.21 prints start-up lines (oneDNN, "no CUDA drivers", cuInit) from C++ before its logging is
# set up; import it and touch the devices here, with those lines held back, so no notebook opens with a
# block of red text that is not about the lesson. (STYLELIB_DEBUG=1 shows them.)
with tf_startup_quiet():
    import tensorflow as _tf

    _tf.config.list_physical_devices()

import random as _random
import warnings
from dataclasses import dataclass

import numpy as np

__all__ = ["QUICK", "Setup", "setup", "quick", "pick"]


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


def setup(seed: int = 0, weights=None, *, verbose: bool = True) -> Setup:
    """Seed Python, NumPy and TensorFlow; load the weights (``STYLELIB_WEIGHTS`` by default); print the
    mode and the weights' source, and the banner if they are random. Safe to call again."""
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
    if verbose:
        print(f"mode: {'QUICK (STYLELIB_QUICK=1: small images, few steps)' if quick() else 'full'}")
        print(f"weights: {w.source}  (input {w.channel_order}, mean {tuple(round(m, 3) for m in w.mean)})")
        if w.is_random:
            print(BANNER)
    return Setup(quick(), w, seed)
