"""The README's console examples run, and print what the README says; every command is documented."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from tests.conftest import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_blocks() -> list[tuple[str, str]]:
    """(command, expected output) of each ```console block."""
    out = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        lines = block.splitlines()
        assert lines[0].startswith("$ kg "), lines[0]
        out.append((lines[0][2:], "\n".join(lines[1:])))
    return out


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with seeds/ where the README's first command, kg build, has run."""
    folder = tmp_path_factory.mktemp("readme")
    shutil.copytree(SEEDS, folder / "seeds")
    return folder


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.mark.parametrize("command, expected", console_blocks(), ids=[c for c, _ in console_blocks()])
def test_console_example(command: str, expected: str, workdir: Path) -> None:
    here = os.getcwd()
    os.chdir(workdir)
    try:
        if not (workdir / "outputs" / "graph.ttl").exists() and not command.startswith("kg build"):
            assert CliRunner().invoke(main, ["build", "-q"]).exit_code == 0
        result = CliRunner().invoke(main, shlex.split(command)[1:])
    finally:
        os.chdir(here)
    assert result.exit_code == 0, result.output
    assert _norm(result.stdout) == _norm(expected)


def test_every_command_is_in_the_readme() -> None:
    for name in main.commands:
        assert f"kg {name}" in README, name


def test_the_two_setup_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README.split("## Building the graph")[0], re.S)
    assert [b.strip() for b in blocks] == ["python3 -m pip install -e . && kg build",
                                          "bash tests/install.sh && python3 -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash tests/install.sh && python3 -m pytest" in ci


def test_the_module_table_lists_every_module() -> None:
    """The README's module table matches the code: every module of kg/ is listed, and nothing else."""
    section = README.split("## Development", 1)[1].split("```", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)/?`", section, re.M))
    kg = ROOT / "kg"
    modules = {p.stem for p in kg.glob("*.py") if p.stem not in ("__init__", "__main__")}
    packages = {p.name for p in kg.iterdir() if (p / "__init__.py").is_file()}
    assert listed == modules | packages


def test_data_flows_one_way() -> None:
    """Each module imports (at module level) only kg modules listed above it in the README's table."""
    import ast

    section = README.split("## Development", 1)[1].split("```", 1)[0]
    order = re.findall(r"^\| `([a-z_]+)/?`", section, re.M)
    rank = {name: i for i, name in enumerate(order)}
    kg = ROOT / "kg"
    for path in sorted(kg.rglob("*.py")):
        rel = path.relative_to(kg).parts
        own = rel[0] if len(rel) > 1 else path.stem
        if own in ("__init__", "__main__"):
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg."):
                names = [node.module.split(".")[1]]
            elif isinstance(node, ast.Import):
                names = [a.name.split(".")[1] for a in node.names if a.name.startswith("kg.")]
            for name in names:
                assert name == own or rank[name] < rank[own], f"{path.relative_to(ROOT)} imports kg.{name}"
