"""Every Markdown construct an answer can hold looks the same in DOCX, PDF and .md.

Bold italic, quotes, table alignment, spacing after blocks, strikethrough, task lists,
nested lists, typographic quotes, sub-headings: each is checked through the Word
document's structure (styles, numbering), the published .md read by five Markdown
readers (Python-Markdown, as MkDocs uses it, among them), and where it matters the PDF.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

import docx
import markdown as python_markdown
from click.testing import CliRunner
from docx.oxml.ns import qn
from readers import READERS, structure
from support import invoke

from nbesok.archive import markup
from nbesok.documents.docx import markdown_to_docx
from nbesok.documents.gfm import published_markdown
from nbesok.documents.templating import package_templates_dir

REFERENCE = package_templates_dir() / "referens.docx"
VISIT = "visits/2023-06-07-arbetslik-aktivitet.yaml"


def convert(markdown: str) -> Any:
    return docx.Document(io.BytesIO(markdown_to_docx(textwrap.dedent(markdown), REFERENCE)))


def published(markdown: str) -> str:
    tree = markup.parse(textwrap.dedent(markdown))
    return published_markdown(tree, markup.properties(tree))


def run_styles(paragraph: Any) -> list[tuple[str, str]]:
    return [(run.style.name if run.style else "", run.text) for run in paragraph.runs]


def test_bold_italic_keeps_both() -> None:
    paragraph = convert("Det är ***viktigt*** och **_lika viktigt_**.\n").paragraphs[0]

    assert ("Strong Emphasis", "viktigt") in run_styles(paragraph)
    assert ("Strong Emphasis", "lika viktigt") in run_styles(paragraph)


def test_strikethrough_is_struck_in_word_and_kept_in_the_md() -> None:
    paragraph = convert("Ett ~~struket~~ ord.\n").paragraphs[0]

    assert ("Struken", "struket") in run_styles(paragraph)
    assert published("Ett ~~struket~~ ord.\n").strip() == "Ett ~~struket~~ ord."


def test_a_task_list_shows_boxes_in_every_output() -> None:
    source = "- [ ] Att göra\n- [x] Klart\n"
    document = convert(source)
    text = published(source)

    assert [p.text for p in document.paragraphs] == ["☐ Att göra", "☑ Klart"]
    assert text.splitlines() == ["-   ☐ Att göra", "-   ☑ Klart"]
    for name, read in READERS.items():
        html = read(text)
        items = [entry[-1] for entry in structure(html) if entry[0] == "li"]
        if name == "pandoc gfm":
            # pandoc draws ☐ as the check box it stands for: the same look.
            assert 'type="checkbox"' in html and items[1] == "☑ Klart", html
        else:
            assert items == ["☐ Att göra", "☑ Klart"], name


def test_quotes_and_apostrophes_are_typographic_everywhere() -> None:
    source = 'Han sa "ja" och det är Eva\'s bok.\n'

    assert convert(source).paragraphs[0].text == "Han sa ”ja” och det är Eva’s bok."
    assert published(source).strip() == "Han sa ”ja” och det är Eva’s bok."


def test_a_quote_in_an_answer_is_a_quote_and_guidance_keeps_its_style() -> None:
    document = convert(
        """\
        ::: Svar
        > Ett citat i svaret.

        Efter citatet.
        :::

        ::: Hjälptext
        > **Hjälptext:** Vad frågan är ute efter.
        :::
        """
    )
    styles = [(p.style.name, p.text) for p in document.paragraphs]

    assert styles == [
        ("Quotations", "Ett citat i svaret."),
        ("Svar", "Efter citatet."),
        ("Hjälptext", "Hjälptext: Vad frågan är ute efter."),
    ]


def test_the_paragraph_after_a_table_or_a_quote_keeps_its_distance() -> None:
    document = convert(
        """\
        | A | B |
        |---|---|
        | 1 | 2 |

        Efter tabellen.

        > Citat.

        Efter citatet.

        Vanligt stycke.
        """
    )
    spacing = {p.text: p.paragraph_format.space_before for p in document.paragraphs if p.text}

    assert spacing["Efter tabellen."] is not None and spacing["Efter tabellen."].twips == 160
    assert spacing["Efter citatet."] is not None and spacing["Efter citatet."].twips == 160
    assert spacing["Vanligt stycke."] is None


def test_two_tables_in_a_row_stay_two_tables() -> None:
    document = convert("| A |\n|---|\n| 1 |\n\n| B |\n|---|\n| 2 |\n")

    assert len(document.tables) == 2


def test_aligned_columns_are_aligned_by_style() -> None:
    document = convert("| Namn | Antal | Mitt |\n|:---|---:|:---:|\n| a | 12 | c |\n")
    rows = document.tables[0].rows

    styles = [[cell.paragraphs[0].style.name for cell in row.cells] for row in rows]
    assert styles == [
        ["Table Heading", "Table Heading Right", "Table Heading Center"],
        ["Table Contents", "Table Contents Right", "Table Contents Center"],
    ]
    right = docx.Document(str(REFERENCE)).styles["Table Contents Right"]
    assert right.paragraph_format.alignment is not None


def test_tbllook_says_the_same_in_its_value_and_its_attributes() -> None:
    document = convert(
        """\
        | A | B |
        |---|---|
        | 1 | 2 |

        ::: Besöksuppgifter
        - **Verksamhet:** Café
        :::
        """
    )
    bits = {
        "firstRow": 0x20,
        "lastRow": 0x40,
        "firstColumn": 0x80,
        "lastColumn": 0x100,
        "noHBand": 0x200,
        "noVBand": 0x400,
    }
    for table in document.tables:
        look = table._tbl.tblPr.find(qn("w:tblLook"))
        value = int(look.get(qn("w:val")), 16)
        for name, bit in bits.items():
            assert (look.get(qn(f"w:{name}")) == "1") == bool(value & bit), name


def test_a_nested_list_is_one_word_list_with_levels() -> None:
    document = convert(
        """\
        1. Ett
           - a
           - b
        2. Två
           - två-ett
        3. Tre
        """
    )
    items = [p for p in document.paragraphs if p.text]
    levels = [(p.text, int(p._p.pPr.numPr.ilvl.val)) for p in items]
    nums = {int(p._p.pPr.numPr.numId.val) for p in items}

    assert levels == [("Ett", 0), ("a", 1), ("b", 1), ("Två", 0), ("två-ett", 1), ("Tre", 0)]
    assert len(nums) == 1  # one list: LibreOffice nests it in the PDF's tag tree
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if int(n.numId) in nums)
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{abstract_id}']")
    formats = [lvl.find(qn("w:numFmt")).get(qn("w:val")) for lvl in abstract.findall(qn("w:lvl"))]
    assert formats[:2] == ["decimal", "bullet"]


def test_nested_lists_in_the_md_are_indented_four_spaces_for_python_markdown() -> None:
    text = published("1. Ett\n   - a\n   - b\n2. Två\n")

    assert text.splitlines() == ["1.  Ett", "    -   a", "    -   b", "2.  Två"]
    html = python_markdown.markdown(text)
    assert html.count("<ol>") == 1 and html.count("<ul>") == 1
    assert html.index("<ul>") < html.index("Två")  # the bullets sit inside the first item


def test_an_answer_s_sub_headings_skip_no_level(in_archive: Path, runner: CliRunner) -> None:
    visit = in_archive / VISIT
    text = visit.read_text("utf-8").replace(
        "  handlingsplaner: |\n", "  handlingsplaner: |\n    ## Underrubrik\n\n    Text.\n\n"
    )
    visit.write_text(text, "utf-8")

    validated = invoke(runner, "validate", VISIT)
    rendered = invoke(runner, "render", VISIT)

    assert rendered.exit_code == 0, rendered.output
    assert "rubriknivån hoppar" not in rendered.output
    assert "0 varningar" in validated.output
    document = docx.Document(str(in_archive / "out" / "2023-06-07-arbetslik-aktivitet.docx"))
    heading = next(p for p in document.paragraphs if p.text == "Underrubrik")
    assert heading.style is not None and heading.style.name == "Heading 3"


def test_the_last_row_never_stands_alone_and_a_short_table_stays_whole() -> None:
    rows = "\n".join(f"| rad {n} | text |" for n in range(8))
    long_table, short_table = convert(
        f"| A | B |\n|---|---|\n{rows}\n\n| C | D |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"
    ).tables

    def keeps(table: Any) -> list[bool]:
        return [
            all(p.paragraph_format.keep_with_next for cell in row.cells for p in cell.paragraphs)
            for row in table.rows
        ]

    # Word and LibreOffice move a row whose paragraphs keep with the next row.
    assert keeps(long_table) == [False] * 7 + [True, False]
    assert keeps(short_table) == [True, True, False]
