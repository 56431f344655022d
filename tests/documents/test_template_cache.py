"""The cache of compiled templates: faster later runs, never a different document.

Compiled templates are kept in Jinja's per-user folder under the temporary folder.
Each test points the temporary folder at its own ``tmp_path`` and drops the
in-process environments, so that every render here compiles or loads as a fresh
process would.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import invoke

from nbesok.documents import templating
from nbesok.documents.sandbox import LimitedSandbox

VISIT = "visits/2023-06-07-arbetslik-aktivitet.yaml"
OUTPUTS = ("2023-06-07-arbetslik-aktivitet.md", "2023-06-07-arbetslik-aktivitet.docx")


@pytest.fixture
def temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    templating._cached_environment.cache_clear()
    yield folder
    templating._cached_environment.cache_clear()


@pytest.fixture
def compilations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the templates Jinja compiles from source, in order."""
    compiled: list[str] = []
    original = LimitedSandbox.compile

    def compile(self: Any, source: Any, name: Any = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(LimitedSandbox, "compile", compile)
    return compiled


def render(runner: CliRunner, out: Path) -> dict[str, bytes]:
    templating._cached_environment.cache_clear()  # as a new process starts
    result = invoke(runner, "render", VISIT, "--out", str(out))
    assert result.exit_code == 0, result.output
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def cache_files(temporary: Path) -> list[Path]:
    return sorted(temporary.glob("_jinja2-cache-*/__nbesok-*.cache"))


@pytest.mark.usefixtures("in_archive")
def test_a_second_run_loads_the_compiled_templates_and_writes_the_same_bytes(
    runner: CliRunner, temporary_folder: Path, tmp_path: Path, compilations: list[str]
) -> None:
    first = render(runner, tmp_path / "ett")
    compiled_first = list(compilations)
    compilations.clear()

    second = render(runner, tmp_path / "två")

    assert "protokoll.md.j2" in compiled_first
    assert cache_files(temporary_folder)
    assert compilations == []
    assert second == first


@pytest.mark.usefixtures("in_archive")
def test_a_damaged_cache_is_compiled_again(
    runner: CliRunner, temporary_folder: Path, tmp_path: Path, compilations: list[str]
) -> None:
    first = render(runner, tmp_path / "ett")
    for path in cache_files(temporary_folder):
        path.write_bytes(path.read_bytes()[:40])  # cut off mid-file, as by a full disk
    compilations.clear()

    second = render(runner, tmp_path / "två")

    assert "protokoll.md.j2" in compilations
    assert second == first


def test_an_edited_template_is_compiled_again(
    in_archive: Path, runner: CliRunner, temporary_folder: Path, tmp_path: Path
) -> None:
    template = in_archive / "templates" / "protokoll.md.j2"
    template.parent.mkdir(exist_ok=True)
    template.write_text("# Första versionen\n", encoding="utf-8")
    render(runner, tmp_path / "ett")
    # Same size and, within the file system's resolution, perhaps the same mtime.
    template.write_text("# Andra versionen\n", encoding="utf-8")

    second = render(runner, tmp_path / "två")

    assert second[OUTPUTS[0]] == b"# Andra versionen\n"


@pytest.mark.usefixtures("in_archive")
@pytest.mark.skipif(not hasattr(os, "getuid"), reason="the folder check is for POSIX")
def test_without_a_private_cache_folder_templates_are_compiled_every_time(
    runner: CliRunner, temporary_folder: Path, tmp_path: Path, compilations: list[str]
) -> None:
    # Someone else's folder where the cache would go: Jinja refuses to use it.
    (temporary_folder / f"_jinja2-cache-{os.getuid()}").symlink_to(tmp_path)
    first = render(runner, tmp_path / "ett")
    compilations.clear()

    second = render(runner, tmp_path / "två")

    assert "protokoll.md.j2" in compilations
    assert second == first
