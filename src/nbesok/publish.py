"""The one publishing step of render and report: formats, PDFs and the review.

A document's Markdown is parsed once. The syntax tree gives the ``.md`` and the
``.docx``; the Word document is reviewed for accessibility while it is still in
memory, then every requested file is written atomically. PDFs are made afterwards
for all documents of a run in one LibreOffice run, from the DOCX bytes made here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nbesok.documents import Document
from nbesok.errors import Finding, OutputError, UsageError
from nbesok.output import write_all_atomic

FORMATS = ("md", "docx", "pdf")


def parse_formats(text: str, allowed: Sequence[str] = FORMATS) -> tuple[str, ...]:
    """``"md,docx"`` → ``("md", "docx")``; unknown names are a usage error."""
    formats = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [name for name in formats if name not in allowed]
    if unknown or not formats:
        raise UsageError.at(
            "--format",
            f"okänt format «{', '.join(unknown) or text}»; välj bland {', '.join(allowed)}, "
            "t.ex. --format md,docx",
        )
    return formats


@dataclass(frozen=True)
class Made:
    """One document's files, made in memory and not yet written."""

    name: str
    files: dict[str, bytes]  # file name -> bytes, for the formats asked for besides pdf
    pdf_source: bytes | None  # the DOCX to convert, if a PDF was asked for
    findings: list[Finding]  # the accessibility review, as warnings


def make(document: Document, formats: Sequence[str], out_dir: Path, reference: Path) -> Made:
    """Every requested format of ``document`` in memory, and the review of its DOCX."""
    from nbesok import markup

    tree = markup.parse(document.markdown)
    files: dict[str, bytes] = {}
    if "md" in formats:
        files[f"{document.name}.md"] = document.markdown.encode("utf-8")
    docx_bytes: bytes | None = None
    findings: list[Finding] = []
    if "docx" in formats or "pdf" in formats:
        from nbesok.docx.package import save_document
        from nbesok.docx.reference import load_reference
        from nbesok.docx.review import as_warnings, review_document
        from nbesok.docx.writer import write_docx

        loaded = load_reference(reference)
        properties = markup.properties(tree)
        word = write_docx(tree, loaded, properties)
        shown = out_dir / f"{document.name}.{'docx' if 'docx' in formats else 'pdf'}"
        # Every document of a reference has its styles, but for the text language.
        styles = (loaded.data, properties.lang)
        findings = as_warnings(review_document(word, shown, same_styles_as=styles))
        docx_bytes = save_document(word)
        if "docx" in formats:
            files[f"{document.name}.docx"] = docx_bytes
    return Made(document.name, files, docx_bytes if "pdf" in formats else None, findings)


def write(made: Made, out_dir: Path) -> dict[str, str]:
    """Write ``made``'s files atomically, all or none; file name -> sha256 of its bytes."""
    write_all_atomic({out_dir / name: data for name, data in made.files.items()})
    return {name: hashlib.sha256(data).hexdigest() for name, data in made.files.items()}


@dataclass
class Outcome:
    """What a run wrote: files, documents skipped as unchanged, and what it found."""

    written: list[Path] = field(default_factory=list)
    unchanged: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(found.is_error for found in self.findings)


def add_pdfs(
    sources: dict[str, bytes], out_dir: Path, libreoffice: Path | None, outcome: Outcome
) -> list[Path]:
    """One LibreOffice run for all of ``sources``; its failure leaves the other formats."""
    if not sources:
        return []
    from nbesok.pdf import LibreOfficeError, convert_documents, find_libreoffice

    try:
        pdfs = convert_documents(sources, out_dir, libreoffice=find_libreoffice(libreoffice))
    except LibreOfficeError as error:
        outcome.findings.extend(error.findings)
        return []
    outcome.written.extend(pdfs)
    return pdfs


def publish(
    documents: Sequence[Document],
    formats: Sequence[str],
    out_dir: Path,
    reference: Path,
    libreoffice: Path | None = None,
) -> Outcome:
    """Make, review and write ``documents`` (for report); PDFs in one LibreOffice run."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError.at(out_dir, "finns redan som fil; --out ska vara en mapp")
    outcome = Outcome()
    pdf_sources: dict[str, bytes] = {}
    for document in documents:
        made = make(document, formats, out_dir, reference)
        write(made, out_dir)
        outcome.written.extend(out_dir / name for name in made.files)
        outcome.findings.extend(made.findings)
        if made.pdf_source is not None:
            pdf_sources[made.name] = made.pdf_source
    add_pdfs(pdf_sources, out_dir, libreoffice, outcome)
    return outcome
