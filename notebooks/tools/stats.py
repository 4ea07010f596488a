"""Print each committed notebook's size: cells, markdown words, non-blank code lines, asserts, saved pictures.

    .venv/bin/python notebooks/tools/stats.py

The numbers in notebooks/README.md's table come from it (words: whitespace-separated tokens of markdown cells).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent


def stats(path: Path) -> dict[str, int]:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    return {
        "cells": len(nb.cells),
        "words": sum(len(re.findall(r"\S+", c.source)) for c in nb.cells if c.cell_type == "markdown"),
        "code lines": sum(1 for c in code for line in c.source.splitlines() if line.strip()),
        "asserts": sum(len(re.findall(r"^\s*assert\b", c.source, re.M)) for c in code),
        "pictures": sum(1 for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})),
    }


def main() -> None:
    paths = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))
    for path in paths:
        row = stats(path)
        print(f"{str(path.relative_to(NOTEBOOKS)):42s} " + "  ".join(f"{k} {v:5d}" for k, v in row.items()))


if __name__ == "__main__":
    main()
