"""Markdown to Word: the .docx of a document is built from the same Markdown as its .md.

The Markdown is parsed with markdown-it-py into a syntax tree, and a renderer with one
small method per node type writes it into a copy of the reference .docx. Every
paragraph, run and table gets a named style from the reference, never direct
formatting, so a municipality restyles all documents by editing the reference in Word.
Output is reproducible: the same Markdown and reference give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from nbesok.docxpackage import Properties, write_zip
from nbesok.errors import RenderError
from nbesok.reference import Reference, StyleKind, load_reference
from nbesok.yamlfile import text_position

__all__ = ["markdown_to_docx", "reproducible_zip"]

_SOURCE = "<markdown>"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is much faster
_DEFAULT_DATE = datetime(2000, 1, 1, tzinfo=UTC)

# XML 1.0 allows tab, newline and carriage return but no other C0 control character,
# no lone surrogate and neither U+FFFE nor U+FFFF.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAB_OR_NEWLINE = re.compile(r"([\t\n])")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CUSTOM_STYLE = re.compile(r'^\{\s*custom-style\s*=\s*"([^"]*)"\s*\}$')


def markdown_to_docx(markdown: str, reference: Path) -> bytes:
    """The .docx bytes for ``markdown``, built on a copy of the ``reference`` .docx.

    ``markdown`` may start with YAML front matter (title, author, date, lang, subject,
    keywords), which becomes the document properties, the title paragraph and the
    header's subject. Raises TemplateError for a broken reference or a missing style,
    RenderError for content that cannot be written.
    """
    markdown = markdown.removeprefix("\ufeff")  # a byte order mark would hide the front matter
    _check_characters(markdown)
    tree = SyntaxTreeNode(_parser().parse(markdown))
    properties = _read_properties(tree)
    ref = load_reference(reference)
    renderer = _Renderer(ref)
    body = renderer.render(tree, properties.title)
    return ref.package.assemble(
        body,
        renderer.numbers,
        renderer.relationships,
        Properties(
            title=properties.title,
            author=properties.author,
            subject=properties.subject,
            keywords=properties.keywords,
            lang=properties.lang,
            date=properties.date,
        ),
        _escape,
    )


def reproducible_zip(data: bytes) -> bytes:
    """The same zip package rewritten so that equal contents give equal bytes.

    Entries come in a fixed order ([Content_Types].xml first), with a fixed date,
    compression and attributes, whatever the clock or the platform says.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return write_zip({info.filename: source.read(info) for info in source.infolist()})


_MARKDOWN: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _MARKDOWN
    if _MARKDOWN is None:
        md = MarkdownIt("commonmark").enable("table")
        front_matter_plugin(md)
        # One container rule for every name: `::: Hjälptext`, `::: Status klar`, …
        container_plugin(md, "styled", validate=lambda params, *_: bool(params.strip()))
        attrs_plugin(md, spans=True, after=())
        _MARKDOWN = md
    return _MARKDOWN


def _check_characters(markdown: str) -> None:
    found = _ILLEGAL_XML.search(markdown)
    if found is None:
        return
    line, column = text_position(markdown, found.start())
    raise RenderError.at(_SOURCE, _illegal_message(found.group()), line=line, column=column)


def _illegal_message(character: str) -> str:
    code = f"otillåtet tecken U+{ord(character):04X} i texten"
    if ord(character) < 0x20:
        return f"{code}: styrtecken kan inte finnas i ett Word-dokument; byt det mot ett mellanslag"
    return f"{code}: tecknet kan inte finnas i ett Word-dokument; ta bort det"


@dataclass(frozen=True)
class _Properties:
    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    lang: str = "sv-SE"
    date: datetime = _DEFAULT_DATE


