"""Footnotes, endnotes and comments: the parts of a Word file beside its body.

python-docx opens these parts with the package but has no reader for footnotes or
endnotes, so their XML is taken from the part python-docx holds and parsed with
python-docx's own parser (the package was checked for DTDs before it was opened).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

if TYPE_CHECKING:
    from docx.document import Document

_P = qn("w:p")


@dataclass(frozen=True)
class Note:
    """A footnote, an endnote or a comment: its paragraphs, and a comment's author."""

    paragraphs: list[Any]
    author: str = ""


@dataclass
class Notes:
    footnotes: dict[str, Note] = field(default_factory=dict)
    endnotes: dict[str, Note] = field(default_factory=dict)
    comments: dict[str, Note] = field(default_factory=dict)


def read_notes(document: Document) -> Notes:
    """The footnotes, endnotes and comments of ``document``, by id."""
    notes = Notes()
    part = document.part
    for relationship in part.rels.values():
        if relationship.is_external:
            continue
        kind = relationship.reltype
        if kind == RT.FOOTNOTES:
            notes.footnotes.update(_notes(relationship.target_part, "w:footnote"))
        elif kind == RT.ENDNOTES:
            notes.endnotes.update(_notes(relationship.target_part, "w:endnote"))
        elif kind == RT.COMMENTS:
            notes.comments.update(_notes(relationship.target_part, "w:comment"))
    return notes


def _notes(part: Any, tag: str) -> dict[str, Note]:
    root = _element(part)
    found: dict[str, Note] = {}
    if root is None:
        return found
    for note in root.iterchildren(qn(tag)):
        if note.get(qn("w:type"), "normal") != "normal":
            continue  # the separator lines Word keeps among the footnotes
        paragraphs = list(note.iter(_P))
        found[note.get(qn("w:id"), "")] = Note(paragraphs, note.get(qn("w:author"), ""))
    return found


def _element(part: Any) -> Any:
    element = getattr(part, "element", None)
    if element is not None:
        return element
    from docx.oxml.parser import parse_xml
    from lxml.etree import XMLSyntaxError

    try:
        return parse_xml(part.blob)
    except XMLSyntaxError:
        return None
