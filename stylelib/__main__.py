"""``python -m stylelib``: the same command as ``stylelib`` (see :mod:`stylelib.cli`)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
