"""Keep TensorFlow's start-up chatter off stderr (used by the command line and the notebooks' setup)."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

from ._env import env_flag

__all__ = ["tf_startup_quiet"]

_TF_NOISE = (
    re.compile(r"^WARNING: All log messages before absl::InitializeLog\(\) is called"),
    re.compile(r"^[IW]\d{4} [\d:.]+\s+\d+ \S+:\d+\] "),  # absl INFO / WARNING lines
    re.compile(r"^E\d{4} .*(cuInit|cuda_platform|cuda_dnn|cuda_blas|cuda_fft)"),  # "no GPU here"
)


@contextlib.contextmanager
def tf_startup_quiet():
    """Hold back what TensorFlow's C++ side prints on stderr at import / device set-up.

    Recent TensorFlow releases (2.21 here) write absl lines ("oneDNN custom operations are on", "Could not find cuda
    drivers", "failed call to cuInit") before its logging is configured, so ``TF_CPP_MIN_LOG_LEVEL``
    cannot silence them. The process-level stderr (file descriptor 2) goes to a temporary file inside
    this block; afterwards every line that is not such start-up chatter is passed on. With
    ``STYLELIB_DEBUG=1`` nothing is held back.
    """
    if env_flag("STYLELIB_DEBUG"):
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real stderr (embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            try:
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            text = held.read().decode("utf8", errors="replace")
            kept = [line for line in text.splitlines() if not any(p.search(line) for p in _TF_NOISE)]
            if kept:
                print("\n".join(kept), file=sys.stderr, flush=True)
