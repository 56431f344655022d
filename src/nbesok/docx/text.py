"""The text of a Word document as its reader sees it: paragraph by paragraph."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

if TYPE_CHECKING:
    from docx.document import Document

_P = qn("w:p")
_T = qn("w:t")
_TAB = qn("w:tab")
_BR = qn("w:br")
_NO_BREAK_HYPHEN = qn("w:noBreakHyphen")  # a date's hyphen that never ends a line
_DOCPR = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"
_PROPERTIES = ("title", "subject", "author", "keywords", "comments", "category")


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
