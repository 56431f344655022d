"""The Markdown-to-DOCX converter, checked through the structure of the documents it writes."""

from __future__ import annotations

import importlib.util
import io
import re
import struct
import textwrap
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
import pypandoc
import pytest
from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from support import REPO_ROOT

from nbesok.archive.pictures import Picture
from nbesok.core.errors import RenderError, TemplateError
from nbesok.core.paths import package_templates_dir
from nbesok.documents.docx import markdown_to_docx
from nbesok.documents.docx.reference import load_reference

REFERENCE = package_templates_dir() / "referens.docx"
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build_reference_docx.py"

EVERYTHING = """\
---
title: Dokumentationsmall nämndbesök
author: [Isa Fredriksson, Elin Johansson]
date: 2023-06-07
lang: sv-SE
subject: Arbetslik aktivitet
keywords: [nämndbesök, arbetsmarknad]
---

# Frågor

Ett stycke med *kursiv*, **fet** och `kod`,
och en [länk](https://www.linkoping.se).\\
Ny rad.

## Underlag

- Bokslut
- Budget
  - Plan för 2024
    - Mål

1. Första
2. Andra

| Fråga | Status |
|-------|--------|
| Mål   | [Klar]{custom-style="Status klar"} |

::: Hjälptext
Beskriv hur verksamheten arbetar.
:::

> Ett citat.

---

<div>rå html</div>

![Karta](karta.png)

```
kod rad 1
kod rad 2
```

##### Femte nivån
"""


def _map() -> Picture:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(data, "PNG")
    return Picture("karta.png", "karta.png", data.getvalue(), 300, 200)


PICTURES = {"karta.png": _map()}


def convert(markdown: str, reference: Path = REFERENCE) -> Document:
    data = markdown_to_docx(textwrap.dedent(markdown), reference, PICTURES)
    return docx.Document(io.BytesIO(data))


def styled_paragraphs(document: Document) -> list[tuple[str, str]]:
    return [
        (paragraph.style.name if paragraph.style else "", paragraph.text)
        for paragraph in document.paragraphs
    ]


def numbering(paragraph: Any) -> tuple[int, int]:
    """(ilvl, numId) of a list paragraph."""
    num_pr = paragraph._p.pPr.numPr
    return int(num_pr.ilvl.val), int(num_pr.numId.val)


def visible_text(element: Any) -> str:
    """Text as a reader shows it, including the cached results of fields."""
    pieces = {qn("w:t"): None, qn("w:tab"): "\t"}
    return "".join(
        (node.text or "") if pieces[node.tag] is None else str(pieces[node.tag])
        for node in element.iter(*pieces)
    )


def cell_fill(cell: Any) -> str | None:
    shd = cell._tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}")
    return None if shd is None else str(shd.get(qn("w:fill")))


def style_fill(reference: Path, style_name: str) -> str:
    """The shading fill of a character style, read from the reference document."""
    style = docx.Document(str(reference)).styles[style_name]
    shd = style.element.rPr.find(qn("w:shd"))
    return str(shd.get(qn("w:fill")))


