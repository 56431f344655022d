"""A Word document as the blocks its reader sees: paragraphs and tables, in order.

``nbesok import`` reads filled-in forms and old protocols through this module. Each
paragraph keeps what the import needs to turn it into Markdown and to place it: its
number in the document (for messages), its style, heading level and list number, its
text with bold, italic and links, the form field (content control) it stands in, and
notes on anything it holds that is not plain text (a text box, a footnote, a formula).

python-docx opens the package and holds its parts (styles, numbering, relationships,
footnotes); the walk over the body's XML is done here, because python-docx's
paragraph API does not descend into content controls, text boxes, tracked changes
or equations, and looking a style up through it for every run costs a scan of all
styles (a document with thousands of styles took minutes). Styles are resolved once.

Whatever the walk does not understand is still not lost: every text node of the body
that it did not take is reported with its paragraph (:attr:`WordText.unread`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx.oxml.ns import qn

from nbesok.documents.docx import fields
from nbesok.documents.docx.notes import Note, Notes, read_notes
from nbesok.documents.docx.numbering import Numbering
from nbesok.documents.docx.review import Styles
from nbesok.documents.docx.symbols import symbol_text

if TYPE_CHECKING:
    from docx.document import Document

_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _m(name: str) -> str:
    return f"{{{_MATH}}}{name}"


_P, _TBL, _SDT, _R, _T = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:r"), qn("w:t")
_HYPERLINK, _TR, _TC = qn("w:hyperlink"), qn("w:tr"), qn("w:tc")
_PPR, _RPR, _VAL = qn("w:pPr"), qn("w:rPr"), qn("w:val")
_TXBX = qn("w:txbxContent")
_ALTERNATE, _CHOICE, _FALLBACK = (
    f"{{{_MC}}}AlternateContent",
    f"{{{_MC}}}Choice",
    f"{{{_MC}}}Fallback",
)
_OMATH, _OMATH_PARA, _MT = _m("oMath"), _m("oMathPara"), _m("t")
# Wrappers whose content is part of the text around them: tracked insertions and
# moves, smart tags, custom XML, simple fields, text direction (w:dir, w:bdo).
_TRANSPARENT = frozenset(
    qn(f"w:{name}")
    for name in ("ins", "moveTo", "smartTag", "customXml", "fldSimple", "dir", "bdo")
)
# Deleted and moved-away text: shown struck through while changes are tracked, gone
# once they are accepted; not part of the text.
_REMOVED = frozenset(qn(f"w:{name}") for name in ("del", "moveFrom"))
_BLOCK_WRAPPERS = frozenset(qn(f"w:{name}") for name in ("customXml", "ins", "moveTo"))
_DRAWING = qn("w:drawing")
_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_LIST_NAME = re.compile(r"^list (bullet|number)(?:\s+(\d))?$", re.IGNORECASE)
# A bullet typed by hand before the text. A dash (– or —) is not one: in Swedish it
# opens a line of dialogue (”– Vi behöver fler platser”). Numbers typed by hand stay
# text, so that ”2. Syfte” keeps its 2.
_TYPED_BULLET = re.compile(r"^\s*[-•·▪◦‣●○■*]\s+")
_OFF = ("0", "false", "off")
_PLACEHOLDER_STYLES = ("PlaceholderText", "Placeholder Text", "Platshållartext")
# What separates the lines LibreOffice saves from one of its input fields.
LINE = "\u2029"


@dataclass(frozen=True)
class Piece:
    """A stretch of text with one look."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""
    # A picture: its file name (text is its alt text) and bytes, for bilder/.
    picture: str = ""
    data: bytes = b""
    style: str = ""  # the run's character style, by name (a masked passage's)


@dataclass
class Block:
    """A paragraph, or a table (``rows`` of cells, each cell a list of paragraphs)."""

    number: int  # the paragraph's number in the document, 1-based; a table's first
    style: str = ""
    heading: int = 0  # 1–9 for a heading, 0 otherwise
    list_level: int = -1  # -1: not a list item
    ordered: bool = False
    value: int = 0  # an ordered list item's number, as Word counts it
    pieces: list[Piece] = field(default_factory=list)
    # What the paragraph holds besides plain text, for the import's warnings:
    # "textruta", "fotnot 1", "formel", …
    notes: list[str] = field(default_factory=list)
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


