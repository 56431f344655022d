"""The personnummer guard: what it finds, what it leaves alone, and what the CLI does.

Numbers are built from a date and a serial with the Luhn check digit computed here,
never typed in, so that every "valid" number really is valid.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from adversarial.cases import VISIT, X, edit, luhn_digit, personnummer
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from nbesok.cli import cli
from nbesok.personnummer import find_numbers, luhn_ok


def found(text: str) -> list[tuple[str, int, str]]:
    return [(match.text, match.start, match.kind) for match in find_numbers(text)]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


PN = personnummer("811218", "987")
SAMORDNING = personnummer("811278", "987")  # the 18th + 60


# --- find_numbers


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        (PN, "personnummer"),
        (personnummer("121212", "121", "+"), "personnummer"),
        (personnummer("811218", "987", century="19"), "personnummer"),
        (personnummer("050101", "123", century="20"), "personnummer"),
        (SAMORDNING, "samordningsnummer"),
        (personnummer("811278", "987", century="19"), "samordningsnummer"),
        (personnummer("000229", "123"), "personnummer"),  # 29 February 2000
        (PN.replace("-", ""), "möjligt personnummer"),
        ("19" + PN.replace("-", ""), "möjligt personnummer"),
    ],
    ids=[
        *("yymmdd-", "yymmdd+", "yyyymmdd-", "born-2005", "samordning", "samordning-yyyy"),
        *("leap-day", "bare-10", "bare-12"),
    ],
)
def test_a_valid_number_is_found_where_it_stands(number: str, kind: str) -> None:
    assert found(f"Ring {number}, tack.") == [(number, 5, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "2018-10-17",
        "20181017",
        "besöket 2018-10-17 kl 10",
        "070-123 45 67",
        "070-1234567",
        "08-123 456 78",
        PN[:-1] + str((int(PN[-1]) + 1) % 10),  # the Luhn digit is wrong
        (PN[:-1] + str((int(PN[-1]) + 1) % 10)).replace("-", ""),
        personnummer("811232", "987"),  # 32 December
        personnummer("810229", "987"),  # 29 February 1981 and 2081 do not exist
        personnummer("811392", "987"),  # samordningsnummer of 32 March
        personnummer("811318", "987"),  # month 13
        "1" + PN,  # seven digits before the hyphen
        PN + "1",  # five after it
        "Avtal 2019-12-31, 70 platser och 10 platser.",
        "Diarienummer BIN 2018-123",
    ],
)
def test_dates_phone_numbers_and_bad_numbers_are_left_alone(text: str) -> None:
    assert found(text) == []


def test_every_number_in_a_text_is_found_at_its_own_place() -> None:
    text = f"Först {PN}, sedan {SAMORDNING}\noch {PN}."

    assert [start for _, start, _ in found(text)] == [6, 25, 41]
    assert [text[start : start + 11] for _, start, _ in found(text)] == [PN, SAMORDNING, PN]


def test_the_luhn_helper_agrees_with_the_guard() -> None:
    assert luhn_digit("811218987") == "6"  # the textbook example 811218-9876
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    samordning=st.booleans(),
    wrong=st.integers(min_value=1, max_value=9),
)
def test_any_real_date_with_the_right_digit_is_found_and_a_wrong_digit_is_not(
    born: date, serial: int, samordning: bool, wrong: int
) -> None:
    day = born.day + (60 if samordning else 0)
    yymmdd = f"{born.year % 100:02d}{born.month:02d}{day:02d}"
    number = personnummer(yymmdd, f"{serial:03d}", century=str(born.year // 100))
    kind = "samordningsnummer" if samordning else "personnummer"

    assert found(f"nr {number}.") == [(number, 3, kind)]
    broken = number[:-1] + str((int(number[-1]) + wrong) % 10)
    assert found(f"nr {broken}.") == []


# --- the command line: validate warns, render and report refuse unless allowed

MULTILINE = edit(
    VISIT,
    "  individens-behov: Svar.",
    f"  individens-behov: |\n    Första stycket.\n\n    Kontakta {PN} om platsen.",
)
# The number stands on line 15, column 14 (after "    Kontakta ").


def test_validate_warns_at_the_number_s_own_line_and_column(in_archive: Path) -> None:
    (in_archive / X).write_text(MULTILINE, encoding="utf-8")

    result = invoke("validate", X)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"{X}:15:14: varning: svar.individens-behov: personnummer ”{PN}” i texten; "
        "protokoll är allmänna handlingar"
    )
    assert result.output.endswith("0 fel och 1 varning i 1 fil.\n")


def test_validate_strict_makes_the_warning_an_error(in_archive: Path) -> None:
    (in_archive / X).write_text(MULTILINE, encoding="utf-8")

    assert invoke("validate", "--strict", X).exit_code == 1


@pytest.mark.parametrize(
    ("command", "written"),
    [("render", ("x.md", "x.docx")), ("report", ("x-uppfoljning.md", "x-uppfoljning.docx"))],
)
def test_render_and_report_refuse_unless_allowed(
    in_archive: Path, command: str, written: tuple[str, ...]
) -> None:
    (in_archive / X).write_text(MULTILINE, encoding="utf-8")
    draft = ("--utkast",) if command == "report" else ()  # x.yaml is not fastställd

    refused = invoke(command, X, "--out", "out", *draft)

    assert refused.exit_code == 1, refused.output
    assert f"{X}:15:14: fel: svar.individens-behov: personnummer ”{PN}”" in refused.stderr
    assert "--tillåt-personnummer" in refused.stderr
    assert not any((in_archive / "out" / name).exists() for name in written)

    allowed = invoke(command, X, "--out", "out", "--tillåt-personnummer", *draft)

    assert allowed.exit_code == 0, allowed.output
    assert "personnummer" not in allowed.output
    assert all((in_archive / "out" / name).is_file() for name in written)
    if command == "render":  # the report quotes only the answers meant for the committee
        assert PN in (in_archive / "out" / written[0]).read_text(encoding="utf-8")


def test_a_phone_number_and_a_date_do_not_stop_a_render(in_archive: Path) -> None:
    text = edit(VISIT, "  individens-behov: Svar.", "  individens-behov: Ring 070-123 45 67.")
    (in_archive / X).write_text(text.replace("Kort sammanfattning", "Besök 2018-10-17"))

    result = invoke("render", X, "--out", "out")

    assert result.exit_code == 0, result.output
    assert "personnummer" not in result.output