def write_zip(path: Path, entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as package:
        for name, data in entries.items():
            package.writestr(name, data)
    return path


def reference_entries() -> dict[str, bytes]:
    with zipfile.ZipFile(REFERENCE) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_every_construct_becomes_a_styled_paragraph_in_order() -> None:
    document = convert(EVERYTHING)

    assert styled_paragraphs(document) == [
        ("Title", "Dokumentationsmall nämndbesök"),
        ("Heading 1", "Frågor"),
        ("Body Text", "Ett stycke med kursiv, fet och kod, och en länk.\nNy rad."),
        ("Heading 2", "Underlag"),
        ("List Paragraph", "Bokslut"),
        ("List Paragraph", "Budget"),
        ("List Paragraph", "Plan för 2024"),
        ("List Paragraph", "Mål"),
        ("List Paragraph", "Första"),
        ("List Paragraph", "Andra"),
        ("Hjälptext", "Beskriv hur verksamheten arbetar."),
        ("Quotations", "Ett citat."),
        ("Avdelare", ""),
        ("Body Text", "<div>rå html</div>"),
        ("Body Text", ""),  # the picture, with its alt text as its description
        ("Kod", "kod rad 1\nkod rad 2"),
        ("Heading 5", "Femte nivån"),
    ]
    assert len(document.tables) == 1
    assert [shape._inline.docPr.get("descr") for shape in document.inline_shapes] == ["Karta"]


def test_documents_from_one_reference_share_nothing() -> None:
    """Each document is a copy of the reference parsed once; what one document writes
    (text, a picture, numbering, properties) never reaches the reference or the next."""
    full = markdown_to_docx(textwrap.dedent(EVERYTHING), REFERENCE, PICTURES)
    small = "---\ntitle: Liten\n---\n\nEtt ord.\n"
    alone = docx.Document(io.BytesIO(markdown_to_docx(small, REFERENCE)))

    again = markdown_to_docx(small, REFERENCE)

    assert again == markdown_to_docx(small, REFERENCE)
    assert styled_paragraphs(docx.Document(io.BytesIO(again))) == styled_paragraphs(alone)
    assert styled_paragraphs(alone) == [("Title", "Liten"), ("Body Text", "Ett ord.")]
    assert not docx.Document(io.BytesIO(again)).inline_shapes
    assert markdown_to_docx(textwrap.dedent(EVERYTHING), REFERENCE, PICTURES) == full


def test_inline_markup_uses_character_styles_and_no_direct_formatting() -> None:
    document = convert("Ett *kursivt*, **fett** och `x = 1` ord.\n")
    runs = document.paragraphs[0].runs

    assert [(run.style.name if run.style else "", run.text) for run in runs] == [
        ("Default Paragraph Font", "Ett "),
        ("Emphasis", "kursivt"),
        ("Default Paragraph Font", ", "),
        ("Strong", "fett"),
        ("Default Paragraph Font", " och "),
        ("Kod Char", "x = 1"),
        ("Default Paragraph Font", " ord."),
    ]
    for run in runs:
        assert run.bold is None and run.italic is None and run.font.size is None
        assert run.font.name is None


def test_breaks() -> None:
    paragraph = convert("rad ett\nrad två\\\nrad tre\n").paragraphs[0]

    assert paragraph.text == "rad ett rad två\nrad tre"
    assert len(paragraph._p.findall(f".//{qn('w:br')}")) == 1


@pytest.mark.parametrize(
    ("level", "style"),
    [(1, "Heading 1"), (2, "Heading 2"), (3, "Heading 3"), (4, "Heading 4"), (6, "Heading 6")],
)
def test_heading_levels(level: int, style: str) -> None:
    document = convert(f"{'#' * level} Rubrik\n")

    assert styled_paragraphs(document) == [(style, "Rubrik")]


def test_no_title_paragraph_without_front_matter_title() -> None:
    document = convert("Bara text.\n")

    assert styled_paragraphs(document) == [("Body Text", "Bara text.")]


def test_link_is_a_real_hyperlink() -> None:
    document = convert("Se [kommunens webbplats](https://www.linkoping.se/namnd?a=1&b=2).\n")
    links = document.element.body.findall(f".//{qn('w:hyperlink')}")

    assert len(links) == 1
    relationship = document.part.rels[links[0].get(qn("r:id"))]
    assert relationship.reltype == RT.HYPERLINK
    assert relationship.is_external
    assert relationship.target_ref == "https://www.linkoping.se/namnd?a=1&b=2"
    run_styles = links[0].findall(f".//{qn('w:rStyle')}")
    assert [element.get(qn("w:val")) for element in run_styles] == ["Hyperlink"]
    assert "".join(text.text for text in links[0].iter(qn("w:t"))) == "kommunens webbplats"


def test_nested_lists_are_levels_of_one_word_list_per_outermost_list() -> None:
    document = convert(
        """\
        - ett
          - två
            - tre
        - fyra

        Mellan listorna.

        3. tredje
        4. fjärde

        text

        1. igen
        """
    )
    items = [p for p in document.paragraphs if p.style and p.style.name == "List Paragraph"]
    levels = [numbering(p) for p in items]

    assert [p.text for p in items] == ["ett", "två", "tre", "fyra", "tredje", "fjärde", "igen"]
    assert [level for level, _ in levels] == [0, 1, 2, 0, 0, 0, 0]
    bullet, second, third, _, ordered, _, again = (num_id for _, num_id in levels)
    # Nested lists are deeper levels of their list (LibreOffice nests them in the PDF);
    # each outermost list restarts with a list of its own.
    assert levels[0][1] == levels[3][1] == bullet == second == third
    assert levels[4][1] == levels[5][1] == ordered
    assert len({bullet, ordered, again}) == 3

    part = document.part.numbering_part.element
    formats = {}
    starts = {}
    for num in part.findall(qn("w:num")):
        num_id = int(num.get(qn("w:numId")))
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        abstract = part.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{abstract_id}']")
        formats[num_id] = abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val"))
        start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        starts[num_id] = int(start.get(qn("w:val")))
    assert formats[bullet] == "bullet"
    assert formats[ordered] == formats[again] == "decimal"
    assert starts[ordered] == 3
    assert starts[again] == 1


def test_reference_list_definitions_have_three_indented_levels() -> None:
    part = docx.Document(str(REFERENCE)).part.numbering_part.element
    abstracts = part.findall(qn("w:abstractNum"))

    kinds = [a.find(f"{qn('w:lvl')}/{qn('w:numFmt')}").get(qn("w:val")) for a in abstracts]
    assert kinds == ["bullet", "decimal"]
    for abstract in abstracts:
        indents = [
            int(level.find(f"{qn('w:pPr')}/{qn('w:ind')}").get(qn("w:left")))
            for level in abstract.findall(qn("w:lvl"))[:3]
        ]
        assert indents == sorted(set(indents))


def test_table_has_style_repeating_header_row_and_cell_styles() -> None:
    document = convert(
        """\
        | Fält | Värde |
        |------|-------|
        | Datum | **2023-06-07** |
        | Plats | Linköping |
        """
    )
    (table,) = document.tables

    assert table.style is not None and table.style.name == "Tabell"
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["Fält", "Värde"],
        ["Datum", "2023-06-07"],
        ["Plats", "Linköping"],
    ]
    header_flags = [row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") for row in table.rows]
    assert header_flags[0] is not None
    assert header_flags[1:] == [None, None]
    # No row breaks across a page: a follow-up point is read as one.
    assert all(
        row._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in table.rows
    )
    cell_styles = [
        [p.style.name for cell in row.cells for p in cell.paragraphs if p.style]
        for row in table.rows
    ]
    assert cell_styles == [["Table Heading"] * 2, ["Table Contents"] * 2, ["Table Contents"] * 2]
    strong = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert strong.style is not None and strong.style.name == "Strong"


def test_table_in_a_container_named_after_a_table_style_takes_that_style() -> None:
    document = convert(
        """\
        ::: Besöksuppgifter
        | Fält | Värde |
        |------|-------|
        | Datum | 2023-06-07 |
        :::

        ::: Svar
        | A | B |
        |---|---|
        | 1 | 2 |
        :::
        """
    )

    assert [t.style.name if t.style else "" for t in document.tables] == [
        "Besöksuppgifter",
        "Tabell",
    ]


def test_container_styles_its_paragraphs_and_keeps_nested_structure() -> None:
    document = convert(
        """\
        ::: Hjälptext
        Första stycket.

        - en punkt

        Andra stycket.
        :::

        Efteråt.
        """
    )

    assert styled_paragraphs(document) == [
        ("Hjälptext", "Första stycket."),
        ("List Paragraph", "en punkt"),
        ("Hjälptext", "Andra stycket."),
        ("Body Text", "Efteråt."),
    ]
    assert numbering(document.paragraphs[1])[0] == 0


def test_container_named_after_a_character_style_styles_its_text() -> None:
    document = convert("::: Status klar\nKlart.\n:::\n")
    (paragraph,) = document.paragraphs

    assert paragraph.style is not None and paragraph.style.name == "Body Text"
    assert [(run.style.name if run.style else "", run.text) for run in paragraph.runs] == [
        ("Status klar", "Klart.")
    ]


def test_traffic_light_span_in_a_cell_shades_the_cell_from_the_reference() -> None:
    document = convert(
        """\
        | Område | Status |
        |--------|--------|
        | Mål | [Klar]{custom-style="Status klar"} |
        | Plan | [Påbörjad]{custom-style="Status påbörjad"} |
        | Budget | [Ej påbörjad]{custom-style="Status ej påbörjad"} |
        | Övrigt | ingen status |

        Utanför tabellen: [Klar]{custom-style="Status klar"}.
        """
    )
    (table,) = document.tables

    assert [cell_fill(row.cells[1]) for row in table.rows[1:]] == [
        style_fill(REFERENCE, "Status klar"),
        style_fill(REFERENCE, "Status påbörjad"),
        style_fill(REFERENCE, "Status ej påbörjad"),
        None,
    ]
    assert [cell_fill(row.cells[0]) for row in table.rows] == [None] * 5
    span = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert span.style is not None and span.style.name == "Status klar"
    outside = document.paragraphs[0].runs[1]
    assert outside.style is not None and outside.style.name == "Status klar"


def test_raw_html_is_kept_as_literal_text() -> None:
    document = convert(
        """\
        <table><tr><td>rå</td></tr></table>

        Text med <span style="color:red">inline</span> html.
        """
    )

    assert [text for _, text in styled_paragraphs(document)] == [
        "<table><tr><td>rå</td></tr></table>",
        'Text med <span style="color:red">inline</span> html.',
    ]


def test_code_blocks_keep_their_lines_and_tabs() -> None:
    document = convert("    indragen kod\n\n```python\ndef f():\n\treturn 1\n```\n")

    assert styled_paragraphs(document) == [
        ("Kod", "indragen kod"),
        ("Kod", "def f():\n\treturn 1"),
    ]


def test_core_properties_come_from_the_front_matter() -> None:
    properties = convert(EVERYTHING).core_properties
    date = datetime(2023, 6, 7, tzinfo=UTC)

    assert properties.title == "Dokumentationsmall nämndbesök"
    # Word's separator between authors: a name may hold a comma.
    assert properties.author == "Isa Fredriksson; Elin Johansson"
    assert properties.last_modified_by == "Isa Fredriksson; Elin Johansson"
    assert properties.subject == "Arbetslik aktivitet"
    assert properties.keywords == "nämndbesök, arbetsmarknad"
    assert properties.language == "sv-SE"
    assert properties.created == date
    assert properties.modified == date
    assert properties.revision == 1


def test_a_quoted_date_and_a_byte_order_mark_are_accepted() -> None:
    document = convert("\ufeff---\ntitle: Med BOM\ndate: '2024-01-31'\n---\nText.\n")

    assert document.core_properties.created == datetime(2024, 1, 31, tzinfo=UTC)
    assert styled_paragraphs(document) == [("Title", "Med BOM"), ("Body Text", "Text.")]


def test_without_a_date_the_properties_carry_a_fixed_date() -> None:
    properties = convert("---\ntitle: Utan datum\n---\nText.\n").core_properties

    assert properties.created == datetime(2000, 1, 1, tzinfo=UTC)
    assert properties.modified == datetime(2000, 1, 1, tzinfo=UTC)


def test_front_matter_language_becomes_the_default_text_language() -> None:
    document = convert("---\nlang: en-GB\n---\nText.\n")
    defaults = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )

    assert document.core_properties.language == "en-GB"
    assert defaults.get(qn("w:val")) == "en-GB"