@dataclass(frozen=True)
class Comment:
    """A comment in the margin: the paragraph it is on, its author and its text."""

    number: int
    author: str
    text: str


@dataclass
class WordText:
    """Everything a reader of the document sees, in order."""

    blocks: list[Block]
    comments: list[Comment] = field(default_factory=list)
    # Text the walk did not take, by paragraph: (paragraph number, text).
    unread: list[tuple[int, str]] = field(default_factory=list)


def read_blocks(document: Document) -> list[Block]:
    """Every paragraph and table of the body, in order, numbered as a reader counts."""
    return read_text(document).blocks


def read_text(document: Document) -> WordText:
    """The body's blocks, the comments, and any text that could not be placed."""
    reader = _Reader(document)
    blocks = list(reader.blocks(document.element.body))
    return WordText(blocks, reader.comments(), reader.unread(document.element.body))


class _StyleTable:
    """What the reader needs of each style, resolved once per document."""

    def __init__(self, root: Any) -> None:
        self.review = Styles.read(root)
        self._elements: dict[str, Any] = {}
        if root is not None:
            for style in root.iterchildren(qn("w:style")):
                self._elements.setdefault(style.get(qn("w:styleId"), ""), style)
        self._look: dict[str, tuple[bool | None, bool | None]] = {}
        self._numbering: dict[str, tuple[str, int] | None] = {}

    def name(self, style_id: str) -> str:
        return self.review.names.get(style_id, style_id)

    def paragraph_style(self, element: Any) -> str:
        properties = element.find(_PPR)
        style = properties.find(qn("w:pStyle")) if properties is not None else None
        if style is not None:
            return str(style.get(_VAL, ""))
        return self.review.default_paragraph

    def look(self, style_id: str) -> tuple[bool | None, bool | None]:
        """Bold and italic of a character style, through the styles it is based on."""
        if style_id not in self._look:
            self._look[style_id] = (None, None)  # a loop of basedOn ends here
            bold = italic = None
            style = self._elements.get(style_id)
            if style is not None:
                properties = style.find(_RPR)
                bold, italic = _flag(properties, "w:b"), _flag(properties, "w:i")
                based = self.review.based_on.get(style_id)
                if based:
                    inherited = self.look(based)
                    bold = inherited[0] if bold is None else bold
                    italic = inherited[1] if italic is None else italic
            self._look[style_id] = (bold, italic)
        return self._look[style_id]

    def numbering(self, style_id: str) -> tuple[str, int] | None:
        """The list (numId, level) a paragraph style numbers its paragraphs with."""
        if style_id not in self._numbering:
            self._numbering[style_id] = None
            found = None
            style = self._elements.get(style_id)
            if style is not None:
                found = _num_pr(style.find(_PPR))
                based = self.review.based_on.get(style_id)
                if found is None and based:
                    found = self.numbering(based)
            self._numbering[style_id] = found
        return self._numbering[style_id]


def _num_pr(properties: Any) -> tuple[str, int] | None:
    if properties is None:
        return None
    numbering = properties.find(qn("w:numPr"))
    if numbering is None:
        return None
    num_id = numbering.find(qn("w:numId"))
    level = numbering.find(qn("w:ilvl"))
    ilvl = level.get(_VAL, "0") if level is not None else "0"
    return (
        str(num_id.get(_VAL, "")) if num_id is not None else "",
        int(ilvl) if ilvl.isdigit() else 0,
    )


def _flag(properties: Any, tag: str) -> bool | None:
    if properties is None:
        return None
    element = properties.find(qn(tag))
    if element is None:
        return None
    return str(element.get(_VAL, "1")).lower() not in _OFF


