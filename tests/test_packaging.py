"""The project's set-up files agree with each other: pyproject.toml, environment.yml, README, CI, Makefile."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The normalized distribution name of a requirement: 'Pillow>=9' -> 'pillow',
    'tensorflow[and-cuda]>=2.16' -> 'tensorflow', 'scikit_image' -> 'scikit-image' (PEP 503)."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
    return re.sub(r"[-_.]+", "-", name).lower()


def _environment_yml() -> tuple[set[str], set[str]]:
    """(conda dependency names, pip dependency names) of environment.yml, parsed by hand: the file is
    a flat list of '- name>=version' items plus one '- pip:' sub-list (PyYAML may not be installed)."""
    conda, pip = set(), set()
    in_deps = in_pip = False
    pip_indent = None
    for raw in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        text = line.strip()
        if indent == 0:
            in_deps = text == "dependencies:"
            in_pip = False
            continue
        if not in_deps or not text.startswith("-"):
            continue
        item = text[1:].strip()
        if item == "pip:":
            in_pip, pip_indent = True, indent
            continue
        if in_pip and indent > pip_indent:
            if not item.startswith("-"):  # '-e .' installs the project itself
                pip.add(_name(item))
            continue
        in_pip = False
        conda.add(_name(item))
    return conda, pip


def test_parsers_on_known_forms():
    assert _name("Pillow>=9.0") == "pillow"
    assert _name("tensorflow[and-cuda]>=2.16") == "tensorflow"
    assert _name("scikit_image >= 0.20") == "scikit-image"
    assert _name("python>=3.10") == "python"


def test_environment_yml_lists_the_pyproject_packages():
    project = _pyproject()["project"]
    wanted = {_name(r) for r in project["dependencies"]} | {_name(r) for r in project["optional-dependencies"]["dev"]}
    conda, pip = _environment_yml()
    assert "tensorflow" in pip, "TensorFlow comes from pip, under '- pip:'"
    assert "tensorflow" not in conda
    listed = (conda | pip) - {"python", "pip"}
    assert listed == wanted, (
        f"only in pyproject.toml: {sorted(wanted - listed)}; only in environment.yml: {sorted(listed - wanted)}"
    )
    assert len(wanted) >= 10  # the parse found the real lists, not nothing


def test_environment_yml_python_matches_requires_python():
    requires = _pyproject()["project"]["requires-python"]
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    version = re.search(r"^\s*-\s*python\s*([<>=!~].*)$", text, re.M)
    assert version, "environment.yml should pin python"
    assert version.group(1).replace(" ", "") == requires.replace(" ", "")


def test_console_script_is_declared():
    scripts = _pyproject()["project"]["scripts"]
    assert scripts.get("stylelib") == "stylelib.cli:main"


def test_console_script_target_exists():
    module, func = _pyproject()["project"]["scripts"]["stylelib"].split(":")
    path = ROOT / (module.replace(".", "/") + ".py")
    assert path.is_file(), f"{path} is missing"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert func in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, f"{path} has no def {func}()"


def test_readme_mentions_the_two_commands():
    readme = ROOT / "README.md"
    assert readme.is_file(), "README.md is missing (pyproject.toml's readme points at it)"
    text = readme.read_text(encoding="utf-8")
    assert "make lab" in text
    assert "make test" in text
    assert _pyproject()["project"]["readme"] == "README.md"


def test_ci_runs_make_test():
    run = ROOT / ".ci" / "run"
    assert run.is_file()
    assert run.stat().st_mode & 0o111, ".ci/run must be executable"
    lines = [l.strip() for l in run.read_text(encoding="utf-8").splitlines()]
    assert lines[0].startswith("#!")
    commands = [l for l in lines if l and not l.startswith("#")]
    assert any(re.fullmatch(r"(exec\s+)?make\s+test(\s.*)?", c) for c in commands), commands


def test_makefile_has_lab_and_test_targets():
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("lab", "test"):
        assert re.search(rf"^{target}:", text, re.M), target
    assert re.search(r"^test:.*\n(\t.*\n)*\t.*pytest", text, re.M), "make test should run pytest"