def test_reference_text_language_is_swedish() -> None:
    defaults = docx.Document(str(REFERENCE)).styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}"
    )

    assert defaults.get(qn("w:val")) == "sv-SE"


def test_header_shows_subject_and_page_x_of_y() -> None:
    document = convert(EVERYTHING)
    header = document.sections[0].header
    (paragraph,) = header.paragraphs
    fields = {
        field.get(qn("w:instr")).split()[0]: "".join(t.text or "" for t in field.iter(qn("w:t")))
        for field in paragraph._p.iter(qn("w:fldSimple"))
    }

    assert paragraph.style is not None and paragraph.style.name == "Header"
    assert fields == {"SUBJECT": "Arbetslik aktivitet", "PAGE": "1", "NUMPAGES": "1"}
    assert visible_text(paragraph._p) == "Arbetslik aktivitet\t1 (1)"
    tab_stops = paragraph.style.paragraph_format.tab_stops
    assert [str(stop.alignment) for stop in tab_stops] == ["RIGHT (2)"]


def test_subject_fills_a_complex_field_as_word_saves_it(tmp_path: Path) -> None:
    entries = reference_entries()
    header = entries["word/header1.xml"].decode()
    complex_field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> SUBJECT </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>gammalt</w:t></w:r><w:r><w:t>värde</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    header = re.sub(
        r"<w:fldSimple w:instr=\" SUBJECT[^>]*>.*?</w:fldSimple>", complex_field, header
    )
    entries["word/header1.xml"] = header.encode()
    reference = write_zip(tmp_path / "referens.docx", entries)

    document = convert("---\nsubject: Nytt ämne\n---\nText.\n", reference)

    assert visible_text(document.sections[0].header.paragraphs[0]._p) == "Nytt ämne\t1 (1)"


