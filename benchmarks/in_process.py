"""Per-document cost inside one process, beside python-docx's own floor (for bench.py).

Run by bench.py as its own process in the generated archive:

    python benchmarks/in_process.py ROOT VISIT [VISIT …]

For each visit, in turn: the python-docx floor (open the reference, add nothing,
save); nbesok's whole per-document work in memory (load and check the visit, run the
template, parse the Markdown, build, review and save the .docx, make the .md); and the
Word part of it alone (build, review and save from the parsed Markdown). All are
warmed up first, so imports and caches are not counted. Prints JSON with every single
timing in seconds.
"""

from __future__ import annotations

import io
import json
import sys
import time
from datetime import date
from pathlib import Path

import docx
from markdown_it.tree import SyntaxTreeNode

from nbesok import markup
from nbesok.archive import Archive
from nbesok.documents import document_for, reference_docx
from nbesok.docx.package import save_document
from nbesok.docx.reference import load_reference
from nbesok.docx.review import review_document
from nbesok.docx.writer import write_docx
from nbesok.pictures import load
from nbesok.publish import make


def floor(reference: bytes) -> None:
    save_document(docx.Document(io.BytesIO(reference)))


def per_document(archive: Archive, visit: Path, out: Path) -> None:
    document, _ = document_for(archive, visit, date.today(), guidance=True)
    make(document, ("md", "docx"), out, reference_docx(archive))


def word_part(archive: Archive, tree: SyntaxTreeNode, out: Path, markdown: str) -> None:
    """The python-docx part of one document: open, write the tree, review, save."""
    reference = load_reference(reference_docx(archive))
    properties = markup.properties(tree)
    word = write_docx(tree, reference, properties, pictures=load(markdown, archive.root))
    review_document(word, out, same_styles_as=(reference.data, properties.lang))
    save_document(word)


def main() -> None:
    root, visits = Path(sys.argv[1]), [Path(argument) for argument in sys.argv[2:]]
    archive = Archive(root)
    reference = reference_docx(archive).read_bytes()
    out = root / "out-i-minnet"  # only named in findings; nothing is written
    floor(reference)
    per_document(archive, visits[0], out)
    floors: list[float] = []
    documents: list[float] = []
    words: list[float] = []
    for visit in visits:
        start = time.perf_counter()
        floor(reference)
        floors.append(time.perf_counter() - start)
        start = time.perf_counter()
        per_document(archive, visit, out)
        documents.append(time.perf_counter() - start)
        document, _ = document_for(archive, visit, date.today(), guidance=True)
        tree = markup.parse(document.markdown)
        start = time.perf_counter()
        word_part(archive, tree, out, document.markdown)
        words.append(time.perf_counter() - start)
    json.dump({"golv": floors, "dokument": documents, "word": words}, sys.stdout)


if __name__ == "__main__":
    main()
