"""The personnummer rule: what it finds, what it leaves alone, and what the CLI does.

Numbers are built from a date and a serial with the Luhn check digit computed here,
never typed in, so that every "valid" number really is valid. The outlets (DOCX parts,
PDF, .md, CSV, terminal) are tested in test_guard.py.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from adversarial.cases import LEAK_SEPARATORS, VISIT, X, edit, luhn_digit, personnummer
from click.testing import CliRunner, Result
from conftest import Rendered
from hypothesis import given, settings
from hypothesis import strategies as st

from nbesok.archive.personnummer import find_numbers, luhn_ok, personnummer_findings
from nbesok.archive.readertext import fold_character, may_change, reader_map, reader_text
from nbesok.cli import cli
from nbesok.core.errors import Severity


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
        "37" + PN,  # no person's century: an all-digit UUID segment, say
        f"urn:uuid:12{PN}-4abc-8def-0123456789ab",
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


# --- the leak forms (issue 20): each is seen through, wherever it stands

D, S = "811228", "9874"  # 811228-9874, a valid number
SD, SS = "811288", personnummer("811288", "987")[-4:]  # its samordningsnummer (28 + 60)


@pytest.mark.parametrize(
    ("date", "serial", "century"),
    [(D, S, ""), (SD, SS, ""), (D, S, "19")],
    ids=["personnummer", "samordningsnummer", "twelve-digits"],
)
@pytest.mark.parametrize("separator", LEAK_SEPARATORS.values(), ids=LEAK_SEPARATORS.keys())
def test_every_leak_form_is_found(date: str, serial: str, century: str, separator: str) -> None:
    assert personnummer(date, serial[:3]) == f"{date}-{serial}"
    text = f"Ring {century}{date}{separator}{serial} i dag."

    matches = list(find_numbers(text))

    assert [match.digits for match in matches] == [date + serial]
    # The span is the number as it was written, from the century or date to the serial.
    assert text[matches[0].start : matches[0].end] == f"{century}{date}{separator}{serial}"
    assert matches[0].shown.endswith("XXXX") and serial not in matches[0].shown


def test_a_number_turned_around_by_a_direction_override_is_found() -> None:
    """U+202E shows the digits after it in reverse: "4789-822118" reads 811228-9874."""
    text = "Ryd \u202e4789-822118"

    assert [(match.digits, match.shown) for match in find_numbers(text)] == [
        ("8112289874", "811228-XXXX")
    ]


def test_full_width_and_other_script_digits_are_digits() -> None:
    full_width = "".join(chr(0xFF10 + int(digit)) for digit in D + S)
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in D + S)

    assert [match.digits for match in find_numbers(full_width)] == [D + S]
    assert [match.digits for match in find_numbers(arabic_indic)] == [D + S]


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_the_two_ways_of_reading_agree(text: str) -> None:
    """reader_map (with the way back) gives exactly reader_text's text."""
    mapped, spans = reader_map(text)

    assert mapped == reader_text(text)
    assert len(spans) == len(mapped)
    assert all(0 <= start < end <= len(text) for start, end in spans)


def test_the_quick_test_misses_no_character_that_changes_digits() -> None:
    """Every character that reads as nothing or as a digit without being a decimal digit
    is caught by may_change, so the quick path never skips a hidden number."""
    missed = []
    for code in range(0x110000):
        char = chr(code)
        if unicodedata.category(char) in ("Cs", "Nd"):
            continue
        folded = fold_character(char)
        if (folded == "" or any(c.isdecimal() for c in folded)) and not may_change(char):
            missed.append(f"U+{code:04X}")
    assert missed == []


# --- no false alarms on the example archive, its documents or ordinary figures


def test_the_example_archive_holds_no_number(repo_root: Path) -> None:
    from nbesok.archive.yamlfile import read_yaml

    files = [repo_root / "nbesok.yaml", *sorted((repo_root / "protocols").glob("*.yaml"))]
    files += sorted((repo_root / "visits").glob("*.yaml"))
    for path in files:
        document = read_yaml(path, empty_ok=True)
        assert personnummer_findings(document, Severity.ERROR) == [], path