def test_the_same_input_gives_the_same_bytes() -> None:
    first = markdown_to_docx(EVERYTHING, REFERENCE, PICTURES)
    second = markdown_to_docx(EVERYTHING, REFERENCE, PICTURES)

    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        infos = package.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}


def test_the_reference_builder_is_deterministic_and_matches_the_shipped_file() -> None:
    spec = importlib.util.spec_from_file_location("build_reference_docx", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    built = module.build()
    assert built == module.build()
    assert built == REFERENCE.read_bytes()


def test_reference_is_small_and_has_the_styles_nbesok_uses() -> None:
    reference = load_reference(REFERENCE)

    assert REFERENCE.stat().st_size < 10_000
    for name in (
        "Normal",
        "Title",
        "Heading 1",
        "Heading 4",
        "Body Text",
        "List Paragraph",
        "Quotations",
        "Header",
        "Hjälptext",
        "Följdfråga",
        "Svar",
        "Skrivutrymme",
        "Table Contents",
        "Table Heading",
        "Kod",
        "Avdelare",
        "Fältetikett",
    ):
        assert reference.has_style(name, "paragraph"), name
    for name in (
        "Hyperlink",
        "Emphasis",
        "Strong",
        "Strong Emphasis",
        "Struken",
        "Status klar",
        "Status påbörjad",
    ):
        assert reference.has_style(name, "character"), name
    for name in ("Tabell", "Besöksuppgifter", "Staplad tabell"):
        assert reference.has_style(name, "table"), name


def test_a_missing_style_names_the_style_and_the_reference(tmp_path: Path) -> None:
    document = docx.Document(str(REFERENCE))
    document.styles["Hjälptext"].element.delete()
    reference = tmp_path / "kommunens-referens.docx"
    document.save(str(reference))

    with pytest.raises(TemplateError) as raised:
        convert("::: Hjälptext\nText.\n:::\n", reference)

    message = str(raised.value)
    assert '"Hjälptext" saknas i kommunens-referens.docx' in message
    assert "Formatmallar" in message


def test_a_missing_character_style_for_a_span_is_reported() -> None:
    with pytest.raises(TemplateError, match='"Status okänd" saknas'):
        convert('[Text]{custom-style="Status okänd"}\n')


def test_inline_code_needs_the_character_style_linked_to_kod(tmp_path: Path) -> None:
    document = docx.Document(str(REFERENCE))
    document.styles["Kod Char"].element.delete()
    reference = tmp_path / "referens.docx"
    document.save(str(reference))

    with pytest.raises(
        TemplateError, match="styckeformatmall men behöver vara en teckenformatmall"
    ):
        convert("Med `kod`.\n", reference)


def test_a_container_named_after_a_table_style_cannot_style_paragraphs() -> None:
    with pytest.raises(
        TemplateError, match="tabellformatmall men behöver vara en styckeformatmall"
    ):
        convert("::: Besöksuppgifter\nText.\n:::\n")


def test_a_reference_that_is_not_a_zip_is_rejected(tmp_path: Path) -> None:
    reference = tmp_path / "referens.docx"
    reference.write_text("inte ett dokument")

    with pytest.raises(TemplateError, match="inget Word-dokument"):
        convert("Text.\n", reference)


def test_an_old_word_file_is_rejected(tmp_path: Path) -> None:
    reference = tmp_path / "referens.docx"
    reference.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))

    with pytest.raises(
        TemplateError, match=r"gammalt Word-format \(\.doc\); spara om den som \.docx"
    ):
        convert("Text.\n", reference)


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
            r"Word-mall \(\.dotx\)",
        ),
        ("application/vnd.ms-word.document.macroEnabled.main+xml", r"makron \(\.docm\)"),
    ],
)
def test_templates_and_macro_documents_are_rejected(
    tmp_path: Path, content_type: str, expected: str
) -> None:
    entries = reference_entries()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    types = entries["[Content_Types].xml"].decode()
    entries["[Content_Types].xml"] = types.replace(main, content_type).encode()
    reference = write_zip(tmp_path / "referens.docx", entries)

    with pytest.raises(TemplateError, match=expected) as raised:
        convert("Text.\n", reference)
    assert "Spara som › Word-dokument (.docx)" in str(raised.value)


