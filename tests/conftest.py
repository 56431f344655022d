"""Shared fixtures: a private copy of the example archive and a copier-style tree writer.

Tests never touch the repository's own archive: ``archive`` copies ``nbesok.yaml``,
``protocols/`` and ``visits/`` (and ``templates/`` when it exists) into ``tmp_path``, and
``in_archive`` makes that copy the working directory, because nbesok finds its archive
from the working directory and shows paths relative to it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import REPO_ROOT, copy_archive, missing_tool

WriteTree = Callable[[Path, Mapping[str, str | bytes]], list[Path]]


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> list[Path]:
    """Write ``{relative path: content}`` below ``root``; return the paths written.

    Text is dedented (so a test can indent its YAML with the code) and written as
    UTF-8 without changing line endings; bytes are written unchanged, for encodings.
    """
    written: list[Path] = []
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(textwrap.dedent(content).encode("utf-8"))
        written.append(path)
    return written


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository, which is also the example archive."""
    return REPO_ROOT


@pytest.fixture
def archive(tmp_path: Path, repo_root: Path) -> Path:
    """A throwaway copy of the example archive; returns its root."""
    return copy_archive(repo_root, tmp_path / "arkiv")


@pytest.fixture
def in_archive(archive: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The archive copy as working directory; returns its root."""
    monkeypatch.chdir(archive)
    monkeypatch.delenv("NBESOK_DEBUG", raising=False)
    return archive


@pytest.fixture(name="write_tree")
def write_tree_fixture() -> WriteTree:
    """:func:`write_tree` for tests that prefer a fixture to an import."""
    return write_tree


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


class Rendered:
    """The example archive rendered once for the session: its copy and its out/ folder."""

    def __init__(self, archive: Path, out: Path) -> None:
        self.archive = archive
        self.out = out

    def docx(self, name: str) -> Path:
        return self.out / f"{name}.docx"


# Every kind of document nbesok writes: two protocol documents, two blank forms, a
# tjänsteskrivelse for one visit and a season compilation.
RENDER_COMMANDS = (
    ("render", "visits/", "protocols/"),
    ("report", "visits/2023-06-07-arbetslik-aktivitet.yaml", "--per", "2024-01-15"),
    ("report", "--period", "2018/19", "--per", "2019-06-30"),
    # Two visits to two committees: the five-column follow-up table of issue 21.
    (
        "report",
        "visits/2018-10-17-idrott-och-service.yaml",
        "visits/2023-06-07-arbetslik-aktivitet.yaml",
        "--per",
        "2023-12-31",
        "--rubrik",
        "Information om nämndbesök hos Idrott- och service och Arbetslik aktivitet",
        "--diarienummer",
        "AMN 2023-0123",
    ),
)
TWO_VISITS = "uppfoljning-2018-10-17-idrott-och-service-med-flera"
RENDERED_NAMES = (
    "2018-10-17-idrott-och-service",
    "2023-06-07-arbetslik-aktivitet",
    "arbetslik-aktivitet-2023",
    "arbetsmarknad-och-integration-2018-19",
    "2023-06-07-arbetslik-aktivitet-uppfoljning",
    "sammanstallning-2018-19",
    TWO_VISITS,
)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Rendered:
    """The real outputs of the example archive, rendered through the CLI into a copy.

    Session-scoped because the PDF and accessibility tests only read these files and
    rendering them for every test would dominate the suite's run time.
    """
    import contextlib

    from nbesok.cli import cli

    root = copy_archive(repo_root, tmp_path_factory.mktemp("rendered") / "arkiv")
    out = root / "out"
    with contextlib.chdir(root):
        for command in RENDER_COMMANDS:
            result = CliRunner().invoke(cli, [*command, "--out", str(out)], prog_name="nbesok")
            assert result.exit_code == 0, result.output
    missing = [name for name in RENDERED_NAMES if not (out / f"{name}.docx").is_file()]
    assert not missing, f"render skrev inte {missing}"
    return Rendered(root, out)


@pytest.fixture(scope="session")
def libreoffice() -> Path:
    """The LibreOffice to test PDF output with: skipped with an install hint where it is
    missing, failed in CI (see tests/test_pdf.py)."""
    from nbesok.documents.pdf import LibreOfficeError, find_libreoffice

    try:
        return find_libreoffice()
    except LibreOfficeError as error:
        missing = str(error)
    missing_tool(f"PDF-testerna behöver LibreOffice: {missing}")


@pytest.fixture(scope="session")
def pdfs(
    rendered: Rendered, libreoffice: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Every kind of document of the example archive as nbesok publishes it in PDF (a
    blank form is printed without its content controls), by the same commands."""
    import contextlib

    from nbesok.cli import cli

    out = tmp_path_factory.mktemp("pdf")
    with contextlib.chdir(rendered.archive):
        for command in RENDER_COMMANDS:
            arguments = [*command, "--format", "pdf", "--out", str(out)]
            result = CliRunner().invoke(cli, arguments, prog_name="nbesok")
            assert result.exit_code == 0, result.output
    written = {name: out / f"{name}.pdf" for name in RENDERED_NAMES}
    assert all(path.is_file() for path in written.values())
    return written
