"""Every third-party module the code imports is a declared dependency (a missing one failed a fresh machine
once), and in a virtualenv each is loaded from that virtualenv, not from the machine."""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0]).lower()


def _imports(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        if path.name == "make_corpus.py":  # an unchanged copy of the shared generator (stdlib only)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("kg", "tests", "bench")}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    known = importlib.metadata.packages_distributions()
    return {m: {_name(d) for d in known.get(m, [m])} for m in modules}


@pytest.mark.parametrize("folder, allowed", [
    ("kg", {"pandas"}),  # KnowledgeGraph.df only, behind an ImportError with the install hint
    ("tests", {"test"}),
    ("bench", {"test"}),
])
def test_every_import_is_declared(folder: str, allowed: set[str]) -> None:
    declared = {_name(r) for r in PYPROJECT["dependencies"]}
    for extra in allowed:
        declared |= {_name(r) for r in PYPROJECT["optional-dependencies"][extra]}
    missing = {m: d for m, d in _distributions(_imports(ROOT / folder)).items() if not d & declared}
    assert not missing, f"imported in {folder}/ but not declared in pyproject.toml: {missing}"


@pytest.mark.skipif(sys.prefix == sys.base_prefix, reason="not in a virtualenv")
def test_dependencies_load_from_the_virtualenv() -> None:
    prefix = Path(sys.prefix).resolve()
    for module in sorted(_imports(ROOT / "kg") | _imports(ROOT / "tests")):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None, module
        assert Path(spec.origin).resolve().is_relative_to(prefix), f"{module} comes from {spec.origin}"
