"""Build nbesok's reference document, ``src/nbesok/documents/templates/referens.docx``.

The reference .docx decides how every rendered document looks: its styles, numbering,
page size and header. This script makes it with python-docx from python-docx's default
template, with the styles listed in ``nbesok.documents.docx.styles`` (the same list the writer
takes its style names from), and gives it the look of a Swedish municipality's Word
template (Arial, black headings, A4 with 2.5 cm margins). A municipality restyles it
in Word; this script is only the starting point and is deterministic (same bytes
every run).

python-docx has no call for a few properties (shading, borders, outline level, kerning,
table style borders, list definitions, fields); those are set with its element layer.

Usage (without OUTPUT it writes the packaged default and the example archive's copy
in ``templates/``)::

    uv run python scripts/build_reference_docx.py [OUTPUT]
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor, Twips

from nbesok.documents.docx.package import save_document
from nbesok.documents.docx.styles import (
    BODY_FONT,
    BODY_SIZE,
    MARGIN,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    STYLES,
    Look,
    Style,
)

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT / "src/nbesok/documents/templates/referens.docx"
# The example archive's own copy, so that the repository shows an archive's templates/.
EXAMPLE_COPY = PROJECT / "templates/referens.docx"

# Parts of python-docx's default template that nbesok does not need: Word and
# LibreOffice open documents without them. The font table and the theme stay: Word
# expects them (Open XML SDK's validation reports their absence).
DROPPED_DOCUMENT_RELS = {
    RT.CUSTOM_XML,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.WEB_SETTINGS,
}
DROPPED_PACKAGE_RELS = {RT.THUMBNAIL, RT.EXTENDED_PROPERTIES}

EPOCH = datetime(2000, 1, 1)
BULLETS = ("•", "◦", "▪")
LEVELS = 9
INDENT = 425  # 0.75 cm per list level
KINDS = {
    "paragraph": WD_STYLE_TYPE.PARAGRAPH,
    "character": WD_STYLE_TYPE.CHARACTER,
    "table": WD_STYLE_TYPE.TABLE,
}


def element(tag: str, **attributes: str) -> Any:
    return OxmlElement(tag, {qn(f"w:{name}"): value for name, value in attributes.items()})


def insert(parent: Any, child: Any) -> None:
    """Put ``child`` where the schema wants it among the properties ``parent`` has."""
    parent.insert_element_before(child, *_SUCCESSORS.get(child.tag, ()))


# Property elements that follow each one this script adds without a python-docx call.
_SUCCESSORS = {
    qn("w:pBdr"): ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:outlineLvl", "w:rPr"),
    qn("w:kern"): ("w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:shd", "w:lang"),
    qn("w:szCs"): ("w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:vertAlign", "w:lang"),
    qn("w:shd"): ("w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang"),
    qn("w:link"): ("w:autoRedefine", "w:hidden", "w:uiPriority", "w:semiHidden", "w:qFormat"),
}


def clear_styles(document: Any) -> None:
    """Remove every style and latent style of the default template but the defaults."""
    root = document.styles.element
    for child in list(root):
        latent = child.tag == qn("w:latentStyles")
        if latent or (child.tag == qn("w:style") and child.get(qn("w:default")) != "1"):
            root.remove(child)
    for child in root.iterchildren(qn("w:style")):
        # The defaults stay, but with nothing of the default template's look.
        for properties in child.findall(qn("w:pPr")) + child.findall(qn("w:rPr")):
            child.remove(properties)


def set_defaults(document: Any) -> None:
    """Arial 11 pt, Swedish, single spacing with no space after, for all text."""
    root = document.styles.element
    defaults = root.find(qn("w:docDefaults"))
    if defaults is not None:
        root.remove(defaults)
    defaults = element("w:docDefaults")
    run = element("w:rPrDefault")
    run_properties = element("w:rPr")
    run_properties.append(
        element("w:rFonts", ascii=BODY_FONT, hAnsi=BODY_FONT, eastAsia=BODY_FONT, cs=BODY_FONT)
    )
    run_properties.append(element("w:sz", val=str(BODY_SIZE * 2)))
    run_properties.append(element("w:szCs", val=str(BODY_SIZE * 2)))
    run_properties.append(element("w:lang", val="sv-SE", eastAsia="sv-SE", bidi="ar-SA"))
    run.append(run_properties)
    paragraph = element("w:pPrDefault")
    paragraph_properties = element("w:pPr")
    # Widow and orphan control everywhere: no last line of a paragraph alone on a page.
    paragraph_properties.append(element("w:widowControl"))
    paragraph_properties.append(element("w:spacing", after="0", line="240", lineRule="auto"))
    paragraph.append(paragraph_properties)
    defaults.append(run)
    defaults.append(paragraph)
    root.insert(0, defaults)


def add_style(document: Any, spec: Style) -> None:
    styles = document.styles
    style = styles.add_style(spec.name, KINDS[spec.kind], builtin=spec.builtin)
    style.element.styleId = spec.style_id
    if spec.based_on:
        style.element.get_or_add_basedOn().val = spec.based_on
    if spec.next_style:
        style.element.get_or_add_next().val = spec.next_style
    if spec.link:
        link = element("w:link", val=spec.link)
        insert(style.element, link)
    if spec.aliases:
        style.element.find(qn("w:name")).addnext(element("w:aliases", val=spec.aliases))
    style.hidden = spec.hidden
    style.unhide_when_used = spec.hidden
    style.quick_style = not spec.hidden
    apply_look(style, spec.look, spec.kind)
    if spec.table is not None:
        apply_table_look(style, spec)


def apply_look(style: Any, look: Look, kind: str) -> None:
    font = style.font
    if look.font:
        font.name = look.font
        fonts = style.element.rPr.rFonts
        fonts.set(qn("w:eastAsia"), look.font)
        fonts.set(qn("w:cs"), look.font)
    if look.size is not None:
        font.size = Pt(look.size)
        insert(style.element.rPr, element("w:szCs", val=str(round(look.size * 2))))
    if look.bold:
        font.bold = True
        style.element.rPr.get_or_add_bCs()
    if look.italic:
        font.italic = True
        style.element.rPr.get_or_add_iCs()
    if look.color:
        font.color.rgb = RGBColor.from_string(look.color)
    if look.underline:
        font.underline = True
    if look.strike:
        font.strike = True
    if look.kerning is not None:
        insert(style.element.rPr, element("w:kern", val=str(look.kerning)))
    if look.shading:
        insert(style.element.get_or_add_rPr(), shading(look.shading))
    if kind != "paragraph":
        return
    paragraph = style.paragraph_format
    if look.space_before is not None:
        paragraph.space_before = Twips(look.space_before)
    if look.space_after is not None:
        paragraph.space_after = Twips(look.space_after)
    if look.indent_left is not None:
        paragraph.left_indent = Twips(look.indent_left)
    if look.indent_right is not None:
        paragraph.right_indent = Twips(look.indent_right)
    if look.align is not None:
        paragraph.alignment = {
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
        }[look.align]
    if look.keep_with_next:
        paragraph.keep_with_next = True
    if look.keep_lines:
        paragraph.keep_together = True
    if look.right_tab is not None:
        paragraph.tab_stops.add_tab_stop(Twips(look.right_tab), WD_TAB_ALIGNMENT.RIGHT)
    if look.outline_level is not None:
        style.element.get_or_add_pPr().get_or_add_outlineLvl().val = look.outline_level
    if look.bottom_border is not None:
        color, width = look.bottom_border
        borders = element("w:pBdr")
        borders.append(element("w:bottom", val="single", sz=str(width), space="1", color=color))
        insert(style.element.get_or_add_pPr(), borders)


def shading(fill: str) -> Any:
    return element("w:shd", val="clear", color="auto", fill=fill)


def apply_table_look(style: Any, spec: Style) -> None:
    """Lines, and bold headers in the first row or the first column. Lines a style does
    not draw are "nil", not merely absent, so that a base style restyled in Word cannot
    bring them back."""
    assert spec.table is not None
    table = spec.table
    properties = element("w:tblPr")
    borders = element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        horizontal = side in ("top", "bottom", "insideH")
        if table.lines == "grid" or (table.lines == "horizontal" and horizontal):
            borders.append(
                element(f"w:{side}", val="single", sz="4", space="0", color=table.line_color)
            )
        else:
            borders.append(element(f"w:{side}", val="nil"))
    properties.append(borders)
    first_row = element("w:tblStylePr", type="firstRow" if table.header == "row" else "firstCol")
    run = element("w:rPr")
    run.append(element("w:b"))
    run.append(element("w:bCs"))
    first_row.append(run)
    if table.header_shading:
        cell = element("w:tcPr")
        cell.append(shading(table.header_shading))
        first_row.append(cell)
    rpr = style.element.rPr
    if rpr is not None:  # the bold of the look is the header row's, not the whole table's
        style.element.remove(rpr)
    style.element.append(properties)
    style.element.append(first_row)


def set_numbering(document: Any) -> None:
    """A bullet list and a numbered list, each nine levels deep, 0.75 cm per level."""
    numbering = document.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    lists = (("Punktlista", "bullet"), ("Numrerad lista", "decimal"))
    for number, (name, kind) in enumerate(lists):
        abstract = element("w:abstractNum", abstractNumId=str(number))
        abstract.append(element("w:multiLevelType", val="hybridMultilevel"))
        abstract.append(element("w:name", val=name))
        for level in range(LEVELS):
            text = BULLETS[level % len(BULLETS)] if kind == "bullet" else f"%{level + 1}."
            definition = element("w:lvl", ilvl=str(level))
            definition.append(element("w:start", val="1"))
            definition.append(element("w:numFmt", val=kind))
            definition.append(element("w:lvlText", val=text))
            definition.append(element("w:lvlJc", val="left"))
            paragraph = element("w:pPr")
            paragraph.append(element("w:ind", left=str(INDENT * (level + 1)), hanging=str(INDENT)))
            definition.append(paragraph)
            abstract.append(definition)
        numbering.append(abstract)


def set_settings(document: Any) -> None:
    """Swedish Word defaults: 2.3 cm tab stops, decimal comma, semicolon as list separator."""
    settings = document.settings.element
    for child in list(settings):
        settings.remove(child)
    settings.append(element("w:zoom", percent="100"))
    settings.append(element("w:defaultTabStop", val="1304"))
    settings.append(element("w:hyphenationZone", val="425"))
    settings.append(element("w:characterSpacingControl", val="doNotCompress"))
    compat = element("w:compat")
    compat.append(
        element(
            "w:compatSetting",
            name="compatibilityMode",
            uri="http://schemas.microsoft.com/office/word",
            val="15",
        )
    )
    settings.append(compat)
    settings.append(element("w:themeFontLang", val="sv-SE"))
    settings.append(element("w:decimalSymbol", val=","))
    settings.append(element("w:listSeparator", val=";"))


def field(paragraph: Any, instruction: str, result: str) -> None:
    """A simple field (``w:fldSimple``) with its cached result, at the paragraph's end."""
    simple = element("w:fldSimple", instr=f" {instruction} \\* MERGEFORMAT ")
    run = OxmlElement("w:r")
    run.add_t(result)
    simple.append(run)
    paragraph._p.append(simple)


