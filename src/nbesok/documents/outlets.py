"""What text each outlet of a document holds, as its readers and programs can see it.

An outlet is a file nbesok publishes: the ``.docx`` (every XML part of its package:
body, headers, footers, properties, styles, and every link address), the ``.md`` (as
written, and as a Markdown reader shows it), the PDF (each page's text, every string
object – link addresses, bookmarks, the structure tree's alternative texts, the
document information – and the XMP metadata) and the files' names. Each text comes as
``(where, text)``, ``where`` saying in Swedish which part of the outlet it is, so that
a rule on what must not be published (nbesok.archive.masked_words) can say where it found it.

Kept apart from the rules on purpose: one reading of each outlet serves every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.document import Document

from nbesok.archive.guard import Published

__all__ = ["Published", "docx_texts", "markdown_texts", "name_texts", "pdf_texts"]


def docx_texts(document: Document) -> Iterator[Published]:
    """Every text of every XML part of a python-docx document's package (see
    :func:`nbesok.documents.docx.text.package_texts`)."""
    from nbesok.documents.docx.text import package_texts

    return package_texts(document)


def markdown_texts(markdown: str, *, as_shown: bool = True) -> Iterator[Published]:
    """The ``.md`` as written, and with ``as_shown`` also as a Markdown reader shows it
    (escapes resolved, link addresses apart). The personnummer guard needs only the
    text as written: it reads entities and markup between a number's parts itself."""
    from nbesok.archive import markup

    yield "i Markdown-filen", markdown
    if not as_shown:
        return
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
    """Each page's text, every string object of the file and its XMP metadata (see
    :func:`nbesok.documents.pdftext.pdf_texts`)."""
    from nbesok.documents.pdftext import pdf_texts as read

    return read(path)