def test_a_zip_without_a_word_document_is_rejected(tmp_path: Path) -> None:
    reference = write_zip(tmp_path / "referens.docx", {"[Content_Types].xml": b"<Types/>"})

    with pytest.raises(TemplateError, match=r"saknar Word-huvuddelen \(word/document\.xml\)"):
        convert("Text.\n", reference)


def test_a_zip_bomb_is_rejected(tmp_path: Path) -> None:
    entries = reference_entries()
    entries["word/document.xml"] = b" " * 2_000_000
    reference = write_zip(tmp_path / "referens.docx", entries)

    with pytest.raises(TemplateError, match=r"komprimerad mer än 100:1"):
        convert("Text.\n", reference)


def test_a_reference_declaring_too_much_data_is_rejected(tmp_path: Path) -> None:
    reference = write_zip(tmp_path / "referens.docx", reference_entries(), zipfile.ZIP_STORED)
    data = bytearray(reference.read_bytes())
    # Declare 60 MB for the first entry in the central directory, as a forged file would.
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<II", data, central + 20, 60_000_000, 60_000_000)
    reference.write_bytes(bytes(data))

    with pytest.raises(TemplateError, match="mer än tillåtna 50 MB"):
        convert("Text.\n", reference)


def test_a_missing_reference_is_reported(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="finns inte"):
        convert("Text.\n", tmp_path / "saknas.docx")


