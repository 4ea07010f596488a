"""The small notebook builder shared by the build_NN.py scripts.

    from nbbuild import Notebook
    book = Notebook("01_vgg19_at_any_size.ipynb")
    md, code = book.md, book.code
    md("# Title"); code("print(1)"); code("show(fig)", "weights-picture")
    book.write()

Cells are written without outputs; ``execute.py`` runs the notebook and stores them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parent.parent
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


class Notebook:
    def __init__(self, filename: str):
        self.path = NOTEBOOKS / filename
        self.cells: list = []

    def md(self, text: str) -> None:
        self.cells.append(new_markdown_cell(text.strip("\n")))

    def code(self, text: str, *tag_args: str, tags: tuple[str, ...] = ()) -> None:
        """A code cell; tags (e.g. ``weights-picture``) given positionally or as ``tags=(...)``."""
        cell = new_code_cell(text.strip("\n"))
        all_tags = [*tag_args, *tags]
        if all_tags:
            cell.metadata["tags"] = all_tags
        self.cells.append(cell)

    def write(self) -> Path:
        for i, cell in enumerate(self.cells):
            cell.id = f"cell-{i:03d}"  # stable ids: rebuilding a notebook gives a clean diff
        nb = new_notebook(cells=self.cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}})
        nbformat.write(nb, self.path)
        print("wrote", self.path)
        return self.path