def test_the_rendered_example_documents_hold_no_number(rendered: Rendered) -> None:
    import docx as python_docx

    from nbesok.documents.docx.text import package_texts

    for path in sorted(rendered.out.glob("*.md")):
        assert list(find_numbers(path.read_text("utf-8"))) == [], path
    for path in sorted(rendered.out.glob("*.docx")):
        texts = list(package_texts(python_docx.Document(str(path))))
        assert texts, path
        assert [text for _, text in texts if list(find_numbers(text))] == [], path


# --- the command line: validate refuses, unless the visit allows the number

MULTILINE = edit(
    VISIT,
    "  individens-behov: Svar.",
    f"  individens-behov: |\n    Första stycket.\n\n    Kontakta {PN} om platsen.",
)
# The number stands on line 15, column 14 (after "    Kontakta ").
ALLOWED = MULTILINE + f"tillåtna_personnummer:\n  - {PN}\n"


def test_validate_refuses_at_the_number_s_own_line_and_column(in_archive: Path) -> None:
    (in_archive / X).write_text(MULTILINE, encoding="utf-8")

    result = invoke("validate", X)

    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        f"{X}:15:14: fel: svar.individens-behov: personnummer ”811218-XXXX” i texten; "
        "protokoll är allmänna handlingar: ta bort numret, eller skriv det under "
        "tillåtna_personnummer i besöksfilen om det måste stå kvar"
    )
    assert PN not in result.output  # a message never repeats the whole number
    assert result.output.endswith("1 fel och 0 varningar i 1 fil.\n")


def test_a_number_split_over_two_lines_is_found_where_it_starts(in_archive: Path) -> None:
    text = edit(
        VISIT, "  individens-behov: Svar.", f"  individens-behov: |\n    Ring {D}-\n    {S}."
    )
    (in_archive / X).write_text(text, encoding="utf-8")

    result = invoke("validate", X)

    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"{X}:13:10: fel: svar.individens-behov: personnummer ")


def test_the_visit_s_permission_lets_the_number_through(in_archive: Path) -> None:
    (in_archive / X).write_text(ALLOWED, encoding="utf-8")

    assert invoke("validate", X).output == "Inga fel i 1 fil.\n"
    rendered = invoke("render", X, "--out", "out")

    assert rendered.exit_code == 0, rendered.output
    assert PN in (in_archive / "out" / "x.md").read_text(encoding="utf-8")


def test_a_permission_covers_only_its_own_number(in_archive: Path) -> None:
    other = personnummer("811218", "123")
    text = edit(ALLOWED, "Kontakta", f"Kontakta {other} eller")
    (in_archive / X).write_text(text, encoding="utf-8")

    result = invoke("render", X, "--out", "out")

    assert result.exit_code == 1, result.output
    assert f"personnummer ”{other[:-4]}XXXX”" in result.output
    assert "811218-XXXX” i dokumentet" not in result.output
    assert not (in_archive / "out" / "x.md").exists()


def test_a_permission_for_a_number_no_longer_there_is_a_warning(in_archive: Path) -> None:
    (in_archive / X).write_text(ALLOWED.replace(f"Kontakta {PN}", "Kontakta oss"), "utf-8")

    result = invoke("validate", X)

    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"{X}:28:5: varning: tillåtna_personnummer[1]: numret står inte längre i besöket"
    )


def test_a_permission_that_is_no_number_is_an_error(in_archive: Path) -> None:
    (in_archive / X).write_text(ALLOWED.replace(f"  - {PN}\n", "  - 811218-1234\n"), "utf-8")

    result = invoke("validate", X)

    assert result.exit_code == 1, result.output
    assert result.output.startswith(
        f"{X}:28:5: fel: tillåtna_personnummer[1]: ”811218-1234” är inget personnummer"
    )


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
    assert f"{X}:15:14: fel: svar.individens-behov: personnummer ”811218-XXXX”" in refused.stderr
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
