"""A PDF's text as its readers and programs see it, read back with pypdf.

LibreOffice makes the PDF, so what it holds is checked like every other outlet: the
text of every page, every string object in the file (link addresses and other
annotations, the document information, bookmarks, the alternative texts of the
structure tree) and the XMP metadata packet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# (where, text), as nbesok.documents.outlets has it.
Published = tuple[str, str]


def pdf_texts(path: Path) -> Iterator[Published]:
    """``(where, text)`` for each page and for the rest of the file's strings."""
    from pypdf import PdfReader

    # pypdf reports oddities in a file through logging; they say nothing to a user.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, 1):
        yield f"på sidan {number} i PDF-filen", page.extract_text()
    yield "i PDF-filens länkar, bokmärken eller egenskaper", "\0".join(_strings(reader.trailer))
    metadata = reader.root_object.get("/Metadata")
    if metadata is not None:
        yield (
            "i PDF-filens XMP-metadata",
            metadata.get_object().get_data().decode("utf-8", "replace"),
        )


def _strings(root: Any) -> Iterator[str]:
    """Every text and byte string reachable from ``root``, each object visited once."""
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        IndirectObject,
        TextStringObject,
    )

    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            number = (item.idnum, item.generation)
            if number in seen:
                continue
            seen.add(number)
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # a stream's dictionary too
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, TextStringObject):
            yield str(item)
        elif isinstance(item, ByteStringObject):
            yield bytes(item).decode("latin-1")
