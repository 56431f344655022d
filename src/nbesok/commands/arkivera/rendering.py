"""Every document of a package, rendered fresh from the archive in one LibreOffice run.

Nothing is taken from ``out/``: each visit's protocol is made from its YAML as
``render --publik`` makes it, the internal copy and the public copy (:mod:`public`),
with the personnummer guard and, on the public copy, the rule on masked words over
every outlet. Their DOCX are converted to PDF/A-2b in one LibreOffice run, each PDF is
settled to bytes that depend on the content only (:mod:`settled_pdf`), and each public
PDF, as it goes into the package, is read back for the masked words: one that shows
any is a located error, and no package is made.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from nbesok.archive.masked_words import MaskedWords
from nbesok.archive.root import Archive
from nbesok.commands.arkivera.public import file_name_warning, is_neutrally_named, public_copy
from nbesok.commands.arkivera.selection import ChosenVisit, Selection
from nbesok.commands.arkivera.settled_pdf import settle_pdf
from nbesok.core.errors import Finding, RenderError
from nbesok.documents.compose import Document, reference_docx, render_visit
from nbesok.documents.outlets import pdf_texts
from nbesok.documents.publish import make

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
    public: RenderedDocument
    # The visit file's name shows a masked value: nothing public names the file.
    neutrally_named: bool


@dataclass(frozen=True)
class Rendered:
    visits: list[RenderedVisit]
    producer: str  # what made the PDFs, as they say themselves (``LibreOffice 7.4``)
    warnings: list[Finding]  # the accessibility review of each document, as render gives it


def render_visits(archive: Archive, selection: Selection, libreoffice: Path | None) -> Rendered:
    """The documents of every visit, the PDF producer and the review's warnings."""
    from nbesok.documents.pdf import convert_documents, find_libreoffice

    program = find_libreoffice(libreoffice)  # before any work: a missing one says so first
    reference = reference_docx(archive)
    out_dir = archive.root / "out"  # where messages say a document would go; nothing is written
    planned: list[tuple[ChosenVisit, Document, Document]] = []
    for chosen in selection.visits:
        internal = render_visit(
            archive,
            chosen.visit,
            chosen.protocol.model,
            protocol_path=chosen.protocol.path,
        )
        planned.append((chosen, internal, public_copy(internal)))
    made = {
        document.name: make(document, FORMATS, out_dir, reference)
        for _, *documents in planned
        for document in documents
    }
    sources = {name: result.pdf_source for name, result in made.items() if result.pdf_source}
    rules = {name: result.pdf_rule for name, result in made.items() if result.pdf_rule}
    with tempfile.TemporaryDirectory(prefix="nbesok-arkivera-") as folder:
        pdfs = {
            path.stem: path.read_bytes()
            for path in convert_documents(sources, Path(folder), libreoffice=program)
        }
        settled = {
            document.name: settle_pdf(pdfs[document.name], chosen.adoption.date)
            for chosen, *documents in planned
            for document in documents
        }
        _check_public_pdfs(settled, rules, Path(folder) / "publik")
    rendered = [
        RenderedVisit(
            chosen,
            _rendered(internal, made[internal.name].files, settled, public=False),
            _rendered(public, made[public.name].files, settled, public=True),
            is_neutrally_named(internal),
        )
        for chosen, internal, public in planned
    ]
    warnings = [found for result in made.values() for found in result.findings]
    for chosen, internal, _ in planned:
        warning = file_name_warning(chosen.visit, internal)
        if warning is not None:
            warnings.append(warning)
    return Rendered(rendered, _producer(rendered), warnings)


def _rendered(
    document: Document, files: dict[str, bytes], pdfs: dict[str, bytes], *, public: bool
) -> RenderedDocument:
    return RenderedDocument(
        document.name, files[f"{document.name}.md"], pdfs[document.name], public
    )


def _check_public_pdfs(pdfs: dict[str, bytes], rules: dict[str, MaskedWords], folder: Path) -> None:
    """Each public PDF, as it goes into the package, read back for its masked words
    (the rule ``make`` returned for it); every leak of every copy is reported at once."""
    folder.mkdir()
    findings: list[Finding] = []
    for name, rule in sorted(rules.items()):
        path = folder / f"{name}.pdf"
        path.write_bytes(pdfs[name])
        findings += rule.findings(pdf_texts(path))
    if findings:
        raise RenderError(findings)


def _producer(rendered: list[RenderedVisit]) -> str:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(rendered[0].internal.pdf)) as pdf:
        return str(pdf.docinfo.get(pikepdf.Name.Producer, "LibreOffice"))
