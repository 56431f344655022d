"""Markdown to Word: the .docx of a document is built from the same syntax tree as its .md.

A renderer with one small method per node type of markdown-it-py's syntax tree writes
the document into a python-docx ``Document`` opened on the reference .docx. Every
paragraph, run and table gets a named style of the reference, never direct
formatting, so a municipality restyles all documents by editing the reference in Word.

python-docx's proxy API (``add_paragraph``, ``add_run``, ``paragraph.style = …``) costs
about 0.45 ms per paragraph, most of it in finding where a child element goes and in
setting run text one character at a time: 93 ms for 200 paragraphs, against 2 ms for
opening and saving the reference. So the body is built from python-docx's own element
classes (``CT_P``, ``CT_R``, ``CT_Tbl``): a paragraph or run of each style is made
once with python-docx's element API and copied for every use, which gives the same
XML in about a ninth of the time. Tables, numbering, hyperlink relationships, document
properties and sections go through python-docx's API.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips
from markdown_it.tree import SyntaxTreeNode

from nbesok.archive import markup
from nbesok.archive.fragments import ALLOWED_LINK
from nbesok.archive.pictures import Picture
from nbesok.core.errors import RenderError
from nbesok.documents.docx import fields, oxml_shim, styles
from nbesok.documents.docx.drawing import picture_run
from nbesok.documents.docx.layout import Layout, column_widths, hyphenated_text, table_layout
from nbesok.documents.docx.lists import ListNumbering, Placement
from nbesok.documents.docx.reference import Reference

if TYPE_CHECKING:
    from docx.document import Document
    from docx.oxml.table import CT_Tc

__all__ = ["write_docx"]

_W_VAL = qn("w:val")
_WRITING_ROW = 510  # twips: 9 mm, a line of handwriting
_W_W = qn("w:w")
_W_TCW = qn("w:tcW")
_XML_SPACE = qn("xml:space")
_TRUE = "1"
# A hyphen between digits (a date, a diarienummer) never ends a line: "2023-12-|31".
_DIGIT_HYPHEN = re.compile(r"(?<=\d)-(?=\d)")
_SPECIAL = re.compile(r"[\t\n\u00ad]|(?<=\d)-(?=\d)")
# tblLook's w:val, the Office 2007 form of its attributes, as bits.
_LOOK_BITS = {
    "firstRow": 0x0020,
    "lastRow": 0x0040,
    "firstColumn": 0x0080,
    "lastColumn": 0x0100,
    "noHBand": 0x0200,
    "noVBand": 0x0400,
}
_SMALL_TABLE = 6  # rows: a table this short (a header and five rows) is kept on one page
_RECORD_LINE = (("val", "single"), ("sz", "12"), ("space", "0"), ("color", "808080"))
_PICTURE_HEIGHT = 0.6  # at most this share of the page's height


def write_docx(
    tree: SyntaxTreeNode,
    reference: Reference,
    properties: markup.Properties,
    *,
    pictures: Mapping[str, Picture] | None = None,
    controls: bool = True,
) -> Any:
    """A python-docx ``Document`` of ``tree`` built on a fresh copy of ``reference``.

    The front matter's ``properties`` become the title paragraph, the document
    properties, the text language and the header's fields. ``pictures`` are the files
    the Markdown's images name, by the name it uses. ``controls=False`` writes a form's
    fields as their grey placeholder text without content controls: the version to
    print (LibreOffice prints a control's text black). Raises TemplateError for a
    style the reference lacks, RenderError for content Word cannot hold.
    """
    oxml_shim.install()  # the same elements, each child placed in one pass (see there)
    document = reference.open()
    renderer = _Renderer(
        document,
        reference,
        fields.protocol_of_identifier(properties.identifier),
        pictures=pictures or {},
        controls=controls,
    )
    renderer.render(tree, properties.title, properties.subtitle)
    _set_properties(document, properties)
    _set_language(document, properties.lang)
    _fill_header_fields(document, properties)
    return document


class _Prototypes:
    """One element of each kind and style, made with python-docx's element API and copied.

    Copying an element is several times cheaper than building one through python-docx's
    ``get_or_add_*`` calls, which look up where each child belongs in the schema. The
    prototypes hold nothing of a document, so one set serves every document of a batch.
    """

    def __init__(self) -> None:
        self._paragraphs: dict[tuple[str, bool], Any] = {}
        self._runs: dict[str, Any] = {}
        self._cell: Any = None

    def paragraph(self, style_id: str, numbered: bool = False) -> Any:
        """A ``w:p`` of the style; if ``numbered``, with ``w:numPr`` to fill in."""
        key = (style_id, numbered)
        found = self._paragraphs.get(key)
        if found is None:
            found = self._paragraphs[key] = OxmlElement("w:p")
            found.style = style_id
            if numbered:
                numbering = found.pPr.get_or_add_numPr()
                numbering.get_or_add_ilvl().val = 0
                numbering.get_or_add_numId().val = 0
        return _copy(found)

    def run(self, style_id: str) -> Any:
        """A ``w:r`` of the character style (none for "") with an empty ``w:t``."""
        found = self._runs.get(style_id)
        if found is None:
            found = self._runs[style_id] = OxmlElement("w:r")
            if style_id:
                found.style = style_id
            found.add_t(" ").set(_XML_SPACE, "preserve")
        return _copy(found)

    def cell(self, width: int) -> Any:
        """A ``w:tc`` with its width in twips."""
        if self._cell is None:
            self._cell = OxmlElement("w:tc")
            self._cell.width = Twips(0)
        cell = _copy(self._cell)
        cell.tcPr.find(_W_TCW).set(_W_W, str(width))
        return cell


def _copy(element: Any) -> Any:
    # lxml copies the whole subtree; calling it directly skips copy.deepcopy's memo,
    # which took half the time of a copy.
    return element.__copy__()


_PROTOTYPES: dict[int, _Prototypes] = {}


def _prototypes(reference: Reference) -> _Prototypes:
    # Keyed by the reference object, which load_reference keeps while the file is unchanged.
    found = _PROTOTYPES.get(id(reference))
    if found is None:
        if len(_PROTOTYPES) >= 8:
            _PROTOTYPES.clear()
        found = _PROTOTYPES[id(reference)] = _Prototypes()
    return found


class _Renderer:
    """Writes a Markdown syntax tree into a document: one ``_render_<type>`` per node type.

    Like markdown-it-py's HTML renderer it walks the tree in order; the context
    (paragraph style, character styles, list level, table cell) lives in a few
    attributes that a method sets for its children and restores afterwards.
    """

    def __init__(
        self,
        document: Document,
        reference: Reference,
        protocol: str = "",
        *,
        pictures: Mapping[str, Picture] | None = None,
        controls: bool = True,
    ) -> None:
        self._document = document
        self._reference = reference
        self._protocol = protocol  # the protocol a form's fields belong to
        self._pictures = pictures or {}
        self._controls = controls
        self._elements = _prototypes(reference)
        self._style_ids: dict[tuple[str, str], str] = {}
        body = document.element.body
        section = body.find(qn("w:sectPr"))
        for block in list(body):  # whatever text the reference has is no part of a document
            if block is not section:
                body.remove(block)
        # New blocks go before the body's final section properties, as Word keeps them.
        self._add_block: Callable[[Any], None] = (
            section.addprevious if section is not None else body.append
        )
        self._numbering = ListNumbering(document, reference)
        self._placements: dict[int, Placement] = {}  # the lists of the outermost list
        self._paragraph_style = styles.BODY_TEXT
        self._character_styles: list[str] = []
        self._current: Any = None  # the paragraph (or hyperlink) runs are added to
        self._text_buffer: list[str] = []
        self._text_style = ""
        self._container = ""
        self._item_style = styles.LIST_PARAGRAPH
        self._list: tuple[int, int] = (0, 0)
        self._pending_item: tuple[int, int] | None = None
        self._in_head = False
        self._table: Any = None  # the w:tbl being written
        self._row: Any = None  # the w:tr being written
        self._cell: CT_Tc | None = None
        self._widths: list[int] = []
        self._aligns: list[str] = []  # a table's column alignments (right, center or "")
        self._column = 0
        self._outer_block: Callable[[Any], None] = self._add_block
        # A table or a block quote just ended: the next paragraph keeps its distance.
        self._after_block = False
        self._last_block: Any = None  # the last block added to the body

    def render(self, tree: SyntaxTreeNode, title: str, subtitle: str = "") -> None:
        for style, text in ((styles.TITLE, title), (styles.SUBTITLE, subtitle)):
            if text:
                self._paragraph(style)
                self._text(text)
                self._end_paragraph()
        self._dispatch(tree)

    def _dispatch(self, node: SyntaxTreeNode) -> None:
        method: Callable[[SyntaxTreeNode], None] = getattr(
            self, f"_render_{node.type}", self._render_unknown
        )
        method(node)

    def _render_children(self, node: SyntaxTreeNode) -> None:
        for child in node.children:
            self._dispatch(child)

    # Block nodes

    def _render_root(self, node: SyntaxTreeNode) -> None:
        self._render_children(node)

    def _render_front_matter(self, node: SyntaxTreeNode) -> None:
        """Read by markup.properties: document properties, not body text."""

    def _render_heading(self, node: SyntaxTreeNode) -> None:
        self._paragraph(styles.heading(int(node.tag[1:])))
        self._render_children(node)
        self._end_paragraph()

    def _render_paragraph(self, node: SyntaxTreeNode) -> None:
        self._paragraph(self._paragraph_style)
        self._render_children(node)
        self._end_paragraph()

    def _render_blockquote(self, node: SyntaxTreeNode) -> None:
        parent = node.parent
        reference = self._reference
        if (
            parent is not None
            and parent.type == "container_styled"
            and (
                reference.is_quote(self._container)
                # An older reference, without Quotations: every container, as before.
                or not reference.has_style(styles.QUOTE, "paragraph")
            )
        ):
            # In ::: Hjälptext (a quote style) a block quote is how the plain .md sets
            # the text apart; in Word the container's style does that.
            self._render_children(node)
        else:
            # A quote in an answer (::: Svar) is a quote in every output.
            self._with_paragraph_style(self._reference.quote_style, node)
            self._after_block = self._cell is None

    def _render_container_styled(self, node: SyntaxTreeNode) -> None:
        """``::: Stil`` gives its content the reference's style of that name.

        A paragraph style styles the paragraphs inside, and the items of a list that is
        all the container holds; a table style styles a table inside, or turns a list
        of ``**Etikett:** värde`` items into a table of labels and values; a character
        style styles the text.
        """
        info = node.info.strip()
        name = info.removeprefix("{").removesuffix("}") if info.startswith("{") else info
        if name.startswith("custom-style"):  # pandoc's ::: {custom-style="Stil"}
            name = name.partition("=")[2].strip().strip('"')
        outer = self._container
        self._container = name
        reference = self._reference
        only = node.children[0] if len(node.children) == 1 else None
        if reference.has_style(name, "table") and only is not None and _is_key_values(only):
            self._render_key_values(only, name)
        elif reference.has_style(name, "character") and not reference.has_style(name, "paragraph"):
            # `::: Status klar` around text: the runs take the character style.
            self._with_character_style(name, node)
        else:
            outer_item = self._item_style
            if only is not None and only.type in ("bullet_list", "ordered_list"):
                self._item_style = name
            self._with_paragraph_style(name, node)
            self._item_style = outer_item
        self._container = outer

    def _render_hr(self, node: SyntaxTreeNode) -> None:
        self._paragraph(styles.DIVIDER)
        self._end_paragraph()

    def _render_code_block(self, node: SyntaxTreeNode) -> None:
        self._literal_paragraph(styles.CODE, node.content)

    def _render_fence(self, node: SyntaxTreeNode) -> None:
        self._literal_paragraph(styles.CODE, node.content)

    def _render_html_block(self, node: SyntaxTreeNode) -> None:
        self._literal_paragraph(self._paragraph_style, node.content)

    def _render_bullet_list(self, node: SyntaxTreeNode) -> None:
        self._render_list(node)

    def _render_ordered_list(self, node: SyntaxTreeNode) -> None:
        self._render_list(node)

    def _render_list_item(self, node: SyntaxTreeNode) -> None:
        # The item's first paragraph carries the number; later ones continue the item.
        self._pending_item = self._list
        self._with_paragraph_style(self._item_style, node, flush=True)

    def _render_table(self, node: SyntaxTreeNode) -> None:
        self._flush_pending_item()
        name = self._container
        if not (name and self._reference.has_style(name, "table")):
            name = styles.TABLE
        rows = [row for row in node.walk() if row.type == "tr"]
        texts = [[_plain(cell) for cell in row.children] for row in rows]
        headers = sum(1 for row in rows if row.parent is not None and row.parent.type == "thead")
        layout = table_layout(
            texts,
            self._reference.text_width,
            header_rows=headers,
            points=self._reference.table_points,
        )
        if layout.stacked:
            self._render_stacked(rows, headers, layout)
            return
        self._table = self._new_table(name, layout.widths, header="row")
        self._render_children(node)
        _keep_rows_together(self._table)
        self._end_table()

    def _render_stacked(self, rows: list[SyntaxTreeNode], headers: int, layout: Layout) -> None:
        """A table whose columns cannot all hold their words: each row as the header's
        labels beside its cells, a row of the table per column, a line between rows.

        Each source row (a follow-up item) is kept on one page, and read by a screen
        reader as labelled values (row headers).
        """
        style = styles.STACKED_TABLE
        if not self._reference.has_style(style, "table"):
            style = styles.TABLE
        self._table = self._new_table(style, layout.widths, header="column")
        labels = [cell for row in rows[:headers] for cell in row.children]
        for number, row in enumerate(rows[headers:]):
            cells = list(row.children)
            for column, cell in enumerate(cells):
                self._row = self._table.add_tr()
                self._row.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
                self._column = 0
                label = labels[column] if column < len(labels) else None
                self._open_cell(styles.TABLE_HEADING)
                if label is not None:
                    self._render_children(label)
                self._close_cell()
                self._render_cell(cell, styles.TABLE_TEXT)
                if column < len(cells) - 1:
                    _keep_with_next(self._row)
                if number and column == 0:
                    for tc in self._row.iterchildren(qn("w:tc")):
                        _border_top(tc)
        self._end_table()

    def _end_table(self) -> None:
        self._last_block = self._table
        self._table = self._row = None
        self._after_block = True

    def _new_table(self, style: str, widths: list[int], *, header: str) -> Any:
        """An empty ``w:tbl`` of the style, with fixed column widths summing to the page's
        text width; ``header`` is "row" or "column", where the table's labels are."""
        last = self._last_block
        if last is not None and last.tag == qn("w:tbl") and self._is_last(last):
            # Two tables in a row are one table to Word: a paragraph keeps them apart.
            self._paragraph(self._paragraph_style)
            self._end_paragraph()
        # python-docx adds the table at the end of the body, which is where we are.
        table = self._document.add_table(rows=0, cols=len(widths))
        table.autofit = False  # fixed layout: the widths from the content hold
        tbl = table._tbl
        tbl.tblStyle_val = self._style_id(style, "table")
        width = tbl.tblPr.find(qn("w:tblW"))
        width.set(qn("w:type"), "pct")
        width.set(qn("w:w"), "5000")
        look = tbl.tblPr.find(qn("w:tblLook"))
        flags = {
            "firstRow": header == "row",
            "lastRow": False,
            "firstColumn": header == "column",
            "lastColumn": False,
            "noHBand": True,
            "noVBand": True,
        }
        for name, on in flags.items():
            look.set(qn(f"w:{name}"), "1" if on else "0")
        # The attributes (Word 2010 and later) and w:val (Word 2007) say the same.
        bits = sum(bit for name, bit in _LOOK_BITS.items() if flags[name])
        look.set(_W_VAL, f"{bits:04X}")
        for column, twips in zip(table.columns, widths, strict=True):
            column.width = Twips(twips)
        self._widths = widths
        return tbl

    def _is_last(self, block: Any) -> bool:
        """Whether ``block`` is the last thing in the body so far."""
        following = block.getnext()
        return following is None or following.tag == qn("w:sectPr")

    def _render_key_values(self, node: SyntaxTreeNode, style: str) -> None:
        """``- **Verksamhet:** Café`` items as a table: labels in the first column."""
        self._flush_pending_item()
        items = [(_parts(item.children[0].children[0]), item) for item in node.children]
        texts = [[_label(parts[0]), _plain_nodes(parts[1:])] for parts, _ in items]
        to_fill = [all(_is_field(part) for part in parts[1:]) for parts, _ in items]
        widths = column_widths(
            texts, self._reference.text_width, header_columns=1, points=self._reference.table_points
        )
        self._table = self._new_table(style, widths, header="column")
        for (parts, item), fill in zip(items, to_fill, strict=True):
            self._row = self._table.add_tr()
            self._column = 0
            label = _label(parts[0])
            if fill and len(item.children) == 1:
                # An empty value is a field to fill in by hand (the blank form): room to write.
                properties = self._row.get_or_add_trPr()
                properties.trHeight_val = Twips(_WRITING_ROW)
                properties.trHeight_hRule = WD_ROW_HEIGHT_RULE.AT_LEAST
            self._open_cell(styles.TABLE_HEADING)
            self._text(label)
            self._close_cell()
            self._open_cell(styles.TABLE_TEXT)
            rest = parts[1:]
            if rest and rest[0].type == "text":
                self._text(rest[0].content.lstrip())
                rest = rest[1:]
            for child in rest:
                self._dispatch(child)
            self._end_paragraph()
            for block in item.children[1:]:  # further paragraphs or lists of the value
                outer = self._paragraph_style
                self._paragraph_style = styles.TABLE_TEXT
                self._dispatch(block)
                self._paragraph_style = outer
            self._close_cell(end_paragraph=False)
        _keep_rows_together(self._table)
        self._end_table()

    def _render_thead(self, node: SyntaxTreeNode) -> None:
        self._in_head = True
        self._render_children(node)
        self._in_head = False

    def _render_tbody(self, node: SyntaxTreeNode) -> None:
        self._render_children(node)

    def _render_tr(self, node: SyntaxTreeNode) -> None:
        row = self._table.add_tr()
        properties = row.get_or_add_trPr()
        # A row is read as one item (a follow-up point): it moves to the next page whole
        # rather than breaking in the middle of its text.
        properties.append(OxmlElement("w:cantSplit"))
        if self._in_head:
            # A header row repeats on every page and tells screen readers what a column is.
            properties.append(OxmlElement("w:tblHeader"))
        elif node.children and all(_holds_only_a_field(cell) for cell in node.children):
            # A row of fields (the blank form's follow-up items): room to write by hand.
            properties.trHeight_val = Twips(2 * _WRITING_ROW)
            properties.trHeight_hRule = WD_ROW_HEIGHT_RULE.AT_LEAST
        self._row = row
        self._column = 0
        self._render_children(node)

    def _render_th(self, node: SyntaxTreeNode) -> None:
        self._render_cell(node, self._aligned(styles.TABLE_HEADING, node))

    def _render_td(self, node: SyntaxTreeNode) -> None:
        self._render_cell(node, self._aligned(styles.TABLE_TEXT, node))

    def _aligned(self, style: str, node: SyntaxTreeNode) -> str:
        """The cell's style, or its right-aligned or centred kind (``---:``, ``:---:``)."""
        found = re.search(r"text-align:\s*(\w+)", str(node.attrs.get("style", "")))
        name = styles.aligned(style, found.group(1)) if found else style
        return name if self._reference.has_style(name, "paragraph") else style

    def _render_inline(self, node: SyntaxTreeNode) -> None:
        self._render_children(node)

    # Inline nodes

    def _render_text(self, node: SyntaxTreeNode) -> None:
        self._text(node.content)

    def _render_softbreak(self, node: SyntaxTreeNode) -> None:
        self._text(" ")

    def _render_hardbreak(self, node: SyntaxTreeNode) -> None:
        self._text("\n")

    def _render_em(self, node: SyntaxTreeNode) -> None:
        self._with_character_style(styles.EMPHASIS, node)

    def _render_strong(self, node: SyntaxTreeNode) -> None:
        self._with_character_style(styles.STRONG, node)

    def _render_code_inline(self, node: SyntaxTreeNode) -> None:
        self._character_styles.append(self._style_id(styles.CODE, "character"))
        self._text(node.content)
        self._character_styles.pop()

    def _render_html_inline(self, node: SyntaxTreeNode) -> None:
        self._text(node.content)

    def _render_s(self, node: SyntaxTreeNode) -> None:
        self._with_character_style(styles.STRIKETHROUGH, node)

    def _render_image(self, node: SyntaxTreeNode) -> None:
        """A picture from the archive's bilder/, embedded with its alt text.

        ``validate`` has checked that the file exists, is a PNG or JPEG of a sensible
        size, and has an alt text; this is the last line for a template's own image.
        """
        source = str(node.attrs.get("src", ""))
        alt = _plain(node).strip()
        picture = self._pictures.get(source)
        if picture is None:
            raise RenderError.at(
                markup.SOURCE,
                f"bilden ”{source}” finns inte bland arkivets bilder; lägg filen i bilder/ "
                "och skriv ![Vad bilden visar](bilder/fil.png)",
            )
        if not alt:
            raise RenderError.at(
                markup.SOURCE,
                f"bilden ”{source}” saknar alternativtext; skriv vad den visar mellan "
                "hakparenteserna: ![Vad bilden visar](…)",
            )
        self._flush_text()
        cell = self._cell is not None
        width = self._widths[min(self._column, len(self._widths) - 1)] - 276 if cell else 0
        run = picture_run(
            self._document,
            picture,
            alt,
            max_width=width or self._reference.text_width,
            max_height=round(self._reference.text_height * _PICTURE_HEIGHT),
        )
        self._current.append(run)

    def _render_link(self, node: SyntaxTreeNode) -> None:
        href = str(node.attrs.get("href", ""))
        if not ALLOWED_LINK.match(href):
            # Only web and mail addresses become links: a relative link would point into
            # a temporary folder once converted, and smb:, ms-msdt: and the like run
            # programs on the reader's computer. The text stays.
            self._render_children(node)
            return
        attributes = {
            qn("w:history"): _TRUE,
            qn("r:id"): self._document.part.relate_to(href, RT.HYPERLINK, is_external=True),
        }
        title = node.attrs.get("title")
        if title:
            attributes[qn("w:tooltip")] = str(title)
        self._flush_text()
        hyperlink = OxmlElement("w:hyperlink", attributes)
        self._current.append(hyperlink)
        paragraph, self._current = self._current, hyperlink
        self._with_character_style(styles.HYPERLINK, node)
        self._flush_text()
        self._current = paragraph

    def _render_span(self, node: SyntaxTreeNode) -> None:
        field = node.attrs.get("field")
        if field:
            self._render_field(
                node, str(field), str(node.attrs.get("label") or fields.label_of(str(field)))
            )
            return
        name = node.attrs.get("custom-style")
        if not name:
            self._render_children(node)
            return
        style = self._reference.style(str(name), "character")
        if self._cell is not None and style.shading and _alone(node):
            # A traffic light: the whole cell takes the shading of the status style (a
            # masked name among other words keeps its shading to itself).
            self._shade_cell(self._cell, style.shading)
        self._character_styles.append(style.style_id)
        self._render_children(node)
        self._character_styles.pop()

    def _render_field(self, node: SyntaxTreeNode, field: str, label: str) -> None:
        """``[Skriv svaret här]{field="svar.id" label="Svar" rader="18"}``: the paragraph
        it stands in becomes a content control of the form, its text the placeholder,
        followed by ``rader`` empty lines of room to write by hand."""
        self._flush_text()
        paragraph = self._current
        if paragraph is None or paragraph.tag != qn("w:p") or len(paragraph.r_lst):
            raise RenderError.at(
                markup.SOURCE,
                f"fältet ”{field}” ska stå ensamt i sitt stycke eller sin tabellcell",
            )
        rows = str(node.attrs.get("rader", "0"))
        if not rows.isdigit() or int(rows) > 60:
            raise RenderError.at(
                markup.SOURCE, f"fältet ”{field}”: rader ska vara ett antal rader, 0–60"
            )
        if self._controls:
            control = fields.control(field, label, self._protocol, placeholder=bool(node.children))
            paragraph.addprevious(control)
            control.find(fields.SDT_CONTENT).append(paragraph)
        placeholder = self._reference.has_style(styles.PLACEHOLDER, "character")
        if placeholder:
            self._character_styles.append(self._style_id(styles.PLACEHOLDER, "character"))
        # A municipality's older reference has no placeholder style: the paragraph's look.
        self._render_children(node)
        self._text("\n" * int(rows))
        if placeholder:
            self._character_styles.pop()

    def _render_unknown(self, node: SyntaxTreeNode) -> None:
        """A node type this writer does not know: keep its content as plain text."""
        if node.children:
            self._render_children(node)
        elif node.block:
            self._literal_paragraph(self._paragraph_style, node.content)
        else:
            self._text(node.content)

    # Helpers

    def _style_id(self, name: str, kind: Literal["paragraph", "character", "table"]) -> str:
        key = (name, kind)
        found = self._style_ids.get(key)
        if found is None:
            found = self._style_ids[key] = self._reference.style_id(name, kind)
        return found

    def _paragraph(self, style: str) -> None:
        style_id = self._style_id(style, "paragraph")
        if self._pending_item is None:
            paragraph = self._elements.paragraph(style_id)
        else:
            num_id, level = self._pending_item
            self._pending_item = None
            paragraph = self._elements.paragraph(style_id, numbered=True)
            numbering = paragraph.pPr.numPr
            numbering.ilvl.set(_W_VAL, str(level))
            numbering.numId.set(_W_VAL, str(num_id))
        if self._cell is None:
            if self._after_block and not style.startswith("Heading"):
                # Word has no space after a table, and a quote's last paragraph is
                # followed by the next one's space before (none in Body Text): the
                # paragraph after either keeps Body Text's distance instead, so that it
                # is not glued to the block. A heading has space before of its own.
                spacing = paragraph.pPr.get_or_add_spacing()
                spacing.before = Twips(self._reference.block_space)
            self._after_block = False
            self._last_block = paragraph
        self._add_block(paragraph)
        self._current = paragraph

    def _end_paragraph(self) -> None:
        self._flush_text()
        self._current = None

    def _literal_paragraph(self, style: str, text: str) -> None:
        self._paragraph(style)
        self._text(text.rstrip("\n"))
        self._end_paragraph()

    def _text(self, text: str) -> None:
        """Add ``text`` in the current character style; text in one style shares a run."""
        style = self._run_style()
        if style != self._text_style:
            self._flush_text()
            self._text_style = style
        self._text_buffer.append(text)

    def _run_style(self) -> str:
        """The character style of text here: the innermost one, but bold inside italic
        (or the other way round) is Strong Emphasis, since a run has one style."""
        stack = self._character_styles
        if not stack:
            return ""
        pair = {
            self._style_id(styles.STRONG, "character"),
            self._style_id(styles.EMPHASIS, "character"),
        }
        if (
            stack[-1] in pair
            and pair <= set(stack)
            and self._reference.has_style(styles.STRONG_EMPHASIS, "character")
        ):
            return self._style_id(styles.STRONG_EMPHASIS, "character")
        return stack[-1]

    def _flush_text(self) -> None:
        if not self._text_buffer:
            return
        text = "".join(self._text_buffer)
        self._text_buffer.clear()
        if not text:
            return
        found = markup.ILLEGAL_XML.search(text)
        if found is not None:
            raise RenderError.at(markup.SOURCE, markup.illegal_message(found.group()))
        if self._cell is not None:
            text = self._hyphenated(text)
        run = self._elements.run(self._text_style)
        if _SPECIAL.search(text):
            run.remove(run[-1])
            _append_content(run, text)
        else:
            run[-1].text = text
        self._current.append(run)

    def _hyphenated(self, text: str) -> str:
        """``text`` with soft hyphens in each word wider than the cell it stands in."""
        room = self._widths[min(self._column, len(self._widths) - 1)] - 2 * 108 - 60
        bold = self._current is not None and self._style_of(self._current) in self._heading_ids()
        return hyphenated_text(text, room, bold=bold, points=self._reference.table_points)

    def _style_of(self, paragraph: Any) -> str:
        properties = paragraph.find(qn("w:pPr")) if paragraph.tag == qn("w:p") else None
        style = None if properties is None else properties.find(qn("w:pStyle"))
        return "" if style is None else str(style.get(_W_VAL, ""))

    def _heading_ids(self) -> set[str]:
        names = (
            styles.TABLE_HEADING,
            *(styles.aligned(styles.TABLE_HEADING, a) for a in styles.ALIGNMENTS),
        )
        return {
            self._style_id(name, "paragraph")
            for name in names
            if self._reference.has_style(name, "paragraph")
        }

    def _with_paragraph_style(self, style: str, node: SyntaxTreeNode, flush: bool = False) -> None:
        outer = self._paragraph_style
        self._paragraph_style = style
        self._render_children(node)
        if flush:
            self._flush_pending_item()
        self._paragraph_style = outer

    def _with_character_style(self, style: str, node: SyntaxTreeNode) -> None:
        self._character_styles.append(self._style_id(style, "character"))
        self._render_children(node)
        self._character_styles.pop()

    def _flush_pending_item(self) -> None:
        """A list item that has not written its numbered paragraph yet does so now,
        empty, so that its number is not lost (``-`` alone, or ``- - nested``)."""
        if self._pending_item is not None:
            self._paragraph(self._paragraph_style)
            self._end_paragraph()

    def _render_list(self, node: SyntaxTreeNode) -> None:
        self._flush_pending_item()
        placement = self._placements.get(id(node))
        outermost = placement is None
        if outermost:
            self._placements = self._numbering.place(node)
            placement = self._placements[id(node)]
        assert placement is not None
        outer = self._list
        self._list = (placement.num_id, placement.level)
        self._render_children(node)
        self._list = outer
        if outermost:
            self._placements = {}

    def _render_cell(self, node: SyntaxTreeNode, style: str) -> None:
        self._open_cell(style)
        self._render_children(node)
        self._close_cell()

    def _open_cell(self, style: str) -> None:
        """A new cell in the current row, its width from the table's columns, with an
        open paragraph of ``style``; blocks go into the cell until it is closed."""
        width = self._widths[min(self._column, len(self._widths) - 1)]
        cell = self._elements.cell(width)
        self._row.append(cell)
        self._outer_block, self._add_block = self._add_block, cell.append
        self._cell = cell
        self._paragraph(style)

    def _close_cell(self, *, end_paragraph: bool = True) -> None:
        if end_paragraph:
            self._end_paragraph()
        self._cell = None
        self._add_block = self._outer_block
        self._column += 1

    def _shade_cell(self, cell: CT_Tc, shading: Iterable[tuple[str, str]]) -> None:
        properties = cell.get_or_add_tcPr()
        existing = properties.find(qn("w:shd"))
        if existing is not None:
            properties.remove(existing)
        shd = OxmlElement("w:shd", {qn(f"w:{name}"): value for name, value in shading})
        properties.insert_element_before(
            shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
        )


def _append_content(run: Any, text: str) -> None:
    """``text`` into ``run`` as Word writes it: tabs, line breaks, soft hyphens and the
    non-breaking hyphen between digits as their own elements, the rest as ``w:t``."""
    start = 0
    for found in _SPECIAL.finditer(text):
        if found.start() > start:
            run.add_t(text[start : found.start()])
        char = found.group()
        if char == "\t":
            run.add_tab()
        elif char == "\n":
            run.add_br()
        elif char == "\u00ad":
            run.append(OxmlElement("w:softHyphen"))
        else:
            run.append(OxmlElement("w:noBreakHyphen"))
        start = found.end()
    if start < len(text):
        run.add_t(text[start:])


def _keep_with_next(row: Any) -> None:
    """The row stays on the page of the row after it (its paragraphs keep with next)."""
    for paragraph in row.iter(qn("w:p")):
        paragraph.get_or_add_pPr().keepNext_val = True


def _keep_rows_together(table: Any) -> None:
    """No row alone at the top of a page: the last two rows keep together, and a short
    table keeps all its rows on one page. Word and LibreOffice both move a row whose
    paragraphs keep with the next row."""
    rows = table.findall(qn("w:tr"))
    together = rows[:-1] if len(rows) <= _SMALL_TABLE else rows[-2:-1]
    for row in together:
        _keep_with_next(row)


def _border_top(cell: Any) -> None:
    """A line above the cell: where one row of a stacked table begins. A table style
    cannot say where every fifth row begins, so this one line is the cell's own."""
    properties = cell.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    borders.append(OxmlElement("w:top", {qn(f"w:{name}"): value for name, value in _RECORD_LINE}))
    properties.insert_element_before(
        borders,
        "w:shd",
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
    )


# Word (and python-docx) keep at most 255 characters in a text property.
_PROPERTY_LENGTH = 255


def _fit(text: str) -> str:
    return text if len(text) <= _PROPERTY_LENGTH else text[: _PROPERTY_LENGTH - 1] + "…"


def _set_properties(document: Document, properties: markup.Properties) -> None:
    core = document.core_properties
    core.title = _fit(properties.title)
    core.author = _fit(properties.author)
    core.last_modified_by = _fit(properties.author)
    core.subject = _fit(properties.subject)
    # As written, with ordinary spaces: the PDF's keywords are set from these after
    # LibreOffice, which splits a keyword at its spaces (nbesok.documents.pdfua).
    core.keywords = _fit(properties.keywords)
    core.language = _fit(properties.lang)
    core.identifier = _fit(properties.identifier)
    core.content_status = _fit(properties.status)
    if properties.description:  # the sekretessmarkering, or what a public copy left out
        core.comments = _fit(properties.description)
    if properties.category:
        core.category = _fit(properties.category)
    core.revision = 1
    core.created = core.modified = properties.date.replace(tzinfo=None)


def _set_language(document: Document, lang: str) -> None:
    """``lang`` as the default language of all text (``w:docDefaults``)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    properties = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if properties is None:
        return
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    language.set(_W_VAL, lang)


def _is_key_values(node: SyntaxTreeNode) -> bool:
    """A bullet list whose every item starts with bold text: labels and their values."""
    if node.type != "bullet_list" or not node.children:
        return False
    for item in node.children:
        first = item.children[0] if item.children else None
        if first is None or first.type != "paragraph":
            return False
        inline = first.children[0] if first.children else None
        parts = _parts(inline) if inline is not None else []
        if not parts or parts[0].type != "strong":
            return False
    return True


def _alone(node: SyntaxTreeNode) -> bool:
    """Whether ``node`` is all its paragraph or cell holds, but for blank text."""
    siblings = node.parent.children if node.parent is not None else [node]
    return all(
        other is node or (other.type == "text" and not other.content.strip()) for other in siblings
    )


def _is_field(node: SyntaxTreeNode) -> bool:
    """A form field, or blank: what leaves a value to be filled in."""
    if node.type == "span":
        return bool(node.attrs.get("field"))
    return node.type == "text" and not node.content.strip()


def _holds_only_a_field(cell: SyntaxTreeNode) -> bool:
    """A table cell whose content is one form field."""
    parts = [part for child in cell.children for part in _parts(child)]
    return len(parts) == 1 and _is_field(parts[0]) and parts[0].type == "span"


def _parts(inline: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    """An inline node's children without the empty text nodes markdown-it leaves."""
    return [child for child in inline.children if child.type != "text" or child.content]


def _plain(node: SyntaxTreeNode) -> str:
    """A node's text as a reader sees it."""
    return "".join(child.content for child in node.walk() if child.type in ("text", "code_inline"))


def _plain_nodes(nodes: list[SyntaxTreeNode]) -> str:
    return "".join(_plain(node) for node in nodes).strip()


def _label(node: SyntaxTreeNode) -> str:
    return _plain(node).strip().removesuffix(":").strip()


_FIELD_VALUES: dict[str, Callable[[markup.Properties], str]] = {
    "SUBJECT": lambda properties: properties.subject,
    "TITLE": lambda properties: properties.title,
    "AUTHOR": lambda properties: properties.author,
}


def _fill_header_fields(document: Document, properties: markup.Properties) -> None:
    """Give the SUBJECT, TITLE and AUTHOR fields of headers and footers their results.

    Readers show a field's cached result until fields are updated, so filling it makes
    the header show the short title at once. Word's simple fields and its complex
    fields (begin/instrText/separate/result/end) are both handled.
    """
    for relationship in document.part.rels.values():
        if relationship.is_external or relationship.reltype not in (RT.HEADER, RT.FOOTER):
            continue
        root = relationship.target_part.element
        for simple in root.iter(qn("w:fldSimple")):
            value = _FIELD_VALUES.get(_field_name(simple.get(qn("w:instr"), "")))
            if value is not None:
                _replace_result(simple.findall(qn("w:r")), value(properties))
        instruction: list[str] = []
        result: list[Any] = []
        state = ""
        for run in root.iter(qn("w:r")):
            char = run.find(qn("w:fldChar"))
            kind = "" if char is None else char.get(qn("w:fldCharType"))
            if kind == "begin":
                instruction, result, state = [], [], "instruction"
            elif kind == "separate":
                state = "result"
            elif kind == "end":
                value = _FIELD_VALUES.get(_field_name("".join(instruction)))
                if state == "result" and value is not None:
                    _replace_result(result, value(properties))
                state = ""
            elif state == "instruction":
                instruction.extend(text.text or "" for text in run.iter(qn("w:instrText")))
            elif state == "result":
                result.append(run)


def _field_name(instruction: str) -> str:
    words = instruction.split()
    return words[0].upper() if words else ""


def _replace_result(runs: list[Any], value: str) -> None:
    """Put ``value`` in the first result run's text and empty the others."""
    for index, run in enumerate(runs):
        for child in [c for c in run if c.tag in (qn("w:t"), qn("w:tab"), qn("w:br"))]:
            run.remove(child)
        if index == 0:
            text = OxmlElement("w:t", {_XML_SPACE: "preserve"})
            text.text = value
            run.append(text)
