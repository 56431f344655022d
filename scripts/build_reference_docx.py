"""Build nbesok's reference document, ``src/nbesok/templates/referens.docx``.

The reference .docx decides how every rendered document looks: its styles, numbering,
page size and header. This script makes it from python-docx's default template, keeps
only what nbesok uses and gives it the look of a Swedish municipality's Word template
(Arial, black headings, A4 with 2.5 cm margins). A municipality restyles it in Word;
this script is only the starting point and is deterministic (same bytes every run).

Usage::

    uv run python scripts/build_reference_docx.py [OUTPUT]
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Twips

from nbesok.docxwriter import reproducible_zip

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "src/nbesok/templates/referens.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# A4 in twips, 2.5 cm margins (1418 twips); the text width places the header's right tab.
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 11906, 16838, 1418
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN

FONT = '<w:rFonts w:ascii="{0}" w:hAnsi="{0}" w:eastAsia="{0}" w:cs="{0}"/>'
BOLD = "<w:b/><w:bCs/>"
ITALIC = "<w:i/><w:iCs/>"


def size(points: float) -> str:
    half_points = round(points * 2)
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def spacing(before: int = 0, after: int = 0) -> str:
    return f'<w:spacing w:before="{before}" w:after="{after}"/>'


def border(side: str, color: str = "auto", size_eighths: int = 4, space: int = 1) -> str:
    return f'<w:{side} w:val="single" w:sz="{size_eighths}" w:space="{space}" w:color="{color}"/>'


def shading(fill: str) -> str:
    return f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'


def style(
    kind: str,
    style_id: str,
    name: str,
    *,
    based_on: str = "",
    next_style: str = "",
    link: str = "",
    default: bool = False,
    quick: bool = True,
    hidden: bool = False,
    ppr: str = "",
    rpr: str = "",
    extra: str = "",
) -> str:
    """One ``w:style`` element; child order follows the schema (CT_Style)."""
    attributes = f'w:type="{kind}" w:styleId="{style_id}"'
    if default:
        attributes += ' w:default="1"'
    children = f'<w:name w:val="{name}"/>'
    if based_on:
        children += f'<w:basedOn w:val="{based_on}"/>'
    if next_style:
        children += f'<w:next w:val="{next_style}"/>'
    if link:
        children += f'<w:link w:val="{link}"/>'
    if hidden:
        children += "<w:semiHidden/><w:unhideWhenUsed/>"
    if quick:
        children += "<w:qFormat/>"
    if ppr:
        children += f"<w:pPr>{ppr}</w:pPr>"
    if rpr:
        children += f"<w:rPr>{rpr}</w:rPr>"
    return f"<w:style {attributes}>{children}{extra}</w:style>"


def paragraph_style(style_id: str, name: str, based_on: str = "BodyText", **options: Any) -> str:
    return style("paragraph", style_id, name, based_on=based_on, **options)


def character_style(style_id: str, name: str, rpr: str, link: str = "") -> str:
    return style("character", style_id, name, based_on="DefaultParagraphFont", link=link, rpr=rpr)


def heading(level: int, points: float, before: int, after: int, rpr: str = "") -> str:
    return paragraph_style(
        f"Heading{level}",
        f"heading {level}",
        based_on="Normal",
        next_style="BodyText",
        ppr="<w:keepNext/><w:keepLines/>"
        + spacing(before, after)
        + f'<w:outlineLvl w:val="{level - 1}"/>',
        rpr=BOLD + rpr + size(points),
    )


def table_borders(color: str = "auto", vertical: bool = True) -> str:
    """Grid lines; without ``vertical`` the side and inner vertical lines are "nil", not
    merely absent, so that a base style restyled in Word cannot bring them back."""
    lines = ""
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        horizontal = side in ("top", "bottom", "insideH")
        lines += (
            border(side, color, space=0) if vertical or horizontal else f'<w:{side} w:val="nil"/>'
        )
    return f"<w:tblBorders>{lines}</w:tblBorders>"


def table_style(style_id: str, name: str, borders: str, first_row: str) -> str:
    return style(
        "table",
        style_id,
        name,
        based_on="TableNormal",
        extra=f"<w:tblPr>{borders}</w:tblPr>"
        f'<w:tblStylePr w:type="firstRow">{first_row}</w:tblStylePr>',
    )


LIGHT = "BFBFBF"

STYLES = [
    style("paragraph", "Normal", "Normal", default=True),
    style(
        "character",
        "DefaultParagraphFont",
        "Default Paragraph Font",
        default=True,
        quick=False,
        hidden=True,
    ),
    style(
        "table",
        "TableNormal",
        "Normal Table",
        default=True,
        quick=False,
        hidden=True,
        extra='<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>",
    ),
    style("numbering", "NoList", "No List", default=True, quick=False, hidden=True),
    paragraph_style(
        "Title",
        "Title",
        based_on="Normal",
        next_style="BodyText",
        ppr=spacing(0, 240),
        rpr=BOLD + '<w:kern w:val="28"/>' + size(18),
    ),
    heading(1, 14, 360, 120),
    heading(2, 12, 240, 120),
    heading(3, 11, 240, 60),
    heading(4, 11, 200, 60, ITALIC),
    # Levels 5 and 6: answers' own sub-headings inside a season compilation.
    heading(5, 10, 160, 40),
    heading(6, 10, 160, 40, ITALIC),
    paragraph_style("BodyText", "Body Text", based_on="Normal", ppr=spacing(0, 160)),
    paragraph_style("ListParagraph", "List Paragraph", ppr=spacing(0, 60)),
    paragraph_style(
        "Quote",
        "Quote",
        next_style="BodyText",
        ppr='<w:ind w:left="567" w:right="567"/>',
        rpr=ITALIC + '<w:color w:val="404040"/>',
    ),
    paragraph_style(
        "Header",
        "header",
        based_on="Normal",
        quick=False,
        hidden=True,
        ppr=f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs>',
        rpr=size(9),
    ),
    paragraph_style("Hjalptext", "Hjälptext", rpr=ITALIC + '<w:color w:val="595959"/>'),
    paragraph_style("Foljdfraga", "Följdfråga", ppr='<w:ind w:left="284"/>'),
    paragraph_style("Svar", "Svar"),
    paragraph_style(
        "Skrivutrymme",
        "Skrivutrymme",
        ppr=f"<w:pBdr>{border('bottom', LIGHT)}</w:pBdr>{spacing(0, 1400)}",
    ),
    paragraph_style("Faltetikett", "Fältetikett", ppr="<w:keepNext/>", rpr=BOLD),
    # The case number of a tjänsteskrivelse, right-aligned above the title as on paper.
    paragraph_style("Diarienummer", "Diarienummer", ppr='<w:jc w:val="right"/>', rpr=size(10)),
    paragraph_style("Tabelltext", "Tabelltext", based_on="Normal", ppr=spacing(40, 40)),
    paragraph_style("Tabellrubrik", "Tabellrubrik", based_on="Tabelltext", rpr=BOLD),
    paragraph_style(
        "Kod",
        "Kod",
        based_on="Normal",
        link="KodChar",
        ppr=spacing(0, 160),
        rpr=FONT.format("Courier New") + size(10),
    ),
    paragraph_style(
        "Avdelare",
        "Avdelare",
        based_on="Normal",
        next_style="BodyText",
        ppr=f"<w:pBdr>{border('bottom', size_eighths=6)}</w:pBdr>{spacing(0, 240)}",
    ),
    character_style("Hyperlink", "Hyperlink", '<w:color w:val="0563C1"/><w:u w:val="single"/>'),
    character_style("Emphasis", "Emphasis", ITALIC),
    character_style("Strong", "Strong", BOLD),
    character_style("KodChar", "Kod Char", FONT.format("Courier New") + size(10), link="Kod"),
    character_style("StatusKlar", "Status klar", shading("C6EFCE")),
    character_style("StatusPaborjad", "Status påbörjad", shading("FFEB9C")),
    character_style("StatusEjPaborjad", "Status ej påbörjad", shading("FFC7CE")),
    table_style(
        "Tabell",
        "Tabell",
        table_borders(),
        f"<w:rPr>{BOLD}</w:rPr><w:tcPr>{shading('F2F2F2')}</w:tcPr>",
    ),
    table_style(
        "Besoksuppgifter",
        "Besöksuppgifter",
        table_borders(LIGHT, vertical=False),
        f"<w:rPr>{BOLD}</w:rPr>",
    ),
]

STYLES_XML = (
    f'<w:styles xmlns:w="{W_NS}">'
    "<w:docDefaults>"
    f"<w:rPrDefault><w:rPr>{FONT.format('Arial')}{size(11)}"
    '<w:lang w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
    '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    "</w:pPr></w:pPrDefault>"
    "</w:docDefaults>" + "".join(STYLES) + "</w:styles>"
)

BULLETS = ("•", "◦", "▪")
LEVELS = 9
INDENT = 425  # 0.75 cm per level


def abstract_num(number: int, name: str, kind: str) -> str:
    """A nine-level list definition: ``kind`` is "bullet" or "decimal"."""
    levels = ""
    for level in range(LEVELS):
        text = BULLETS[level % len(BULLETS)] if kind == "bullet" else f"%{level + 1}."
        levels += (
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{kind}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{INDENT * (level + 1)}" w:hanging="{INDENT}"/></w:pPr>'
            "</w:lvl>"
        )
    return (
        f'<w:abstractNum w:abstractNumId="{number}">'
        f'<w:multiLevelType w:val="hybridMultilevel"/><w:name w:val="{name}"/>'
        f"{levels}</w:abstractNum>"
    )


NUMBERING_XML = (
    f'<w:numbering xmlns:w="{W_NS}">'
    + abstract_num(0, "Punktlista", "bullet")
    + abstract_num(1, "Numrerad lista", "decimal")
    + "</w:numbering>"
)

# Swedish Word defaults: 2.3 cm tab stops, decimal comma, semicolon as list separator.
SETTINGS_XML = (
    f'<w:settings xmlns:w="{W_NS}">'
    '<w:zoom w:percent="100"/>'
    '<w:defaultTabStop w:val="1304"/>'
    '<w:hyphenationZone w:val="425"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    "<w:compat>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"'
    ' w:val="15"/>'
    "</w:compat>"
    '<w:themeFontLang w:val="sv-SE"/>'
    '<w:decimalSymbol w:val=","/>'
    '<w:listSeparator w:val=";"/>'
    "</w:settings>"
)

# The subject field shows the document's short title on every page; its cached result
# is filled in by the converter so that readers need not update fields.
HEADER_PARAGRAPH_XML = (
    f'<w:p xmlns:w="{W_NS}"><w:pPr><w:pStyle w:val="Header"/></w:pPr>'
    '<w:fldSimple w:instr=" SUBJECT \\* MERGEFORMAT "><w:r><w:t/></w:r></w:fldSimple>'
    "<w:r><w:tab/></w:r>"
    '<w:fldSimple w:instr=" PAGE \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    '<w:r><w:t xml:space="preserve"> (</w:t></w:r>'
    '<w:fldSimple w:instr=" NUMPAGES \\* MERGEFORMAT "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    "<w:r><w:t>)</w:t></w:r>"
    "</w:p>"
)

# Parts of python-docx's default template that nbesok does not need: Word and
# LibreOffice open documents without them, and they are most of the file's size.
DROPPED_DOCUMENT_RELS = {
    RT.CUSTOM_XML,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.WEB_SETTINGS,
    RT.FONT_TABLE,
    RT.THEME,
}
DROPPED_PACKAGE_RELS = {RT.THUMBNAIL, RT.EXTENDED_PROPERTIES}

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def build() -> bytes:
    """The reference document's bytes; the same on every run."""
    document = docx.Document()
    part = document.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype in DROPPED_DOCUMENT_RELS:
            del part.rels[rel_id]
    for rel_id, rel in list(part.package.rels.items()):
        if rel.reltype in DROPPED_PACKAGE_RELS:
            del part.package.rels[rel_id]

    # python-docx has no API to replace a whole part's XML; these parts are rewritten
    # rather than edited so that nothing of the default template's look survives.
    part._styles_part._element = parse_xml(STYLES_XML)
    part.numbering_part._element = parse_xml(NUMBERING_XML)
    part._settings_part._element = parse_xml(SETTINGS_XML)

    body = document.element.body
    body.insert(0, parse_xml(f'<w:p xmlns:w="{W_NS}"/>'))
    section = document.sections[0]
    for attribute in ("w:rsidR", "w:rsidRPr", "w:rsidSect"):
        section._sectPr.attrib.pop(qn(attribute), None)
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = section.footer_distance = Twips(709)
    header = section.header
    header.is_linked_to_previous = False
    header_element = header._element
    for child in list(header_element):
        header_element.remove(child)
    header_element.append(parse_xml(HEADER_PARAGRAPH_XML))

    properties = document.core_properties
    for name in ("title", "subject", "author", "keywords", "comments", "category"):
        setattr(properties, name, "")
    properties.last_modified_by = ""
    properties.language = "sv-SE"
    properties.revision = 1
    properties.created = properties.modified = EPOCH

    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue())


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    data = build()
    output.write_bytes(data)
    print(f"{output}: {len(data)} byte")


if __name__ == "__main__":
    main()
