"""A Word document as the blocks its reader sees: paragraphs and tables, in order.

``nbesok import`` reads filled-in forms and old protocols through this module. Each
paragraph keeps what the import needs to turn it into Markdown and to place it: its
number in the document (for messages), its style, heading level and list level, its
runs with bold, italic and links, and the form field (content control) it stands in.

python-docx gives the styles, runs and hyperlinks; its paragraph API does not descend
into content controls, so the walk over the body's elements is done here, with
python-docx's proxy objects made for each paragraph found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docx.oxml.ns import qn
from docx.table import _Cell
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from nbesok.docx import fields
from nbesok.docx.review import Styles

if TYPE_CHECKING:
    from docx.document import Document

_P, _TBL, _SDT, _R = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:r")
_HYPERLINK, _TR, _TC = qn("w:hyperlink"), qn("w:tr"), qn("w:tc")
# Inline wrappers whose runs are part of the text: tracked insertions, smart tags, …
_TRANSPARENT = frozenset(qn(f"w:{name}") for name in ("ins", "smartTag", "customXml", "fldSimple"))
_LIST_NAME = re.compile(r"^list (bullet|number)(?:\s+(\d))?$", re.IGNORECASE)
# A list typed by hand: "- ", "• ", "– " or "1. " before the text.
_TYPED_BULLET = re.compile(r"^\s*[-•–·▪◦]\s+")
_TYPED_NUMBER = re.compile(r"^\s*\d{1,3}[.)]\s+")


@dataclass(frozen=True)
class Piece:
    """A stretch of text with one look."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""
    style: str = ""  # the run's character style, by name (a masked passage's)


@dataclass
class Block:
    """A paragraph, or a table (``rows`` of cells, each cell a list of paragraphs)."""

    number: int  # the paragraph's number in the document, 1-based; a table's first
    style: str = ""
    heading: int = 0  # 1–9 for a heading, 0 otherwise
    list_level: int = -1  # -1: not a list item
    ordered: bool = False
    pieces: list[Piece] = field(default_factory=list)
    field: fields.FieldId | None = None
    placeholder: bool = False  # the field still shows its placeholder
    rows: list[list[list[Block]]] | None = None

    @property
    def text(self) -> str:
        if self.rows is not None:
            return " ".join(cell_text(cell) for row in self.rows for cell in row)
        return "".join(piece.text for piece in self.pieces)

    @property
    def is_table(self) -> bool:
        return self.rows is not None


def cell_text(cell: list[Block]) -> str:
    return "\n".join(block.text for block in cell if not block.placeholder).strip()


def read_blocks(document: Document) -> list[Block]:
    """Every paragraph and table of the body, in order, numbered as a reader counts."""
    reader = _Reader(document)
    return list(reader.blocks(document.element.body, document))


