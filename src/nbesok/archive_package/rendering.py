"""Every document of a package, rendered fresh from the archive in one LibreOffice run.

Nothing is taken from ``out/``: each visit's protocol is made from its YAML as
``render`` makes it (the personnummer guard included), its DOCX converted to PDF/A-2b
with the other documents in one LibreOffice run, and each PDF settled to bytes that
depend on the content only (:mod:`settled_pdf`).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbesok.archive import Archive
from nbesok.archive_package.public import public_documents
from nbesok.archive_package.selection import ChosenVisit, Selection
from nbesok.archive_package.settled_pdf import settle_pdf
from nbesok.documents import Document, reference_docx, render_visit
from nbesok.errors import Finding
from nbesok.publish import make

FORMATS = ("md", "docx", "pdf")


@dataclass(frozen=True)
class RenderedDocument:
    """One document of a visit: its published Markdown and its archival PDF/A."""

    name: str
    markdown: bytes
    pdf: bytes
    public: bool


@dataclass(frozen=True)
class RenderedVisit:
    chosen: ChosenVisit
    internal: RenderedDocument
    public: tuple[RenderedDocument, ...]


@dataclass(frozen=True)
class Rendered:
    visits: list[RenderedVisit]
    producer: str  # what made the PDFs, as they say themselves (``LibreOffice 7.4``)
    warnings: list[Finding]  # the accessibility review of each document, as render gives it


def render_visits(archive: Archive, selection: Selection, libreoffice: Path | None) -> Rendered:
    """The documents of every visit, the PDF producer and the review's warnings."""
    from nbesok.pdf import convert_documents, find_libreoffice

    program = find_libreoffice(libreoffice)  # before any work: a missing one says so first
    reference = reference_docx(archive)
    out_dir = archive.root / "out"  # where messages say a document would go; nothing is written
    planned: list[tuple[ChosenVisit, list[tuple[Document, bool]]]] = []
    for chosen in selection.visits:
        internal = render_visit(
            archive,
            chosen.visit,
            chosen.protocol.model,
            protocol_path=chosen.protocol.path,
        )
        documents = [(internal, False)]
        documents += [(public, True) for public in public_documents(archive, chosen, internal)]
        planned.append((chosen, documents))
    made = {
        document.name: make(document, FORMATS, out_dir, reference)
        for _, documents in planned
        for document, _ in documents
    }
    sources = {name: result.pdf_source for name, result in made.items() if result.pdf_source}
    with tempfile.TemporaryDirectory(prefix="nbesok-arkivera-") as folder:
        pdfs = {
            path.stem: path.read_bytes()
            for path in convert_documents(sources, Path(folder), libreoffice=program)
        }
    rendered = []
    for chosen, documents in planned:
        day = chosen.adoption.date
        results = [
            RenderedDocument(
                document.name,
                made[document.name].files[f"{document.name}.md"],
                settle_pdf(pdfs[document.name], day),
                public,
            )
            for document, public in documents
        ]
        rendered.append(RenderedVisit(chosen, results[0], tuple(results[1:])))
    warnings = [found for result in made.values() for found in result.findings]
    return Rendered(rendered, _producer(rendered), warnings)


def _producer(rendered: list[RenderedVisit]) -> str:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(rendered[0].internal.pdf)) as pdf:
        return str(pdf.docinfo.get(pikepdf.Name.Producer, "LibreOffice"))
