"""The blank form filled in LibreOffice itself, saved as .docx, and imported.

LibreOffice 7.4 opens each content control of the form as an input field and saves
what is typed there as one run of several ``w:t``, a line each (shared/DESIGN.md).
tests/libreoffice_fill.py types into the form through LibreOffice's UNO bridge, with
the field dialog's text and the toolbar's buttons, as a user does. It needs a Python
with the bridge: Debian's python3 with python3-uno, or LibreOffice's own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result
from support import missing_tool

from nbesok.cli import cli

FILL = Path(__file__).parent / "libreoffice_fill.py"
FORM = "arbetslik-aktivitet-2023"
BEHOV = (
    "På vilket sätt möter verksamhetsinriktningen möjligheten att ha individernas behov i "
    "centrum, i syfte att dessa ska kunna nå självförsörjning?"
)
PLANER = "Hur ser arbetet med handlingsplaner ut?"
PLAN: dict[str, Any] = {
    "fields": {
        "Verksamhetsinriktning": "Hemtjänsten Ryd",
        "Deltagande ledamöter": "Anna Berg (S)\nBo Ek (M)\nCia Holm (V)\nDan Dahl (KD)",
        "Deltagande tjänsteperson": "Eva Ek",
        "Besöksdatum": "2025-09-15",
        BEHOV: (
            "Andelen i arbete ökade till 92 procent.\nVerksamheten arbetar med:\n"
            "- individuella planer\n- uppföljning varje månad"
        ),
        PLANER: "Handlingsplaner uppdateras varje månad.",
    },
    # Typed after the field, in paragraphs of their own, with the toolbar.
    "after": {
        PLANER: [
            [["Planerna följs upp ", ""], ["varje månad", "b"], [".", ""]],
            [["•", ""], ["Samtal", ""]],
            [["•", ""], ["Plan", ""]],
            [["1.", ""], ["Första steget", ""]],
            [["1.", ""], ["Andra steget", ""]],
            [["Till sist ", ""], ["kursivt", "i"], ["!", ""]],
        ]
    },
}
EXPECTED = {
    "verksamhet": "Hemtjänsten Ryd",
    "ledamöter": ["Anna Berg (S)", "Bo Ek (M)", "Cia Holm (V)", "Dan Dahl (KD)"],
    "tjänstepersoner": ["Eva Ek"],
    "svar": {
        "individens-behov": (
            "Andelen i arbete ökade till 92 procent.\n\nVerksamheten arbetar med:\n\n"
            "- individuella planer\n- uppföljning varje månad\n"
        ),
        "handlingsplaner": (
            "Handlingsplaner uppdateras varje månad.\n\n"
            "Planerna följs upp **varje månad**.\n\n"
            "- Samtal\n- Plan\n\n"
            "1. Första steget\n2. Andra steget\n\n"
            "Till sist *kursivt*!\n"
        ),
    },
}


def uno_python(soffice: Path) -> str:
    """A Python that can import LibreOffice's UNO bridge, or the test is skipped (CI:
    failed) with how to get one."""
    bundled = [soffice.resolve().parent / name for name in ("python", "python.exe")]
    candidates = [os.environ.get("NBESOK_UNO_PYTHON", ""), *map(str, bundled), "/usr/bin/python3"]
    for candidate in candidates:
        if candidate and shutil.which(candidate):
            probe = subprocess.run(
                [candidate, "-c", "import uno"], capture_output=True, timeout=60, check=False
            )
            if probe.returncode == 0:
                return candidate
    missing_tool(
        "testet som fyller i blanketten i LibreOffice behöver LibreOffices Python-brygga: "
        "sudo apt-get install python3-uno, eller NBESOK_UNO_PYTHON=<python med uno>"
    )


def nbesok(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def test_a_form_filled_in_libreoffice_imports_every_line(
    in_archive: Path, libreoffice: Path, tmp_path: Path
) -> None:
    python = uno_python(libreoffice)
    out = in_archive / "out"
    rendered = nbesok("render", f"protocols/{FORM}.yaml", "--format", "docx", "--out", str(out))
    assert rendered.exit_code == 0, rendered.output
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN, ensure_ascii=False), "utf-8")
    filled = tmp_path / "ifylld-i-libreoffice.docx"
    subprocess.run(
        [
            python,
            str(FILL),
            str(libreoffice),
            str(out / f"{FORM}.docx"),
            str(filled),
            str(plan),
            str(tmp_path / "profil"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    with zipfile.ZipFile(filled) as package:
        body = package.read("word/document.xml").decode("utf-8")
    # What this test is about: LibreOffice dropped the tags and wrote the lines typed
    # into a field as several w:t in one run, with nothing between them.
    assert "w:tag" not in body
    assert "<w:t>Anna Berg (S)</w:t><w:t>Bo Ek (M)</w:t>" in body

    result = nbesok("import", str(filled))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output
    visit = yaml.safe_load((in_archive / "visits" / "2025-09-15-hemtjansten-ryd.yaml").read_text())
    for key in ("verksamhet", "ledamöter", "tjänstepersoner"):
        assert visit[key] == EXPECTED[key], key
    assert str(visit["besöksdatum"]) == "2025-09-15"
    assert visit["hemsida"] is None and visit["diarienummer"] is None  # left unfilled
    assert {key: value for key, value in visit["svar"].items() if value} == EXPECTED["svar"]
    validated = nbesok("validate", "visits/2025-09-15-hemtjansten-ryd.yaml")
    assert validated.exit_code == 0, validated.output
