"""Seasons come from dates: an archive with visits in several seasons and templates.

The example archive gets a third protocol (a calendar year whose template is valid from
an earlier date) and visits in 2023, 2024 and 2025, one of them made with last year's
template. Every count is computed here from the YAML, by the rule shared/DESIGN.md
states, and compared with what ``report --period`` writes.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from click.testing import CliRunner
from conftest import write_tree
from readers import assert_same_in_every_reader
from support import adopt_visits, copy_archive, invoke

from nbesok.cli import cli

PROTOCOL_2025 = """\
titel: Dokumentationsmall nämndbesök; Hemtjänst
period: "2025"
gäller_från: 2024-09-01
inledning: Besöken genomförs av fyra ledamöter och en tjänsteperson.
avsnitt:
  - rubrik: Frågor
    frågor:
      - id: bemanning
        fråga: Hur ser bemanningen ut?
      - id: till-namnden
        fråga: Vad vill verksamheten framföra till nämnden?
        till_nämnden: true
"""


def hemtjänst(operation: str, day: str, case_number: str) -> str:
    return f"""\
protokoll: hemtjanst-2025
verksamhet: {operation}
besöksdatum: {day}
diarienummer: {case_number}
ledamöter: [Anna Lund (V), Per Holm (SD)]
tjänstepersoner: [Robert Obing]
svar:
  bemanning: Bemanningen är stabil.
  till-namnden: Verksamheten önskar fler vikarier.
uppföljning:
  - punkt: Redovisa vikarieläget
    ansvarig: Äldrenämnden
    senast: {day[:4]}-12-31
    status: påbörjad