class _Reader:
    def __init__(self, document: Document) -> None:
        part = document.part
        self._styles = _StyleTable(document.styles.element)
        try:
            numbering_root: Any = part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering_root = None
        self._numbering = Numbering(numbering_root)
        self._part = part
        self._links = {
            rid: relationship.target_ref
            for rid, relationship in part.rels.items()
            if relationship.is_external
        }
        self._notes: Notes = read_notes(document)
        self._number = 0
        self._footnotes = 0
        self._endnotes = 0
        self._taken: set[Any] = set()  # the text nodes read (held, so ids stay stable)
        self._numbers: dict[Any, int] = {}  # each paragraph read → its number
        self._commented: dict[str, int] = {}  # comment id → the paragraph it is on

    # Blocks

    def blocks(
        self, container: Any, control: fields.FieldId | None = None, shown: bool = False
    ) -> Iterator[Block]:
        for element in container:
            tag = element.tag
            if tag == _P:
                yield from self._paragraph(element, control, shown)
            elif tag == _TBL:
                yield self._table(element, control)
            elif tag == _SDT:
                content = element.find(fields.SDT_CONTENT)
                if content is not None:
                    found = fields.field_of(element) or control
                    placeholder = fields.shows_placeholder(element) or shown
                    yield from self.blocks(content, found, placeholder)
            elif tag in _BLOCK_WRAPPERS:
                yield from self.blocks(element, control, shown)
            elif tag == _ALTERNATE:
                yield from self.blocks(_chosen(element), control, shown)

    def _table(self, element: Any, control: fields.FieldId | None) -> Block:
        block = Block(self._number + 1, rows=[])
        assert block.rows is not None
        for row in _children(element, _TR):
            cells = [list(self.blocks(cell, control)) for cell in _children(row, _TC)]
            if cells:
                block.rows.append(cells)
        return block

    def _paragraph(
        self, element: Any, control: fields.FieldId | None, shown: bool
    ) -> Iterator[Block]:
        self._number += 1
        self._numbers[element] = self._number
        style_id = self._styles.paragraph_style(element)
        block = Block(self._number, style=self._styles.name(style_id), field=control)
        block.heading = self._styles.review.paragraph_level(element) or 0  # the title is 0 too
        inline = _Inline(block, in_control=control is not None)
        self._inline(element, inline)
        text = block.text.strip()
        if shown and (not inline.typed or text in fields.PLACEHOLDERS):
            block.placeholder = True  # nothing typed over the placeholder
        elif inline.placeholder_seen and not text:
            block.placeholder = True
        if block.field is not None and text in fields.PLACEHOLDERS:
            block.placeholder = True  # saved by LibreOffice, which keeps it as text
        lines = _lines(block)
        self._list(element, style_id, lines[0])
        for line in lines[1:]:
            _typed_bullet(line)
        yield from lines
        for box in inline.boxes:
            for inner in self.blocks(box):
                inner.notes.append("textruta")
                yield inner

    # Inline content

    def _inline(self, container: Any, inline: _Inline, href: str = "") -> None:
        for child in container:
            tag = child.tag
            if tag == _R:
                self._run(child, inline, href)
            elif tag == _HYPERLINK:
                address = self._links.get(child.get(qn("r:id"), ""), "")
                anchor = child.get(qn("w:anchor"))
                if address and anchor:
                    address = f"{address}#{anchor}"  # as python-docx's Hyperlink.url reads it
                self._inline(child, inline, address or href)
            elif tag == _SDT:
                self._inline_control(child, inline, href)
            elif tag in _TRANSPARENT:
                self._inline(child, inline, href)
            elif tag in (_OMATH, _OMATH_PARA):
                self._formula(child, inline)
            elif tag == _ALTERNATE:
                self._inline(_chosen(child), inline, href)
            elif tag == qn("w:commentRangeStart"):
                self._commented.setdefault(child.get(qn("w:id"), ""), inline.block.number)

    def _inline_control(self, sdt: Any, inline: _Inline, href: str) -> None:
        """An inline content control, as LibreOffice writes a form's fields."""
        block = inline.block
        found = fields.field_of(sdt)
        if found is not None:
            block.field = found
            inline.in_control = True
        content = sdt.find(fields.SDT_CONTENT)
        if content is None:
            return
        before = len(block.pieces)
        typed_before = inline.typed
        self._inline(content, inline, href)
        added = "".join(piece.text for piece in block.pieces[before:]).strip()
        placeholder = added in fields.PLACEHOLDERS or (
            fields.shows_placeholder(sdt) and inline.typed == typed_before
        )
        if placeholder:
            del block.pieces[before:]  # the grey hint, not what was written
            inline.placeholder_seen = True

    def _run(self, run: Any, inline: _Inline, href: str) -> None:
        properties = run.find(_RPR)
        style = properties.find(qn("w:rStyle")) if properties is not None else None
        style_id = str(style.get(_VAL, "")) if style is not None else ""
        bold, italic = _flag(properties, "w:b"), _flag(properties, "w:i")
        if style_id and (bold is None or italic is None):
            styled = self._styles.look(style_id)
            bold = styled[0] if bold is None else bold
            italic = styled[1] if italic is None else italic
        hint = style_id in _PLACEHOLDER_STYLES or self._styles.name(style_id) in _PLACEHOLDER_STYLES
        parts: list[str] = []
        pictures: list[Piece] = []
        previous_text = False
        for child in run:
            tag = child.tag
            is_text = tag == _T
            if is_text:
                self._taken.add(child)
                if previous_text and inline.in_control:
                    parts.append(LINE)  # LibreOffice's input field: one w:t per line
                # A soft hyphen (LibreOffice saves Word's as U+00AD) is no part of the word.
                parts.append((child.text or "").replace("\u00ad", ""))
            elif tag in (qn("w:tab"), qn("w:ptab")):
                parts.append("\t")
            elif tag in (qn("w:br"), qn("w:cr")):
                if child.get(qn("w:type"), "textWrapping") == "textWrapping":
                    parts.append("\n")
            elif tag == qn("w:noBreakHyphen"):
                parts.append("-")
            elif tag == qn("w:sym"):
                parts.append(self._symbol(child, inline))
            elif tag == qn("w:footnoteReference"):
                parts.append(self._note_text(child, inline, footnote=True))
            elif tag == qn("w:endnoteReference"):
                parts.append(self._note_text(child, inline, footnote=False))
            elif tag == qn("w:commentReference"):
                self._commented.setdefault(child.get(qn("w:id"), ""), inline.block.number)
            elif tag == qn("w:ruby"):
                parts.append(self._ruby(child, inline))
            elif tag == _DRAWING:
                pictures.extend(_pictures(child, self._part))
                inline.boxes.extend(_text_boxes(child))
            elif tag in (qn("w:pict"), _ALTERNATE, qn("w:object")):
                inline.boxes.extend(_text_boxes(child))
            previous_text = is_text
        text = "".join(parts)
        if text:
            if not hint and text.strip():
                inline.typed = True
            style_name = self._styles.name(style_id) if style_id else ""
            inline.block.pieces.append(
                Piece(text, bool(bold), bool(italic), href, style=style_name)
            )
        inline.block.pieces.extend(pictures)

    def _symbol(self, sym: Any, inline: _Inline) -> str:
        text, known = symbol_text(sym.get(qn("w:font"), ""), sym.get(qn("w:char"), ""))
        if not known:
            inline.note(f"symbol {text}")
        return text

    def _ruby(self, ruby: Any, inline: _Inline) -> str:
        """Ruby (small reading aids above East Asian text): the base, then the reading."""
        base = self._plain(ruby.find(qn("w:rubyBase")))
        reading = self._plain(ruby.find(qn("w:rt")))
        inline.note("ruby-text")
        return f"{base} ({reading})" if reading else base

    def _plain(self, container: Any) -> str:
        """The text of the runs in ``container``, looked at as plain text."""
        if container is None:
            return ""
        scratch = _Inline(Block(0), in_control=False)
        self._inline(container, scratch)
        return "".join(piece.text for piece in scratch.block.pieces)

    def _note_text(self, reference: Any, inline: _Inline, *, footnote: bool) -> str:
        """A footnote or endnote, written where its mark stands: ” (fotnot 1: …)”."""
        notes = self._notes.footnotes if footnote else self._notes.endnotes
        note = notes.get(reference.get(qn("w:id"), ""))
        if footnote:
            self._footnotes += 1
            name = f"fotnot {self._footnotes}"
        else:
            self._endnotes += 1
            name = f"slutnot {self._endnotes}"
        inline.note(name)
        text = self._note_body(note) if note is not None else ""
        return f" ({name}: {text})" if text else f" ({name})"

    def _note_body(self, note: Note) -> str:
        return " ".join(" ".join(self._plain(p).split()) for p in note.paragraphs).strip()

    def _formula(self, math: Any, inline: _Inline) -> None:
        text = _math_text(math, self._taken)
        if text.strip():
            inline.block.pieces.append(Piece(text))
            inline.typed = True
            inline.note("formel")

    # Lists and numbers

    def _list(self, element: Any, style_id: str, block: Block) -> None:
        """The list level and number of a paragraph: from its own numbering, its
        style's, the style's name (List Bullet 2), or bullets typed by hand. A heading
        that Word numbers gets its number as text (”2.1 Syfte”)."""
        own = _num_pr(element.find(_PPR))
        numbering = own if own is not None and own[0] else None
        if own is None:
            numbering = self._styles.numbering(style_id)
        if numbering is not None and numbering[0] and numbering[0] != "0":
            num_id, level = numbering
            label = self._numbering.next(num_id, level)
            if label is not None and block.pieces:
                if block.heading:
                    if label.ordered and label.text.strip():
                        _prefix(block, label.text.strip() + " ")
                    return
                if label.format == "none":
                    if label.text.strip():
                        _prefix(block, label.text.strip() + " ")
                    return
                block.list_level = level
                if label.format in ("decimal", "decimalZero"):
                    block.ordered, block.value = True, label.value
                elif label.ordered:
                    _prefix(block, label.text.strip() + " ")  # ”a)”, ”iv.” stay as written
                return
            if label is not None:
                return
        named = _LIST_NAME.match(block.style)
        if named and not block.heading:
            block.list_level = int(named.group(2) or 1) - 1
            block.ordered = named.group(1).lower() == "number"
            return
        _typed_bullet(block)

    # After the walk

    def comments(self) -> list[Comment]:
        found = []
        for identifier, note in self._notes.comments.items():
            text = self._note_body(note)
            if text:
                found.append(Comment(self._commented.get(identifier, 0), note.author, text))
        return sorted(found, key=lambda comment: comment.number)

    def unread(self, body: Any) -> list[tuple[int, str]]:
        """Text nodes of the body the walk did not take, by paragraph."""
        found: dict[int, list[str]] = {}
        for node in body.iter(_T, _MT):
            if node in self._taken or not (node.text or "").strip() or _removed(node):
                continue
            number = 0
            parent = node.getparent()
            while parent is not None:
                if parent in self._numbers:
                    number = self._numbers[parent]
                    break
                parent = parent.getparent()
            found.setdefault(number, []).append(node.text)
        return [(number, " ".join("".join(texts).split())) for number, texts in found.items()]


