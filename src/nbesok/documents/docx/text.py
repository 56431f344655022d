"""The text of a Word document as its reader sees it: paragraph by paragraph, and every
text of the package a program can show (for the guard on what is published)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from lxml import etree

if TYPE_CHECKING:
    from docx.document import Document

_P = qn("w:p")
_T = qn("w:t")
_TAB = qn("w:tab")
_BR = qn("w:br")
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")  # a date's hyphen that never ends a line
_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PROPERTIES = ("title", "subject", "author", "keywords", "comments", "category")
# Where in the package a text stands, as a message says it.
_PART_WORDS = (
    ("/word/document.xml", "i dokumentet"),
    ("/word/header", "i sidhuvudet"),
    ("/word/footer", "i sidfoten"),
    ("/word/footnotes", "i en fotnot"),
    ("/word/endnotes", "i en slutnot"),
    ("/word/comments", "i en kommentar"),
    ("/docProps/", "i dokumentegenskaperna"),
)


def paragraph_text(paragraph: Any) -> str:
    """A ``w:p`` element's text with tabs and line breaks, whatever runs split it into."""
    pieces: list[str] = []
    for node in paragraph.iter(_T, _TAB, _BR, _NO_BREAK_HYPHEN):
        if node.tag == _T:
            pieces.append(node.text or "")
        elif node.tag == _NO_BREAK_HYPHEN:
            pieces.append("-")
        else:
            pieces.append("\t" if node.tag == _TAB else "\n")
    return "".join(pieces)


def document_texts(document: Document) -> Iterator[str]:
    """Every paragraph (also in tables and content controls), picture description,
    header, footer and text property of ``document``."""
    for paragraph in document.element.body.iter(_P):
        yield paragraph_text(paragraph)
    for picture in document.element.body.iter(_DOCPR):
        yield picture.get("descr", "")
    for relationship in document.part.rels.values():
        if not relationship.is_external and relationship.reltype in (RT.HEADER, RT.FOOTER):
            for paragraph in relationship.target_part.element.iter(_P):
                yield paragraph_text(paragraph)
    core = document.core_properties
    for name in _PROPERTIES:
        yield str(getattr(core, name) or "")


def part_words(partname: str) -> str:
    """``/word/header1.xml`` → ``i sidhuvudet``."""
    return next(
        (words for prefix, words in _PART_WORDS if partname.startswith(prefix)),
        f"i dokumentet ({partname.lstrip('/')})",
    )


def package_texts(document: Document) -> Iterator[tuple[str, str]]:
    """Every text of every XML part of ``document``'s package, as ``(where, text)``.

    Each part gives its paragraphs, one per line (a reader sees a paragraph break as a
    line break); then, apart, every other text and attribute value (field codes,
    properties, alternative text, tooltips); and every external relationship's target
    (the addresses of links). Parts are read as they will be saved.
    """
    for part in document.part.package.iter_parts():
        element = _element(part)
        where = part_words(str(part.partname))
        if element is not None:
            paragraphs = [paragraph_text(paragraph) for paragraph in element.iter(_P)]
            if paragraphs:
                yield where, "\n".join(paragraphs)
            # NUL between the pieces: nothing the rules see through joins two of them.
            yield where, "\0".join(_other_texts(element))
        for relationship in part.rels.values():
            if relationship.is_external:
                yield f"{where} (en länkadress)", relationship.target_ref


def _element(part: Any) -> Any:
    element = getattr(part, "element", None)
    if element is not None:
        return element
    if part.content_type.endswith("xml"):  # a part python-docx keeps as bytes: app.xml
        return parse_xml(part.blob)
    return None


# Compiled once: XPath walks the tree in C, about a hundred times faster than a loop.
# Plain strings: lxml's default "smart" strings each keep their element alive, which
# for a season report's hundreds of thousands of attributes cost tens of megabytes.
_TEXTS_BESIDE_RUNS = etree.XPath(
    "//text()[not(parent::w:t)][normalize-space()] | //@*",
    namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"},
    smart_strings=False,
)


def _other_texts(element: Any) -> list[str]:
    return list(_TEXTS_BESIDE_RUNS(element))
