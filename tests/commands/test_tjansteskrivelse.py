"""A tjänsteskrivelse that goes on the agenda unchanged, measured against seed 000.

Seed 000 has its own title (the ärende), a diarienummer, Förslag till beslut, Ärende, a
closing and Beslutsunderlag naming its bilaga. The options that give nbesok's
tjänsteskrivelse the same: ``--rubrik``, ``--diarienummer`` (also for several visits and
a compilation), ``--bilaga`` (listed, and in the PDF appended as pages), ``--underlag``,
and the handläggare's name and title from nbesok.yaml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pikepdf
import pytest
from click.testing import CliRunner
from pdftags import outloud, read_tree
from support import invoke

VISIT_2018 = "visits/2018-10-17-idrott-och-service.yaml"
VISIT_2023 = "visits/2023-06-07-arbetslik-aktivitet.yaml"
REPORT_2023 = "2023-06-07-arbetslik-aktivitet-uppfoljning"
TWO = "uppfoljning-2018-10-17-idrott-och-service-med-flera"
TITLE = "Information om nämndbesök hos Arbetslik aktivitet"


def paragraphs(path: Path) -> list[tuple[str, str]]:
    document = docx.Document(str(path))
    return [(p.style.name if p.style else "", p.text) for p in document.paragraphs]


def head(path: Path) -> dict[str, str]:
    table = docx.Document(str(path)).tables[0]
    return {row.cells[0].text: row.cells[1].text for row in table.rows}


def with_official(archive: Path, title: str = "Utredare") -> None:
    settings = archive / "nbesok.yaml"
    text = settings.read_text("utf-8").replace(
        "handläggare:\n  namn: Robert Obing\n",
        f"handläggare:\n  namn: Anja Lindahl\n  titel: {title}\n",
    )
    settings.write_text(text, "utf-8")


def test_rubrik_and_diarienummer_make_the_head_and_the_title(
    in_archive: Path, runner: CliRunner
) -> None:
    result = invoke(
        runner,
        "report",
        VISIT_2023,
        "--per",
        "2024-01-15",
        "--rubrik",
        TITLE,
        "--diarienummer",
        "AMN 2023-0123",
    )

    assert result.exit_code == 0, result.output
    path = in_archive / "out" / f"{REPORT_2023}.docx"
    assert paragraphs(path)[0] == ("Title", TITLE)
    assert docx.Document(str(path)).core_properties.title == TITLE
    assert head(path)["Diarienummer"] == "AMN 2023-0123"


@pytest.mark.parametrize(
    "selection", [[VISIT_2018, VISIT_2023], ["--period", "2018/19"]], ids=["två besök", "säsong"]
)
def test_a_report_over_several_visits_takes_a_diarienummer(
    in_archive: Path, runner: CliRunner, selection: list[str]
) -> None:
    result = invoke(
        runner, "report", *selection, "--per", "2024-01-15", "--diarienummer", "KS 2018-555"
    )

    assert result.exit_code == 0, result.output
    name = TWO if len(selection) == 2 and selection[0] != "--period" else "sammanstallning-2018-19"
    assert head(in_archive / "out" / f"{name}.docx")["Diarienummer"] == "KS 2018-555"


def test_the_closing_names_the_handläggare_and_the_title(
    in_archive: Path, runner: CliRunner
) -> None:
    with_official(in_archive)

    result = invoke(runner, "report", VISIT_2023, "--per", "2024-01-15")

    assert result.exit_code == 0, result.output
    path = in_archive / "out" / f"{REPORT_2023}.docx"
    closing = [text for style, text in paragraphs(path) if style == "Underskrift"]
    assert closing == ["Anja Lindahl\nUtredare"]
    assert head(path)["Handläggare"] == "Anja Lindahl"
    found = paragraphs(path)
    assert found.index(("Underskrift", closing[0])) < found.index(("Heading 1", "Beslutsunderlag"))
    markdown = (in_archive / "out" / f"{REPORT_2023}.md").read_text("utf-8")
    assert "Anja Lindahl\\\nUtredare\n" in markdown


def test_handläggare_overrides_the_name_and_drops_another_s_title(
    in_archive: Path, runner: CliRunner
) -> None:
    with_official(in_archive)

    result = invoke(runner, "report", VISIT_2023, "--per", "2024-01-15", "--handläggare", "Eva Ek")

    assert result.exit_code == 0, result.output
    path = in_archive / "out" / f"{REPORT_2023}.docx"
    assert [t for s, t in paragraphs(path) if s == "Underskrift"] == ["Eva Ek"]


def test_a_report_over_several_visits_without_handläggare_says_so(
    in_archive: Path, runner: CliRunner
) -> None:
    settings = in_archive / "nbesok.yaml"
    text = settings.read_text("utf-8")
    settings.write_text(text[: text.index("# Handläggaren")], "utf-8")

    several = invoke(runner, "report", VISIT_2018, VISIT_2023, "--per", "2023-12-31")
    single = invoke(runner, "report", VISIT_2023, "--per", "2024-01-15")

    assert several.exit_code == 0, several.output
    assert "nbesok.yaml: varning: handläggare: skrivelsen har ingen handläggare" in several.output
    assert "Handläggare" not in head(in_archive / "out" / f"{TWO}.docx")
    # One visit: the tjänsteperson who took the notes.
    assert single.exit_code == 0 and "ingen handläggare" not in single.output
    assert head(in_archive / "out" / f"{REPORT_2023}.docx")["Handläggare"] == "Robert Obing"


def test_visits_to_two_committees_are_a_warning(in_archive: Path, runner: CliRunner) -> None:
    result = invoke(runner, "report", VISIT_2018, VISIT_2023, "--per", "2023-12-31")

    assert result.exit_code == 0, result.output
    assert (
        "varning: besöken hör till olika nämnder (Bildningsnämnden och Arbetsmarknadsnämnden)"
        in result.output
    )
    assert head(in_archive / "out" / f"{TWO}.docx")["Till"] == (
        "Bildningsnämnden och Arbetsmarknadsnämnden"
    )


def test_bilagor_and_other_underlag_are_listed(in_archive: Path, runner: CliRunner) -> None:
    rendered = invoke(runner, "render", VISIT_2023, "--format", "docx")
    bilaga = in_archive / "out" / "2023-06-07-arbetslik-aktivitet.docx"
    shutil.copy(bilaga, in_archive / "utvecklingstrappa.docx")

    result = invoke(
        runner,
        "report",
        VISIT_2023,
        "--per",
        "2024-01-15",
        "--bilaga",
        "out/2023-06-07-arbetslik-aktivitet.docx",
        "--bilaga",
        "utvecklingstrappa.docx",
        "--underlag",
        "Verksamhetsberättelse 2022",
    )

    assert rendered.exit_code == 0 and result.exit_code == 0, result.output
    listed = [
        t
        for s, t in paragraphs(in_archive / "out" / f"{REPORT_2023}.docx")
        if s == "Beslutsunderlag"
    ]
    assert listed == [
        "Bilaga 1: Protokoll från nämndbesöket hos Arbetslik aktivitet 2023-06-07, "
        "fastställt 2023-06-16 (2023-06-07-arbetslik-aktivitet.docx)",
        "Bilaga 2: Nämndbesök hos Arbetslik aktivitet 2023-06-07 (utvecklingstrappa.docx)",
        "Verksamhetsberättelse 2022",
    ]


def test_the_protocol_is_named_as_a_pdf_when_pdfs_are_published(
    in_archive: Path, runner: CliRunner, libreoffice: Path
) -> None:
    result = invoke(runner, "report", VISIT_2023, "--per", "2024-01-15", "--format", "md,pdf")

    assert result.exit_code == 0, result.output
    markdown = (in_archive / "out" / f"{REPORT_2023}.md").read_text("utf-8")
    assert "(2023-06-07-arbetslik-aktivitet.pdf)" in markdown
    assert ".docx" not in markdown


def test_a_pdfa_bilaga_is_appended_with_its_structure(
    in_archive: Path, runner: CliRunner, libreoffice: Path
) -> None:
    protocol = invoke(runner, "render", VISIT_2023, "--format", "pdf", "--out", "bilagor")
    assert protocol.exit_code == 0, protocol.output
    bilaga = in_archive / "bilagor" / "2023-06-07-arbetslik-aktivitet.pdf"
    with pikepdf.open(bilaga) as pdf:
        bilaga_pages = len(pdf.pages)

    result = invoke(
        runner,
        "report",
        VISIT_2023,
        "--per",
        "2024-01-15",
        "--rubrik",
        TITLE,
        "--diarienummer",
        "AMN 2023-0123",
        "--bilaga",
        str(bilaga.relative_to(in_archive)),
        "--format",
        "pdf",
    )

    assert result.exit_code == 0, result.output
    pdf_path = in_archive / "out" / f"{REPORT_2023}.pdf"
    with pikepdf.open(pdf_path) as pdf:
        pages = len(pdf.pages)
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
    assert pages > bilaga_pages
    assert titles[-1] == "Bilaga 1: Nämndbesök hos Arbetslik aktivitet 2023-06-07"
    tree = read_tree(pdf_path)
    document = tree.root.children[0]
    part = document.children[-1]
    assert (part.kind, part.children[0].kind) == ("Part", "Document")
    (checked,) = outloud(pdf_path)
    assert checked["counts"] == {"error": 0, "warning": 0, "info": 0}, checked["findings"]


def test_a_bilaga_that_is_not_pdfa_is_refused_with_the_way_out(
    in_archive: Path, runner: CliRunner
) -> None:
    plain = in_archive / "vanlig.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(plain)

    result = invoke(runner, "report", VISIT_2023, "--bilaga", "vanlig.pdf", "--format", "pdf")

    assert result.exit_code == 1, result.output
    assert "vanlig.pdf: fel: bilagan är ingen PDF/A-1 eller PDF/A-2" in result.output
    assert "spara den som PDF/A" in result.output
    assert not (in_archive / "out" / f"{REPORT_2023}.pdf").exists()


def test_a_missing_or_foreign_bilaga_is_a_usage_error(in_archive: Path, runner: CliRunner) -> None:
    (in_archive / "bild.png").write_bytes(b"")

    missing = invoke(runner, "report", VISIT_2023, "--bilaga", "finns-inte.pdf")
    foreign = invoke(runner, "report", VISIT_2023, "--bilaga", "bild.png")

    assert missing.exit_code == 2 and "--bilaga: fel: ”finns-inte.pdf” finns inte" in missing.output
    assert foreign.exit_code == 2 and "varken PDF eller Word-dokument" in foreign.output


def test_a_personnummer_in_a_bilaga_stops_the_pdf(in_archive: Path, runner: CliRunner) -> None:
    document = docx.Document()
    document.add_paragraph("Deltagare 800101-0001 har fått plats.")
    document.save(str(in_archive / "bilaga.docx"))

    result = invoke(runner, "report", VISIT_2023, "--bilaga", "bilaga.docx", "--format", "pdf")

    assert result.exit_code == 1, result.output
    assert "bilaga.docx: fel: personnummer ”800101-XXXX” i bilagan" in result.output
