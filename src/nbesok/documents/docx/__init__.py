"""Every Word document nbesok writes or reads, through python-docx.

- :mod:`~nbesok.documents.docx.package`: checking a user's .docx before opening it, and saving
  with reproducible bytes;
- :mod:`~nbesok.documents.docx.styles`: the styles nbesok uses, as data;
- :mod:`~nbesok.documents.docx.reference`: the reference document and its resolved styles;
- :mod:`~nbesok.documents.docx.writer`: Markdown's syntax tree into a document;
- :mod:`~nbesok.documents.docx.review`: the accessibility review (``nbesok granska``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from nbesok.archive import markup
from nbesok.archive.pictures import Picture
from nbesok.documents.docx.package import save_document
from nbesok.documents.docx.reference import load_reference
from nbesok.documents.docx.writer import write_docx

__all__ = ["markdown_to_docx"]


def markdown_to_docx(
    markdown: str, reference: Path, pictures: Mapping[str, Picture] | None = None
) -> bytes:
    """The .docx bytes of one Markdown text, built on the ``reference`` .docx, with the
    ``pictures`` its images name."""
    tree = markup.parse(markdown)
    properties = markup.properties(tree)
    document = write_docx(tree, load_reference(reference), properties, pictures=pictures)
    return save_document(document)
