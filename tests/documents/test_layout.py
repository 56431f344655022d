"""No word is ever split in a table: column widths, the stacked layout and hyphenation.

The PDF test renders many visits with long Swedish compounds (names nobody on the team
would write into a table) into a tjänsteskrivelse and a season compilation, and reads
the PDF's text with poppler: every word of every table cell is printed whole, or broken
only where a visible hyphen ends the line at a hyphenation point; dates and
diarienummer are never broken at their hyphens.

Headings stay with their text: no page of a published PDF ends with a heading, read in
the PDF's tag tree (the order a reader follows), for every kind of document of the
example archive and the long reports.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pdftags import last_blocks
from support import COMPLETE_VISIT, invoke, missing_tool

from nbesok.documents.docx import markdown_to_docx
from nbesok.documents.docx.layout import column_widths, hyphenated, table_layout, text_twips
from nbesok.documents.templating import package_templates_dir

REFERENCE = package_templates_dir() / "referens.docx"
TEXT_WIDTH = 9070
PIECE = re.compile(r"\w+")  # words, split at hyphens and punctuation
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Long compounds of the kind Swedish administration writes, and some longer still.
OPERATIONS = (
    "Arbetsmarknadsförvaltningens ungdomsverksamhet",
    "Integrationsverksamhetens språkstödsenhet",
    "Daglig verksamhet för personer med funktionsnedsättning",
    "Kommunledningsförvaltningens kvalitetsutvecklingsavdelning",
    "Socialförvaltningens arbetsmarknadsenhet",
    "Idrott- och service",
    "Arbetslik aktivitet",
    "Feriearbetesamordningsfunktionen",
)
RESPONSIBLE = (
    "Arbetsmarknadsnämnden",
    "Integrations- och arbetsmarknadsförvaltningen",
    "Kommunstyrelsens arbetsutskott",
    "Utbildningsförvaltningens gymnasieavdelning",
    "Socialförvaltningsarbetsmarknadsenhetsledningsgruppen",
)
ITEMS = (
    "Utreda arbetsmarknadsanställningsformernas tidsbegränsningsregler",
    "Redovisa verksamhetsinriktningsförändringarnas konsekvensanalys",
    "Ta fram en handlingsplansuppföljningsrutin för arbetsträningsplatserna",
    "Pröva kompetensutvecklingsinsatser för arbetsledarna",
)
ABSURD = "Arbetsmarknadsförvaltningsutvecklingsprojektuppföljningsrapporteringsansvarsfördelningen"


def poppler_text(pdf: Path, *options: str) -> str:
    if shutil.which("pdftotext") is None:
        missing_tool("pdftotext saknas: installera poppler-utils (apt-get install poppler-utils)")
    done = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def visit_file(number: int) -> str:
    operation = OPERATIONS[number % len(OPERATIONS)]
    items = "\n".join(
        f"  - punkt: {ITEMS[(number + k) % len(ITEMS)]}"
        + (f" ({ABSURD})" if number == 3 and k == 0 else "")
        + f"\n    ansvarig: {RESPONSIBLE[(number + k) % len(RESPONSIBLE)]}"
        + f"\n    senast: 2023-{(number % 9) + 1:02d}-2{k}"
        + f"\n    status: {('ej påbörjad', 'påbörjad', 'klar')[(number + k) % 3]}"
        for k in range(3)
    )
    return (
        COMPLETE_VISIT.replace("Arbetslik aktivitet", operation)
        .replace("2023-06-07", f"2023-{(number % 9) + 1:02d}-1{number % 9}")
        .replace("Eva Ek", f"Eva Ek {number}")
        + f"diarienummer: AMN 2023-{1000 + number}\nuppföljning:\n{items}\n"
    )


@pytest.fixture(scope="module")
def many_visits(
    tmp_path_factory: pytest.TempPathFactory, repo_root: Path, libreoffice: Path
) -> dict[str, Path]:
    """A tjänsteskrivelse over twelve visits and the compilation of the season, as PDF."""
    import contextlib

    from support import adopt_visits, copy_archive

    root = copy_archive(repo_root, tmp_path_factory.mktemp("lang") / "arkiv")
    for path in (root / "visits").glob("*.yaml"):
        path.unlink()
    names = []
    for number in range(12):
        text = visit_file(number)
        day = re.search(r"besöksdatum: (\S+)", text)
        assert day is not None
        name = f"{day.group(1)}-besok-{number}.yaml"
        (root / "visits" / name).write_text(text, "utf-8")
        names.append(f"visits/{name}")
    adopt_visits(root)
    runner = CliRunner()
    with contextlib.chdir(root):
        for command in (
            ["report", *names[:8], "--per", "2023-10-01", "--format", "docx,pdf"],
            ["report", "--period", "2023", "--per", "2023-10-01", "--format", "docx,pdf"],
        ):
            result = invoke(runner, *command)
            assert result.exit_code == 0, result.output
    out = root / "out"
    return {path.stem: path for path in out.glob("*.pdf")}


def table_words(docx_path: Path) -> Iterator[str]:
    for table in docx.Document(str(docx_path)).tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text


def printed_pieces(text: str) -> set[str]:
    """Every word of the printed text, and the words that visible hyphens at lines' ends
    split (over two lines or more), joined again."""
    lines = [line.strip() for line in text.splitlines()]
    pieces = set(PIECE.findall(text))
    for start, line in enumerate(lines):
        joined = re.search(r"(\w+)-$", line)
        if joined is None:
            continue
        word = joined.group(1)
        for following in lines[start + 1 :]:
            after = re.match(r"(\w+)(-?)$|(\w+)", following)
            if after is None:
                break
            word += after.group(1) or after.group(3)
            pieces.add(word)
            if not (after.group(2) and f"{after.group(1)}-" == following):
                break
    return pieces


def test_no_word_in_a_table_is_split_in_the_pdf(many_visits: dict[str, Path]) -> None:
    assert len(many_visits) == 2
    for stem, pdf in many_visits.items():
        text = poppler_text(pdf, "-raw")
        printed = printed_pieces(text)
        cells = list(table_words(pdf.with_suffix(".docx")))
        words = [piece for cell in cells for piece in PIECE.findall(cell)]
        assert len(words) > 200
        split = sorted({word for word in words if word not in printed})
        assert split == [], f"{stem}: delade ord {split[:20]}"
        dates = {date for cell in cells for date in ISO_DATE.findall(cell)}
        assert dates
        assert sorted(date for date in dates if date not in text) == []
        assert "AMN 2023-1003" in text or "AMN 2023-" not in " ".join(cells)


def test_five_columns_that_cannot_hold_their_words_are_stacked(
    many_visits: dict[str, Path],
) -> None:
    report = next(path for stem, path in many_visits.items() if "med-flera" in stem)
    document = docx.Document(str(report.with_suffix(".docx")))
    stacked = [
        t for t in document.tables if t.style is not None and t.style.name == "Staplad tabell"
    ]

    assert len(stacked) == 1
    labels = [row.cells[0].text for row in stacked[0].rows]
    assert labels[:5] == ["Verksamhet", "Punkt", "Ansvarig", "Senast", "Status"]
    assert {len(row.cells) for row in stacked[0].rows} == {2}
    first = stacked[0].rows[0].cells[0].paragraphs[0]
    assert first.style is not None and first.style.name == "Table Heading"


def test_a_word_wider_than_any_cell_breaks_only_at_a_hyphenation_point() -> None:
    word = hyphenated(ABSURD, 4000)

    parts = word.split("\u00ad")
    assert "".join(parts) == ABSURD
    assert len(parts) > 1
    # The joints of the compound after a linking s: arbetsmarknads|förvaltnings|…
    assert parts[0].endswith("s") and parts[1][0].islower()
    assert hyphenated("Arbetsmarknadsnämnden", 4000) == "Arbetsmarknadsnämnden"


def test_every_column_is_as_wide_as_its_longest_word() -> None:
    rows = [
        ["Punkt", "Ansvarig", "Senast", "Status"],
        ["Förankra uppdraget", "Arbetsmarknadsnämnden", "2024-03-31", "påbörjad"],
    ]
    widths = column_widths(rows, TEXT_WIDTH, header_rows=1)

    assert sum(widths) == TEXT_WIDTH
    for column, width in enumerate(widths):
        longest = max(text_twips(w, bold=True) for row in rows for w in row[column].split())
        assert width >= longest


def test_a_table_too_wide_for_its_words_is_stacked_only_with_a_header_row() -> None:
    long = ["Arbetsmarknadsförvaltningen"] * 5
    assert table_layout([list("ABCDE"), long], TEXT_WIDTH, header_rows=1).stacked
    assert not table_layout([long, long], TEXT_WIDTH).stacked
    assert not table_layout([list("AB"), long[:2]], TEXT_WIDTH, header_rows=1).stacked


def test_dates_and_diarienummer_have_non_breaking_hyphens_in_word() -> None:
    data = markdown_to_docx(
        "Senast 2023-12-31, dnr AMN 2023-0123 och Idrott- och service.\n", REFERENCE
    )
    document = docx.Document(io.BytesIO(data))
    paragraph = document.paragraphs[0]._p

    assert len(paragraph.findall(".//{*}noBreakHyphen")) == 3
    # python-docx reads them back as hyphens: text search in the .docx is unchanged.
    assert document.paragraphs[0].text == (
        "Senast 2023-12-31, dnr AMN 2023-0123 och Idrott- och service."
    )


# --- headings kept with their text (issue 21): the PDF as LibreOffice paginated it

HEADINGS = frozenset({"H", "H1", "H2", "H3", "H4", "H5", "H6"})


def stranded_headings(pdf: Path) -> list[int]:
    """The pages (not the last) whose last block is a heading: its text is on the next."""
    last = last_blocks(pdf)
    return [page for page, kind in sorted(last.items()) if kind in HEADINGS and page < max(last)]


def test_no_page_of_a_published_pdf_ends_with_a_heading(
    pdfs: dict[str, Path], many_visits: dict[str, Path]
) -> None:
    published = {**pdfs, **many_visits}
    pages = sum(len(last_blocks(pdf)) for pdf in published.values())
    assert pages > 30  # every kind of document, and reports of many pages
    stranded = {name: found for name, pdf in published.items() if (found := stranded_headings(pdf))}
    assert stranded == {}, f"sidor som slutar med en rubrik: {stranded}"


def test_the_check_sees_a_heading_left_at_the_foot_of_a_page(
    libreoffice: Path, tmp_path: Path
) -> None:
    """The control: a heading whose text is forced onto the next page is found."""
    from nbesok.documents.pdf import convert_to_pdf

    document = docx.Document(str(REFERENCE))
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)
    document.add_paragraph("Inledning", style="Heading 1")
    document.add_paragraph("Första sidans text.")
    document.add_paragraph("Rubriken som blir kvar", style="Heading 2")
    document.add_paragraph("Texten under rubriken.").paragraph_format.page_break_before = True
    source = tmp_path / "kontroll.docx"
    document.save(str(source))
    (pdf,) = convert_to_pdf([source], tmp_path / "pdf", libreoffice=libreoffice)
    assert last_blocks(pdf) == {1: "H2", 2: "P"}
    assert stranded_headings(pdf) == [1]