def test_the_reference_is_read_once_until_it_changes(tmp_path: Path) -> None:
    reference = tmp_path / "referens.docx"
    reference.write_bytes(REFERENCE.read_bytes())

    first = load_reference(reference)
    assert load_reference(reference) is first
    document = docx.Document(str(reference))
    document.styles["Hjälptext"].element.delete()
    document.save(str(reference))
    changed = load_reference(reference)
    assert changed is not first
    assert not changed.has_style("Hjälptext", "paragraph")


@pytest.mark.parametrize(
    ("markdown", "code_point"),
    [("Text\x0bmed styrtecken.\n", "U+000B"), ("Sidbrytning &#12; som entitet.\n", "U+000C")],
)
def test_characters_illegal_in_xml_raise_a_render_error(markdown: str, code_point: str) -> None:
    with pytest.raises(RenderError, match=re.escape(f"otillåtet tecken {code_point}")):
        markdown_to_docx(markdown, REFERENCE)


def test_a_lone_surrogate_raises_a_render_error() -> None:
    with pytest.raises(RenderError, match=re.escape("otillåtet tecken U+D800")):
        markdown_to_docx("Trasig \ud800 text.\n", REFERENCE)


@pytest.mark.parametrize(
    ("front_matter", "message"),
    [
        ("date: 7 juni 2023", "ÅÅÅÅ-MM-DD"),
        ("date: '20230607'", "ÅÅÅÅ-MM-DD"),
        ("date: '2023-02-30'", "ÅÅÅÅ-MM-DD"),
        ("title: [en, lista]", "title ska vara en text"),
        ("- bara\n- en lista", "nycklar och värden"),
        ("title: 'oavslutad", "inte giltig YAML"),
    ],
)
def test_bad_front_matter_is_a_render_error(front_matter: str, message: str) -> None:
    with pytest.raises(RenderError, match=message):
        markdown_to_docx(f"---\n{front_matter}\n---\nText.\n", REFERENCE)


def test_pandoc_reads_headings_lists_and_tables_back(tmp_path: Path) -> None:
    path = tmp_path / "dokument.docx"
    path.write_bytes(markdown_to_docx(EVERYTHING, REFERENCE, PICTURES))

    markdown = pypandoc.convert_file(str(path), "gfm")
    lines = markdown.splitlines()

    assert "# Frågor" in lines
    assert "## Underlag" in lines
    assert "- Bokslut" in lines
    assert any(re.fullmatch(r"\s+- Plan för 2024", line) for line in lines)
    assert any(re.fullmatch(r"1\.\s+Första", line) for line in lines)
    assert any(re.fullmatch(r"\|\s*Fråga\s*\|\s*Status\s*\|", line) for line in lines)
    assert "[länk](https://www.linkoping.se)" in markdown