@dataclass
class _Inline:
    """What the walk over one paragraph's inline content has found so far."""

    block: Block
    in_control: bool
    typed: bool = False  # text other than a placeholder's
    placeholder_seen: bool = False
    boxes: list[Any] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.block.notes:
            self.block.notes.append(text)


def _children(container: Any, tag: str) -> Iterator[Any]:
    """Rows of a table or cells of a row, also those wrapped in content controls."""
    for child in container:
        if child.tag == tag:
            yield child
        elif child.tag == _SDT:
            content = child.find(fields.SDT_CONTENT)
            if content is not None:
                yield from _children(content, tag)
        elif child.tag in _BLOCK_WRAPPERS:
            yield from _children(child, tag)


def _chosen(alternate: Any) -> Any:
    """The branch of ``mc:AlternateContent`` a reader shows: the first choice."""
    for child in alternate:
        if child.tag in (_CHOICE, _FALLBACK):
            return child
    return alternate


def _text_boxes(element: Any) -> Iterator[Any]:
    """The outermost text boxes in a drawing, reading one branch of AlternateContent."""
    if element.tag == _ALTERNATE:
        element = _chosen(element)
    for child in element:
        if child.tag == _TXBX:
            yield child
        elif child.tag == _ALTERNATE:
            yield from _text_boxes(_chosen(child))
        else:
            yield from _text_boxes(child)


