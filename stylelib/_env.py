"""Boolean environment flags (``STYLELIB_QUICK``, ``STYLELIB_DEBUG``), read the same way everywhere."""

from __future__ import annotations

import os

__all__ = ["env_flag"]

_OFF = ("", "0", "false", "no", "off")


def env_flag(name: str) -> bool:
    """True when the environment variable ``name`` is set to anything but empty, ``0``, ``false``, ``no`` or
    ``off`` (case and surrounding spaces ignored).

    >>> import os; os.environ["STYLELIB_EXAMPLE_FLAG"] = " No "; env_flag("STYLELIB_EXAMPLE_FLAG")
    False
    """
    return os.environ.get(name, "").strip().lower() not in _OFF