"""


# Visits in four seasons; the Ryd visit of 2025-09-15 uses the 2023 template.
VISITS = {
    "protocols/hemtjanst-2025.yaml": PROTOCOL_2025,
    "visits/2023-11-20-hemtjansten-ryd.yaml": """\
        protokoll: arbetslik-aktivitet-2023
        verksamhet: Hemtjänsten Ryd
        besöksdatum: 2023-11-20
        diarienummer: AMN 2023-200
        ledamöter: [Anna Lund (V)]
        tjänstepersoner: [Robert Obing]
        svar:
          individens-behov: Varje brukare har en kontaktperson.
        """,
    "visits/2025-09-15-hemtjansten-ryd.yaml": """\
        protokoll: arbetslik-aktivitet-2023
        verksamhet: Hemtjänsten Ryd
        besöksdatum: 2025-09-15
        diarienummer: AMN 2025-77
        ledamöter: [Anna Lund (V)]
        tjänstepersoner: [Robert Obing]
        svar:
          individens-behov: Kontaktpersonerna finns kvar.
        uppföljning:
          - punkt: Följa upp kontaktpersonerna
            ansvarig: Arbetsmarknadsnämnden
            senast: 2025-10-31
            status: påbörjad
        """,
    "visits/2024-10-01-hemtjansten-ryd.yaml": hemtjänst("Hemtjänsten Ryd", "2024-10-01", "ÄN 24-1"),
    "visits/2025-03-12-vallas-hemtjanst.yaml": hemtjänst(
        "Vallas hemtjänst", "2025-03-12", "ÄN 25-2"
    ),
    "visits/2025-05-20-hemtjansten-ryd.yaml": hemtjänst("Hemtjänsten Ryd", "2025-05-20", "ÄN 25-3"),
}
PERIODS = ["2018/19", "2023", "2024", "2025", "2024/25"]


def period_dates(period: str) -> tuple[date, date]:
    """shared/DESIGN.md: "2024" is the calendar year, "2018/19" runs 1 July–30 June."""
    if "/" in period:
        start = int(period.split("/")[0])
        return date(start, 7, 1), date(start + 1, 6, 30)
    return date(int(period), 1, 1), date(int(period), 12, 31)


def visits_in(archive: Path, period: str) -> list[dict[str, Any]]:
    first, last = period_dates(period)
    visits = [yaml.safe_load(p.read_text("utf-8")) for p in (archive / "visits").glob("*.yaml")]
    return sorted(
        (v for v in visits if first <= v["besöksdatum"] <= last), key=lambda v: v["besöksdatum"]
    )


def body(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def seasons(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Path:
    import contextlib

    root = copy_archive(repo_root, tmp_path_factory.mktemp("säsonger") / "arkiv")
    write_tree(root, VISITS)
    adopt_visits(root)
    with contextlib.chdir(root):
        for period in PERIODS:
            result = CliRunner().invoke(
                cli, ["report", "--period", period, "--per", "2025-11-30"], prog_name="nbesok"
            )
            assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("period", PERIODS)
def test_a_period_counts_the_visits_dated_in_it(seasons: Path, period: str) -> None:
    expected = visits_in(seasons, period)
    operations = {v["verksamhet"] for v in expected}
    path = seasons / "out" / f"sammanstallning-{period.replace('/', '-')}.docx"
    text = body(path)

    case = re.search(r"Under (\S+) genomfördes (\d+) nämndbesök hos (\d+) verksamhet", text)
    assert case is not None, text[:500]
    assert case.groups() == (period, str(len(expected)), str(len(operations)))
    (table,) = [t for t in docx.Document(str(path)).tables if t.rows[0].cells[0].text == "Datum"]
    assert [(row.cells[0].text, row.cells[1].text) for row in table.rows[1:]] == [
        (v["besöksdatum"].isoformat(), v["verksamhet"]) for v in expected
    ]
    assert (
        docx.Document(str(path)).core_properties.title == f"Sammanställning av nämndbesök {period}"
    )
    assert_same_in_every_reader(path.with_suffix(".md"))


def test_the_counts_differ_between_seasons(seasons: Path) -> None:
    # The fixture's visits are chosen so that a mix-up between seasons shows.
    counts = {
        p: (len(visits_in(seasons, p)), len({v["verksamhet"] for v in visits_in(seasons, p)}))
        for p in PERIODS
    }
    assert counts == {
        "2018/19": (1, 1),
        "2023": (2, 2),
        "2024": (1, 1),
        "2025": (3, 2),
        "2024/25": (3, 2),
    }


def test_a_visit_is_counted_by_its_date_not_its_template(seasons: Path) -> None:
    text_2023 = body(seasons / "out" / "sammanstallning-2023.docx")
    text_2025 = body(seasons / "out" / "sammanstallning-2025.docx")

    assert "2025-09-15" not in text_2023
    assert "2025-09-15" in text_2025
    # Each visit names its own diarienummer in the compilation's visit table.
    assert "AMN 2025-77" in text_2025 and "AMN 2023-200" not in text_2025
    assert "AMN 2023-200" in text_2023


def test_a_visit_outside_its_template_s_season_is_a_located_warning(
    seasons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seasons)
    result = invoke(CliRunner(), "validate")

    assert result.exit_code == 0, result.output
    outside = [line for line in result.stdout.splitlines() if "utanför protokollets period" in line]
    assert outside == [
        "visits/2025-09-15-hemtjansten-ryd.yaml:3:14: varning: besöksdatum: besöksdatumet "
        "2025-09-15 ligger utanför protokollets period 2023 (2023-01-01–2023-12-31); "
        "kontrollera datumet, eller välj protokollet för den säsongen"
    ]


def test_a_template_without_nämnd_is_addressed_to_the_archive_s_nämnd(seasons: Path) -> None:
    settings = yaml.safe_load((seasons / "nbesok.yaml").read_text("utf-8"))
    head = docx.Document(str(seasons / "out" / "sammanstallning-2024.docx")).tables[0]
    rows = {row.cells[0].text: row.cells[1].text for row in head.rows}

    assert "nämnd" not in yaml.safe_load(PROTOCOL_2025)
    assert rows["Till"] == settings["nämnd"]
    assert rows["Kommun"] == settings["kommun"]
    assert rows["Förvaltning"] == settings["förvaltning"]
    assert rows["Datum"] == "2025-11-30"


def test_a_report_over_two_seasons_names_each_visit_s_diarienummer(
    seasons: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(seasons)
    result = invoke(
        CliRunner(),
        "report",
        "visits/2023-11-20-hemtjansten-ryd.yaml",
        "visits/2025-09-15-hemtjansten-ryd.yaml",
        "--per",
        "2025-11-30",
        "--out",
        "två",
    )
    assert result.exit_code == 0, result.output
    (path,) = (seasons / "två").glob("*.docx")
    document = docx.Document(str(path))
    text = body(path)
    head = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}

    assert document.core_properties.title == "Redovisning av nämndbesök hos Hemtjänsten Ryd"
    assert "Diarienummer" not in head  # the visits have different ones
    assert text.count("AMN 2023-200") == 1
    assert text.count("AMN 2025-77") == 1
    # --per marks the 2025 item due 2025-10-31, still påbörjad, as overdue.
    assert "påbörjad (försenad)" in text
