"""What text each outlet of a document holds, as its readers and programs can see it.

An outlet is a file nbesok publishes: the ``.docx`` (every XML part of its package:
body, headers, footers, properties, styles, and every link address), the ``.md`` (as
written, and as a Markdown reader shows it), the PDF (each page's text, every string
object – link addresses, bookmarks, the structure tree's alternative texts, the
document information – and the XMP metadata) and the files' names. Each text comes as
``(where, text)``, ``where`` saying in Swedish which part of the outlet it is, so that
a rule on what must not be published (nbesok.masked_words) can say where it found it.

Kept apart from the rules on purpose: one reading of each outlet serves every rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.document import Document

# (where, text): "i sidhuvudet", and the header's text.
Published = tuple[str, str]

_PART_WORDS = (
    ("/word/document.xml", "i dokumentet"),
    ("/word/header", "i sidhuvudet"),
    ("/word/footer", "i sidfoten"),
    ("/docProps/", "i dokumentegenskaperna"),
)


def docx_texts(document: Document) -> Iterator[Published]:
    """Every text of every XML part of a python-docx document's package: each part's
    paragraphs (their runs joined, as a reader sees them), every other text and
    attribute value, and the target of every external relationship (link addresses)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml
    from lxml import etree

    from nbesok.docx.text import paragraph_text

    others = etree.XPath("//text()[not(parent::w:t)][normalize-space()] | //@*", namespaces=_W)
    for part in document.part.package.iter_parts():
        where = _part_words(str(part.partname))
        element = getattr(part, "element", None)
        if element is None and part.content_type.endswith("xml"):
            element = parse_xml(part.blob)  # a part python-docx keeps as bytes: app.xml
        if element is not None:
            paragraphs = [paragraph_text(paragraph) for paragraph in element.iter(qn("w:p"))]
            if paragraphs:
                yield where, "\n".join(paragraphs)
            # NUL between the pieces: nothing a rule looks for joins two of them.
            yield where, "\0".join(str(text) for text in others(element))
        for relationship in part.rels.values():
            if relationship.is_external:
                yield f"{where} (en länkadress)", relationship.target_ref


_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def _part_words(partname: str) -> str:
    return next(
        (words for prefix, words in _PART_WORDS if partname.startswith(prefix)),
        f"i dokumentet ({partname.lstrip('/')})",
    )


def markdown_texts(markdown: str) -> Iterator[Published]:
    """The ``.md`` as written, and as a Markdown reader shows it (escapes resolved)."""
    from nbesok import markup

    yield "i Markdown-filen", markdown
    tree = markup.parser().parse(markdown)
    shown = [
        child.content
        for token in tree
        for child in (token.children or [])
        if child.type in ("text", "code_inline")
    ]
    links = [
        str(child.attrs.get("href") or child.attrs.get("src") or "")
        for token in tree
        for child in (token.children or [])
        if child.type in ("link_open", "image")
    ]
    yield "i Markdown-filen", "\n".join(shown)
    yield "i Markdown-filen (en länkadress)", "\0".join(links)


def name_texts(names: Iterable[str]) -> Iterator[Published]:
    for name in names:
        yield "i filnamnet", name


def pdf_texts(path: Path) -> Iterator[Published]:
    """Each page's text, every string object of the file and its XMP metadata, read
    back with pypdf."""
    from pypdf import PdfReader

    # pypdf reports oddities of a file through logging; they say nothing to a user.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, 1):
        yield f"på sidan {number} i PDF-filen", page.extract_text()
    yield "i PDF-filens länkar, bokmärken eller egenskaper", "\0".join(_strings(reader.trailer))
    metadata = reader.root_object.get("/Metadata")
    if metadata is not None:
        data = metadata.get_object().get_data().decode("utf-8", "replace")
        yield "i PDF-filens XMP-metadata", data


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