def _removed(node: Any) -> bool:
    """Whether a text node is deleted, moved away or the unread branch of a choice."""
    parent = node.getparent()
    while parent is not None:
        if parent.tag in _REMOVED:
            return True
        if parent.tag == _FALLBACK or (
            parent.tag == _CHOICE and parent is not _chosen(parent.getparent())
        ):
            return True
        parent = parent.getparent()
    return False


def _lines(block: Block) -> list[Block]:
    """A paragraph that holds the lines of a LibreOffice input field, as one block per
    line, as they were typed."""
    if not any(LINE in piece.text for piece in block.pieces):
        return [block]
    lines: list[Block] = []
    current: list[Piece] = []

    def flush() -> None:
        line = Block(block.number, style=block.style, field=block.field, pieces=current.copy())
        line.notes = block.notes if not lines else []
        lines.append(line)

    for piece in block.pieces:
        parts = piece.text.split(LINE)
        for index, part in enumerate(parts):
            if index:
                flush()
                current.clear()
            if part:
                current.append(replace(piece, text=part))
    flush()
    lines[0].heading = block.heading
    return lines


def _typed_bullet(block: Block) -> None:
    if block.heading or not block.pieces:
        return
    first = block.pieces[0]
    typed = _TYPED_BULLET.match(first.text)
    if typed:
        block.list_level, block.ordered = 0, False
        block.pieces[0] = replace(first, text=first.text[typed.end() :])


