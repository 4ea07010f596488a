"""The examples in the library's docstrings run, and print what they say (doctest)."""

from __future__ import annotations

import doctest
import importlib
import warnings

import pytest

# every module whose docstrings hold examples; a module that loses all its examples fails below
MODULES = ["recipe", "run", "vgg19", "images", "samples", "memory", "_env", "extractor", "graph", "session", "transfer",
           "controls", "notebook", "tracing", "losses"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"stylelib.{name}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the random-weights warning is the examples' expected company
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.attempted > 0, f"stylelib.{name} has no docstring examples any more"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in stylelib.{name} failed (see above)"
