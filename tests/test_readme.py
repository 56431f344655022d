"""The README's two opening commands are what CI runs, and they never install into a
system Python (PEP 668 refuses that on Debian 12 and Ubuntu 23.04 and later)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text("utf-8")
CI = (REPO / ".ci" / "run").read_text("utf-8")


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"^ *```{language}\n(.*?)^ *```", README, re.MULTILINE | re.DOTALL)


def opening_commands() -> tuple[str, str]:
    render, tests = (block.strip() for block in code_blocks("sh")[:2])
    return render, tests


def test_the_readme_opens_with_a_render_and_a_test_command() -> None:
    render, tests = opening_commands()
    assert render.endswith("nbesok render visits/2018-10-17-idrott-och-service.yaml")
    assert tests.endswith("uv run --locked pytest")
    for line in (render, tests):
        assert "\n" not in line  # one line, to copy and paste
        assert "--locked" in line  # the versions in uv.lock, nothing newer
        # Everything is installed into the virtual environment the line makes first,
        # never into the system's Python.
        assert line.startswith("python3 -m venv .uv && .uv/bin/python -m pip install uv && ")
        assert not re.search(r"(^|&& )(python3 -m )?pip install", line)


def test_ci_runs_the_readmes_test_command_on_debians_python() -> None:
    _, tests = opening_commands()
    lines = CI.splitlines()
    assert tests in lines, "the README's test command is not in .ci/run"
    # Debian's /usr/bin/python3 is the python3 that line meets.
    assert 'export PATH="/usr/bin:$PATH"' in lines
    assert lines.index('export PATH="/usr/bin:$PATH"') < lines.index(tests)
    assert "EXTERNALLY-MANAGED" in CI
    # Lint and type checks run through the same installation.
    tool = tests.split("&& ")[-1].removesuffix("pytest")
    for check in ("ruff check", "ruff format --check", "mypy"):
        assert tool + check in lines, check
    for package in ("python3-venv", "python3-uno", "libreoffice-writer-nogui", "poppler-utils"):
        assert package in CI and package in README, package


def test_the_windows_lines_are_the_same_commands() -> None:
    render, tests = opening_commands()
    windows = [line.strip() for line in code_blocks("bat")[0].strip().splitlines()]

    def on_windows(line: str) -> str:
        return line.replace("python3 -m venv", "py -m venv").replace(".uv/bin/", ".uv\\Scripts\\")

    assert windows == [on_windows(render), on_windows(tests)]


def test_the_tool_environment_stays_out_of_git() -> None:
    assert "/.uv/" in (REPO / ".gitignore").read_text("utf-8").splitlines()
