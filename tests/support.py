"""Helpers shared by several test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import difflib
import os
import shutil
from datetime import date
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner, Result

from nbesok.cli import cli

REPO_ROOT = Path(__file__).resolve().parent.parent
ARCHIVE_PARTS = ("nbesok.yaml", "protocols", "visits", "templates", "bilder")
GOLDEN = Path(__file__).parent / "golden"
# Regenerate the golden files: NBESOK_UPDATE_GOLDEN=1 uv run pytest tests/test_render.py …
UPDATE_GOLDEN = os.environ.get("NBESOK_UPDATE_GOLDEN") == "1"

# A complete visit of arbetslik-aktivitet-2023 with no findings at all; tests change one
# line of it, so every finding they expect is the only one.
COMPLETE_VISIT = """\
protokoll: arbetslik-aktivitet-2023
verksamhet: Arbetslik aktivitet
besöksdatum: 2023-06-07
ledamöter:
  - Anna Andersson (S)
  - Bo Berg (M)
  - Cia Carlsson (V)
  - Dan Dahl (KD)
tjänstepersoner:
  - Eva Ek
svar:
  individens-behov: Svar.
  handlingsplaner: Svar.
  samarbete-kommunen: Svar.
  samarbete-myndigheter-naringsliv: Svar.
  saknar-fran-politiken: Svar.
  ovrig-information: Svar.
"""
#  1 protokoll   2 verksamhet   3 besöksdatum   4 ledamöter (items on 5–8)
#  9 tjänstepersoner (item on 10)   11 svar (answers on 12–17)

# A small protocol with a majority, for the composition rules and hostile edits.
SMALL_PROTOCOL = """\
titel: Liten mall
nämnd: Arbetsmarknadsnämnden
period: "2024"
sammansättning:
  majoritet: 2
  opposition: 2
  tjänstepersoner: 1
  majoritetspartier: [S, M, C]
avsnitt:
  - rubrik: Frågor
    frågor:
      - id: forsta
        fråga: Första frågan?
      - id: andra
        fråga: Andra frågan?
        till_nämnden: true
"""
#  4 sammansättning (5–8)  9 avsnitt  12 id forsta  14 id andra  16 till_nämnden


def copy_archive(repo_root: Path, root: Path) -> Path:
    """Copy the example archive (settings, protocols, visits, templates, pictures) to
    ``root``."""
    root.mkdir(parents=True)
    for part in ARCHIVE_PARTS:
        source = repo_root / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.is_file():
            shutil.copy2(source, root / part)
    return root


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), prog_name="nbesok")


def check_golden(actual: Path, name: str) -> None:
    """``actual`` must equal ``tests/golden/<name>`` byte for byte (or rewrite it on request)."""
    golden = GOLDEN / name
    data = actual.read_bytes()
    if UPDATE_GOLDEN:
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(data)
        return
    assert golden.is_file(), f"{golden} saknas; skapa den med NBESOK_UPDATE_GOLDEN=1"
    expected = golden.read_bytes()
    if data != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8").splitlines(),
            data.decode("utf-8").splitlines(),
            f"golden/{name}",
            str(actual),
            lineterm="",
        )
        pytest.fail("\n".join(diff))


def tools_required() -> bool:
    """Whether a missing PDF tool fails the test (CI) rather than skipping it."""
    return any(os.environ.get(name) for name in ("CI", "NBESOK_REQUIRE_PDF_TOOLS"))


def missing_tool(message: str) -> NoReturn:
    if tools_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message + " (CI kör testet)")


def adopt_visits(root: Path) -> None:
    """Every visit in ``root/visits`` without a status is approved by its ledamöter and
    fastställd by its first tjänsteperson on its own date, through the same library calls
    as ``nbesok godkänn`` and ``nbesok fastställ``: for tests of reports on visits they
    wrote, since report takes fastställda visits only."""
    from nbesok.archive.loading import load_visit
    from nbesok.archive.root import Archive
    from nbesok.commands.signoff import adopt, approve

    archive = Archive(root)
    late = date(9999, 12, 31)  # "today" for the checks: no visit date is in the future
    for path in archive.visit_paths():
        visit = load_visit(path).model
        if visit.review is not None:
            continue
        names = [member.name for member in visit.members]
        approve(archive, path, names, visit.date, late)
        adopt(archive, path, (visit.officials or ["Handläggaren"])[0], visit.date, late)