def _prefix(block: Block, text: str) -> None:
    block.pieces.insert(0, Piece(text))


def _math_text(element: Any, taken: set[Any]) -> str:
    """An equation as a line of text: ”(a+b)/(2)”, ”x^(2)”, ”√(x)”."""
    tag = element.tag
    if tag == _MT:
        taken.add(element)
        return element.text or ""

    def part(name: str) -> str:
        found = element.find(_m(name))
        return _math_text(found, taken) if found is not None else ""

    if tag == _m("f"):
        return f"({part('num')})/({part('den')})"
    if tag == _m("sSup"):
        return f"{part('e')}^({part('sup')})"
    if tag == _m("sSub"):
        return f"{part('e')}_({part('sub')})"
    if tag == _m("sSubSup"):
        return f"{part('e')}_({part('sub')})^({part('sup')})"
    if tag == _m("rad"):
        degree = part("deg")
        return f"{degree}√({part('e')})"
    if tag == _m("d"):
        properties = element.find(_m("dPr"))
        begin, end = "(", ")"
        if properties is not None:
            for name, default in (("begChr", "("), ("endChr", ")")):
                found = properties.find(_m(name))
                value = found.get(_m("val"), default) if found is not None else default
                begin, end = (value, end) if name == "begChr" else (begin, value)
        inner = ", ".join(_math_text(e, taken) for e in element.iterchildren(_m("e")))
        return f"{begin}{inner}{end}"
    if tag == _m("nary"):
        properties = element.find(_m("naryPr"))
        sign = "∫"
        if properties is not None:
            found = properties.find(_m("chr"))
            if found is not None:
                sign = found.get(_m("val"), sign)
        limits = "".join(
            f"_({part(name)})" if name == "sub" else f"^({part(name)})"
            for name in ("sub", "sup")
            if part(name)
        )
        return f"{sign}{limits} {part('e')}"
    if tag.endswith("Pr") and tag.startswith(f"{{{_MATH}}}"):
        return ""  # properties: how it looks, no text
    return "".join(_math_text(child, taken) for child in element)


def _pictures(drawing: Any, part: Any) -> Iterator[Piece]:
    """The pictures of a drawing, with their description as alt text and their bytes."""
    description = next(drawing.iter(_DOCPR), None)
    blip = next(drawing.iter(_BLIP), None)
    relation = None if blip is None else blip.get(qn("r:embed"))
    related = part.related_parts.get(relation) if relation else None
    if description is None or related is None:
        return
    name = Path(str(description.get("name", "") or related.partname)).name
    yield Piece(str(description.get("descr", "")), picture=name, data=related.blob)