class _Reader:
    def __init__(self, document: Document) -> None:
        self._document = document
        self._number = 0
        self._numbering = _Numbering(document)
        # The review's rule for headings: outline levels, inherited, then the names.
        self._styles = Styles.read(document.styles.element)

    def blocks(
        self,
        container: Any,
        parent: Any,
        control: fields.FieldId | None = None,
        shown: bool = False,
    ) -> Iterator[Block]:
        for element in container:
            if element.tag == _P:
                yield self._paragraph(element, parent, control, shown)
            elif element.tag == _TBL:
                yield self._table(element, parent)
            elif element.tag == _SDT:
                content = element.find(fields.SDT_CONTENT)
                if content is not None:
                    found = fields.field_of(element) or control
                    placeholder = fields.shows_placeholder(element) or shown
                    yield from self.blocks(content, parent, found, placeholder)

    def _table(self, element: Any, parent: Any) -> Block:
        block = Block(self._number + 1, rows=[])
        assert block.rows is not None
        for row in element.iter(_TR):
            cells: list[list[Block]] = []
            for cell in row.findall(_TC):
                cells.append(list(self.blocks(cell, _Cell(cell, parent))))
            block.rows.append(cells)
        return block

    def _paragraph(
        self, element: Any, parent: Any, control: fields.FieldId | None, shown: bool
    ) -> Block:
        self._number += 1
        paragraph = Paragraph(element, parent)
        style = paragraph.style
        name = style.name if style is not None and style.name else ""
        block = Block(self._number, style=name, field=control, placeholder=shown)
        block.heading = self._styles.paragraph_level(element) or 0  # the title is 0 too
        self._collect(element, paragraph, block)
        self._list(element, style, block)
        if block.field is not None and block.text.strip() in fields.PLACEHOLDERS:
            block.placeholder = True  # saved by LibreOffice, which keeps it as text
        return block

    def _collect(self, container: Any, paragraph: Paragraph, block: Block) -> None:
        for child in container:
            if child.tag == _R:
                block.pieces.append(_piece(Run(child, paragraph)))
            elif child.tag == _HYPERLINK:
                link = Hyperlink(child, paragraph)
                address = link.url if child.get(qn("r:id")) else ""
                for run in link.runs:
                    piece = _piece(run)
                    block.pieces.append(
                        Piece(
                            piece.text,
                            piece.bold,
                            piece.italic,
                            address or piece.href,
                            piece.style,
                        )
                    )
            elif child.tag == _SDT:
                # An inline content control, as LibreOffice writes a form's fields.
                found = fields.field_of(child)
                if found is not None:
                    block.field = found
                    block.placeholder = fields.shows_placeholder(child)
                content = child.find(fields.SDT_CONTENT)
                if content is not None:
                    self._collect(content, paragraph, block)
            elif child.tag in _TRANSPARENT:
                self._collect(child, paragraph, block)

    def _list(self, element: Any, style: Any, block: Block) -> None:
        """The list level of a paragraph: from its own numbering, its style's, the
        style's name (List Bullet 2), or bullets typed by hand."""
        numbering = element.pPr.numPr if element.pPr is not None else None
        style_element = style.element if style is not None else None
        while numbering is None and style_element is not None:
            properties = style_element.pPr
            numbering = properties.numPr if properties is not None else None
            based_on = style_element.basedOn_val
            style_element = self._document.styles.element.get_by_id(based_on) if based_on else None
        if numbering is not None and numbering.numId is not None and numbering.numId.val:
            level = numbering.ilvl.val if numbering.ilvl is not None else 0
            block.list_level = level
            block.ordered = self._numbering.ordered(numbering.numId.val, level)
            return
        named = _LIST_NAME.match(block.style)
        if named:
            block.list_level = int(named.group(2) or 1) - 1
            block.ordered = named.group(1).lower() == "number"
            return
        if block.heading or not block.pieces:
            return
        first = block.pieces[0]
        for pattern, ordered in ((_TYPED_BULLET, False), (_TYPED_NUMBER, True)):
            typed = pattern.match(first.text)
            if typed:
                block.list_level, block.ordered = 0, ordered
                block.pieces[0] = Piece(
                    first.text[typed.end() :], first.bold, first.italic, first.href
                )
                return


class _Numbering:
    """Whether a list (numId and level) is numbered or bulleted, from numbering.xml."""

    def __init__(self, document: Document) -> None:
        try:
            self._root: Any = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            self._root = None
        self._known: dict[tuple[int, int], bool] = {}

    def ordered(self, num_id: int, level: int) -> bool:
        key = (num_id, level)
        if key not in self._known:
            self._known[key] = self._format(num_id, level) not in ("bullet", "none", "")
        return self._known[key]

    def _format(self, num_id: int, level: int) -> str:
        if self._root is None:
            return ""
        # python-docx's xpath knows the w: prefix.
        abstract = self._root.xpath(f'w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
        if not abstract:
            return ""
        formats = self._root.xpath(
            f'w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl[@w:ilvl="{level}"]'
            "/w:numFmt/@w:val"
        )
        return str(formats[0]) if formats else ""


def _piece(run: Run) -> Piece:
    style = run.style
    style_font = (
        style.font if style is not None and style.name != "Default Paragraph Font" else None
    )
    bold = run.bold if run.bold is not None else bool(style_font and style_font.bold)
    italic = run.italic if run.italic is not None else bool(style_font and style_font.italic)
    name = style.name if style is not None and style.name else ""
    return Piece(run.text, bool(bold), bool(italic), style=name)
