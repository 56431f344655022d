"""The package's layout: the layers import only downward, commands are named after
commands, and the README's folder map is the tree."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nbesok.cli import cli

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "nbesok"
COMMANDS = PACKAGE / "commands"

# A module that serves a family of commands, named for what they share.
FAMILIES = {"signoff": {"godkänn", "fastställ"}}


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """import-linter's contracts of pyproject.toml in ``root``, on ``root/src``."""
    # The command CI runs, from this environment.
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache", "--no-logo"],
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_no_layer_imports_upward_and_no_command_imports_another() -> None:
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "imports"),
    [
        ("core/errors.py", "import nbesok.archive.models"),
        ("archive/models.py", "import nbesok.documents.gfm"),
        ("documents/gfm.py", "import nbesok.commands.render"),
        ("commands/status.py", "import nbesok.commands.report"),
    ],
)
def test_the_contracts_catch_an_upward_or_sideways_import(
    tmp_path: Path, module: str, imports: str
) -> None:
    copy = tmp_path / "repo"
    shutil.copytree(PACKAGE, copy / "src" / "nbesok", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    target = copy / "src" / "nbesok" / module
    target.write_text(target.read_text("utf-8") + f"\n{imports}  # noqa\n", "utf-8")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"-> {imports.split()[-1]} (l." in result.stdout


def _commands_named(module: Path) -> set[str]:
    """The commands a module's docstring opens with: ``nbesok new`` and the like."""
    source = module / "__init__.py" if module.is_dir() else module
    docstring = ast.get_docstring(ast.parse(source.read_text("utf-8"))) or ""
    return set(re.findall(r"``nbesok ([\w-]+)``", docstring.splitlines()[0]))


def _command_modules() -> list[Path]:
    return sorted(
        path
        for path in COMMANDS.iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py") or (path / "__init__.py").is_file()
    )


def test_every_command_module_is_named_after_its_commands() -> None:
    commands = set(cli.commands)
    served: set[str] = set()
    for module in _command_modules():
        named = _commands_named(module)
        assert named, f"{module.name}: its docstring does not open with the command it serves"
        assert named <= commands, f"{module.name} names no such command: {named - commands}"
        stem = module.stem.rstrip("_")
        assert stem.replace("_", "-") in named or FAMILIES.get(stem) == named, (
            f"{module.name} is not named after {sorted(named)}"
        )
        served |= named
    assert served == commands, f"commands without a module: {sorted(commands - served)}"


def _tree() -> list[str]:
    """Every folder and module of the package, as paths inside it (no ``__init__.py``)."""
    paths = []
    for path in PACKAGE.rglob("*"):
        inside = path.relative_to(PACKAGE).as_posix()
        if "__pycache__" in path.parts:
            continue
        if path.is_dir():
            paths.append(inside + "/")
        elif path.suffix == ".py" and (path.name != "__init__.py" or path.parent == PACKAGE):
            paths.append(inside)
    # A data folder's own files are not modules; the map names the folder.
    return sorted(p for p in paths if not any(p.startswith(d) and p != d for d in _data_folders()))


def _data_folders() -> list[str]:
    return [
        path.relative_to(PACKAGE).as_posix() + "/"
        for path in PACKAGE.rglob("*")
        if path.is_dir() and path.name != "__pycache__" and not (path / "__init__.py").exists()
    ]


def _readme_map() -> list[str]:
    """The README's folder map, each line turned back into its path."""
    readme = (REPO / "README.md").read_text("utf-8")
    block = readme.split("<!-- mappkarta -->\n```text\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    assert lines[0] == "src/nbesok/"
    folders: list[str] = []
    paths = []
    for line in lines[1:]:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        del folders[depth - 1 :]
        paths.append("".join(folders) + name)
        if name.endswith("/"):
            folders.append(name)
    return sorted(paths)


def test_the_readmes_folder_map_is_the_tree() -> None:
    assert _readme_map() == _tree()
