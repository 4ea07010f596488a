"""The package's shape: what imports what (no cycles, the TF1 engine never imports the TF2 engine), which modules
stay free of TensorFlow, and that each default or choice is defined once (in stylelib.recipe) and read everywhere.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from stylelib import cli, recipe
from stylelib.run import RunConfig

PACKAGE = Path(__file__).resolve().parent.parent / "stylelib"


def _imports() -> dict[str, set[str]]:
    """module -> the stylelib modules it imports (at any depth of the file: lazy imports count too)."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = path.stem
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stylelib."):
                deps.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                deps.update(a.name.split(".")[1] for a in node.names if a.name.startswith("stylelib."))
        deps.discard(name)
        graph[name] = deps
    return graph


def test_the_import_graph_has_no_cycle():
    graph = _imports()
    assert {"recipe", "run", "vgg19", "samples", "session", "transfer"} <= set(graph)
    state: dict[str, int] = {}

    def visit(node, path):
        if state.get(node) == 1:
            pytest.fail("import cycle: " + " -> ".join([*path, node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            visit(dep, [*path, node])
        state[node] = 2

    for module in graph:
        visit(module, [])


def test_the_tf1_engine_does_not_import_the_tf2_engine():
    graph = _imports()
    assert "transfer" not in graph["session"]
    assert {"run", "recipe"} <= graph["session"]
    assert "samples" not in graph["images"]  # the resolver lives in samples, which reads files through images


@pytest.mark.parametrize("module", ["recipe", "run", "vgg19", "images", "samples", "memory", "cli", "controls"])
def test_module_imports_without_tensorflow(module):
    code = (f"import sys, stylelib.{module}; "
            "sys.exit(3 if 'tensorflow' in sys.modules else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"stylelib.{module} imports TensorFlow (or failed): {done.stderr[-500:]}"


def test_the_defaults_are_the_recipes_everywhere():
    from stylelib.session import run_art
    from stylelib.transfer import stylize

    cfg = RunConfig()
    assert (cfg.content_weight, cfg.style_weight) == (recipe.ART_CONTENT_WEIGHT, recipe.ART_STYLE_WEIGHT)
    assert cfg.style_layers == dict(recipe.ART_STYLE_LAYERS) and cfg.content_layers == dict(recipe.ART_CONTENT_LAYERS)
    # what help() and Jupyter show for the engines is the config's own default
    for field in dataclasses.fields(RunConfig):
        assert inspect.signature(stylize).parameters[field.name].default == getattr(cfg, field.name)
    art = RunConfig.art()
    assert inspect.signature(run_art).parameters["init"].default == art.init == recipe.ART_INIT
    assert art.optimizer == "adam" and art.style_weight == recipe.ART_STYLE_WEIGHT
    # the command line: its defaults give exactly RunConfig()
    args = cli.build_parser().parse_args(["stylize", "a.png", "b.png", "-o", "c.png"])
    assert cli.run_config(args) == cfg


def test_the_cli_choices_are_the_recipes():
    parser = cli.build_parser()
    stylize = next(a for a in parser._subparsers._group_actions[0].choices["stylize"]._actions
                   if "--optimizer" in a.option_strings)
    assert tuple(stylize.choices) == tuple(recipe.OPTIMIZERS)
    help_text = parser._subparsers._group_actions[0].choices["stylize"].format_help()
    for name in (*recipe.INITS, *recipe.POOLINGS, *recipe.CONTENT_NORMALIZATIONS):
        assert name in help_text


def test_the_architecture_document_lists_the_real_imports():
    doc = (PACKAGE.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf8")
    block = doc.split("```text\n", 1)[1].split("```", 1)[0]
    listed = {}
    for line in block.strip().splitlines():
        module, _, deps = line.partition("->")
        deps = deps.strip()
        listed[module.strip()] = set() if deps.startswith("(") else {d.strip() for d in deps.split(",")}
    real = {m: {d for d in deps if not d.startswith("__")} for m, deps in _imports().items() if not m.startswith("__")}
    assert listed == real, "docs/ARCHITECTURE.md's import list is out of date"


def test_every_test_named_in_the_reliability_table_exists():
    """docs/reliability.md names a test for each fault: each name must be a test function in that file."""
    import re

    doc = (PACKAGE.parent / "docs" / "reliability.md").read_text(encoding="utf8")
    tests_dir = PACKAGE.parent / "tests"
    named = 0
    for row in (line for line in doc.splitlines() if line.startswith("| ")):
        current = None
        for file, function in re.findall(r"`(?:(test_\w+\.py))?::(\w+)`", row):
            current = file or current
            assert current, f"a test name without its file in: {row[:80]}"
            source = (tests_dir / current).read_text(encoding="utf8")
            assert re.search(rf"^def {function}\(", source, re.M), f"{current}::{function} named in reliability.md"
            named += 1
    assert named >= 40