def set_header(document: Any) -> None:
    """The subject (the document's short title) left and "2 (5)" right on every page.

    The writer fills in the subject field's cached result, so readers need not update
    fields to show it.
    """
    section = document.sections[0]
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.style = document.styles["Header"]
    field(paragraph, "SUBJECT", "")
    paragraph.add_run("\t")
    field(paragraph, "PAGE", "1")
    paragraph.add_run(" (")
    field(paragraph, "NUMPAGES", "1")
    paragraph.add_run(")")


def set_page(document: Any) -> None:
    section = document.sections[0]
    for attribute in ("w:rsidR", "w:rsidRPr", "w:rsidSect"):
        section._sectPr.attrib.pop(qn(attribute), None)
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Twips(MARGIN))
    section.header_distance = section.footer_distance = Twips(709)


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
    clear_styles(document)
    set_defaults(document)
    for spec in STYLES:
        add_style(document, spec)
    set_numbering(document)
    set_settings(document)
    set_page(document)
    set_header(document)
    body = document.element.body
    for block in list(body):
        if block.tag != qn("w:sectPr"):
            body.remove(block)
    body.insert(0, OxmlElement("w:p"))  # Word wants at least one paragraph in a document

    properties = document.core_properties
    for name in ("title", "subject", "author", "keywords", "comments", "category"):
        setattr(properties, name, "")
    properties.last_modified_by = ""
    properties.language = "sv-SE"
    properties.revision = 1
    properties.created = properties.modified = EPOCH
    return save_document(document)


def main() -> None:
    outputs = [Path(sys.argv[1])] if len(sys.argv) > 1 else [DEFAULT_OUTPUT, EXAMPLE_COPY]
    data = build()
    for output in outputs:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(data)
        print(f"{output}: {len(data)} byte")


if __name__ == "__main__":
    main()