def _read_properties(tree: SyntaxTreeNode) -> _Properties:
    """Document properties from the front matter, if the Markdown has one."""
    front = tree.children[0] if tree.children else None
    if front is None or front.type != "front_matter":
        return _Properties()
    try:
        data = yaml.load(front.content, Loader=_YAML_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RenderError.at(
            _SOURCE,
            "front matter är inte giltig YAML; kontrollera citattecken, kolon och indrag",
            line=mark.line + 2 if mark else 1,  # after the opening ---
            column=mark.column + 1 if mark else 0,
        ) from None
    if data is None:
        return _Properties()
    if not isinstance(data, dict):
        raise RenderError.at(
            _SOURCE, "front matter ska vara nycklar och värden (title: …, date: …)", line=1
        )
    return _Properties(
        title=_text_value(data, "title"),
        author=_text_value(data, "author", lists=True),
        subject=_text_value(data, "subject"),
        keywords=_text_value(data, "keywords", lists=True),
        lang=_text_value(data, "lang") or "sv-SE",
        date=_date_value(data),
    )


def _text_value(data: dict[Any, Any], key: str, *, lists: bool = False) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if lists and isinstance(value, list) and all(isinstance(item, str) for item in value):
        text = ", ".join(value)
    elif isinstance(value, str | int | float | date) and not isinstance(value, bool):
        text = str(value)
    else:
        expected = "en text eller en lista av texter" if lists else "en text"
        raise RenderError.at(_SOURCE, f"front matter: {key} ska vara {expected}", key=key)
    found = _ILLEGAL_XML.search(text)
    if found is not None:
        raise RenderError.at(_SOURCE, _illegal_message(found.group()), key=key)
    return text


def _date_value(data: dict[Any, Any]) -> datetime:
    value = data.get("date")
    if value is None:
        return _DEFAULT_DATE
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if _ISO_DATE.fullmatch(value) else None
        except ValueError:
            value = None
    if not isinstance(value, date):
        raise RenderError.at(
            _SOURCE, "front matter: date ska vara ett datum som 2023-06-07 (ÅÅÅÅ-MM-DD)", key="date"
        )
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


class _Renderer:
    """Writes a Markdown syntax tree as WordprocessingML: one ``_render_<type>`` per node type.

    Like markdown-it-py's HTML renderer it emits markup text, here ``w:p``, ``w:r`` and
    ``w:tbl`` elements, which are parsed once and put into the document's body. The
    context (paragraph style, character styles, list level, table cell) lives in a few
    attributes that a method sets for its children and restores afterwards.
    """

    def __init__(self, reference: Reference) -> None:
        self._reference = reference
        self._package = reference.package
        self.numbers: list[str] = []
        self.relationships: list[str] = []
        self._next_rel_id = reference.package.next_rel_id
        self._next_num_id = reference.package.next_num_id
        self._style_ids: dict[tuple[str, StyleKind], str] = {}
        self._out: list[str] = []
        self._paragraph_style = "Body Text"
        self._character_styles: list[str] = []
        self._text_buffer: list[str] = []
        self._text_style = ""
        self._container = ""
        self._list_depth = -1
        self._list: tuple[int, int] = (0, 0)
        self._pending_item: tuple[int, int] | None = None
        self._in_head = False
        self._cell_properties = -1
        self._column_width = 0
        self._text_width = reference.package.text_width

    def render(self, tree: SyntaxTreeNode, title: str) -> str:
        """The body content: ``title`` and the rendered ``tree`` as WordprocessingML."""
        if title:
            self._paragraph("Title")
            self._text(title)
            self._end_paragraph()
        self._dispatch(tree)
        return "".join(self._out)

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
        """Read by _read_properties: document properties, not body text."""

    def _render_heading(self, node: SyntaxTreeNode) -> None:
        self._paragraph(f"Heading {min(int(node.tag[1:]), 6)}")
        self._render_children(node)
        self._end_paragraph()

    def _render_paragraph(self, node: SyntaxTreeNode) -> None:
        self._paragraph(self._paragraph_style)
        self._render_children(node)
        self._end_paragraph()

    def _render_blockquote(self, node: SyntaxTreeNode) -> None:
        self._with_paragraph_style("Quote", node)

    def _render_container_styled(self, node: SyntaxTreeNode) -> None:
        info = node.info.strip()
        pandoc_style = _CUSTOM_STYLE.match(info)
        name = pandoc_style.group(1) if pandoc_style else info
        outer = self._container
        self._container = name
        reference = self._reference
        if reference.has_style(name, "character") and not reference.has_style(name, "paragraph"):
            # `::: Status klar` around text: the runs take the character style.
            self._with_character_style(name, node)
        else:
            self._with_paragraph_style(name, node)
        self._container = outer

    def _render_hr(self, node: SyntaxTreeNode) -> None:
        self._paragraph("Avdelare")
        self._end_paragraph()

    def _render_code_block(self, node: SyntaxTreeNode) -> None:
        self._literal_paragraph("Kod", node.content)

    def _render_fence(self, node: SyntaxTreeNode) -> None:
        self._literal_paragraph("Kod", node.content)

    def _render_html_block(self, node: SyntaxTreeNode) -> None:
        self._literal_paragraph(self._paragraph_style, node.content)

    def _render_bullet_list(self, node: SyntaxTreeNode) -> None:
        self._render_list(node, "bullet", 1)

    def _render_ordered_list(self, node: SyntaxTreeNode) -> None:
        self._render_list(node, "decimal", int(node.attrs.get("start", 1)))

    def _render_list_item(self, node: SyntaxTreeNode) -> None:
        # The item's first paragraph carries the number; later ones continue the item.
        self._pending_item = self._list
        self._with_paragraph_style("List Paragraph", node, flush=True)

    def _render_table(self, node: SyntaxTreeNode) -> None:
        self._flush_pending_item()
        name = self._container
        if not (name and self._reference.has_style(name, "table")):
            name = "Tabell"
        columns = max((len(row.children) for row in node.walk() if row.type == "tr"), default=1)
        self._column_width = self._text_width // max(columns, 1)
        grid = f'<w:gridCol w:w="{self._column_width}"/>' * columns
        self._out.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self._style_id(name, "table")}"/>'
            f'<w:tblW w:w="5000" w:type="pct"/>{_TABLE_LOOK}</w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
        )
        self._render_children(node)
        self._out.append("</w:tbl>")

    def _render_thead(self, node: SyntaxTreeNode) -> None:
        self._in_head = True
        self._render_children(node)
        self._in_head = False

    def _render_tbody(self, node: SyntaxTreeNode) -> None:
        self._render_children(node)

    def _render_tr(self, node: SyntaxTreeNode) -> None:
        # A header row repeats on every page and tells screen readers what a column is.
        self._out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if self._in_head else "<w:tr>")
        self._render_children(node)
        self._out.append("</w:tr>")

    def _render_th(self, node: SyntaxTreeNode) -> None:
        self._render_cell(node, "Tabellrubrik")

    def _render_td(self, node: SyntaxTreeNode) -> None:
        self._render_cell(node, "Tabelltext")

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
        self._with_character_style("Emphasis", node)

    def _render_strong(self, node: SyntaxTreeNode) -> None:
        self._with_character_style("Strong", node)

    def _render_code_inline(self, node: SyntaxTreeNode) -> None:
        self._character_styles.append(self._style_id("Kod", "character"))
        self._text(node.content)
        self._character_styles.pop()

    def _render_html_inline(self, node: SyntaxTreeNode) -> None:
        self._text(node.content)

    def _render_image(self, node: SyntaxTreeNode) -> None:
        # No pictures in the documents: the alt text and the address stay readable.
        self._render_children(node)
        source = str(node.attrs.get("src", ""))
        self._text(f" [{source}]" if node.children else f"[{source}]")

    def _render_link(self, node: SyntaxTreeNode) -> None:
        href = str(node.attrs.get("href", ""))
        if not href:
            self._render_children(node)
            return
        if href.startswith("#"):
            target = f'w:anchor="{_attribute(href[1:])}"'
        else:
            rel_id = f"rId{self._next_rel_id}"
            self._next_rel_id += 1
            self.relationships.append(self._package.relationship(rel_id, href, _attribute))
            target = f'r:id="{rel_id}"'
        title = node.attrs.get("title")
        tooltip = f' w:tooltip="{_attribute(str(title))}"' if title else ""
        self._flush_text()
        self._out.append(f'<w:hyperlink {target}{tooltip} w:history="1">')
        self._with_character_style("Hyperlink", node)
        self._flush_text()
        self._out.append("</w:hyperlink>")

    def _render_span(self, node: SyntaxTreeNode) -> None:
        name = node.attrs.get("custom-style")
        if not name:
            self._render_children(node)
            return
        style_id = self._style_id(str(name), "character")
        if self._cell_properties >= 0:
            shading = self._reference.shading(style_id)
            if shading:
                self._out[self._cell_properties] = self._cell_properties_xml(shading)
        self._character_styles.append(style_id)
        self._render_children(node)
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

    def _style_id(self, name: str, kind: StyleKind) -> str:
        key = (name, kind)
        found = self._style_ids.get(key)
        if found is None:
            found = self._style_ids[key] = _attribute(self._reference.style_id(name, kind))
        return found

    def _paragraph(self, style: str) -> None:
        numbering = ""
        if self._pending_item is not None:
            num_id, level = self._pending_item
            self._pending_item = None
            numbering = f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'
        style_id = self._style_id(style, "paragraph")
        self._out.append(f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/>{numbering}</w:pPr>')

    def _end_paragraph(self) -> None:
        self._flush_text()
        self._out.append("</w:p>")

    def _literal_paragraph(self, style: str, text: str) -> None:
        self._paragraph(style)
        self._text(text.rstrip("\n"))
        self._end_paragraph()

    def _text(self, text: str) -> None:
        """Add ``text`` in the current character style; text in one style shares a run."""
        style = self._character_styles[-1] if self._character_styles else ""
        if style != self._text_style:
            self._flush_text()
            self._text_style = style
        self._text_buffer.append(text)

    def _flush_text(self) -> None:
        if not self._text_buffer:
            return
        text = "".join(self._text_buffer)
        self._text_buffer.clear()
        if not text:
            return
        found = _ILLEGAL_XML.search(text)
        if found is not None:
            raise RenderError.at(_SOURCE, _illegal_message(found.group()))
        style = self._text_style
        properties = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
        self._out.append(f"<w:r>{properties}{_run_content(text)}</w:r>")

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

    def _render_list(
        self, node: SyntaxTreeNode, kind: Literal["bullet", "decimal"], start: int
    ) -> None:
        self._flush_pending_item()
        definition = self._reference.list_definition(kind)
        self._list_depth += 1
        level = min(self._list_depth, definition.levels - 1)
        outer = self._list
        self._list = (self._add_numbering(definition.abstract_num_id, level, start), level)
        self._render_children(node)
        self._list = outer
        self._list_depth -= 1

    def _add_numbering(self, abstract_num_id: int, level: int, start: int) -> int:
        """A new ``w:num`` for one list, so that each list restarts at ``start``."""
        num_id, self._next_num_id = self._next_num_id, self._next_num_id + 1
        self.numbers.append(
            f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_num_id}"/>'
            f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            "</w:num>"
        )
        return num_id

    def _render_cell(self, node: SyntaxTreeNode, style: str) -> None:
        self._out.append("<w:tc>")
        self._cell_properties = len(self._out)
        self._out.append(self._cell_properties_xml(()))
        self._paragraph(style)
        self._render_children(node)
        self._end_paragraph()
        self._out.append("</w:tc>")
        self._cell_properties = -1

    def _cell_properties_xml(self, shading: Iterable[tuple[str, str]]) -> str:
        """A cell's ``w:tcPr``; traffic lights give it the shading of a character style."""
        shd = "".join(f' w:{name}="{_attribute(value)}"' for name, value in shading)
        return (
            f'<w:tcPr><w:tcW w:w="{self._column_width}" w:type="dxa"/>'
            + (f"<w:shd{shd}/>" if shd else "")
            + "</w:tcPr>"
        )


_TABLE_LOOK = (
    '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
    ' w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>'
)


def _run_content(text: str) -> str:
    """A run's children for ``text``: tabs and newlines become ``w:tab`` and ``w:br``."""
    if "\t" not in text and "\n" not in text:
        return f'<w:t xml:space="preserve">{_escape(text)}</w:t>'
    parts: list[str] = []
    for piece in _TAB_OR_NEWLINE.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece == "\n":
            parts.append("<w:br/>")
        elif piece:
            parts.append(f'<w:t xml:space="preserve">{_escape(piece)}</w:t>')
    return "".join(parts)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")
