"""``nbesok granska``: the accessibility review of rendered .docx files.

The real outputs of the example archive must pass without a single finding, and each
rule must catch its defect in a document broken on purpose: a real rendered .docx with
one thing changed in its XML. Expected locations are computed with python-docx, not
with the review's own walk, so that a wrong block count cannot hide.
"""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import RENDERED_NAMES, Rendered
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from nbesok.cli import cli
from nbesok.commands.granska import docx_files, review_paths, summary_line
from nbesok.core.errors import Finding, Severity
from nbesok.documents.docx.review import as_warnings, review_file

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DC = "http://purl.org/dc/elements/1.1/"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
DOCUMENT = "word/document.xml"
STYLES = "word/styles.xml"
CORE = "docProps/core.xml"
VISIT = "2023-06-07-arbetslik-aktivitet"
SEASON = "sammanstallning-2018-19"

Change = Callable[[Any], None]


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="nbesok")


def broken(source: Path, target: Path, changes: dict[str, Change]) -> Path:
    """A copy of ``source`` with some XML parts changed by the given functions."""
    with zipfile.ZipFile(source) as package:
        entries = {info.filename: package.read(info) for info in package.infolist()}
    for part, change in changes.items():
        root = etree.fromstring(entries[part])
        change(root)
        entries[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return target


def text_of(element: Any) -> str:
    return "".join(text.text or "" for text in element.iter(w("t")))


def style_of(paragraph: Any) -> str:
    style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
    return "" if style is None else str(style.get(w("val")))


def paragraphs_with_style(root: Any, style: str) -> list[Any]:
    return [p for p in root.iter(w("p")) if style_of(p) == style]


def paragraph_with_text(root: Any, text: str) -> Any:
    return next(p for p in root.iter(w("p")) if text_of(p) == text)


def set_style(paragraph: Any, style: str) -> None:
    paragraph.find(f"{w('pPr')}/{w('pStyle')}").set(w("val"), style)


def block_line(path: Path, text: str) -> int:
    """The 1-based position among the body's paragraphs and tables, by python-docx."""
    for line, block in enumerate(Document(str(path)).iter_inner_content(), start=1):
        if isinstance(block, Paragraph) and block.text == text:
            return line
    raise AssertionError(f"inget stycke ”{text}” i {path}")


def table_line(path: Path, number: int) -> int:
    tables = 0
    for line, block in enumerate(Document(str(path)).iter_inner_content(), start=1):
        if isinstance(block, Table):
            tables += 1
            if tables == number:
                return line
    raise AssertionError(f"ingen tabell {number} i {path}")


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [found.format() for found in findings]
    return findings[0]


def tiny_png() -> bytes:
    """A valid 1×1 PNG, built by hand so the tests need no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1 pixels, 8-bit RGB
    pixels = zlib.compress(b"\x00\x00\x80\x00")  # filter byte, then one green pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def with_picture(source: Path, target: Path, alt_text: str | None) -> Path:
    """``source`` with a picture appended; ``alt_text`` None strips any description."""
    document = Document(str(source))
    document.add_picture(io.BytesIO(tiny_png()))
    for picture in document.element.body.iter(f"{{{WP}}}docPr"):
        if alt_text is None:
            picture.attrib.pop("descr", None)
        else:
            picture.set("descr", alt_text)
    document.save(str(target))
    return target


@pytest.fixture
def visit(rendered: Rendered) -> Path:
    return rendered.docx(VISIT)


@pytest.fixture
def season(rendered: Rendered) -> Path:
    return rendered.docx(SEASON)


# The real outputs


@pytest.mark.parametrize("name", RENDERED_NAMES)
def test_the_real_outputs_have_no_findings(rendered: Rendered, name: str) -> None:
    assert review_file(rendered.docx(name)) == []


def test_the_real_outputs_exercise_every_rule(rendered: Rendered) -> None:
    """Passing means something only if the documents have what the rules look at."""
    with zipfile.ZipFile(rendered.docx(SEASON)) as package:
        season = etree.fromstring(package.read(DOCUMENT))
    with zipfile.ZipFile(rendered.docx(VISIT)) as package:
        visit = etree.fromstring(package.read(DOCUMENT))
    assert len(paragraphs_with_style(visit, "Title")) == 1
    assert {"Heading1", "Heading2", "Heading3"} <= {style_of(p) for p in visit.iter(w("p"))}
    assert len(list(season.iter(w("tbl")))) >= 2
    assert any(cell.find(f"{w('tcPr')}/{w('shd')}") is not None for cell in season.iter(w("tc")))


def test_review_paths_takes_a_folder(rendered: Rendered) -> None:
    expected = sorted(f"{name}.docx" for name in RENDERED_NAMES)

    assert [path.name for path in docx_files([rendered.out])] == expected
    assert review_paths([rendered.out]) == []


# Document properties


def test_a_document_without_language_is_flagged(visit: Path, tmp_path: Path) -> None:
    def no_core_language(root: Any) -> None:
        language = root.find(f"{{{DC}}}language")
        root.remove(language)

    def no_text_language(root: Any) -> None:
        for language in root.iter(w("lang")):
            language.getparent().remove(language)

    path = broken(
        visit, tmp_path / "utan-språk.docx", {CORE: no_core_language, STYLES: no_text_language}
    )
    findings = review_file(path)

    assert [(f.key, f.line, f.severity) for f in findings] == [
        ("språk", 0, Severity.ERROR),
        ("språk", 0, Severity.ERROR),
    ]
    assert "dc:language" in findings[0].message
    assert "w:lang" in findings[1].message
    assert all("sv-SE" in f.message for f in findings)


def test_an_invalid_language_code_is_flagged(visit: Path, tmp_path: Path) -> None:
    def nonsense(root: Any) -> None:
        root.find(f"{{{DC}}}language").text = "svenska!"

    found = only(review_file(broken(visit, tmp_path / "språk.docx", {CORE: nonsense})))

    assert found.key == "språk"
    assert "”svenska!”" in found.message


@pytest.mark.parametrize("how", ["removed", "empty"])
def test_a_document_without_title_property_is_flagged(
    visit: Path, tmp_path: Path, how: str
) -> None:
    def no_title(root: Any) -> None:
        title = root.find(f"{{{DC}}}title")
        if how == "removed":
            root.remove(title)
        else:
            title.text = "  "

    found = only(review_file(broken(visit, tmp_path / "utan-titel.docx", {CORE: no_title})))

    assert (found.key, found.line, found.severity) == ("dokumenttitel", 0, Severity.ERROR)
    assert "title:" in found.message


# Title and headings


def test_a_document_without_title_paragraph_is_flagged(visit: Path, tmp_path: Path) -> None:
    def title_as_body(root: Any) -> None:
        set_style(paragraphs_with_style(root, "Title")[0], "BodyText")

    found = only(review_file(broken(visit, tmp_path / "x.docx", {DOCUMENT: title_as_body})))

    assert (found.key, found.line) == ("titel", 0)
    assert "formatmallen Title" in found.message


def test_a_second_title_is_flagged(visit: Path, tmp_path: Path) -> None:
    text = "Underlag inför besöken:"

    def second_title(root: Any) -> None:
        set_style(paragraph_with_text(root, text), "Title")

    path = broken(visit, tmp_path / "två-titlar.docx", {DOCUMENT: second_title})
    found = only(review_file(path))

    assert (found.key, found.line, found.column) == (f"titel ”{text}”", block_line(path, text), 1)
    assert "en andra titel" in found.message
    assert "Heading 1" in found.message


def test_a_skip_from_heading_1_to_heading_3_is_flagged(visit: Path, tmp_path: Path) -> None:
    texts: list[str] = []

    def skip(root: Any) -> None:
        question = paragraphs_with_style(root, "Heading2")[0]
        texts.append(text_of(question))
        set_style(question, "Heading3")

    path = broken(visit, tmp_path / "hopp.docx", {DOCUMENT: skip})
    found = only(review_file(path))

    assert found.line == block_line(path, texts[0])
    assert found.key.startswith(f"rubrik ”{texts[0][:30]}")
    assert "från Heading 1 till Heading 3" in found.message
    assert "använd Heading 2" in found.message
    assert found.severity is Severity.ERROR


def test_the_first_heading_after_the_title_must_be_level_1(visit: Path, tmp_path: Path) -> None:
    texts: list[str] = []

    def demote(root: Any) -> None:
        heading = paragraphs_with_style(root, "Heading1")[0]
        texts.append(text_of(heading))
        set_style(heading, "Heading2")

    path = broken(visit, tmp_path / "nivå.docx", {DOCUMENT: demote})
    found = only(review_file(path))

    assert (found.key, found.line) == (f"rubrik ”{texts[0]}”", block_line(path, texts[0]))
    assert "från titeln till Heading 2" in found.message


def test_a_heading_by_direct_outline_level_counts(visit: Path, tmp_path: Path) -> None:
    text = "Underlag inför besöken:"

    def outline(root: Any) -> None:
        properties = paragraph_with_text(root, text).find(w("pPr"))
        etree.SubElement(properties, w("outlineLvl"), {w("val"): "2"})  # level 3

    path = broken(visit, tmp_path / "disposition.docx", {DOCUMENT: outline})
    found = only(review_file(path))

    assert (found.key, found.line) == (f"rubrik ”{text}”", block_line(path, text))
    assert "från titeln till Heading 3" in found.message


def _add_style(root: Any, style_id: str, name: str, based_on: str) -> None:
    style = etree.SubElement(root, w("style"), {w("type"): "paragraph", w("styleId"): style_id})
    etree.SubElement(style, w("name"), {w("val"): name})
    etree.SubElement(style, w("basedOn"), {w("val"): based_on})


def test_a_custom_style_inherits_its_heading_level(visit: Path, tmp_path: Path) -> None:
    """A municipality's own heading style based on Heading 3 is a level-3 heading."""
    text = "Underlag inför besöken:"

    def custom_style(root: Any) -> None:
        _add_style(root, "Kommunrubrik", "Kommunrubrik", "Heading3")

    def use_it(root: Any) -> None:
        set_style(paragraph_with_text(root, text), "Kommunrubrik")

    path = broken(visit, tmp_path / "egen.docx", {STYLES: custom_style, DOCUMENT: use_it})
    found = only(review_file(path))

    assert found.line == block_line(path, text)
    assert "från titeln till Heading 3" in found.message


def test_a_subtitle_based_on_title_is_not_a_second_title(visit: Path, tmp_path: Path) -> None:
    def subtitle_style(root: Any) -> None:
        _add_style(root, "Subtitle", "Subtitle", "Title")

    def use_it(root: Any) -> None:
        set_style(paragraph_with_text(root, "Underlag inför besöken:"), "Subtitle")

    path = broken(visit, tmp_path / "undertitel.docx", {STYLES: subtitle_style, DOCUMENT: use_it})

    assert review_file(path) == []


def test_an_empty_heading_is_flagged(visit: Path, tmp_path: Path) -> None:
    before: list[str] = []

    def empty_heading(root: Any) -> None:
        heading = paragraphs_with_style(root, "Heading1")[0]
        before.append(text_of(heading))
        empty = etree.Element(w("p"))
        etree.SubElement(etree.SubElement(empty, w("pPr")), w("pStyle"), {w("val"): "Heading2"})
        heading.addnext(empty)

    path = broken(visit, tmp_path / "tom.docx", {DOCUMENT: empty_heading})
    found = only(review_file(path))

    assert found.line == block_line(path, before[0]) + 1
    assert found.key == "rubrik (heading 2)"
    assert "tom rubrik" in found.message
    assert found.severity is Severity.ERROR


# Tables and colour


def test_a_table_without_header_row_is_flagged(season: Path, tmp_path: Path) -> None:
    def no_header(root: Any) -> None:
        table = list(root.iter(w("tbl")))[1]
        marker = table.find(f"{w('tr')}/{w('trPr')}/{w('tblHeader')}")
        marker.getparent().remove(marker)

    path = broken(season, tmp_path / "utan-rubrikrad.docx", {DOCUMENT: no_header})
    found = only(review_file(path))

    assert (found.key, found.line) == ("tabell 2", table_line(path, 2))
    assert "rubrikrad" in found.message
    assert found.severity is Severity.ERROR


def test_a_header_row_switched_off_is_flagged(season: Path, tmp_path: Path) -> None:
    where: list[int] = []

    def switched_off(root: Any) -> None:
        # The first table is the head (labels in its first column, no header row).
        for number, table in enumerate(root.iter(w("tbl")), start=1):
            for marker in table.iter(w("tblHeader")):
                marker.set(w("val"), "false")
                where.append(number)
                return

    path = broken(season, tmp_path / "av.docx", {DOCUMENT: switched_off})

    assert where[0] > 1
    assert only(review_file(path)).key == f"tabell {where[0]}"


def test_a_shaded_cell_without_text_is_flagged(season: Path, tmp_path: Path) -> None:
    where: list[tuple[int, int, int]] = []

    def empty_status(root: Any) -> None:
        for number, table in enumerate(root.iter(w("tbl")), start=1):
            for row, tr in enumerate(table.findall(w("tr")), start=1):
                for column, cell in enumerate(tr.findall(w("tc")), start=1):
                    if cell.find(f"{w('tcPr')}/{w('shd')}") is not None:
                        for text in cell.iter(w("t")):
                            text.text = ""
                        where.append((number, row, column))
                        return

    path = broken(season, tmp_path / "bara-färg.docx", {DOCUMENT: empty_status})
    found = only(review_file(path))
    table, row, column = where[0]

    assert found.key == f"tabell {table}, rad {row}, kolumn {column}"
    assert found.line == table_line(path, table)
    assert "färgen får inte ensam bära betydelsen" in found.message


def test_an_emptied_status_cell_is_reported_once(season: Path, tmp_path: Path) -> None:
    def spaces(root: Any) -> None:
        for run in root.iter(w("r")):
            style = run.find(f"{w('rPr')}/{w('rStyle')}")
            if style is not None and style.get(w("val")).startswith("Status"):
                for text in run.iter(w("t")):
                    text.text = "   "
                return

    path = broken(season, tmp_path / "mellanslag.docx", {DOCUMENT: spaces})

    assert "färgen får inte ensam bära betydelsen" in only(review_file(path)).message


def test_a_coloured_mark_of_spaces_is_flagged(visit: Path, tmp_path: Path) -> None:
    text = "Underlag inför besöken:"

    def mark(root: Any) -> None:
        run = etree.SubElement(paragraph_with_text(root, text), w("r"))
        etree.SubElement(etree.SubElement(run, w("rPr")), w("rStyle"), {w("val"): "StatusKlar"})
        etree.SubElement(run, w("t")).text = "   "

    path = broken(visit, tmp_path / "markering.docx", {DOCUMENT: mark})
    found = only(review_file(path))

    assert (found.key, found.line) == ("färgmarkering", block_line(path, text + "   "))


# Images


def test_a_picture_without_alt_text_is_flagged(visit: Path, tmp_path: Path) -> None:
    path = with_picture(visit, tmp_path / "bild.docx", alt_text=None)
    blocks = len(list(Document(str(path)).iter_inner_content()))
    found = only(review_file(path))

    assert found.line == blocks  # add_picture appends a paragraph at the end
    assert found.key.startswith("bild ")
    assert "alternativtext" in found.message
    assert found.severity is Severity.ERROR


@pytest.mark.parametrize("alt_text", ["", "   "])
def test_a_blank_alt_text_is_no_alt_text(visit: Path, tmp_path: Path, alt_text: str) -> None:
    path = with_picture(visit, tmp_path / "bild.docx", alt_text=alt_text)

    assert "alternativtext" in only(review_file(path)).message


def test_a_picture_with_alt_text_passes(visit: Path, tmp_path: Path) -> None:
    path = with_picture(visit, tmp_path / "bild.docx", alt_text="Kommunens logotyp")

    assert review_file(path) == []


def test_a_decorative_picture_passes(visit: Path, tmp_path: Path) -> None:
    path = with_picture(visit, tmp_path / "bild.docx", alt_text=None)
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    decorative = "http://schemas.microsoft.com/office/drawing/2017/decorative"

    def mark(root: Any) -> None:
        picture = next(root.iter(f"{{{WP}}}docPr"))
        extensions = etree.SubElement(picture, f"{{{a}}}extLst")
        extension = etree.SubElement(extensions, f"{{{a}}}ext", {"uri": "{C183D7F6}"})
        etree.SubElement(extension, f"{{{decorative}}}decorative", {"val": "1"})

    assert review_file(broken(path, tmp_path / "dekor.docx", {DOCUMENT: mark})) == []


# Files that are not Word documents


def _without_document(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename != DOCUMENT:
                new.writestr(info, old.read(info))


def _broken_xml(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, data[: len(data) // 2] if info.filename == DOCUMENT else data)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda source, target: target.write_text("# Rubrik\n", "utf-8"), "inget zip-paket"),
        (lambda source, target: target.write_bytes(b""), "inget zip-paket"),
        (_without_document, "saknar Word-huvuddelen"),
        (_broken_xml, "är inte giltig XML"),
    ],
    ids=["markdown", "empty", "no-document-part", "truncated-xml"],
)
def test_a_file_that_is_not_a_docx_is_one_error(
    visit: Path, tmp_path: Path, make: Callable[[Path, Path], None], reason: str
) -> None:
    target = tmp_path / "trasig.docx"
    make(visit, target)

    found = only(review_file(target))

    assert (found.line, found.severity) == (0, Severity.ERROR)
    assert "kan inte läsas som Word-dokument" in found.message
    assert reason in found.message


def test_a_missing_file_is_one_error(tmp_path: Path) -> None:
    found = only(review_paths([tmp_path / "finns-inte.docx"]))

    assert "filen finns inte" in found.message


def test_a_folder_skips_word_lock_files(visit: Path, tmp_path: Path) -> None:
    shutil.copy(visit, tmp_path / "a.docx")
    (tmp_path / "~$a.docx").write_bytes(b"lock")
    (tmp_path / "a.md").write_text("# a\n", "utf-8")

    assert docx_files([tmp_path]) == [tmp_path / "a.docx"]


def test_the_review_after_render_only_warns(visit: Path, tmp_path: Path) -> None:
    def title_as_body(root: Any) -> None:
        set_style(paragraphs_with_style(root, "Title")[0], "BodyText")

    path = broken(visit, tmp_path / "x.docx", {DOCUMENT: title_as_body})
    markdown = tmp_path / "x.md"
    markdown.write_text("# x\n", "utf-8")

    found = only(as_warnings(review_file(path)))

    assert found.severity is Severity.WARNING
    assert found.key == "titel"


def test_summary_line() -> None:
    error = Finding("a.docx", 1, 1, Severity.ERROR, "tabell 1", "x")
    warning = Finding("a.docx", 2, 1, Severity.WARNING, "", "y")

    assert summary_line(6, []) == "Inga tillgänglighetsproblem i 6 filer."
    assert summary_line(1, [error, warning]) == "1 fel och 1 varning i 1 fil."


# The command (wired in cli.py)


def test_granska_passes_the_real_outputs(rendered: Rendered) -> None:
    result = invoke("granska", str(rendered.out))

    assert result.exit_code == 0, result.output
    assert f"Inga tillgänglighetsproblem i {len(RENDERED_NAMES)} filer." in result.output


def test_granska_reports_located_errors_and_exits_1(
    visit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts: list[str] = []

    def skip(root: Any) -> None:
        question = paragraphs_with_style(root, "Heading2")[0]
        texts.append(text_of(question))
        set_style(question, "Heading3")

    path = broken(visit, tmp_path / "hopp.docx", {DOCUMENT: skip})
    shutil.copy(visit, tmp_path / "hel.docx")
    monkeypatch.chdir(tmp_path)

    result = invoke("granska", "hopp.docx", "hel.docx")

    assert result.exit_code == 1, result.output
    assert f"hopp.docx:{block_line(path, texts[0])}:1: fel: rubrik ”" in result.output
    assert "hel.docx:" not in result.output
    assert "1 fel och 0 varningar i 2 filer." in result.output


def test_granska_without_paths_reviews_the_archive_s_out(in_archive: Path) -> None:
    assert invoke("render", "visits/2018-10-17-idrott-och-service.yaml").exit_code == 0

    result = invoke("granska")

    assert result.exit_code == 0, result.output
    assert "Inga tillgänglighetsproblem i 1 fil." in result.output


def test_render_warns_about_an_inaccessible_document(in_archive: Path) -> None:
    """The review runs after every render: a template that skips a level is reported."""
    (in_archive / "templates").mkdir(exist_ok=True)
    (in_archive / "templates" / "protokoll.md.j2").write_text(
        '---\ntitle: "Prov"\nlang: sv-SE\n---\n\n# Frågor\n\n### Hoppar över en nivå\n', "utf-8"
    )

    result = invoke("render", "visits/2018-10-17-idrott-och-service.yaml")

    assert result.exit_code == 0, result.output
    assert "Skrev 2 filer för 1 dokument i out/." in result.output
    assert (
        "out/2018-10-17-idrott-och-service.docx:3:1: varning: rubrik ”Hoppar över en nivå”: "
        "rubriknivån hoppar från Heading 1 till Heading 3" in result.output
    )
