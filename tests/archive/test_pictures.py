"""Pictures: from bilder/ in the archive to DOCX, PDF (with /Alt) and the .md.

The example archive keeps seed 000's process picture in bilder/ (the tjänsteskrivelse
of 2017 on the same verksamhet shows it). The tests put it in the summary of their copy
of the 2018 visit, which is otherwise the source's text, follow it through every output
and feed ``validate`` the ways a picture can be wrong (missing file, no alt text, not
PNG or JPEG, too large, outside bilder/).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from pdftags import read_tree
from PIL import Image
from support import invoke

VISIT = "visits/2018-10-17-idrott-och-service.yaml"
PICTURE = "bilder/idrott-och-service-processen.png"
ALT_START = "Processbild i tre steg. Insluss: JKT eller AF"


ALT = (
    "Processbild i tre steg. Insluss: JKT eller AF; deltagaren får en tydlig handlingsplan "
    "för sin utvecklingsplats på Idrott och Service. Idrott och Service: hjälper deltagaren "
    "att nå mål enligt handlingsplan och handleder deltagaren i utvecklingen mot externt "
    "arbete eller utbildning. Utsluss: JKT eller AF tar över eller samverkar i ärendet att "
    "få deltagaren ut i ett externt arbete, praktikplats eller utbildning."
)


@pytest.fixture(autouse=True)
def picture_in_summary(in_archive: Path) -> None:
    """The copy's 2018 visit shows the process picture at the end of its summary."""
    visit = in_archive / VISIT
    text = visit.read_text("utf-8")
    end = text.index("# Exempel skrivet för arkivet, inte citat ur källdokumentet.\nuppföljning:")
    picture = f"\n  ![{ALT}]({PICTURE})\n"
    visit.write_text(text[:end] + picture + text[end:], "utf-8")


def with_answer(archive: Path, markdown: str) -> Path:
    """The 2018 visit with ``markdown`` as the answer to its first question."""
    visit = archive / VISIT
    text = visit.read_text("utf-8")
    start = text.index("  individens-behov: |\n")
    end = text.index("  handlingsplaner: |\n")
    body = "".join(f"    {line}\n" for line in markdown.splitlines())
    visit.write_text(text[:start] + "  individens-behov: |\n" + body + text[end:], "utf-8")
    return visit


def test_the_picture_is_embedded_with_its_alt_text_as_description(
    in_archive: Path, runner: CliRunner
) -> None:
    result = invoke(runner, "render", VISIT)

    assert result.exit_code == 0, result.output
    document = docx.Document(str(in_archive / "out" / "2018-10-17-idrott-och-service.docx"))
    shapes = document.inline_shapes
    assert len(shapes) == 1
    description = shapes[0]._inline.docPr
    assert description.get("descr", "").startswith(ALT_START)
    assert not description.get("title")
    image = shapes[0]._inline.graphic.graphicData.pic.blipFill.blip
    part = document.part.related_parts[image.embed]
    assert part.blob == (in_archive / PICTURE).read_bytes()
    # Scaled to the text width, never wider than the page.
    section = document.sections[0]
    assert section.page_width is not None and section.left_margin is not None
    assert shapes[0].width <= section.page_width - 2 * section.left_margin


def test_the_md_links_the_archive_s_own_file(in_archive: Path, runner: CliRunner) -> None:
    result = invoke(runner, "render", VISIT, "--format", "md")

    assert result.exit_code == 0, result.output
    markdown = (in_archive / "out" / "2018-10-17-idrott-och-service.md").read_text("utf-8")
    assert f"![{ALT_START}" in markdown
    assert f"](../{PICTURE})" in markdown
    assert (in_archive / "out" / ".." / PICTURE).is_file()


def test_the_pdf_has_a_figure_with_the_alt_text(
    in_archive: Path, runner: CliRunner, libreoffice: Path
) -> None:
    result = invoke(runner, "render", VISIT, "--format", "pdf")

    assert result.exit_code == 0, result.output
    tree = read_tree(in_archive / "out" / "2018-10-17-idrott-och-service.pdf")
    figures = [e for e in tree.root.walk() if e.kind == "Figure"]
    assert len(figures) == 1
    assert figures[0].alt is not None and figures[0].alt.startswith(ALT_START)


@pytest.mark.parametrize(
    ("markdown", "message"),
    [
        ("![](bilder/idrott-och-service-processen.png)", "saknar alternativtext"),
        ("![Karta](bilder/finns-inte.png)", "finns inte; lägg filen i bilder/"),
        ("![Karta](karta.png)", "ska ligga i arkivets mapp bilder/"),
        ("![Karta](../nbesok.yaml)", "ska ligga i arkivets mapp bilder/"),
        ("![Karta](https://example.org/karta.png)", "är en webbadress"),
        ("![Karta](bilder/karta.gif)", "bara PNG och JPEG"),
        ("![Karta](bilder/stor.png)", "mer än tillåtna 5 MB"),
        ("![Karta](bilder/trasig.png)", "går inte att läsa som bild"),
    ],
)
def test_a_bad_picture_is_a_located_error_in_validate_and_render(
    in_archive: Path, runner: CliRunner, markdown: str, message: str
) -> None:
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    (in_archive / "bilder" / "karta.gif").write_bytes(gif.getvalue())
    (in_archive / "bilder" / "stor.png").write_bytes(b"\x89PNG" + b"\0" * (6 * 1024 * 1024))
    (in_archive / "bilder" / "trasig.png").write_bytes(b"\x89PNG\r\n\x1a\nnot a picture")
    with_answer(in_archive, f"Text före.\n\n{markdown}\n")

    validated = invoke(runner, "validate", VISIT)
    rendered = invoke(runner, "render", VISIT)

    for result in (validated, rendered):
        assert result.exit_code == 1, result.output
        line = next(line for line in result.output.splitlines() if message in line)
        # The picture stands on the third line of the answer, which starts on line 16.
        assert line.startswith(f"{VISIT}:18:1: fel: svar.individens-behov: bilden"), line
    assert not (in_archive / "out" / "2018-10-17-idrott-och-service.docx").exists()


def test_a_personnummer_in_a_picture_s_metadata_stops_the_document(
    in_archive: Path, runner: CliRunner
) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Description", "Foto på deltagaren 19800101-0001")
    Image.new("RGB", (20, 10), "white").save(in_archive / "bilder" / "foto.png", pnginfo=info)
    with_answer(in_archive, "![Foto från besöket](bilder/foto.png)\n")

    result = invoke(runner, "render", VISIT)

    assert result.exit_code == 1, result.output
    # Found in the picture file, where the number was written.
    assert re.search(
        r"bilder/foto\.png:\d+:\d+: fel: personnummer ”19800101-XXXX” i en bild", result.output
    )
    assert not (in_archive / "out" / "2018-10-17-idrott-och-service.docx").exists()


def test_a_personnummer_in_an_alt_text_stops_the_document(
    in_archive: Path, runner: CliRunner
) -> None:
    with_answer(in_archive, f"![Intyg för 800101-0001]({PICTURE})\n")

    result = invoke(runner, "render", VISIT, "--format", "md")

    assert result.exit_code == 1, result.output
    assert "personnummer ”800101-XXXX”" in result.output
